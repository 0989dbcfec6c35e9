import type { EpisodeChannel, EpisodeMessage, Role, ScopedEpisodeMessage } from "@/lib/metrics/episodes";

/** Test builders for episode derivation: people, channels and a compact message DSL. */

export const T0 = new Date("2024-03-04T09:00:00Z");
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;
/** T0 + minutes. */
export const at = (minutes: number): Date => new Date(T0.getTime() + minutes * MIN);

export const S1 = 101;
export const S2 = 102;
export const S3 = 103;
/** A student nobody put on the roster: roleOf says undefined. */
export const UNKNOWN = 199;
export const MENTOR = 201;
export const COORD = 202;
export const BOT = 301;

export const roster: ReadonlyMap<number, Role> = new Map<number, Role>([
  [S1, "student"],
  [S2, "student"],
  [S3, "student"],
  [MENTOR, "mentor"],
  [COORD, "coordinator"],
  [BOT, "bot"],
]);
export const roleOf = (personId: number): Role | undefined => roster.get(personId);

export function channel(overrides: Partial<EpisodeChannel> = {}): EpisodeChannel {
  return {
    id: 1,
    kind: "group",
    purpose: "support",
    attribution: "strict",
    ownerRole: null,
    ownerPersonId: null,
    dmStudentPersonId: null,
    ...overrides,
  };
}

export interface MsgOpts {
  /** Override the author's role (default: the roster's, else student). */
  role?: Role;
  /** Quote message `reply` (its external id is String(id)). */
  reply?: number;
  replyPerson?: number;
  mentions?: number[];
  ack?: boolean;
  q?: boolean;
  neg?: boolean;
  cat?: EpisodeMessage["category"];
  kind?: EpisodeMessage["contentKind"];
  /** Deleted this many seconds after sending. */
  deletedAfterSec?: number;
}

/** Message `id` sent `minute` minutes after T0 by `author`. */
export function msg(id: number, minute: number, author: number, o: MsgOpts = {}): EpisodeMessage {
  const role = o.role ?? roster.get(author) ?? "student";
  const sentAt = at(minute);
  return {
    id,
    externalId: String(id),
    authorPersonId: author,
    authorRole: role,
    isBot: role === "bot",
    sentAt,
    deletedAt: o.deletedAfterSec === undefined ? null : new Date(sentAt.getTime() + o.deletedAfterSec * 1000),
    contentKind: o.kind ?? "text",
    isAck: o.ack ?? false,
    hasQuestion: o.q ?? false,
    negative: o.neg ?? false,
    category: o.cat ?? null,
    replyToExternalId: o.reply === undefined ? null : String(o.reply),
    replyToPersonId: o.replyPerson ?? null,
    mentionPersonIds: o.mentions ?? [],
  };
}

/** Mulberry32: a small seeded PRNG so property tests are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const a = out[i];
    const b = out[j];
    if (a === undefined || b === undefined) continue;
    out[i] = b;
    out[j] = a;
  }
  return out;
}

export function pick<T>(items: readonly T[], rand: () => number): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
}

export interface HistoryOptions {
  channels: readonly EpisodeChannel[];
  people: readonly number[];
  /** Sent times are whole 10-minute steps in [0, steps): equal times happen. */
  steps: number;
  /** Authors to draw from in a channel (default `people`). */
  authorsIn?: (channel: EpisodeChannel) => readonly number[];
  /** Replies quote only messages sent earlier (as in life), not any message generated before. */
  earlierRepliesOnly?: boolean;
  /** Draw a category for some messages. */
  categories?: boolean;
}

/**
 * A random but plausible message history for property tests: ties in time, replies inside the scope and
 * to messages outside the data (some naming their author), mentions, acks, questions, negative messages,
 * stickers, media, service messages, deletions around the 60-second rule; forum channels get two topics.
 */
export function randomHistory(seed: number, size: number, o: HistoryOptions): ScopedEpisodeMessage[] {
  const rand = prng(seed);
  const out: ScopedEpisodeMessage[] = [];
  for (let id = 1; id <= size; id++) {
    const ch = pick(o.channels, rand);
    const threadId = ch.kind === "forum" ? pick([51, 52], rand) : null;
    const author = pick(o.authorsIn?.(ch) ?? o.people, rand);
    const minute = Math.floor(rand() * o.steps) * 10;
    const sent = at(minute).getTime();
    const sameScope = out.filter((m) => m.channelId === ch.id && m.threadId === threadId && (!o.earlierRepliesOnly || m.sentAt.getTime() < sent));
    const r = rand();
    const reply = r < 0.3 && sameScope.length > 0 ? pick(sameScope, rand).id : r < 0.35 ? 100_000 + id : undefined;
    const base = msg(id, minute, author, {
      reply,
      replyPerson: reply !== undefined && reply > 100_000 && rand() < 0.5 ? pick(o.people, rand) : undefined,
      mentions: rand() < 0.15 ? [pick(o.people, rand)] : [],
      ack: rand() < 0.15,
      q: rand() < 0.4,
      neg: rand() < 0.05,
      cat: o.categories && rand() < 0.3 ? pick(["organisational", "content", "technical"] as const, rand) : null,
      kind: rand() < 0.05 ? "sticker" : rand() < 0.05 ? "media" : rand() < 0.02 ? "service" : "text",
      deletedAfterSec: rand() < 0.05 ? pick([30, 60, 61, 3600], rand) : undefined,
    });
    out.push({ ...base, channelId: ch.id, threadId });
  }
  return out;
}
