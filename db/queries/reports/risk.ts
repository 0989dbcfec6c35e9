import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { idArray, num, numOrNull } from "./common";
import { CONTACT_SILENCE, isoTs, STAFF_ROLES, statusAt } from "./outcomes";

/**
 * The raw material of the at-risk snapshots (lib/reports/risk.ts builds RiskSnapshot from it), read as
 * of `asOf`: only rows dated on or before it (LMS events not voided by then, messages sent by then).
 */

const LMS_KINDS = sql`array['xapi', 'openedx', 'lms_csv', 'oulad']::source_kind[]`;
/** Verbs that hand in work for an item (a submission); `attended`/`experienced` on a webinar is attendance. */
const SUBMIT_VERBS = sql`array['submitted', 'completed', 'passed', 'failed', 'scored', 'answered']`;

export interface ActiveEnrollmentRow {
  enrollmentId: number;
  personId: number;
  student: string;
  /** The student's id in an LMS source (source_identities.external_id), when known. */
  lmsStudentId: string | null;
  courseExternalId: string;
  cohortId: number;
  cohortExternalId: string;
  cohort: string;
  tier: string;
  enrolledAt: string | null;
  /** The cohort's start (local midnight of starts_on), ISO UTC; null when the cohort has no start date. */
  startsAt: string | null;
  lastActivityAt: string | null;
}

export async function activeEnrollments(db: Db, schoolId: number, tz: string, asOf: Date): Promise<ActiveEnrollmentRow[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select en.id, en.person_id, p.display_name, co.external_id as course_ext, c.id as cohort_id, c.external_id as cohort_ext, c.title as cohort, en.tier,
               ${isoTs(sql`en.enrolled_at`)} as enrolled_at,
               ${isoTs(sql`(c.starts_on::timestamp at time zone ${tz})`)} as starts_at,
               (select si.external_id from source_identities si join sources so on so.id = si.source_id
                 where si.school_id = en.school_id and si.person_id = en.person_id and so.kind = any(${LMS_KINDS}) order by si.id limit 1) as lms_id,
               (select ${isoTs(sql`max(le.occurred_at)`)} from lms_events le
                 where le.school_id = en.school_id and le.person_id = en.person_id and le.verb <> 'voided'
                   and (le.enrollment_id = en.id or (le.enrollment_id is null and le.cohort_id = en.cohort_id))
                   and le.occurred_at <= ${a} and (le.voided_at is null or le.voided_at > ${a})) as last_activity
        from enrollments en
        join cohorts c on c.id = en.cohort_id and c.school_id = en.school_id
        join courses co on co.id = c.course_id and co.school_id = c.school_id
        join people p on p.id = en.person_id
        where en.school_id = ${schoolId} and (en.enrolled_at is null or en.enrolled_at <= ${a}) and ${statusAt(a)} = 'active'
        order by en.id`,
  );
  return r.map((x) => ({
    enrollmentId: num(x.id),
    personId: num(x.person_id),
    student: String(x.display_name),
    lmsStudentId: (x.lms_id as string | null) ?? null,
    courseExternalId: String(x.course_ext),
    cohortId: num(x.cohort_id),
    cohortExternalId: String(x.cohort_ext),
    cohort: String(x.cohort),
    tier: String(x.tier),
    enrolledAt: (x.enrolled_at as string | null) ?? null,
    startsAt: (x.starts_at as string | null) ?? null,
    lastActivityAt: (x.last_activity as string | null) ?? null,
  }));
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

export interface ItemEventRow {
  enrollmentId: number;
  itemId: string;
  kind: "submission" | "attendance";
  at: string;
  scorePct: number | null;
  banked: boolean;
}

/** Submissions and webinar attendance on the enrollments' cohort items, dated on or before asOf. */
export async function itemEvents(db: Db, schoolId: number, enrollmentIds: readonly number[], asOf: Date): Promise<ItemEventRow[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select en.id as enrollment_id, i.external_id as item_id, case when i.kind = 'webinar' then 'attendance' else 'submission' end as kind,
               ${isoTs(sql`le.occurred_at`)} as at,
               case when le.score is null then null when le.max_score is not null and le.max_score > 0 then 100.0 * le.score / le.max_score else le.score end as score_pct,
               coalesce(le.extra->>'banked', 'false') = 'true' as banked
        from enrollments en
        join lms_items i on i.school_id = en.school_id and i.cohort_id = en.cohort_id
        join lms_events le on le.school_id = en.school_id and le.person_id = en.person_id and le.object_id = i.external_id
          and (le.enrollment_id = en.id or (le.enrollment_id is null and (le.cohort_id is null or le.cohort_id = en.cohort_id)))
        where en.school_id = ${schoolId} and en.id = any(${idArray(enrollmentIds)})
          and le.occurred_at <= ${a} and (le.voided_at is null or le.voided_at > ${a})
          and ((i.kind = 'webinar' and le.verb in ('attended', 'experienced', 'completed')) or (i.kind <> 'webinar' and le.verb = any(${SUBMIT_VERBS})))
        order by en.id, le.occurred_at, le.id`,
  );
  return r.map((x) => ({
    enrollmentId: num(x.enrollment_id),
    itemId: String(x.item_id),
    kind: x.kind === "attendance" ? "attendance" : "submission",
    at: String(x.at),
    scorePct: numOrNull(x.score_pct),
    banked: x.banked === true || x.banked === "t" || x.banked === "true",
  }));
}

