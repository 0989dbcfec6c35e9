import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { epochMs, idArray, num, numOrNull } from "./common";
import { inPart, isoTs, readInParts, statusesAt, statusFrom, type Part } from "./outcomes";

/**
 * Contact reports of the outcomes page (docs/metrics.md, "Contacts: unreachable students, check-ins due,
 * outcomes by assigned staff"). Everything is read as of `asOf`: messages sent by then, assignments valid
 * then, enrollment status then. Nothing dated after it counts.
 */

/** A message that counts as sent: not a service message, not deleted within a minute (METRICS.md rule 1). */
const SENT = sql`m.content_kind <> 'service' and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')`;

/** `a` valid at `at` with the load report's bounds (db/queries/reports/load.ts), so both pages count alike. */
const validAt = (at: ReturnType<typeof sql>) => sql`(a.valid_from is null or a.valid_from < ${at}) and (a.valid_to is null or a.valid_to >= ${at})`;

export interface ContactEnrollmentRow {
  enrollmentId: number;
  personId: number;
  student: string;
  cohortId: number;
  cohortExternalId: string;
  cohort: string;
  tier: string;
  /** The student's last own message anywhere (any channel, DM or thread) on or before asOf. */
  lastStudentMessageAt: string | null;
  /** The last staff message addressed to the student (their DM, a reply to them, a mention) on or before asOf. */
  lastStaffContactAt: string | null;
  lastStaffContactBy: string | null;
  /** The first staff message to the student after their last own message: the oldest one still unanswered. */
  firstUnansweredAt: string | null;
  /** Staff messages to the student after their last own message. */
  unansweredStaffMessages: number;
  /** Coordinators assigned to the student at asOf (names, comma-separated), or null. */
  coordinators: string | null;
}

/**
 * Every enrollment active at asOf with its student's messaging silence. The caller (lib/reports/contacts.ts)
 * decides who is unreachable: one query, so the page can also show how many active enrollments were judged.
 *
 * "Staff wrote to the student" = a human staff member's message (not a bot, not a service message) in the
 * student's DM (channels.dm_student_person_id), or one in any channel that replies to (quotes) or mentions
 * the student: one row per message and student it addresses. Recompute stores these rows as staff_contacts
 * rule `addressed` (db/queries/episodes/staff-contacts.ts `insertAddressed`, the three `union all` branches
 * this query used to run over every message of the school up to asOf).
 */
export async function activeContactRows(db: Db, schoolId: number, asOf: Date): Promise<ContactEnrollmentRow[]> {
  await ensureStaffContacts(db, schoolId);
  // Each student's messages and contacts are read per student (~15 k active at 10 M messages, ~0.5 s in one
  // statement): the students are split into parts run at once on their own connections (outcomes.ts).
  const r = await readInParts((part) => contactRowsPart(db, schoolId, asOf, part), (x) => num(x.id));
  return r.map((x) => ({
    enrollmentId: num(x.id),
    personId: num(x.person_id),
    student: String(x.display_name),
    cohortId: num(x.cohort_id),
    cohortExternalId: String(x.cohort_ext),
    cohort: String(x.cohort),
    tier: String(x.tier),
    lastStudentMessageAt: (x.last_own as string | null) ?? null,
    lastStaffContactAt: (x.last_staff as string | null) ?? null,
    lastStaffContactBy: (x.last_by as string | null) ?? null,
    firstUnansweredAt: (x.first_unanswered as string | null) ?? null,
    unansweredStaffMessages: num(x.unanswered ?? 0),
    coordinators: (x.coordinators as string | null) ?? null,
  }));
}

