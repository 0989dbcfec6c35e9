import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";
import { arrayLiteral } from "./ingest-bulk";
import { idArray } from "./reports/common";
import type { IdentityRef, SourceKind } from "../../lib/ingest/types";

/**
 * Set-based follow-ups of the store path (db/queries/ingest.ts): statements that link rows written in
 * one batch to rows written in another, so that the order in which a file or a webhook brings them in
 * never changes the result. Each runs inside the caller's transaction.
 */

/**
 * Sources whose thread is named by its parent message's id and whose parent belongs to the thread
 * (lib/ingest/slack/README.md: a question at the top of a thread and its answers inside are one
 * conversation). Live, the parent arrives before anyone knows it will get replies, so it is stored in
 * the timeline; the first reply (or an export, where the parent has thread_ts) moves it here.
 * Mattermost, Discord and Pachca keep their roots in the timeline (their READMEs), so they are not listed.
 */
export const PARENT_JOINS_THREAD: ReadonlySet<SourceKind> = new Set(["slack"]);

/**
 * Moves timeline messages whose id names a thread of their channel into it; returns both scopes of every
 * message moved (the timeline lost it, the thread gained it). Limited to what one write can change, by
 * `keys` (channel, message id): a timeline message it wrote whose id names a thread, or a stored timeline
 * message whose id names a thread it wrote (a reply that came after its parent). Every path that writes
 * messages or threads of these sources calls this, so no other timeline message can have become a parent.
 * Scanning the written channels' whole timelines instead cost the bulk import ≈ 3 s a slice at `large`,
 * and a webhook batch ≈ 36 ms in busy Slack channels at 10 M messages (docs/performance.md, round 8).
 */
export async function attachThreadParents(
  db: Db,
  schoolId: number,
  sourceId: number,
  keys: ReadonlyArray<{ channelId: number; externalId: string }>,
): Promise<Array<{ channelId: number; threadId: number }>> {
  if (keys.length === 0) return [];
  // One key per (channel, id): a batch's messages name the same thread many times.
  const unique = [...new Map(keys.map((k) => [`${k.channelId}\u0000${k.externalId}`, k])).values()];
  const moved = await rows<{ channel_id: string; thread_id: string }>(
    db,
    // The keys that name a thread first (few), then those messages by their unique key: written as one
    // join, the planner hashed the whole messages table per slice.
    sql`with k as (
          select distinct th.id as thread_id, th.channel_id, th.external_id
          from unnest(${idArray(unique.map((k) => k.channelId))}, ${arrayLiteral(unique.map((k) => k.externalId))}::text[]) as u(c, x)
          join threads th on th.school_id = ${schoolId} and th.channel_id = u.c and th.external_id = u.x)
        update messages m set thread_id = k.thread_id
        from k
        where m.school_id = ${schoolId} and m.channel_id = k.channel_id and m.external_id = k.external_id and m.source_id = ${sourceId} and m.thread_id is null
        returning m.channel_id::text as channel_id, k.thread_id::text as thread_id`,
  );
  return moved.flatMap((r) => [
    { channelId: Number(r.channel_id), threadId: 0 },
    { channelId: Number(r.channel_id), threadId: Number(r.thread_id) },
  ]);
}

/** The keys of attachThreadParents for messages of one source: each message's own id, or its thread's. */
export function threadParentKey(channelId: number, e: { externalId: string; thread?: { externalId: string } | null }): { channelId: number; externalId: string } {
  return { channelId, externalId: e.thread ? e.thread.externalId : e.externalId };
}

/**
 * xAPI voiding (xAPI-Data 2.3.2): a `voided` event names its target in object_id. Applied in both
 * orders — a void stored after its target, or before it (an LMS may resend the target later) — and
 * never to another voiding statement. voided_at = the voiding statement's time.
 */
