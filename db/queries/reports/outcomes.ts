import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { num, numOrNull, responseMinutes } from "./common";

/**
 * Enrollments with their outcome and support exposure, for the outcomes page (METRICS.md, "Completion
 * and outcomes"). Everything is read as of `asOf`: the status an enrollment had then (its latest
 * enrollment_event on or before asOf; without one, `active` if it ended after asOf, else its status),
 * and only episodes and messages dated on or before asOf.
 */

/** An instant as an ISO string in UTC (node-postgres and PGlite return timestamps differently). */
export const isoTs = (col: SQL): SQL => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** Staff roles (people whose DMs to a student count as staff contacts). */
export const STAFF_ROLES = sql`array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead']::role_kind[]`;

/**
 * The status of every enrollment of a school that has an enrollment_event on or before `asOf`, as a
 * relation (enrollment_id, status): its latest event on or before asOf (latest `at`, then latest id), for
 * all enrollments at once. Read from each enrollment's latest event (enrollment_latest) when that is on or
 * before asOf, as it is for nearly all of them when asOf is now; only the others look back in their own
 * events (enrollment_events_at_idx, newest first); those with no event that old have no row.
 * Sorting every event of the school instead cost ~55 ms a statement at 100 k students, and an index probe per
 * enrollment more. Join it left and fall back with `statusFrom`.
 */
export function statusesAt(schoolId: number, asOf: SQL, part?: Part): SQL {
  const mine = sql`l.school_id = ${schoolId} ${part ? sql`and ${inPart(sql`l.enrollment_id`, part)}` : sql``}`;
  // Two branches, not a CASE with a subquery: the planner costs such a subquery on every row, which made
  // it probe enrollments one by one where a hash join over all of them is cheaper.
  return sql`(select l.enrollment_id, l.status::text as status from enrollment_latest l where ${mine} and l.at <= ${asOf}
    union all
    select l.enrollment_id, p.status from enrollment_latest l
    cross join lateral (
      select ev.status::text as status from enrollment_events ev
      where ev.school_id = l.school_id and ev.enrollment_id = l.enrollment_id and ev.at <= ${asOf}
      order by ev.at desc, ev.id desc limit 1) p
    where ${mine} and l.at > ${asOf})`;
}

/** One of `of` disjoint parts of a read, by an id (enrollment or student): `index` in 0..of-1. */
export interface Part {
  index: number;
  of: number;
}

/** `id` belongs to the part (ids spread evenly over the residues: a school's rows are numbered in turn). */
export function inPart(id: SQL, part: Part): SQL {
  return sql`${id} % ${Math.trunc(part.of)} = ${Math.trunc(part.index)}`;
}

/**
 * Statements that read every enrollment of a period are split into this many parts, run at once and
 * merged: a statement runs on one core, and the per-enrollment work (the windows' episodes, ~6 µs an
 * enrollment) was most of the outcomes page's ~0.9 s at 10 M messages while the other core idled.
 * The pool gives each part its own connection; PGlite runs them in turn (same rows, no gain).
 */
export const ENROLLMENT_PARTS = 2;

/** `read` run for each of the ENROLLMENT_PARTS parts at once, its rows (each part ordered by `key`) merged in that order. */
export async function readInParts<T>(read: (part: Part) => Promise<T[]>, key: (r: T) => number): Promise<T[]> {
  return mergeParts(await Promise.all(Array.from({ length: ENROLLMENT_PARTS }, (_, index) => read({ index, of: ENROLLMENT_PARTS }))), key);
}

/** Rows of the parts, each ordered by `key`, merged into one list in that order. */
export function mergeParts<T>(parts: readonly T[][], key: (r: T) => number): T[] {
  const out: T[] = [];
  const at = parts.map(() => 0);
  for (;;) {
    let best = -1;
    for (let i = 0; i < parts.length; i++) {
      const r = parts[i]![at[i]!];
      if (r !== undefined && (best < 0 || key(r) < key(parts[best]![at[best]!]!))) best = i;
    }
    if (best < 0) return out;
    out.push(parts[best]![at[best]!]!);
    at[best]!++;
  }
}

/**
 * The status of enrollment `en` as of `asOf` from a left-joined `statusesAt` row `st`: its latest event's
 * status; without one, `active` if it ended after asOf, else its own status.
 */
export function statusFrom(st: SQL, asOf: SQL): SQL {
  return sql`coalesce(${st}.status, case when en.ended_at is not null and en.ended_at > ${asOf} then 'active' else en.status::text end)`;
}