/**
 * outcomes.ts `staffContacts` (the same definition: a staff message in a student's DM after at least
 * CONTACT_SILENCE of quiet in that DM, or its first) for some students only. The student filter is on the
 * DM channel, inside the window: a DM belongs to one student, so the window over each kept channel sees
 * the same rows and gives the same contacts, but PostgreSQL reads only those students' DMs instead of
 * every DM message of the school (a sequential scan of all the school's messages at 285 k; worse at 10 M).
 */
function studentStaffContacts(schoolId: number, asOf: SQL, studentIds: SQL): SQL {
  return sql`(select x.student_person_id, x.channel_id, x.sent_at as at from (
      select ch.dm_student_person_id as student_person_id, m.channel_id, m.sent_at, m.author_person_id, m.is_bot,
             lag(m.sent_at) over (partition by m.channel_id order by m.sent_at, m.id) as prev_at
      from messages m join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      where m.school_id = ${schoolId} and ch.kind = 'dm' and ch.dm_student_person_id = any(${studentIds}) and m.deleted_at is null and m.sent_at <= ${asOf}
    ) x
    where not x.is_bot and x.author_person_id <> x.student_person_id
      and (x.prev_at is null or x.sent_at - x.prev_at >= ${CONTACT_SILENCE})
      and exists (select 1 from person_roles r where r.school_id = ${schoolId} and r.person_id = x.author_person_id and r.role = any(${STAFF_ROLES})))`;
}

export interface SupportRows {
  outreach: Array<{ personId: number; sentAt: string; repliedAt: string | null }>;
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
  const outreach = await rows<Record<string, unknown>>(
    db,
    sql`select k.student_person_id, ${isoTs(sql`k.at`)} as sent_at,
               (select ${isoTs(sql`min(m2.sent_at)`)} from messages m2 where m2.school_id = ${schoolId} and m2.channel_id = k.channel_id
                  and m2.author_person_id = k.student_person_id and m2.sent_at > k.at and m2.sent_at <= ${a} and m2.deleted_at is null) as replied_at
        from ${studentStaffContacts(schoolId, a, ids)} k
        order by k.student_person_id, k.at`,
  );
  const negative = await rows<Record<string, unknown>>(
    db,
    sql`select m.author_person_id, ${isoTs(sql`m.sent_at`)} as at from messages m
        where m.school_id = ${schoolId} and m.author_person_id = any(${ids}) and m.negative and m.deleted_at is null
          and m.sent_at <= ${a} and m.sent_at > ${a} - interval '30 days'`,
  );
  const open = await rows<Record<string, unknown>>(
    db,
    sql`select e.student_person_id, e.id, ${isoTs(sql`e.opened_at`)} as opened_at, e.target_minutes, e.clock::text as clock, p.calendar_id
        from episodes e left join sla_policies p on p.id = e.policy_id
        where e.school_id = ${schoolId} and e.student_person_id = any(${ids}) and e.target_minutes is not null and e.clock is not null
          and e.status <> 'resolved_by_bot' and e.opened_at <= ${a} and e.opened_at > ${a} - interval '7 days'
          and (e.answered_at is null or e.answered_at > ${a})`,
  );
  return {
    outreach: outreach.map((x) => ({ personId: num(x.student_person_id), sentAt: String(x.sent_at), repliedAt: (x.replied_at as string | null) ?? null })),
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
