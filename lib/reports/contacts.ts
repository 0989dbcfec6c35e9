import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { activeCohortsOf, activeContactRows, assignmentRows, assignmentSpans, lastCheckIns, type AssignmentSpan } from "../../db/queries/reports/contacts";
import { outcomeEnrollments, type OutcomeEnrollment } from "../../db/queries/reports/outcomes";
import { wilsonInterval, type Proportion } from "../metrics/stats/wilson";
import { OUTCOMES_INTERPRETATION } from "../metrics/outcomes";
import type { Period } from "../period";
import { currentOutcomeRows, periodAsOf } from "./outcomes";
import { currentReport, freezeDeep, wholeReport, type RunInfo, type RunOptions } from "./report-runs";
import type { StoredOutcomeRows } from "./outcomes-pack";
import { reportPeriod, type ReportQuery } from "./sla";

/**
 * Contact reports beside the at-risk list (docs/metrics.md, "Contacts"): unreachable students, check-ins
 * due per assigned staff member, and completion of each staff member's assigned students. Read only from
 * data dated on or before the as-of instant.
 */

const DAY_MS = 86_400_000;
/** METRICS.md, At-risk students: "no reply to any channel for 30 days". */
export const UNREACHABLE_DAYS = 30;
/** METRICS.md, Load: check-in coverage looks at the last 30 days. */
export const CHECK_IN_DAYS = 30;
/** How far back "days since the last check-in" looks: older contacts show as "none in 180 days". */
export const CHECK_IN_LOOKBACK_DAYS = 180;

const daysBetween = (from: string | Date, to: Date) => Math.floor((to.getTime() - new Date(from).getTime()) / DAY_MS);

export interface UnreachableRow {
  enrollmentId: number;
  personId: number;
  student: string;
  cohortExternalId: string;
  cohort: string;
  tier: string;
  lastStudentMessageAt: string | null;
  /** Whole days since the student's last message; null = never wrote. */
  daysSilent: number | null;
  lastStaffContactAt: string;
  lastStaffContactBy: string | null;
  firstUnansweredAt: string;
  /** Whole days since the oldest staff message the student has not replied to (≥ 30). */
  daysUnanswered: number;
  unansweredStaffMessages: number;
  coordinators: string | null;
}

export interface UnreachableReport {
  school: string;
  asOf: string;
  days: number;
  /** Enrollments active at asOf (the denominator). */
  active: number;
  /** Unreachable enrollments (rows.length, kept when rows are withheld from a viewer). */
  count: number;
  /** Distinct students among the rows. */
  students: number;
  rows: UnreachableRow[];
}

/**
 * Unreachable: an enrollment active at asOf whose student has not written anything anywhere since a staff
 * message addressed to them that is at least 30 days old (so the student has also been silent for 30+
 * days). Students no staff member wrote to are not unreachable: nobody tried.
 */
export async function unreachableReport(db: Db, school: SchoolRow, asOf: Date): Promise<UnreachableReport> {
  const all = await activeContactRows(db, school.id, asOf);
  const limit = asOf.getTime() - UNREACHABLE_DAYS * DAY_MS;
  const rows: UnreachableRow[] = [];
  for (const r of all) {
    if (r.firstUnansweredAt === null || r.lastStaffContactAt === null || Date.parse(r.firstUnansweredAt) > limit) continue;
    rows.push({
      enrollmentId: r.enrollmentId,
      personId: r.personId,
      student: r.student,
      cohortExternalId: r.cohortExternalId,
      cohort: r.cohort,
      tier: r.tier,
      lastStudentMessageAt: r.lastStudentMessageAt,
      daysSilent: r.lastStudentMessageAt === null ? null : daysBetween(r.lastStudentMessageAt, asOf),
      lastStaffContactAt: r.lastStaffContactAt,
      lastStaffContactBy: r.lastStaffContactBy,
      firstUnansweredAt: r.firstUnansweredAt,
      daysUnanswered: daysBetween(r.firstUnansweredAt, asOf),
      unansweredStaffMessages: r.unansweredStaffMessages,
      coordinators: r.coordinators,
    });
  }
  // Longest unanswered first: the students the school is about to pause.
  rows.sort((x, y) => y.daysUnanswered - x.daysUnanswered || x.enrollmentId - y.enrollmentId);
  return { school: school.slug, asOf: asOf.toISOString(), days: UNREACHABLE_DAYS, active: all.length, count: rows.length, students: new Set(rows.map((r) => r.personId)).size, rows };
}

