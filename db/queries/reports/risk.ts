import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { epochMs, idArray, num, numOrNull } from "./common";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { isoTs, statusesAt, statusFrom } from "./outcomes";
import { OUTREACH_UNANSWERED_DAYS } from "@/lib/metrics/risk/features";

/**
 * The raw material of the at-risk snapshots (lib/reports/risk.ts builds RiskSnapshot from it), read as
 * of `asOf`: only rows dated on or before it (LMS events not voided by then, messages sent by then).
 */

const LMS_KINDS = sql`array['xapi', 'openedx', 'lms_csv', 'oulad']::source_kind[]`;

export interface ActiveEnrollmentRow {
  enrollmentId: number;
  personId: number;
  student: string;
  courseExternalId: string;
  cohortId: number;
  cohortExternalId: string;
  cohort: string;
  tier: string;
  enrolledAt: string | null;
  /** The cohort's start (local midnight of starts_on), ISO UTC; null when the cohort has no start date. */
  startsAt: string | null;
}

export async function activeEnrollments(db: Db, schoolId: number, tz: string, asOf: Date): Promise<ActiveEnrollmentRow[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  // The status as of asOf comes from statusesAt for all enrollments at once, not a probe per enrollment:
  // every enrollment of the school is tested, and most are not active. The subqueries below run only for
  // the active ones. The last LMS activity is not read here (a subquery per row over the heap) but by
  // lastActivity, index-only, beside the item events.
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select en.id, en.person_id, p.display_name, co.external_id as course_ext, c.id as cohort_id, c.external_id as cohort_ext, c.title as cohort, en.tier,
               ${isoTs(sql`en.enrolled_at`)} as enrolled_at,
               ${isoTs(sql`(c.starts_on::timestamp at time zone ${tz})`)} as starts_at
        from enrollments en
        join cohorts c on c.id = en.cohort_id and c.school_id = en.school_id
        join courses co on co.id = c.course_id and co.school_id = c.school_id
        join people p on p.id = en.person_id
        left join ${statusesAt(schoolId, a)} st on st.enrollment_id = en.id
        where en.school_id = ${schoolId} and (en.enrolled_at is null or en.enrolled_at <= ${a}) and ${statusFrom(sql`st`, a)} = 'active'
        order by en.id`,
  );
  return r.map((x) => ({
    enrollmentId: num(x.id),
    personId: num(x.person_id),
    student: String(x.display_name),
    courseExternalId: String(x.course_ext),
    cohortId: num(x.cohort_id),
    cohortExternalId: String(x.cohort_ext),
    cohort: String(x.cohort),
    tier: String(x.tier),
    enrolledAt: (x.enrolled_at as string | null) ?? null,
    startsAt: (x.starts_at as string | null) ?? null,
  }));
}

/**
 * Each listed student's id in an LMS source (source_identities.external_id; the first stored when they
 * have several), for the at-risk list's CSV. Read beside the list's other reads, not per row of the list:
 * the look-up per active enrollment was ~60 ms of the statement every other read waited for.
 */
export async function lmsStudentIds(db: Db, schoolId: number, personIds: readonly number[]): Promise<Map<number, string>> {
  const r = await rows<{ person_id: unknown; external_id: string }>(
    db,
    sql`select distinct on (si.person_id) si.person_id, si.external_id from source_identities si join sources so on so.id = si.source_id
        where si.school_id = ${schoolId} and si.person_id = any(${idArray(personIds)}) and so.kind = any(${LMS_KINDS})
        order by si.person_id, si.id`,
  );
  return new Map(r.map((x) => [num(x.person_id), x.external_id]));
}

export interface ItemRow {
  cohortId: number;
  externalId: string;
  kind: "assignment" | "test" | "webinar" | "exam" | "lesson" | "other";
  dueAt: string | null;
  weight: number | null;
}

export async function cohortItems(db: Db, schoolId: number, cohortIds: readonly number[]): Promise<ItemRow[]> {
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select cohort_id, external_id, kind::text as kind, ${isoTs(sql`due_at`)} as due_at, weight from lms_items
        where school_id = ${schoolId} and cohort_id = any(${idArray(cohortIds)}) order by cohort_id, external_id`,
  );
  return r.map((x) => ({ cohortId: num(x.cohort_id), externalId: String(x.external_id), kind: String(x.kind) as ItemRow["kind"], dueAt: (x.due_at as string | null) ?? null, weight: numOrNull(x.weight) }));
}