export async function applyLmsVoids(db: Db, schoolId: number, sourceId: number, externalIds: string[]): Promise<number> {
  if (externalIds.length === 0) return 0;
  const done = await rows<{ id: number }>(
    db,
    sql`update lms_events e set voided_at = v.occurred_at
        from lms_events v
        where v.school_id = ${schoolId} and v.source_id = ${sourceId} and v.verb = 'voided'
          and e.school_id = v.school_id and e.source_id = v.source_id and e.external_id = v.object_id and e.verb <> 'voided'
          and (v.external_id in ${externalIds} or e.external_id in ${externalIds})
          and e.voided_at is distinct from v.occurred_at
        returning e.id`,
  );
  return done.length;
}

/**
 * Links LMS events to the enrollment they belong to: same person and cohort, or — when the LMS names
 * only the course (xAPI usually does) — the person's enrollment in a cohort of that course that had
 * started by then (else the earliest). `scope` picks the events: ids just inserted, or all events of
 * persons whose enrollments were just written (the enrollment may come in a later file than the events).
 */
export async function linkLmsEnrollments(db: Db, schoolId: number, scope: { eventIds: number[] } | { personIds: number[] }): Promise<number> {
  const filter = "eventIds" in scope ? scope.eventIds : scope.personIds;
  if (filter.length === 0) return 0;
  // One array parameter (= any) rather than a list of 2,000: both planners then use the primary key / person index.
  const ids = `{${filter.map((x) => Math.trunc(x)).join(",")}}`;
  const where = "eventIds" in scope ? sql`e.id = any(${ids}::bigint[])` : sql`e.person_id = any(${ids}::bigint[])`;
  // Two statements: the choice (index-driven), then the update by primary key from arrays. As one
  // UPDATE … FROM (CTE) PGlite planned a nested loop over the whole table (tens of seconds per batch).
  const picked = await rows<{ event_id: number; enrollment_id: number; cohort_id: number }>(
    db,
    sql`select distinct on (e.id) e.id as event_id, en.id as enrollment_id, en.cohort_id
        from lms_events e
        join enrollments en on en.school_id = e.school_id and en.person_id = e.person_id
        join cohorts c on c.id = en.cohort_id
        where e.school_id = ${schoolId} and ${where} and e.enrollment_id is null
          and (en.cohort_id = e.cohort_id or (e.cohort_id is null and e.course_id is not null and c.course_id = e.course_id))
        order by e.id, (en.cohort_id = e.cohort_id) desc, (c.starts_on is not null and c.starts_on <= e.occurred_at) desc, c.starts_on desc nulls last, en.id`,
  );
  if (picked.length === 0) return 0;
  const arr = (xs: number[]) => `{${xs.map((x) => Math.trunc(Number(x))).join(",")}}`;
  const linked = await rows<{ id: number }>(
    db,
    sql`update lms_events e set enrollment_id = v.enrollment_id, cohort_id = coalesce(e.cohort_id, v.cohort_id)
        from (select unnest(${arr(picked.map((p) => p.event_id))}::bigint[]) as event_id, unnest(${arr(picked.map((p) => p.enrollment_id))}::bigint[]) as enrollment_id,
                     unnest(${arr(picked.map((p) => p.cohort_id))}::bigint[]) as cohort_id) v
        where e.school_id = ${schoolId} and e.id = v.event_id
        returning e.id`,
  );
  return linked.length;
}

/**
 * One person across a source's ways of naming people: a Telegram `@username` mention, a Mattermost
 * bulk-export `@username`, and the numeric / 26-character id the live API gives the same account.
 * - an `@name` ref resolves to the known identity with that username (no new identity, no new person);
 * - an id ref with a username whose `@name` identity already exists gets that identity's person.
 * Usernames are compared lower-case, within one source only.
 */