export interface CheckInDueRow {
  staffPersonId: number;
  staff: string;
  role: string;
  studentPersonId: number;
  student: string;
  cohorts: string | null;
  /** The staff member's last staff-initiated DM contact with the student, within the look-back. */
  lastContactAt: string | null;
  /** Whole days since it; null = none in the look-back (180 days). */
  daysSince: number | null;
}

export interface CheckInStaffRow {
  staffPersonId: number;
  staff: string;
  role: string;
  /** Assigned students with an enrollment active at asOf. */
  assigned: number;
  checkedIn: number;
  due: number;
  coverage: number | null;
}

export interface CheckInsReport {
  school: string;
  asOf: string;
  days: number;
  lookbackDays: number;
  /** Check-ins due (rows.length, kept when rows are withheld from a viewer). */
  due: number;
  staff: CheckInStaffRow[];
  rows: CheckInDueRow[];
}

/**
 * Check-ins due: per assignment valid at asOf whose student is active then, whether that staff member made
 * a staff-initiated DM contact with the student (the team page's rule: lib/metrics/episodes, a staff DM
 * that answered nothing, after 1 h without human messages) in the 30 days up to asOf. Due = none.
 */
export async function checkInsReport(db: Db, school: SchoolRow, asOf: Date): Promise<CheckInsReport> {
  const to = new Date(asOf.getTime() + 1); // the window's end is exclusive; asOf itself counts.
  // The assignments and the window's contacts are independent reads: sent together.
  const [assigned, last] = await Promise.all([
    assignmentRows(db, school.id, asOf),
    lastCheckIns(db, school.id, asOf, new Date(asOf.getTime() - CHECK_IN_LOOKBACK_DAYS * DAY_MS), to),
  ]);
  const cohorts = assigned.length === 0 ? new Map<number, string>() : await activeCohortsOf(db, school.id, [...new Set(assigned.map((a) => a.studentPersonId))], asOf);
  const windowFrom = asOf.getTime() - CHECK_IN_DAYS * DAY_MS;
  const byStaff = new Map<string, CheckInStaffRow>();
  const rows: CheckInDueRow[] = [];
  const seen = new Set<string>();
  for (const a of assigned) {
    const pair = `${a.staffPersonId}:${a.studentPersonId}`;
    const key = `${a.staffPersonId}:${a.role}`;
    if (seen.has(`${key}:${a.studentPersonId}`)) continue;
    seen.add(`${key}:${a.studentPersonId}`);
    const s = byStaff.get(key) ?? { staffPersonId: a.staffPersonId, staff: a.staff, role: a.role, assigned: 0, checkedIn: 0, due: 0, coverage: null };
    byStaff.set(key, s);
    s.assigned += 1;
    const lc = last.get(pair) ?? null;
    if (lc !== null && lc.getTime() > windowFrom) {
      s.checkedIn += 1;
      continue;
    }
    s.due += 1;
    rows.push({
      staffPersonId: a.staffPersonId,
      staff: a.staff,
      role: a.role,
      studentPersonId: a.studentPersonId,
      student: a.student,
      cohorts: cohorts.get(a.studentPersonId) ?? null,
      lastContactAt: lc === null ? null : lc.toISOString(),
      daysSince: lc === null ? null : daysBetween(lc, asOf),
    });
  }
  const staff = [...byStaff.values()].map((s) => ({ ...s, coverage: s.assigned === 0 ? null : s.checkedIn / s.assigned }));
  // Never contacted first, then the longest gap.
  rows.sort((x, y) => (y.daysSince ?? Infinity) - (x.daysSince ?? Infinity) || x.staff.localeCompare(y.staff) || x.student.localeCompare(y.student));
  return { school: school.slug, asOf: asOf.toISOString(), days: CHECK_IN_DAYS, lookbackDays: CHECK_IN_LOOKBACK_DAYS, due: rows.length, staff, rows };
}

export interface StaffOutcomeRow extends Proportion {
  staffPersonId: number;
  staff: string;
  role: string;
  students: number;
  enrollments: number;
  completed: number;
  withdrawn: number;
  /** Active, paused, frozen or transferred at asOf: not in the denominator. */
  notEnded: number;
}

