import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../client";
import * as t from "../../schema";
import type { EpisodeChannel, EpisodeMessage, ScopedEpisodeMessage } from "@/lib/metrics/episodes";
import type { SchoolContext } from "./context";

/** A scope as `dirty_scopes` keys it: thread 0 = the channel's main timeline. */
export interface ScopeRef {
  channelId: number;
  threadId: number;
}

/**
 * A list of scopes as one bound JSON parameter, usable as a relation `(c, t)`. One parameter instead of
 * two per scope keeps big batches under PostgreSQL's 65 535-parameter limit; both engines accept it.
 */
export function scopeSet(scopes: readonly ScopeRef[]): SQL {
  const json = JSON.stringify(scopes.map((s) => ({ c: s.channelId, t: s.threadId })));
  return sql`(select v.c, v.t from json_to_recordset(${json}::json) as v(c bigint, t bigint))`;
}

export interface ChannelInfo extends EpisodeChannel {
  sourceId: number;
  cohortId: number | null;
}

export async function loadChannels(db: Db, schoolId: number, ids: readonly number[]): Promise<Map<number, ChannelInfo>> {
  const out = new Map<number, ChannelInfo>();
  if (ids.length === 0) return out;
  const found = await db
    .select({
      id: t.channels.id,
      sourceId: t.channels.sourceId,
      kind: t.channels.kind,
      purpose: t.channels.purpose,
      attribution: t.channels.attribution,
      ownerRole: t.channels.ownerRole,
      ownerPersonId: t.channels.ownerPersonId,
      dmStudentPersonId: t.channels.dmStudentPersonId,
      cohortId: t.channels.cohortId,
    })
    .from(t.channels)
    .where(and(eq(t.channels.schoolId, schoolId), inArray(t.channels.id, [...ids])));
  for (const c of found) out.set(c.id, c);
  return out;
}

export interface MessageRange {
  from?: Date;
  to?: Date;
}

/** One message as the JSON array `loadScopeMessages` selects (see there for why an array). */
type MessageTuple = [
  id: number, channelId: number, threadId: number | null, externalId: string, authorPersonId: number, isBot: boolean,
  sentMs: number, deletedMs: number | null, contentKind: EpisodeMessage["contentKind"], isAck: boolean, hasQuestion: boolean,
  negative: boolean, category: EpisodeMessage["category"], replyToExternalId: string | null, replyToPersonId: number | null, mentions: number[],
];

/**
 * The messages of some scopes, shaped for lib/metrics/episodes, with each author's role at the time
 * they wrote. A message is a bot's when the source flagged it or its author is a bot person (people.is_bot
 * or role `bot`): the pure code treats `isBot` and role `bot` alike.
 *
 * Why one JSON array per batch: PGlite hands rows to JavaScript field by field, about 25 µs a message;
 * one json_agg text parsed by JSON.parse is about twice as fast, and node-postgres gains as well.
 * Times are whole epoch milliseconds (what a JavaScript Date holds).
 */
export async function loadScopeMessages(
  db: Db,
  ctx: SchoolContext,
  scopes: readonly ScopeRef[],
  range: MessageRange = {},
): Promise<ScopedEpisodeMessage[]> {
  if (scopes.length === 0) return [];
  const channelIds = `{${[...new Set(scopes.map((s) => Math.trunc(s.channelId)))].join(",")}}`;
  const res = await db.execute(sql`
    select coalesce(json_agg(${MESSAGE_TUPLE})::text, '[]') as j
    from messages m
    where m.school_id = ${ctx.schoolId} and m.channel_id = any(${channelIds}::bigint[])
      and (m.channel_id, coalesce(m.thread_id, 0)) in ${scopeSet(scopes)}
      ${range.from ? sql`and m.sent_at >= ${range.from.toISOString()}::timestamptz` : sql``}
      ${range.to ? sql`and m.sent_at < ${range.to.toISOString()}::timestamptz` : sql``}`);
  return parseTuples(ctx, res);
}

/** A scope resumed from its checkpoint: its messages strictly after (afterSentMs, afterId) are read. */
export interface ScopeAfter extends ScopeRef {
  afterSentMs: number;
  afterId: number;
}

/** The scopes' bounds as one bound JSON parameter: a relation `alias(c, t, ps, pid)`. */
export function boundSet(scopes: readonly ScopeAfter[], alias = "k"): SQL {
  const json = JSON.stringify(scopes.map((s) => ({ c: s.channelId, t: s.threadId, ps: new Date(s.afterSentMs).toISOString(), pid: s.afterId })));
  return sql`json_to_recordset(${json}::json) as ${sql.raw(alias)}(c bigint, t bigint, ps timestamptz, pid bigint)`;
}