/** The rows of the active enrollments of one part of the students (by person id), ordered by enrollment id. */
function contactRowsPart(db: Db, schoolId: number, asOf: Date, part: Part): Promise<Record<string, unknown>[]> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  return rows<Record<string, unknown>>(
    db,
    sql`with act as materialized (
          select en.id, en.person_id, p.display_name, c.id as cohort_id, c.external_id as cohort_ext, c.title as cohort, en.tier
          from enrollments en
          join cohorts c on c.id = en.cohort_id and c.school_id = en.school_id
          join people p on p.id = en.person_id
          -- Statuses as of asOf for all enrollments at once (statusesAt: each one's latest event, looking back only
          -- where it is later), not a probe per enrollment of the school (92 k probes at 10 M messages).
          left join ${statusesAt(schoolId, a)} est on est.enrollment_id = en.id
          where en.school_id = ${schoolId} and ${inPart(sql`en.person_id`, part)} and (en.enrolled_at is null or en.enrolled_at <= ${a}) and ${statusFrom(sql`est`, a)} = 'active'
        ),
        st as materialized (select distinct person_id from act),
        -- The latest own message per student: a backward scan of the student's messages (messages_author_cover_idx)
        -- that stops at the first one that counts, instead of reading each student's whole history.
        own as (
          select st.person_id as pid,
                 (select max(m.sent_at) from messages m where m.school_id = ${schoolId} and m.author_person_id = st.person_id and m.sent_at <= ${a} and ${SENT}) as at
          from st
        ),
        -- Stored by recompute (staff_contacts rule addressed: db/queries/episodes/staff-contacts.ts) with the
        -- definition above, one row per message and student; read per active student through its index.
        to_student as (
          select k.student_person_id as pid, k.sent_at, k.staff_person_id as staff_id from staff_contacts k
          where k.school_id = ${schoolId} and k.rule = 'addressed' and k.student_person_id in (select person_id from st) and k.sent_at <= ${a}
        ),
        per as (
          select t.pid, max(t.sent_at) as last_at,
                 (array_agg(t.staff_id order by t.sent_at desc))[1] as last_by,
                 min(t.sent_at) filter (where own.at is null or t.sent_at > own.at) as first_unanswered,
                 count(*) filter (where own.at is null or t.sent_at > own.at) as unanswered
          from to_student t left join own on own.pid = t.pid
          group by t.pid
        ),
        coord as (
          select a.student_person_id as pid, string_agg(distinct p.display_name, ', ') as names
          from assignments a join people p on p.id = a.staff_person_id
          where a.school_id = ${schoolId} and a.role = 'coordinator' and ${validAt(a)}
            and a.student_person_id in (select person_id from st)
          group by 1
        )
        select act.id, act.person_id, act.display_name, act.cohort_id, act.cohort_ext, act.cohort, act.tier,
               ${isoTs(sql`own.at`)} as last_own, ${isoTs(sql`per.last_at`)} as last_staff, lb.display_name as last_by,
               ${isoTs(sql`per.first_unanswered`)} as first_unanswered, coalesce(per.unanswered, 0) as unanswered, coord.names as coordinators
        from act
        left join own on own.pid = act.person_id
        left join per on per.pid = act.person_id
        left join people lb on lb.id = per.last_by
        left join coord on coord.pid = act.person_id
        order by act.id`,
  );
}

