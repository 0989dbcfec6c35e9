import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../../client";
import { deriveScopes, type StaffInitiatedContact } from "@/lib/metrics/episodes";
import { loadSchoolContext } from "./context";
import { batchScopes, boundSet, listScopes, loadChannels, loadScopeMessages, scopeSet, type ScopeAfter, type ScopeRef } from "./load";
import { recomputeLock } from "./write";

/**
 * The writer of `staff_contacts` (db/schema/contacts.ts): staff contacts with students under the three
 * rules the pages use, stored when the episodes of a scope are recomputed, so pages read them instead of
 * deriving them from messages on every view.
 *
 * - `writeStaffContacts` is called by recompute for each batch, in the batch's transaction, with the
 *   contacts `deriveScopes` returned for it (the `initiated` rule needs no second derivation), and
 *   replaces the batch's rows exactly as episodes are replaced: per scope (`initiated`, `addressed`) and per
 *   DM channel (`silence`, whose one-hour gap spans the channel's threads, as the query it replaces did).
 * - `ensureStaffContacts` is called by the readers: a school whose rows were never completed (a database
 *   migrated from before the table; rows stored without recompute, as test fixtures do) is backfilled once,
 *   under recompute's lock, from all its messages. `recompute --all` completes a school too. Messages
 *   stored since the last recompute (dirty scopes) show once derivation has run, as episodes do.
 */

/** Staff roles, as outcomes.ts STAFF_ROLES: whose messages count as the school's. */
const STAFF_ROLES = sql`array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead']::role_kind[]`;

function contactJson(c: StaffInitiatedContact): Record<string, unknown> {
  return {
    m: c.messageId, c: c.scope.channelId, t: c.scope.threadId ?? 0, staff: c.staffPersonId, student: c.studentPersonId,
    at: c.sentAt.toISOString(), replied: c.studentRepliedAt?.toISOString() ?? null,
  };
}

/**
 * The distinct channels of some scopes as a bigint[] literal. PostgreSQL estimates `= any(array)` by its
 * length; for a JSON relation it guesses 100 rows, and with that chose to scan the whole table.
 */
const channelArray = (scopes: readonly ScopeRef[]): SQL => sql`${`{${[...new Set(scopes.map((s) => Math.trunc(s.channelId)))].join(",")}}`}::bigint[]`;

/**
 * Replaces the stored contacts of some scopes (call inside the batch's transaction, after its messages
 * were read): `initiated` rows = `contacts` (deriveScopes' output for exactly these scopes), `addressed`
 * rows = recomputed in SQL from these scopes' messages, `silence` rows = recomputed in SQL over the whole
 * of every DM channel among them. Other scopes' rows are left as they are.
 */
export async function writeStaffContacts(
  db: Db,
  schoolId: number,
  scopes: readonly ScopeRef[],
  contacts: readonly StaffInitiatedContact[],
  /**
   * Scopes resumed from their checkpoints, and the ids of their messages after the checkpoints, as the
   * batch read them (recompute.ts readPart): their `addressed` rows are written from those messages.
   */
  resumed: { bounds: readonly ScopeAfter[]; messageIds: readonly number[] } = { bounds: [], messageIds: [] },
): Promise<void> {
  if (scopes.length === 0) return;
  // One delete: the scopes' own rows, and every silence row of their channels (only DMs have any). A
  // resumed scope (never a DM) keeps its rows of messages at or before its checkpoint: only later ones change.
  const keep =
    resumed.bounds.length === 0
      ? sql``
      : sql`and not exists (select 1 from ${boundSet(resumed.bounds, "b")}
              where b.c = k.channel_id and b.t = k.thread_id and (k.sent_at < b.ps or (k.sent_at = b.ps and k.message_id <= b.pid)))`;
  await db.execute(sql`
    delete from staff_contacts k
    where k.school_id = ${schoolId} and k.channel_id = any(${channelArray(scopes)}) and (k.rule = 'silence' or (k.channel_id, k.thread_id) in ${scopeSet(scopes)})
      ${keep}`);
  await insertDmContacts(db, schoolId, scopes, contacts);
  const bounded = new Set(resumed.bounds.map((r) => `${r.channelId}:${r.threadId}`));
  const whole = scopes.filter((s) => !bounded.has(`${s.channelId}:${s.threadId}`));
  if (whole.length > 0) await insertAddressed(db, schoolId, { scopes: whole });
  if (resumed.messageIds.length > 0) await insertAddressed(db, schoolId, { ids: resumed.messageIds });
}