export async function matchUsernames(
  db: Db,
  schoolId: number,
  sourceId: number,
  wanted: ReadonlyMap<string, IdentityRef>,
): Promise<{ aliases: Map<string, { identityId: number; personId: number }>; personFor: Map<string, number> }> {
  const aliases = new Map<string, { identityId: number; personId: number }>();
  const personFor = new Map<string, number>();
  const atNames = [...wanted.keys()].filter((k) => k.startsWith("@")).map((k) => k.slice(1).toLowerCase());
  const byUsername = new Map<string, string[]>();
  for (const r of wanted.values()) {
    if (r.externalId.startsWith("@") || !r.username) continue;
    const u = r.username.replace(/^@/, "").toLowerCase();
    byUsername.set(u, [...(byUsername.get(u) ?? []), r.externalId]);
  }
  if (atNames.length > 0) {
    const found = await rows<{ u: string; id: number; person_id: number }>(
      db,
      sql`select distinct on (lower(username)) lower(username) as u, id, person_id from source_identities
          where school_id = ${schoolId} and source_id = ${sourceId} and external_id not like '@%' and lower(username) in ${atNames}
          order by lower(username), id`,
    );
    for (const f of found) aliases.set(`@${f.u}`, { identityId: Number(f.id), personId: Number(f.person_id) });
  }
  if (byUsername.size > 0) {
    const found = await rows<{ u: string; person_id: number }>(
      db,
      sql`select lower(substr(external_id, 2)) as u, person_id from source_identities
          where school_id = ${schoolId} and source_id = ${sourceId} and external_id like '@%' and lower(substr(external_id, 2)) in ${[...byUsername.keys()]}`,
    );
    for (const f of found) for (const ext of byUsername.get(f.u) ?? []) personFor.set(ext, Number(f.person_id));
  }
  return { aliases, personFor };
}

/**
 * A roster line names, by e-mail, a person who already exists while the identity it lists was first
 * seen on its own (an unknown author gets a person of their own): the two are one person. Everything
 * that points at the stray person moves to the known one, and its scopes are marked for recompute.
 * The stray person row stays (no identities, nothing points at it) so that ids never dangle.
 */
export async function mergePeople(db: Db, schoolId: number, from: number, into: number): Promise<Array<{ channelId: number; threadId: number }>> {
  if (from === into) return [];
  const s = schoolId;
  await db.execute(sql`update source_identities set person_id = ${into} where school_id = ${s} and person_id = ${from}`);
  const touched = await rows<{ channel_id: number; thread_id: number | null }>(
    db,
    sql`update messages set author_person_id = case when author_person_id = ${from} then ${into} else author_person_id end,
          reply_to_person_id = case when reply_to_person_id = ${from} then ${into} else reply_to_person_id end,
          mention_person_ids = array_replace(mention_person_ids, ${from}::bigint, ${into}::bigint)
        where school_id = ${s} and (author_person_id = ${from} or reply_to_person_id = ${from} or ${from}::bigint = any(mention_person_ids))
        returning channel_id, thread_id`,
  );
  await db.execute(sql`update lms_events set person_id = ${into} where school_id = ${s} and person_id = ${from}`);
  await db.execute(sql`update ratings set person_id = ${into} where school_id = ${s} and person_id = ${from}`);
  await db.execute(sql`update survey_requests set person_id = ${into} where school_id = ${s} and person_id = ${from}`);
  // Unique keys: an enrollment or role the known person already has wins; the stray one stays behind.
  await db.execute(sql`update enrollments e set person_id = ${into} where e.school_id = ${s} and e.person_id = ${from}
    and not exists (select 1 from enrollments x where x.school_id = e.school_id and x.cohort_id = e.cohort_id and x.person_id = ${into})`);
  await db.execute(sql`insert into person_roles (school_id, person_id, role) select school_id, ${into}, role from person_roles where school_id = ${s} and person_id = ${from} on conflict do nothing`);
  const seen = new Map<string, { channelId: number; threadId: number }>();
  for (const r of touched) seen.set(`${r.channel_id}:${r.thread_id ?? 0}`, { channelId: Number(r.channel_id), threadId: Number(r.thread_id ?? 0) });
  return [...seen.values()];
}
