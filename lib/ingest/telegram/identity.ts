import type { ChannelRef, IdentityRef } from "../types";
import type { TgChat, TgEntity, TgUser } from "./bot-api-schema";

/**
 * Identity conventions shared by the Bot API adapter and the Desktop-export importer, so that a person
 * and a chat seen live and in an export are the same rows (FORMATS.md, "Identity across export and live"):
 * - a user is their numeric id as a decimal string ("6129457865");
 * - a chat is its Bot-API id ("-1001971186208" for supergroups and channels, "-123" for basic groups,
 *   the user id for a private chat); a chat posting as itself (channel post, anonymous admin) is that id;
 * - a mention by @username, whose numeric id the message does not tell, is "@" + the lower-cased
 *   username (usernames are case-insensitive). Numeric ids never start with "@", so the store can
 *   resolve these against known usernames later without any collision.
 */
export function userIdentity(u: TgUser): IdentityRef {
  const name = [u.first_name, u.last_name].filter((p) => p && p.trim() !== "").join(" ");
  return { externalId: String(u.id), ...(name ? { name } : {}), ...(u.username ? { username: u.username } : {}), isBot: u.is_bot };
}

export function chatTitle(c: TgChat): string | undefined {
  if (c.title) return c.title;
  const name = [c.first_name, c.last_name].filter((p) => p && p.trim() !== "").join(" ");
  return name || undefined;
}

/** A chat as an author: a channel post, or an anonymous group admin (`sender_chat` = the group). */
export function chatIdentity(c: TgChat): IdentityRef {
  const name = chatTitle(c);
  return { externalId: String(c.id), ...(name ? { name } : {}), ...(c.username ? { username: c.username } : {}), isBot: false };
}

export function usernameIdentity(raw: string): IdentityRef | null {
  const username = raw.replace(/^@/, "");
  // Telegram usernames: 4–32 of [A-Za-z0-9_] (5+ for new ones; 4 exists for collectible names).
  if (!/^[A-Za-z0-9_]{4,32}$/.test(username)) return null;
  return { externalId: `@${username.toLowerCase()}`, username };
}

export function chatKind(c: TgChat): ChannelRef["kind"] {
  if (c.type === "private") return "dm";
  if (c.type === "channel") return "channel";
  if (c.type === "supergroup" && c.is_forum) return "forum";
  return "group";
}

export function channelRef(c: TgChat): ChannelRef {
  const title = chatTitle(c);
  return { externalId: String(c.id), kind: chatKind(c), ...(title ? { title } : {}) };
}

export function dedupeIdentities(xs: readonly IdentityRef[]): IdentityRef[] {
  const seen = new Map<string, IdentityRef>();
  for (const x of xs) if (!seen.has(x.externalId)) seen.set(x.externalId, x);
  return [...seen.values()];
}

/**
 * Mentions from Bot-API entities. Offsets and lengths are in UTF-16 code units, which is what JS string
 * indices are, so `slice` is exact even with emoji before the mention.
 */
export function mentionsFromEntities(text: string, entities: readonly TgEntity[] | undefined): IdentityRef[] {
  const out: IdentityRef[] = [];
  for (const e of entities ?? []) {
    if (e.type === "text_mention" && e.user) out.push(userIdentity(e.user));
    else if (e.type === "mention") {
      const who = usernameIdentity(text.slice(e.offset, e.offset + e.length));
      if (who) out.push(who);
    }
  }
  return dedupeIdentities(out);
}