/** Verbs that attend a webinar (`attended`/`experienced`, or `completed` on a webinar). */
const ATTEND_VERBS = ["attended", "experienced", "completed"];
/** Verbs that hand in work for an assignment, test or exam (a submission). */
const SUBMIT_VERBS = ["submitted", "completed", "passed", "failed", "scored", "answered"];
const textArray = (xs: readonly string[]) => sql`${`{${xs.join(",")}}`}::text[]`;
/** The events of each listed enrollment known at asOf (dated on or before it, not voided by then). */
function knownEvents(a: SQL): SQL {
  return sql`le.school_id = en.school_id and le.person_id = en.person_id and le.occurred_at <= ${a} and (le.voided_at is null or le.voided_at > ${a})`;
}

export interface ItemEventRow {
  enrollmentId: number;
  itemId: string;
  kind: "submission" | "attendance";
  /** Epoch milliseconds. */
  atMs: number;
  scorePct: number | null;
  banked: boolean;
}

/**
 * Submissions and webinar attendance on the enrollments' cohort items, dated on or before asOf.
 *
 * Each enrollment's candidate events (verbs that can submit or attend) are read index-only from
 * lms_events_person_cover_idx, which holds every column used here; they are materialised once and
 * matched to the cohorts' items in one hash join. At 10 M messages the first form (heap fetches for
 * ~540 k events of 15.6 k active enrollments, lms_items probed and hashed per enrollment, timestamps
 * formatted as text) took 1.3 s of the at-risk page's 1.9 s.
 */
export async function itemEvents(db: Db, schoolId: number, enrollmentIds: readonly number[], asOf: Date): Promise<ItemEventRow[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`with le as materialized (
          select en.id as enrollment_id, en.cohort_id, le.object_id, le.verb, le.occurred_at, le.id, le.score, le.max_score, le.banked
          from enrollments en
          -- offset 0 keeps each enrollment's own events a probe of the person index: flattened, PostgreSQL
          -- chose a hash join over every LMS event of the school (a parallel sequential scan of all of them
          -- at 285 k messages: the cost grew with the school's history, not with the list).
          cross join lateral (
            select le.object_id, le.verb, le.occurred_at, le.id, le.score, le.max_score, le.banked from lms_events le
            where ${knownEvents(a)} and le.object_id is not null and le.verb = any(${textArray([...new Set([...ATTEND_VERBS, ...SUBMIT_VERBS])])})
              and (le.enrollment_id = en.id or (le.enrollment_id is null and (le.cohort_id is null or le.cohort_id = en.cohort_id)))
            offset 0) le
          where en.school_id = ${schoolId} and en.id = any(${idArray(enrollmentIds)}))
        select le.enrollment_id, i.external_id as item_id, case when i.kind = 'webinar' then 'attendance' else 'submission' end as kind,
               ${epochMs(sql`le.occurred_at`)} as at_ms,
               case when le.score is null then null when le.max_score is not null and le.max_score > 0 then 100.0 * le.score / le.max_score else le.score end as score_pct,
               le.banked
        from le join lms_items i on i.school_id = ${schoolId} and i.cohort_id = le.cohort_id and i.external_id = le.object_id
        where (i.kind = 'webinar' and le.verb = any(${textArray(ATTEND_VERBS)})) or (i.kind <> 'webinar' and le.verb = any(${textArray(SUBMIT_VERBS)}))
        order by le.enrollment_id, le.occurred_at, le.id`,
  );
  return r.map((x) => ({
    enrollmentId: num(x.enrollment_id),
    itemId: String(x.item_id),
    kind: x.kind === "attendance" ? "attendance" : "submission",
    atMs: num(x.at_ms),
    scorePct: numOrNull(x.score_pct),
    banked: x.banked === true || x.banked === "t" || x.banked === "true",
  }));
}

/**
 * Each listed enrollment's latest LMS action known at asOf (any verb but `voided`, on the enrollment or,
 * unattributed, on its cohort), epoch ms; enrollments without one are absent. Index-only, as itemEvents.
 */
export async function lastActivity(db: Db, schoolId: number, enrollmentIds: readonly number[], asOf: Date): Promise<Map<number, number>> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<{ enrollment_id: unknown; last_ms: unknown }>(
    db,
    sql`select en.id as enrollment_id, ${epochMs(sql`x.last_at`)} as last_ms
        from enrollments en
        cross join lateral (
          select max(le.occurred_at) as last_at from lms_events le
          where ${knownEvents(a)} and le.verb <> 'voided' and (le.enrollment_id = en.id or (le.enrollment_id is null and le.cohort_id = en.cohort_id))) x
        where en.school_id = ${schoolId} and en.id = any(${idArray(enrollmentIds)}) and x.last_at is not null`,
  );
  return new Map(r.map((x) => [num(x.enrollment_id), num(x.last_ms)]));
}