/**
 * The messages of resumed scopes after their checkpoints, shaped as loadScopeMessages shapes them: a few
 * seconds of a group chat, not its year, to derive, found by time in messages_scope_idx (migration 0029:
 * without sent_at in it, every message of the chat was read, ~8 ms for 12 k messages at 10 M).
 */
export async function loadMessagesAfter(db: Db, ctx: SchoolContext, scopes: readonly ScopeAfter[]): Promise<ScopedEpisodeMessage[]> {
  if (scopes.length === 0) return [];
  const res = await db.execute(sql`
    select coalesce(json_agg(${MESSAGE_TUPLE})::text, '[]') as j
    from ${boundSet(scopes)}
    join messages m on m.school_id = ${ctx.schoolId} and m.channel_id = k.c and coalesce(m.thread_id, 0) = k.t
      and m.sent_at >= k.ps and (m.sent_at > k.ps or m.id > k.pid)`);
  return parseTuples(ctx, res);
}

/**
 * The messages at or before resumed scopes' checkpoints that later messages quote (`wanted`: external ids
 * per scope key): what the reply rules look up besides the messages being derived.
 */
export async function loadQuoted(db: Db, ctx: SchoolContext, scopes: readonly ScopeAfter[], wanted: ReadonlyMap<string, readonly string[]>): Promise<ScopedEpisodeMessage[]> {
  const rows: Array<{ c: number; t: number; x: string; ps: string; pid: number }> = [];
  for (const s of scopes) {
    for (const x of wanted.get(`${s.channelId}:${s.threadId}`) ?? []) rows.push({ c: s.channelId, t: s.threadId, x, ps: new Date(s.afterSentMs).toISOString(), pid: s.afterId });
  }
  if (rows.length === 0) return [];
  const res = await db.execute(sql`
    select coalesce(json_agg(${MESSAGE_TUPLE})::text, '[]') as j
    from json_to_recordset(${JSON.stringify(rows)}::json) as q(c bigint, t bigint, x text, ps timestamptz, pid bigint)
    join messages m on m.school_id = ${ctx.schoolId} and m.channel_id = q.c and m.external_id = q.x and coalesce(m.thread_id, 0) = q.t
      and (m.sent_at < q.ps or (m.sent_at = q.ps and m.id <= q.pid))`);
  return parseTuples(ctx, res);
}

const MESSAGE_TUPLE = sql`json_build_array(m.id, m.channel_id, m.thread_id, m.external_id, m.author_person_id, m.is_bot,
  floor(extract(epoch from m.sent_at) * 1000), floor(extract(epoch from m.deleted_at) * 1000), m.content_kind, m.is_ack,
  m.has_question, m.negative, m.category, m.reply_to_external_id, m.reply_to_person_id, m.mention_person_ids)`;

function parseTuples(ctx: SchoolContext, res: unknown): ScopedEpisodeMessage[] {
  const text = (res as { rows: Array<{ j: string }> }).rows[0]?.j ?? "[]";
  return (JSON.parse(text) as MessageTuple[]).map((r) => {
    const sentAt = new Date(Number(r[6]));
    const role = ctx.roleAt(r[4], sentAt) ?? "student";
    return {
      id: r[0],
      channelId: r[1],
      threadId: r[2],
      externalId: r[3],
      authorPersonId: r[4],
      isBot: r[5] || role === "bot",
      authorRole: role,
      sentAt,
      deletedAt: r[7] === null ? null : new Date(Number(r[7])),
      contentKind: r[8],
      isAck: r[9],
      hasQuestion: r[10],
      negative: r[11],
      category: r[12],
      replyToExternalId: r[13],
      replyToPersonId: r[14],
      mentionPersonIds: r[15],
    };
  });
}

export interface ScopeCount extends ScopeRef {
  messages: number;
  /** `dirty` only: the mark's earliest new message (epoch ms); null = derive the scope whole. */
  fromMs?: number | null;
}

/**
 * What a dirty scope that will likely resume from its checkpoint counts as for batching, instead of its
 * messages: it reads only those after the checkpoint (the lag's, the stored point's ADVANCE_MESSAGES, the
 * new ones). Counted, a busy chat of a year counted its whole history: a webhook run over 80 such chats
 * was split into as many parts of a few statements each, and the count itself read every message of
 * them (~60 ms a run under the bench's webhook load, docs/performance.md round 20). As large as
 * QUICK_SCOPE_MESSAGES, so that such chats still come after the small scopes (a new DM) of a run.
 */
export const RESUMED_SCOPE_ESTIMATE = 200;

/**
 * Scopes to recompute with their message counts (for batching). `all` = every scope that has messages
 * or episodes (episodes of a scope whose messages vanished must go too) or a dirty mark. With
 * `resumable`, a dirty scope whose earliest new message is after its stored checkpoint counts as
 * RESUMED_SCOPE_ESTIMATE (an estimate: whether it resumes is decided under the batch's lock).
 */
