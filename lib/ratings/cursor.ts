/**
 * The bot's place in the list of due episodes: the last episode it was shown, as (answered_at, episode
 * key). Opaque to the bot (`<epoch ms>-<key>` in base64url), so its shape can change without breaking
 * bots that only store and echo it. Episodes are listed by answered_at then key, so the pair is a total
 * order and a page never repeats or skips an episode answered at the same millisecond as the previous.
 * The key is the episode's opening message id (lib/ratings/token.ts says why), not its row id.
 */
export interface DueCursor {
  answeredAt: Date;
  key: number;
}

export function encodeCursor(c: DueCursor): string {
  return Buffer.from(`${c.answeredAt.getTime()}-${c.key}`, "utf8").toString("base64url");
}

export function decodeCursor(s: string): DueCursor | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s)) return null;
  const m = /^(\d{1,15})-([1-9]\d{0,15})$/.exec(Buffer.from(s, "base64url").toString("utf8"));
  if (!m || !m[1] || !m[2]) return null;
  const ms = Number(m[1]);
  const id = Number(m[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(id)) return null;
  return { answeredAt: new Date(ms), key: id };
}