/**
 * `addressed` rows of some scopes' messages (all of the school's with `null`): the former union in
 * db/queries/reports/contacts.ts `activeContactRows` ("staff wrote to the student"), its three branches
 * (the student's DM; a reply to them elsewhere; a mention elsewhere that is not also the reply), without
 * the as-of and active-student filters, which the reader applies. Call after deleting the scopes' rows.
 */
async function insertAddressed(db: Db, schoolId: number, target: { scopes: readonly ScopeRef[] } | { ids: readonly number[] } | null): Promise<void> {
  // `ids`: resumed scopes' messages after their checkpoints, by the ids the batch read them with, one
  // primary-key probe each, so that the contacts are written from exactly the messages derived. Looked for
  // again by scope and time, each chat's every message was read (before migration 0029): ~24 ms a part
  // under the bench's webhook load at 10 M messages (docs/performance.md, round 21).
  const inScopes =
    target === null
      ? sql``
      : "scopes" in target
        ? sql`and m.channel_id = any(${channelArray(target.scopes)}) and (m.channel_id, coalesce(m.thread_id, 0)) in ${scopeSet(target.scopes)}`
        : // Through `array(select unnest(…))`, whose length the planner cannot see (RatingLinker.addMessages).
          sql`and m.id = any(array(select unnest(${`{${target.ids.map((n) => Math.trunc(n)).join(",")}}`}::bigint[])))`;
  // The scopes' messages first, on their own (materialized), in the shape recompute reads them with: joined
  // with channels in one step, PostgreSQL read a forum channel's every topic once per topic in the batch
  // (9.8 s for 1,199 topics of one channel at large, instead of milliseconds).
  await db.execute(sql`
    with m0 as materialized (
      select m.id, m.channel_id, coalesce(m.thread_id, 0) as thread_id, m.author_person_id, m.sent_at, m.reply_to_person_id, m.mention_person_ids
      from messages m
      where m.school_id = ${schoolId} ${inScopes}
        and not m.is_bot and m.content_kind <> 'service' and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')
        and exists (select 1 from person_roles r where r.school_id = ${schoolId} and r.person_id = m.author_person_id and r.role = any(${STAFF_ROLES}))),
    sm as (
      select m0.*, ch.kind = 'dm' as dm, ch.dm_student_person_id
      from m0 join channels ch on ch.id = m0.channel_id and ch.school_id = ${schoolId})
    insert into staff_contacts (school_id, rule, message_id, channel_id, thread_id, staff_person_id, student_person_id, sent_at)
    select ${schoolId}::bigint, 'addressed', sm.id, sm.channel_id, sm.thread_id, sm.author_person_id, sm.dm_student_person_id, sm.sent_at
    from sm where sm.dm and sm.dm_student_person_id is not null
    union all
    select ${schoolId}::bigint, 'addressed', sm.id, sm.channel_id, sm.thread_id, sm.author_person_id, sm.reply_to_person_id, sm.sent_at
    from sm where not sm.dm and sm.reply_to_person_id is not null
    union all
    select ${schoolId}::bigint, 'addressed', sm.id, sm.channel_id, sm.thread_id, sm.author_person_id, x.pid, sm.sent_at
    from sm cross join lateral unnest(sm.mention_person_ids) as x(pid)
    where not sm.dm and cardinality(sm.mention_person_ids) > 0 and (sm.reply_to_person_id is null or sm.reply_to_person_id <> x.pid)`);
}

