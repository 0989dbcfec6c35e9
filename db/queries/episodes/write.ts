import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../client";
import type { EpisodeInsert } from "./evaluate";
import { boundSet, scopeSet, type ScopeAfter, type ScopeRef } from "./load";

export interface DirtyMark extends ScopeRef {
  /** marked_at as the database prints it: compared as text so microseconds survive the round trip. */
  mark: string;
  /** from_sent_at in epoch ms: the earliest new message behind the mark; null = derive the scope whole. */
  fromMs: number | null;
}

/** The dirty marks of some scopes as they are now, to clear exactly these later. */
export async function readMarks(db: Db, schoolId: number, scopes: readonly ScopeRef[]): Promise<DirtyMark[]> {
  if (scopes.length === 0) return [];
  const res = await db.execute(sql`
    select channel_id::text as c, thread_id::text as t, marked_at::text as mark, floor(extract(epoch from from_sent_at) * 1000)::text as f from dirty_scopes
    where school_id = ${schoolId} and (channel_id, thread_id) in ${scopeSet(scopes)}`);
  const list = (res as unknown as { rows: Array<{ c: string; t: string; mark: string; f: string | null }> }).rows;
  return list.map((r) => ({ channelId: Number(r.c), threadId: Number(r.t), mark: r.mark, fromMs: r.f === null ? null : Number(r.f) }));
}

/**
 * Recompute's per-school lock (a transaction's): one run's batches at a time, and their marks' claims. Two
 * keys, distinct from the store path's single-key lock (another key space), so recomputes never block
 * ingestion; the same key as ensureStaffContacts' (staff-contacts.ts).
 */
export const recomputeLock = (schoolId: number): SQL => sql`select pg_advisory_xact_lock(7411, ${schoolId}::int)`;

/**
 * Claims the marks of some scopes before a batch derives them: from now on `renewed_from` collects only
 * what is marked after this (the store path, ingest.ts flushDirty), so that a mark renewed while the batch
 * runs survives it with the messages the batch may not have read, not with the earliest message from before
 * (clearMarks). Its own short transaction, not the batch's: the rows stay locked only for this statement,
 * so deliveries to these scopes do not wait for the batch. Under recompute's lock, so that no other run
 * claims them again between this and that run's clear (which would lose what came in between).
 */
export async function claimMarks(db: Db, schoolId: number, scopes: readonly ScopeRef[]): Promise<void> {
  if (scopes.length === 0) return;
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(recomputeLock(schoolId));
    // In (channel, thread) order, as the store path and clearMarks lock them.
    await tx.execute(sql`
      update dirty_scopes d set renewed = false, renewed_from = null from (
        select d2.channel_id, d2.thread_id from dirty_scopes d2
        where d2.school_id = ${schoolId} and (d2.channel_id, d2.thread_id) in ${scopeSet(scopes)}
        order by d2.channel_id, d2.thread_id
        for update of d2) x
      where d.school_id = ${schoolId} and d.channel_id = x.channel_id and d.thread_id = x.thread_id and d.renewed`);
  });
}

/**
 * Clears the marks read before the recompute, and only if unchanged: a message stored meanwhile sets
 * marked_at to its own transaction's time, so its mark survives and the scope is recomputed next time,
 * from what was marked since the claim (claimMarks): a chat written to during every run is then derived
 * from its new messages on, not again and again from the first one after the last quiet run.
 */
export async function clearMarks(db: Db, schoolId: number, marks: readonly DirtyMark[]): Promise<void> {
  if (marks.length === 0) return;
  const json = JSON.stringify(marks.map((m) => ({ c: m.channelId, t: m.threadId, m: m.mark })));
  // Rows are locked in (channel, thread) order first, the order the store path marks them in
  // (ingest.ts flushDirty), so a recompute and a delivery never deadlock. A mark the store renewed
  // meanwhile no longer matches its read time after the lock (re-checked) and is kept for the next run.
  await db.execute(sql`
    with x as (
      select d2.channel_id, d2.thread_id, d2.marked_at::text = v.m as unchanged from dirty_scopes d2
        join json_to_recordset(${json}::json) as v(c bigint, t bigint, m text) on d2.channel_id = v.c and d2.thread_id = v.t
      where d2.school_id = ${schoolId}
      order by d2.channel_id, d2.thread_id
      for update of d2),
    kept as (
      update dirty_scopes d set from_sent_at = d.renewed_from from x
      where not x.unchanged and d.renewed and d.school_id = ${schoolId} and d.channel_id = x.channel_id and d.thread_id = x.thread_id)
    delete from dirty_scopes d using x
    where x.unchanged and d.school_id = ${schoolId} and d.channel_id = x.channel_id and d.thread_id = x.thread_id`);
}