export interface StaffOutcomesReport {
  school: string;
  period: Period;
  asOf: string;
  interpretation: typeof OUTCOMES_INTERPRETATION;
  rows: StaffOutcomeRow[];
}

/** An assignment with its validity in epoch ms (null = open). */
/** Staff outcomes built from a stored outcomes run in this process, per run value and query (as outcomesReport's). */
const staffBuiltFrom = new WeakMap<StoredOutcomeRows, Map<string, StaffOutcomesReport>>();

/** Whether an assignment's validity [validFrom, validTo] overlaps [from, to] (open ends = unbounded). */
function overlaps(validFrom: number | null, validTo: number | null, from: number | null, to: number): boolean {
  if (validFrom !== null && validFrom > to) return false;
  if (validTo !== null && from !== null && validTo < from) return false;
  return true;
}

/**
 * Completion of each staff member's assigned students: the outcomes page's enrollments (cohort starting in
 * the period, status as of its as-of instant) of students assigned to them at some time during the
 * enrollment. COR = completed / (completed + withdrawn) with a 95 % Wilson interval. A correlation: staff
 * are not assigned at random (OUTCOMES_INTERPRETATION).
 */
export async function staffOutcomesReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date, opts: { stored?: RunOptions } = {}): Promise<StaffOutcomesReport> {
  const period = await reportPeriod(db, school, { ...q, days: q.days ?? "365" }, now);
  let asOf = periodAsOf(period, school.timezone, now);
  // The outcomes page's enrollments: with `stored`, the outcome rows of the stored run the outcomes report
  // reads (the same rows and as-of instant: docs/adr/0009-stored-report-runs.md); else without their support
  // exposure, which this report does not use (reading outcomeRows here cost the whole outcomes statement,
  // ~0.7 s at 10 M messages, for the statuses alone).
  // With `stored`, a report already built from the same run for the same query is returned as it is: it
  // depends on the run's rows and the roster, and a roster change drops the run (migration 0018).
  let built: Map<string, StaffOutcomesReport> | undefined;
  const key = JSON.stringify([school.slug, school.timezone, period.from, period.to]);
  let enrollments: Promise<OutcomeEnrollment[]>;
  if (opts.stored) {
    const cur = await currentOutcomeRows(db, school, period, asOf, now, opts.stored);
    asOf = cur.asOf;
    built = staffBuiltFrom.get(cur.run);
    if (!built) staffBuiltFrom.set(cur.run, (built = new Map()));
    const hit = built.get(key);
    if (hit) return hit;
    enrollments = Promise.resolve(cur.rows);
  } else enrollments = outcomeEnrollments(db, school.id, school.timezone, period, asOf);
  const [enr, assigned] = await Promise.all([enrollments, assignmentSpans(db, school.id)]);
  // A cohort start converted once per date: ~79 k enrollments and ~69 k assignments at 10 M messages.
  const byStudent = new Map<number, AssignmentSpan[]>();
  for (const a of assigned) {
    const list = byStudent.get(a.studentPersonId);
    if (list) list.push(a);
    else byStudent.set(a.studentPersonId, [a]);
  }
  const startOf = new Map<string, number>();
  const cohortStart = (day: string) => {
    let ms = startOf.get(day);
    if (ms === undefined) startOf.set(day, (ms = DateTime.fromISO(day, { zone: school.timezone }).toMillis()));
    return ms;
  };
  const acc = new Map<string, { staffPersonId: number; staff: string; role: string; students: Set<number>; enrollments: Set<number>; completed: number; withdrawn: number; notEnded: number }>();
  for (const e of enr) {
    const from = e.enrolledAt ? Date.parse(e.enrolledAt) : e.cohortStartsOn ? cohortStart(e.cohortStartsOn) : null;
    const to = e.endedAt ? Date.parse(e.endedAt) : asOf.getTime();
    for (const a of byStudent.get(e.personId) ?? []) {
      if (!overlaps(a.validFrom, a.validTo, from, to)) continue;
      const key = `${a.staffPersonId}:${a.role}`;
      const s = acc.get(key) ?? { staffPersonId: a.staffPersonId, staff: a.staff, role: a.role, students: new Set<number>(), enrollments: new Set<number>(), completed: 0, withdrawn: 0, notEnded: 0 };
      acc.set(key, s);
      if (s.enrollments.has(e.enrollmentId)) continue;
      s.enrollments.add(e.enrollmentId);
      s.students.add(e.personId);
      if (e.status === "completed") s.completed += 1;
      else if (e.status === "withdrawn") s.withdrawn += 1;
      else s.notEnded += 1;
    }
  }
  const rows = [...acc.values()]
    .map((s): StaffOutcomeRow => ({
      ...wilsonInterval(s.completed, s.completed + s.withdrawn),
      staffPersonId: s.staffPersonId,
      staff: s.staff,
      role: s.role,
      students: s.students.size,
      enrollments: s.enrollments.size,
      completed: s.completed,
      withdrawn: s.withdrawn,
      notEnded: s.notEnded,
    }))
    .sort((x, y) => x.role.localeCompare(y.role) || x.staff.localeCompare(y.staff) || x.staffPersonId - y.staffPersonId);
  const report: StaffOutcomesReport = { school: school.slug, period, asOf: asOf.toISOString(), interpretation: OUTCOMES_INTERPRETATION, rows };
  built?.set(key, freezeDeep(report));
  return report;
}