export interface AssignmentRow {
  staffPersonId: number;
  staff: string;
  /** The assignment's role (coordinator, mentor…). */
  role: string;
  studentPersonId: number;
  student: string;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * Staff ↔ student assignments. `activeAt` given: only those valid then whose student has an enrollment
 * active then (check-ins are owed to current students, not to graduates); else every assignment, with
 * its validity, for the caller to match against enrollment windows.
 */
export async function assignmentRows(db: Db, schoolId: number, activeAt?: Date): Promise<AssignmentRow[]> {
  const a = activeAt ? sql`${activeAt.toISOString()}::timestamptz` : null;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select a.staff_person_id, sp.display_name as staff, a.role::text as role, a.student_person_id, stp.display_name as student,
               ${isoTs(sql`a.valid_from`)} as valid_from, ${isoTs(sql`a.valid_to`)} as valid_to
        from assignments a
        join people sp on sp.id = a.staff_person_id
        join people stp on stp.id = a.student_person_id
        where a.school_id = ${schoolId}
          ${a
            ? sql`and ${validAt(a)} and a.student_person_id in (select en.person_id from enrollments en left join ${statusesAt(schoolId, a)} est on est.enrollment_id = en.id
                    where en.school_id = ${schoolId} and (en.enrolled_at is null or en.enrolled_at <= ${a}) and ${statusFrom(sql`est`, a)} = 'active')`
            : sql``}
        order by sp.display_name, a.staff_person_id, a.role, stp.display_name, a.student_person_id`,
  );
  return r.map((x) => ({
    staffPersonId: num(x.staff_person_id),
    staff: String(x.staff),
    role: String(x.role),
    studentPersonId: num(x.student_person_id),
    student: String(x.student),
    validFrom: (x.valid_from as string | null) ?? null,
    validTo: (x.valid_to as string | null) ?? null,
  }));
}

/** An assignment as staff outcomes reads it: no student name, validity as epoch ms. */
export interface AssignmentSpan {
  staffPersonId: number;
  staff: string;
  role: string;
  studentPersonId: number;
  validFrom: number | null;
  validTo: number | null;
}

/**
 * Every assignment of the school for staff outcomes, unordered and without the student's name: the report
 * groups by staff member and sorts its own rows, and assignmentRows' sort by two names (a collation
 * comparison per step over ~69 k rows at 100 k students) and its second join to people were most of its
 * ~230 ms there.
 */
export async function assignmentSpans(db: Db, schoolId: number): Promise<AssignmentSpan[]> {
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select a.staff_person_id, sp.display_name as staff, a.role::text as role, a.student_person_id, ${epochMs(sql`a.valid_from`)} as valid_from, ${epochMs(sql`a.valid_to`)} as valid_to
        from assignments a join people sp on sp.id = a.staff_person_id
        where a.school_id = ${schoolId}`,
  );
  return r.map((x) => ({
    staffPersonId: num(x.staff_person_id),
    staff: String(x.staff),
    role: String(x.role),
    studentPersonId: num(x.student_person_id),
    validFrom: numOrNull(x.valid_from),
    validTo: numOrNull(x.valid_to),
  }));
}

/**
 * Check-ins: per assignment valid at asOf, the staff member's last staff-initiated DM contact with the
 * student sent in [from, to) (staff_contacts rule initiated: lib/metrics/episodes' rule, stored by
 * recompute). Keyed `staff:student`; pairs with no contact in the window are absent. One grouped read
 * instead of deriving every DM conversation of the window.
 */
export async function lastCheckIns(db: Db, schoolId: number, asOf: Date, from: Date, to: Date): Promise<Map<string, Date>> {
  await ensureStaffContacts(db, schoolId);
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<{ staff: unknown; student: unknown; at: string }>(
    db,
    // The window's contacts grouped first (~35 k pairs at 10 M messages), then kept where the pair is a valid
    // assignment: joined the other way round, each of PostgreSQL's parallel workers hashed every assignment.
    sql`select k.staff, k.student, ${isoTs(sql`k.at`)} as at
        from (select staff_person_id as staff, student_person_id as student, max(sent_at) as at from staff_contacts
              where school_id = ${schoolId} and rule = 'initiated' and student_person_id is not null
                and sent_at >= ${from.toISOString()}::timestamptz and sent_at < ${to.toISOString()}::timestamptz
              group by 1, 2) k
        where exists (select 1 from assignments a where a.school_id = ${schoolId} and a.staff_person_id = k.staff and a.student_person_id = k.student and ${validAt(a)})`,
  );
  return new Map(r.map((x) => [`${num(x.staff)}:${num(x.student)}`, new Date(x.at)]));
}

/** The active enrollments' cohort titles per student at asOf (for the check-in list). */
export async function activeCohortsOf(db: Db, schoolId: number, personIds: readonly number[], asOf: Date): Promise<Map<number, string>> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const r = await rows<{ person_id: unknown; cohorts: string }>(
    db,
    sql`select en.person_id, string_agg(distinct c.title, ', ') as cohorts from enrollments en join cohorts c on c.id = en.cohort_id and c.school_id = en.school_id
        left join ${statusesAt(schoolId, a)} est on est.enrollment_id = en.id
        where en.school_id = ${schoolId} and en.person_id = any(${idArray(personIds)}) and (en.enrolled_at is null or en.enrolled_at <= ${a}) and ${statusFrom(sql`est`, a)} = 'active'
        group by 1`,
  );
  return new Map(r.map((x) => [num(x.person_id), x.cohorts]));
}