export async function listScopes(db: Db, schoolId: number, which: "dirty" | "all" | readonly ScopeRef[], opts: { resumable?: boolean } = {}): Promise<ScopeCount[]> {
  let candidates: SQL;
  if (which === "dirty") {
    candidates = opts.resumable
      ? sql`select d.channel_id as c, d.thread_id as t, floor(extract(epoch from d.from_sent_at) * 1000) as f, d.from_sent_at > k.after_sent_at as r
            from dirty_scopes d left join scope_checkpoints k on k.school_id = d.school_id and k.channel_id = d.channel_id and k.thread_id = d.thread_id
            where d.school_id = ${schoolId}`
      : sql`select channel_id as c, thread_id as t, floor(extract(epoch from from_sent_at) * 1000) as f, false as r from dirty_scopes where school_id = ${schoolId}`;
  } else if (which === "all") {
    candidates = sql`select channel_id as c, coalesce(thread_id, 0) as t from messages where school_id = ${schoolId}
      union select channel_id, coalesce(thread_id, 0) from episodes where school_id = ${schoolId}
      union select channel_id, thread_id from dirty_scopes where school_id = ${schoolId}`;
  } else {
    if (which.length === 0) return [];
    candidates = sql`select c, t from ${scopeSet(which)} as s`;
  }
  const dirty = which === "dirty";
  // Every scope of the school: one grouped pass over its messages. A few scopes (a webhook run's marks, a
  // list): counted one by one through messages_scope_idx. Grouped, PostgreSQL hashed the scopes and read
  // every message of the school to count a few (1.18 M rows, ~50-270 ms at xl; ~150 ms a run at 10 M):
  // derivation's setup grew with the school, not with what was marked.
  const countOne = sql`(select count(*)::int from messages m where m.school_id = ${schoolId} and m.channel_id = s.c and coalesce(m.thread_id, 0) = s.t)`;
  const counted =
    which === "all"
      ? sql`from s left join (select channel_id as c, coalesce(thread_id, 0) as t, count(*)::int as messages from messages
              where school_id = ${schoolId} and channel_id in (select c from s) group by 1, 2) n on n.c = s.c and n.t = s.t`
      : sql`from s cross join lateral (select ${dirty ? sql`case when s.r then ${RESUMED_SCOPE_ESTIMATE} else ${countOne} end` : countOne} as messages) n`;
  const res = await db.execute(sql`
    with s as (select distinct c, t${dirty ? sql`, f, coalesce(r, false) as r` : sql``} from (${candidates}) x)
    select s.c::text as c, s.t::text as t, coalesce(n.messages, 0) as messages${dirty ? sql`, s.f::text as f` : sql``}
    ${counted}
    where exists (select 1 from channels ch where ch.school_id = ${schoolId} and ch.id = s.c)
    order by s.c::bigint, s.t::bigint`);
  const list = (res as unknown as { rows: Array<{ c: string; t: string; messages: number; f?: string | null }> }).rows;
  return list.map((r) => ({
    channelId: Number(r.c),
    threadId: Number(r.t),
    messages: Number(r.messages),
    ...(dirty ? { fromMs: r.f == null ? null : Number(r.f) } : {}),
  }));
}

/**
 * Scopes of fewer messages than this go first, in batches of their own (runBatches): each batch commits on
 * its own, so a new conversation (a student's first direct message) reaches the live queue as soon as the
 * run starts, not after the run has re-derived every busy group chat marked with it. Under the bench's
 * webhook load a run took ~1 s, most of it in 80 busy chats, and the new DM's episode waited for all of it.
 */
export const QUICK_SCOPE_MESSAGES = 200;

/** A run's batches (batchScopes): the scopes under QUICK_SCOPE_MESSAGES first, then the others, each in their order. */
export function runBatches<T extends ScopeCount>(scopes: readonly T[], maxMessages: number, maxScopes: number): T[][] {
  const quick = scopes.filter((s) => s.messages < QUICK_SCOPE_MESSAGES);
  const rest = scopes.filter((s) => s.messages >= QUICK_SCOPE_MESSAGES);
  return [...batchScopes(quick, maxMessages, maxScopes), ...batchScopes(rest, maxMessages, maxScopes)];
}

/**
 * Groups scopes into batches of at most `maxMessages` messages (a scope is never split: its episodes
 * depend on all its messages) and `maxScopes` scopes (bounds the JSON parameter and the delete).
 */
export function batchScopes<T extends ScopeCount>(scopes: readonly T[], maxMessages: number, maxScopes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let n = 0;
  for (const s of scopes) {
    if (cur.length > 0 && (n + s.messages > maxMessages || cur.length >= maxScopes)) {
      out.push(cur);
      cur = [];
      n = 0;
    }
    cur.push(s);
    n += s.messages;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