/** The JSON shape of an `episodes` row for json_to_recordset: one bound parameter per chunk. */
function jsonRow(r: EpisodeInsert): Record<string, unknown> {
  return {
    channel_id: r.channelId, thread_id: r.threadId ?? null, student_person_id: r.studentPersonId, cohort_id: r.cohortId ?? null,
    opened_message_id: r.openedMessageId, opened_at: r.openedAt, last_student_message_at: r.lastStudentMessageAt, message_count: r.messageCount,
    kind: r.kind, status: r.status, priority: r.priority ?? "normal", category: r.category ?? null, owner_role: r.ownerRole ?? null,
    owner_person_id: r.ownerPersonId ?? null, answered_at: r.answeredAt ?? null, answer_message_id: r.answerMessageId ?? null,
    responder_person_id: r.responderPersonId ?? null, first_bot_reply_at: r.firstBotReplyAt ?? null, first_peer_reply_at: r.firstPeerReplyAt ?? null,
    policy_id: r.policyId ?? null, target_minutes: r.targetMinutes ?? null, clock: r.clock ?? null,
    response_calendar_minutes: r.responseCalendarMinutes ?? null, response_business_minutes: r.responseBusinessMinutes ?? null, breached: r.breached ?? false,
  };
}

const COLUMN_LIST = `channel_id, thread_id, student_person_id, cohort_id, opened_message_id, opened_at, last_student_message_at, message_count,
  kind, status, priority, category, owner_role, owner_person_id, answered_at, answer_message_id, responder_person_id, first_bot_reply_at,
  first_peer_reply_at, policy_id, target_minutes, clock, response_calendar_minutes, response_business_minutes, breached`;
const COLUMNS = sql.raw(COLUMN_LIST);
const prefixed = (alias: string) => sql.raw(COLUMN_LIST.split(",").map((c) => `${alias}.${c.trim()}`).join(", "));
const RECORD = sql.raw(`channel_id bigint, thread_id bigint, student_person_id bigint, cohort_id bigint, opened_message_id bigint,
  opened_at timestamptz, last_student_message_at timestamptz, message_count int, kind episode_kind, status episode_status,
  priority priority_kind, category message_category, owner_role role_kind, owner_person_id bigint, answered_at timestamptz,
  answer_message_id bigint, responder_person_id bigint, first_bot_reply_at timestamptz, first_peer_reply_at timestamptz, policy_id bigint,
  target_minutes int, clock clock_kind, response_calendar_minutes real, response_business_minutes real, breached boolean`);

/** Scopes of a batch that resumed from a checkpoint, and the episodes their checkpoints carried open. */
export interface Resumed {
  bounds: readonly ScopeAfter[];
  carried: readonly number[];
}

export interface Replaced {
  /** Episodes removed: gone, or changed (a changed episode is deleted and inserted anew). */
  deletedIds: number[];
  /** Ids of the inserted episodes by opening message id (unique per school); unchanged ones keep theirs. */
  idByOpening: Map<number, number>;
}

/**
 * Makes the episodes of some scopes equal to `rows` (call inside the batch's transaction): deletes the
 * stored episodes that have no identical new row, inserts the new rows that have no identical stored
 * one. The end state is a delete + insert; but one new message in a chat with 15 000 episodes rewrites
 * one or two rows, not 15 000 (each insert checks nine foreign keys: the costly part on PGlite), and
 * unchanged episodes keep their ids, so rating links to them stay valid. All rows of the batch go in as
 * one JSON parameter: building a statement with thousands of parameters costs more than running it.
 * Rows are never updated in place: the live queue keeps open episodes by id between polls (ADR 0016).
 */
export async function replaceEpisodes(
  db: Db,
  schoolId: number,
  scopes: readonly ScopeRef[],
  rows: readonly EpisodeInsert[],
  resumed: Resumed = { bounds: [], carried: [] },
): Promise<Replaced> {
  const out: Replaced = { deletedIds: [], idByOpening: new Map() };
  if (scopes.length === 0) return out;
  const json = JSON.stringify(rows.map(jsonRow));
  // A resumed scope's episodes opened at or before its checkpoint were closed there and are not in `rows`
  // (but for the carried ones, which were still open): they stay as stored.
  const keep =
    resumed.bounds.length === 0
      ? sql``
      : sql`and not exists (select 1 from ${boundSet(resumed.bounds)}
              where k.c = e.channel_id and k.t = coalesce(e.thread_id, 0) and (e.opened_at < k.ps or (e.opened_at = k.ps and e.opened_message_id <= k.pid))
                and not (e.opened_message_id = any(${`{${resumed.carried.map((n) => Math.trunc(n)).join(",")}}`}::bigint[])))`;
  const deleted = await db.execute(sql`
    delete from episodes e
    where e.school_id = ${schoolId} and e.channel_id in (select c from ${scopeSet(scopes)} s) and (e.channel_id, coalesce(e.thread_id, 0)) in ${scopeSet(scopes)}
      ${keep}
      and not exists (select 1 from json_to_recordset(${json}::json) as v(${RECORD})
                      where v.opened_message_id = e.opened_message_id and (${prefixed("v")}) is not distinct from (${prefixed("e")}))
    returning e.id::text as id`);
  out.deletedIds = (deleted as unknown as { rows: Array<{ id: string }> }).rows.map((r) => Number(r.id));
  if (rows.length === 0) return out;
  const inserted = await db.execute(sql`
    insert into episodes (school_id, ${COLUMNS})
    select ${schoolId}, ${COLUMNS} from json_to_recordset(${json}::json) as v(${RECORD})
    where not exists (select 1 from episodes e where e.school_id = ${schoolId} and e.opened_message_id = v.opened_message_id)
    returning id::text as id, opened_message_id::text as opened`);
  for (const r of (inserted as unknown as { rows: Array<{ id: string; opened: string }> }).rows) out.idByOpening.set(Number(r.opened), Number(r.id));
  return out;
}