/**
 * CSV columns of the contact lists, shared by the page's export and the CLI so both print the same table.
 * `names` false drops student names (never used by the page, which refuses rows to executives, but kept
 * so a caller cannot forget it).
 */
type Table = [string[], Array<Array<string | number | null>>];

const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

export function unreachableCsv(r: UnreachableReport, names: boolean): Table {
  return [
    [...(names ? ["student"] : []), "cohort", "tier", "last_student_message_at", "days_silent", "last_staff_contact_at", "last_staff_contact_by", "first_unanswered_at", "days_unanswered", "unanswered_staff_messages", "coordinators"],
    r.rows.map((x) => [...(names ? [x.student] : []), x.cohortExternalId, x.tier, x.lastStudentMessageAt, x.daysSilent, x.lastStaffContactAt, x.lastStaffContactBy, x.firstUnansweredAt, x.daysUnanswered, x.unansweredStaffMessages, x.coordinators]),
  ];
}

export function checkInsCsv(r: CheckInsReport, names: boolean): Table {
  return [
    ["staff", "role", ...(names ? ["student"] : []), "cohorts", "last_staff_initiated_contact_at", "days_since"],
    r.rows.map((x) => [x.staff, x.role, ...(names ? [x.student] : []), x.cohorts, x.lastContactAt, x.daysSince]),
  ];
}

export function checkInStaffCsv(r: CheckInsReport): Table {
  return [["staff", "role", "assigned_active", "checked_in_30d", "due", "coverage_pct"], r.staff.map((s) => [s.staff, s.role, s.assigned, s.checkedIn, s.due, pct(s.coverage)])];
}

export function staffOutcomesCsv(r: StaffOutcomesReport): Table {
  return [
    ["staff", "role", "students", "enrollments", "completed", "withdrawn", "not_ended", "completion_pct", "ci95_low_pct", "ci95_high_pct"],
    r.rows.map((s) => [s.staff, s.role, s.students, s.enrollments, s.completed, s.withdrawn, s.notEnded, pct(s.rate), pct(s.low), pct(s.high)]),
  ];
}

/**
 * The unreachable students and the check-ins due as of `asOf` asked at `now`, for the outcomes page: the
 * school's stored report when it may stand for it (lib/reports/report-runs.ts, docs/adr/0009-stored-report-runs.md),
 * else computed now and stored. As of the run's own instant (the report's asOf).
 */
export async function currentUnreachableReport(db: Db, school: SchoolRow, asOf: Date, now: Date, opts: RunOptions = {}): Promise<UnreachableReport & RunInfo> {
  return currentReport(db, school.id, wholeReport("unreachable", 1, (at) => unreachableReport(db, school, at)), asOf, now, opts);
}

export async function currentCheckInsReport(db: Db, school: SchoolRow, asOf: Date, now: Date, opts: RunOptions = {}): Promise<CheckInsReport & RunInfo> {
  return currentReport(db, school.id, wholeReport("checkins", 1, (at) => checkInsReport(db, school, at)), asOf, now, opts);
}