export interface SupportRows {
  /** Per student: staff contacts sent at least OUTREACH_UNANSWERED_DAYS before asOf and not replied to by asOf. */
  outreachUnanswered: Map<number, number>;
  negative: Array<{ personId: number; at: string }>;
  openEpisodes: Array<{ personId: number; id: number; openedAt: string; target: number; clock: "business" | "calendar"; calendarId: number | null }>;
}

/**
 * Support signals of the students as of asOf: staff-initiated DM contacts (outreach) with the student's
 * first reply in that DM (if on or before asOf), the student's negative messages in the 30 days before
 * asOf, and episodes open at asOf (opened by then, not answered by then, younger than 7 days) with a
 * target (the caller judges "breached" in the policy's clock at asOf).
 */
export async function supportSignals(db: Db, schoolId: number, personIds: readonly number[], asOf: Date): Promise<SupportRows> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const ids = idArray(personIds);
  // Outreach = outcomes.ts `staffContacts` (a staff message in the student's DM after at least an hour of
  // quiet there), stored by recompute as staff_contacts rule `silence` with the student's first later
  // message in that DM; a reply after asOf is no reply yet. The model reads only how many went unanswered
  // for OUTREACH_UNANSWERED_DAYS (extractRiskFeatures `outreachUnanswered`), so that count is taken here:
  // the same test as the feature's, on the millisecond instants it compared (to_char .MS truncates; 168
  // hours, not 7 days, so no time-zone day length enters), instead of shipping every contact to Node.
  await ensureStaffContacts(db, schoolId);
  const unansweredBefore = sql`${new Date(asOf.getTime() - OUTREACH_UNANSWERED_DAYS * 86_400_000).toISOString()}::timestamptz`;
  const [outreach, negative, open] = await Promise.all([
    rows<Record<string, unknown>>(
      db,
      // Per listed student through staff_contacts_student_idx: with `= any(ids)` PostgreSQL scanned every
      // stored contact of the school (all rules, all history; 34 ms at xl, growing with the history); the
      // probes cost 4 ms there and grow with the students listed.
      sql`select p.id as student_person_id, x.n
          from unnest(${ids}) p(id)
          cross join lateral (
            select count(*) as n from staff_contacts k
            where k.school_id = ${schoolId} and k.rule = 'silence' and k.student_person_id = p.id and k.sent_at <= ${a}
              and date_trunc('milliseconds', k.sent_at) <= ${unansweredBefore} and (k.student_replied_at is null or k.student_replied_at > ${a})) x
          where x.n > 0`,
    ),
    rows<Record<string, unknown>>(
      db,
      sql`select m.author_person_id, ${isoTs(sql`m.sent_at`)} as at from messages m
          where m.school_id = ${schoolId} and m.author_person_id = any(${ids}) and m.negative and m.deleted_at is null
            and m.sent_at <= ${a} and m.sent_at > ${a} - interval '30 days'`,
    ),
    rows<Record<string, unknown>>(
      db,
      sql`select e.student_person_id, e.id, ${isoTs(sql`e.opened_at`)} as opened_at, e.target_minutes, e.clock::text as clock, p.calendar_id
          from episodes e left join sla_policies p on p.id = e.policy_id
          where e.school_id = ${schoolId} and e.student_person_id = any(${ids}) and e.target_minutes is not null and e.clock is not null
            and e.status <> 'resolved_by_bot' and e.opened_at <= ${a} and e.opened_at > ${a} - interval '7 days'
            and (e.answered_at is null or e.answered_at > ${a})`,
    ),
  ]);
  return {
    outreachUnanswered: new Map(outreach.map((x) => [num(x.student_person_id), num(x.n)])),
    negative: negative.map((x) => ({ personId: num(x.author_person_id), at: String(x.at) })),
    openEpisodes: open.map((x) => ({
      personId: num(x.student_person_id),
      id: num(x.id),
      openedAt: String(x.opened_at),
      target: num(x.target_minutes),
      clock: x.clock === "business" ? "business" : "calendar",
      calendarId: numOrNull(x.calendar_id),
    })),
  };
}