/** A staff-initiated contact gap: a staff DM after at least this much silence in the conversation. */
export const CONTACT_SILENCE = sql`interval '1 hour'`;

/**
 * Staff-initiated DM contacts (an approximation: the message metadata has no "who started it" flag):
 * DM messages by a staff member (not a bot) in a DM with the student (channels.dm_student_person_id)
 * that come after at least one hour of silence in that DM (or open it). Columns: student_person_id, channel_id, at.
 *
 * The definition, derived from messages on the fly. Pages no longer run it (a window over every DM message
 * up to asOf): recompute stores its rows as `staff_contacts` rule `silence` (db/queries/episodes/staff-contacts.ts),
 * and the tests check the stored rows against this query.
 */
export function staffContacts(schoolId: number, asOf: SQL): SQL {
  return sql`(select x.student_person_id, x.channel_id, x.sent_at as at from (
      select ch.dm_student_person_id as student_person_id, m.channel_id, m.sent_at, m.author_person_id, m.is_bot,
             lag(m.sent_at) over (partition by m.channel_id order by m.sent_at, m.id) as prev_at
      from messages m join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      where m.school_id = ${schoolId} and ch.kind = 'dm' and ch.dm_student_person_id is not null and m.deleted_at is null and m.sent_at <= ${asOf}
    ) x
    where not x.is_bot and x.author_person_id <> x.student_person_id
      and (x.prev_at is null or x.sent_at - x.prev_at >= ${CONTACT_SILENCE})
      and exists (select 1 from person_roles r where r.school_id = ${schoolId} and r.person_id = x.author_person_id and r.role = any(${STAFF_ROLES})))`;
}

export interface OutcomeRow {
  enrollmentId: number;
  personId: number;
  cohortId: number;
  cohort: string;
  tier: string;
  /** Status as of the as-of date. */
  status: "active" | "completed" | "withdrawn" | "paused" | "frozen" | "transferred";
  enrolledAt: string | null;
  cohortStartsOn: string | null;
  /** Ended on or before the as-of date, else null. */
  endedAt: string | null;
  episodes: number;
  medianResponseMinutes: number | null;
  /** Breached / episodes with an SLA target; null when none has one. */
  breachedShare: number | null;
  staffContacts: number;
}

/**
 * Enrollments whose start (cohort start, else enrolled_at, as a local date) falls in the period, with
 * their support exposure in the enrollment's window: from the cohort start (or enrolled_at, whichever is
 * earlier) to its end (ended_at, else the cohort's end, else asOf), never after asOf.
 */
export async function outcomeRows(db: Db, schoolId: number, tz: string, period: Period, asOf: Date): Promise<OutcomeRow[]> {
  await ensureStaffContacts(db, schoolId);
  const r = await readInParts((part) => outcomeRowsPart(db, schoolId, tz, period, asOf, part), (x) => num(x.id));
  return r.map((x) => ({
    enrollmentId: num(x.id),
    personId: num(x.person_id),
    cohortId: num(x.cohort_id),
    cohort: String(x.cohort),
    tier: String(x.tier),
    status: String(x.status) as OutcomeRow["status"],
    enrolledAt: (x.enrolled_at as string | null) ?? null,
    cohortStartsOn: (x.starts_on as string | null) ?? null,
    endedAt: (x.ended_at as string | null) ?? null,
    episodes: num(x.episodes ?? 0),
    medianResponseMinutes: numOrNull(x.median_response),
    breachedShare: numOrNull(x.breached_share),
    staffContacts: num(x.staff_contacts ?? 0),
  }));
}

/**
 * The period's enrollments as CTEs `c` (cohorts), `en0` and `en1` (with their status as of asOf and their
 * window [win_from, win_to]), for one part of them or all: the outcomes rows and the enrollment list of
 * the staff outcomes read the same selection.
 */