/** `initiated` and `silence` rows of some scopes (see writeStaffContacts). Call after deleting their rows. */
async function insertDmContacts(db: Db, schoolId: number, scopes: readonly ScopeRef[], contacts: readonly StaffInitiatedContact[]): Promise<void> {
  if (contacts.length > 0) {
    await db.execute(sql`
      insert into staff_contacts (school_id, rule, message_id, channel_id, thread_id, staff_person_id, student_person_id, sent_at, student_replied_at)
      select ${schoolId}, 'initiated', v.m, v.c, v.t, v.staff, v.student, v.at, v.replied
      from json_to_recordset(${JSON.stringify(contacts.map(contactJson))}::json) as v(m bigint, c bigint, t bigint, staff bigint, student bigint, at timestamptz, replied timestamptz)`);
  }
  // The former on-the-fly query (outcomes.ts staffContacts), over these DMs' messages with no as-of bound:
  // `lag` looks only at earlier messages, so a contact at or before any as-of instant is the same row here.
  // Each DM's messages in a lateral subquery (its window is the channel, as `partition by channel_id` was):
  // joined, the planner took a DM for ~1,277 messages (the school's average channel, not a DM's ~25) and,
  // from a few hundred DMs in a batch, scanned every message of the school: 6.8 s for 3,000 DMs at 10 M
  // messages against 0.65 s read per channel through messages_scope_idx (docs/performance.md, round 16).
  await db.execute(sql`
    insert into staff_contacts (school_id, rule, message_id, channel_id, thread_id, staff_person_id, student_person_id, sent_at, student_replied_at)
    select ${schoolId}, 'silence', x.id, d.id, x.thread_id, x.author_person_id, d.dm_student_person_id, x.sent_at,
           (select min(m2.sent_at) from messages m2 where m2.school_id = ${schoolId} and m2.channel_id = d.id
              and m2.author_person_id = d.dm_student_person_id and m2.sent_at > x.sent_at and m2.deleted_at is null)
    from (select ch.id, ch.dm_student_person_id from channels ch
          where ch.school_id = ${schoolId} and ch.id = any(${channelArray(scopes)}) and ch.kind = 'dm' and ch.dm_student_person_id is not null) d
      cross join lateral (
        select m.id, coalesce(m.thread_id, 0) as thread_id, m.sent_at, m.author_person_id, m.is_bot,
               lag(m.sent_at) over (order by m.sent_at, m.id) as prev_at
        from messages m where m.school_id = ${schoolId} and m.channel_id = d.id and m.deleted_at is null) x
    where not x.is_bot and x.author_person_id <> d.dm_student_person_id
      and (x.prev_at is null or x.sent_at - x.prev_at >= interval '1 hour')
      and exists (select 1 from person_roles r where r.school_id = ${schoolId} and r.person_id = x.author_person_id and r.role = any(${STAFF_ROLES}))`);
}

/** Marks a school's contacts complete (every DM scope written): after a backfill or `recompute --all`. */
export async function markStaffContactsComplete(db: Db, schoolId: number): Promise<void> {
  await db.execute(sql`insert into staff_contacts_complete (school_id) values (${schoolId}) on conflict (school_id) do nothing`);
}

async function isComplete(db: Db, schoolId: number): Promise<boolean> {
  const res = await db.execute(sql`select 1 as x from staff_contacts_complete where school_id = ${schoolId}`);
  return (res as unknown as { rows: unknown[] }).rows.length > 0;
}

/**
 * Makes sure a school's staff_contacts cover every scope (one indexed lookup when they do). Otherwise
 * derives every DM scope's contacts once, in one transaction under recompute's lock, in recompute's batch
 * sizes, writes the `addressed` rows of all messages in one statement, and marks the school complete;
 * later recomputes keep the rows current.
 */
export async function ensureStaffContacts(db: Db, schoolId: number): Promise<void> {
  if (await isComplete(db, schoolId)) return;
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // Recompute's lock: a backfill and a recompute never interleave their writes.
    await tx.execute(recomputeLock(schoolId));
    if (await isComplete(tx, schoolId)) return;
    const res = await tx.execute(sql`
      select distinct m.channel_id::text as c, coalesce(m.thread_id, 0)::text as t
      from messages m join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      where m.school_id = ${schoolId} and ch.kind = 'dm'`);
    const refs: ScopeRef[] = (res as unknown as { rows: Array<{ c: string; t: string }> }).rows.map((r) => ({ channelId: Number(r.c), threadId: Number(r.t) }));
    await tx.execute(sql`delete from staff_contacts where school_id = ${schoolId}`);
    if (refs.length > 0) {
      const now = new Date();
      const ctx = await loadSchoolContext(tx, schoolId, now);
      for (const batch of batchScopes(await listScopes(tx, schoolId, refs), 25_000, 5_000)) {
        const channels = await loadChannels(tx, schoolId, [...new Set(batch.map((s) => s.channelId))]);
        const messages = await loadScopeMessages(tx, ctx, batch);
        const { contacts } = deriveScopes({ channels, messages, roleOf: ctx.roleOf, now });
        await insertDmContacts(tx, schoolId, batch, contacts);
      }
    }
    await insertAddressed(tx, schoolId, null);
    await markStaffContactsComplete(tx, schoolId);
  });
}