function periodEnrollments(schoolId: number, tz: string, period: Period, a: SQL, part?: Part): SQL {
  return sql`with c as (
          -- A cohort's start and end instants, converted from local dates once per cohort, not per enrollment.
          select c.id, c.title, c.starts_on, c.ends_on, (c.starts_on::timestamp at time zone ${tz}) as starts_at, ((c.ends_on + 1)::timestamp at time zone ${tz}) as ends_at
          from cohorts c where c.school_id = ${schoolId}
        ),
        en0 as (
          select en.id, en.person_id, en.cohort_id, c.title as cohort, en.tier, ${statusFrom(sql`st`, a)} as status, en.enrolled_at, en.ended_at, c.starts_on, c.ends_at,
                 least(coalesce(c.starts_at, en.enrolled_at), coalesce(en.enrolled_at, c.starts_at)) as win_from
          from enrollments en join c on c.id = en.cohort_id
          left join ${statusesAt(schoolId, a, part)} st on st.enrollment_id = en.id
          where en.school_id = ${schoolId} ${part ? sql`and ${inPart(sql`en.id`, part)}` : sql``}
            and coalesce(c.starts_on, (en.enrolled_at at time zone ${tz})::date) >= ${period.from}::date
            and coalesce(c.starts_on, (en.enrolled_at at time zone ${tz})::date) < ${period.to}::date
            and (en.enrolled_at is null or en.enrolled_at <= ${a})
        ),
        en1 as (
          select en0.*, least(${a}, coalesce(case when en0.ended_at <= ${a} then en0.ended_at end, en0.ends_at, ${a})) as win_to from en0
        )`;
}

/** An outcome row's `ended_at`: only an ended status's end, and only once it is on or before asOf. */
const endedAt = (a: SQL) => sql`case when en1.status in ('completed', 'withdrawn') and en1.ended_at <= ${a} then ${isoTs(sql`en1.ended_at`)} end`;

export type OutcomeEnrollment = Pick<OutcomeRow, "enrollmentId" | "personId" | "status" | "enrolledAt" | "cohortStartsOn" | "endedAt">;

/**
 * The enrollments outcomeRows lists, without their support exposure (the per-enrollment part of its cost):
 * for reports that count enrollments by status (staff outcomes), ordered by enrollment id.
 */
export async function outcomeEnrollments(db: Db, schoolId: number, tz: string, period: Period, asOf: Date): Promise<OutcomeEnrollment[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await readInParts(
    (part) =>
      rows<Record<string, unknown>>(
        db,
        sql`${periodEnrollments(schoolId, tz, period, a, part)}
            select en1.id, en1.person_id, en1.status, ${isoTs(sql`en1.enrolled_at`)} as enrolled_at, en1.starts_on::text as starts_on, ${endedAt(a)} as ended_at
            from en1 order by en1.id`,
      ),
    (x) => num(x.id),
  );
  return r.map((x) => ({
    enrollmentId: num(x.id),
    personId: num(x.person_id),
    status: String(x.status) as OutcomeRow["status"],
    enrolledAt: (x.enrolled_at as string | null) ?? null,
    cohortStartsOn: (x.starts_on as string | null) ?? null,
    endedAt: (x.ended_at as string | null) ?? null,
  }));
}

/** The outcome rows of one part of the period's enrollments, ordered by enrollment id. */
function outcomeRowsPart(db: Db, schoolId: number, tz: string, period: Period, asOf: Date, part: Part): Promise<Record<string, unknown>[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  return rows<Record<string, unknown>>(
    db,
    sql`${periodEnrollments(schoolId, tz, period, a, part)},
        -- Stored contacts (staff_contacts, rule silence = staffContacts above); win_to <= asOf, so the window
        -- bound is the as-of bound too. One join instead of a window over every DM message up to asOf.
        sc as (
          select en1.id, count(*) as n from en1 join staff_contacts k on k.school_id = ${schoolId} and k.rule = 'silence'
            and k.student_person_id = en1.person_id and k.sent_at >= en1.win_from and k.sent_at <= en1.win_to
          group by en1.id
        )
        select en1.id, en1.person_id, en1.cohort_id, en1.cohort, en1.tier, en1.status,
               ${isoTs(sql`en1.enrolled_at`)} as enrolled_at, en1.starts_on::text as starts_on, ${endedAt(a)} as ended_at,
               ep.n as episodes, ep.median_response, ep.breached_share,
               coalesce(sc.n, 0) as staff_contacts
        from en1
        left join sc on sc.id = en1.id
        left join lateral (
          select count(*) as n,
                 percentile_cont(0.5) within group (order by ${responseMinutes}) filter (where e.answered_at is not null and e.answered_at <= ${a}) as median_response,
                 avg(case when e.breached then 1.0 else 0.0 end) filter (where e.target_minutes is not null) as breached_share
          from episodes e
          where e.school_id = ${schoolId} and e.student_person_id = en1.person_id and e.opened_at >= en1.win_from and e.opened_at <= en1.win_to
        ) ep on true
        order by en1.id`,
  );
}
