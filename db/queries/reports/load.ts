import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { loadCalendars } from "../episodes/context";
import { alwaysOpenCalendar } from "@/lib/metrics/calendar";
import { businessMinutesBetween } from "@/lib/metrics/business-time";
import { median } from "@/lib/metrics/sla";
import type { Period } from "@/lib/period";
import { inPeriod, num, numOrNull, openFlags, responseMinutes, slaFlags } from "./common";
import { STAFF_ROLES } from "./outcomes";

/**
 * Load per staff member (METRICS.md "Load"). Episode counts are of episodes opened in the period, as in
 * the SLA summary, so a person's median here equals their row there. Overload is judged per working hour
 * of the period on the school's default calendar; see docs/metrics.md for every choice.
 */

export interface StaffLoad {
  personId: number;
  name: string;
  role: string;
  team: string | null;
  messagesSent: number;
  episodesAnswered: number;
  studentsAnswered: number;
  /** Still-open episodes they own (DM counterpart, or the channel's one owner). */
  openOwned: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  /** Breached episodes attributed to them: answered by them, or owned and unanswered. */
  breaches: number;
  assignedStudents: number;
  /** Assigned students they wrote to first in a DM in the 30 days before the period's end. */
  checkedIn: number;
  checkInCoverage: number | null;
  capacityPerHour: number | null;
  maxStudents: number | null;
  /** (answered + open owned) / working hours of the period. */
  loadPerHour: number | null;
  /** The median loadPerHour of their team (all listed staff when they have no team). */
  teamMedianPerHour: number | null;
  overloaded: boolean;
  /** More assigned students than their maximum. */
  overAssigned: boolean;
}

export interface LoadReport {
  workingHours: number;
  /** `default-calendar`, or `calendar-hours` when the school has no default calendar. */
  workingHoursBasis: "default-calendar" | "calendar-hours";
  checkInWindow: { from: string; to: string };
  staff: StaffLoad[];
}

const DAY = 86_400_000;
export const OVERLOAD_FACTOR = 1.5;
export const CHECK_IN_DAYS = 30;

/** Instants of a period's local-date bounds in `tz`. */
async function periodInstants(db: Db, tz: string, p: Period): Promise<{ start: Date; end: Date }> {
  const [r] = await rows<{ s: string; e: string }>(
    db,
    sql`select to_char((${p.from}::date)::timestamp at time zone ${tz} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as s,
               to_char((${p.to}::date)::timestamp at time zone ${tz} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as e`,
  );
  if (!r) throw new Error("period bounds");
  return { start: new Date(r.s), end: new Date(r.e) };
}

export async function staffLoad(db: Db, schoolId: number, tz: string, period: Period, now: Date): Promise<LoadReport> {
  // Independent reads, sent together (on PostgreSQL they run on separate pooled connections).
  const [{ start, end }, { calendars, defaultCalendarId }, open] = await Promise.all([
    periodInstants(db, tz, period),
    loadCalendars(db, schoolId),
    openFlags(db, schoolId, tz, period, now),
    ensureStaffContacts(db, schoolId),
  ]);
  // The period's elapsed part: a current month is judged on the hours that have passed.
  const until = new Date(Math.max(start.getTime(), Math.min(end.getTime(), now.getTime())));
  const cal = defaultCalendarId !== null ? calendars.get(defaultCalendarId) : undefined;
  const workingHours = businessMinutesBetween(cal ?? alwaysOpenCalendar(tz), start, until) / 60;

  const f = slaFlags(open);
  const windowFrom = new Date(until.getTime() - CHECK_IN_DAYS * DAY);
  const u = sql`${until.toISOString()}::timestamptz`;
  const staff = await rows<Record<string, unknown>>(
    db,
    sql`with staff as (
          select p.id, p.display_name as name,
            (select r.role::text from person_roles r where r.school_id = p.school_id and r.person_id = p.id and r.role in ('coordinator', 'mentor', 'reviewer', 'support', 'team_lead')
             order by array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text) limit 1) as role,
            (select min(t.name) from team_members tm join teams t on t.id = tm.team_id where tm.school_id = p.school_id and tm.person_id = p.id) as team
          -- From the staff roles to their people: the school has ~100 students per staff member, and testing
          -- each person for a role scanned every student.
          from people p where p.school_id = ${schoolId}
            and p.id in (select r.person_id from person_roles r where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES}))),
        -- Only the staff's own messages are read (messages_author_cover_idx per staff member), not every
        -- message of the period: students write most of them, and only staff rows are kept below.
        sent as (
          select m.author_person_id as id, count(*)::int as n from messages m
          where m.school_id = ${schoolId} and m.author_person_id in (select id from staff) and ${inPeriod(sql`m.sent_at`, tz, period)} and m.content_kind <> 'service'
            and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')
          group by 1),
        ep as (
          -- Only the columns used below: all are in episodes_period_idx, so the period is read index-only.
          select e.responder_person_id, e.owner_person_id, e.student_person_id, e.status, ${responseMinutes} as rm, ${f.breached} as is_breached from episodes e
          where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)}),
        answered as (
          select responder_person_id as id, count(*)::int as n, count(distinct student_person_id)::int as students,
            percentile_cont(0.5) within group (order by rm) as median, percentile_cont(0.9) within group (order by rm) as p90
          from ep where status = 'answered' group by 1),
        owned as (select owner_person_id as id, count(*)::int as n from ep where status = 'open' group by 1),
        breaches as (select coalesce(responder_person_id, owner_person_id) as id, count(*)::int as n from ep where is_breached group by 1),
        assigned as (
          select a.staff_person_id as id, count(distinct a.student_person_id)::int as n from assignments a
          where a.school_id = ${schoolId} and (a.valid_from is null or a.valid_from < ${until.toISOString()}::timestamptz)
            and (a.valid_to is null or a.valid_to >= ${until.toISOString()}::timestamptz)
          group by 1),
        -- Check-ins: assigned students (valid at the end of the elapsed period) the staff member contacted first
        -- in a DM in the 30 days before it (staff_contacts rule initiated, lib/metrics/episodes).
        checked as (
          select a.staff_person_id as id, count(*)::int as n
          from (select distinct staff_person_id, student_person_id from assignments
                where school_id = ${schoolId} and (valid_from is null or valid_from < ${u}) and (valid_to is null or valid_to >= ${u})) a
          where exists (select 1 from staff_contacts k where k.school_id = ${schoolId} and k.rule = 'initiated' and k.student_person_id = a.student_person_id
                          and k.staff_person_id = a.staff_person_id and k.sent_at >= ${windowFrom.toISOString()}::timestamptz and k.sent_at < ${u})
          group by 1)
        select s.id::text as id, s.name, s.role, s.team, coalesce(sent.n, 0) as sent, coalesce(answered.n, 0) as answered,
          coalesce(answered.students, 0) as students, answered.median, answered.p90, coalesce(owned.n, 0) as owned,
          coalesce(breaches.n, 0) as breaches, coalesce(assigned.n, 0) as assigned, c.episodes_per_hour as cap, c.max_students as max_students,
          coalesce(checked.n, 0) as checked
        from staff s left join sent on sent.id = s.id left join answered on answered.id = s.id left join owned on owned.id = s.id
          left join breaches on breaches.id = s.id left join assigned on assigned.id = s.id left join checked on checked.id = s.id
          left join staff_capacity c on c.school_id = ${schoolId} and c.person_id = s.id
        order by s.name, s.id`,
  );


  const list: StaffLoad[] = staff.map((r) => {
    const personId = num(r.id);
    const answered = num(r.answered);
    const owned = num(r.owned);
    const assigned = num(r.assigned);
    const checkedIn = num(r.checked);
    return {
      personId,
      name: String(r.name),
      role: String(r.role),
      team: r.team === null ? null : String(r.team),
      messagesSent: num(r.sent),
      episodesAnswered: answered,
      studentsAnswered: num(r.students),
      openOwned: owned,
      medianMinutes: numOrNull(r.median),
      p90Minutes: numOrNull(r.p90),
      breaches: num(r.breaches),
      assignedStudents: assigned,
      checkedIn,
      checkInCoverage: assigned === 0 ? null : checkedIn / assigned,
      capacityPerHour: numOrNull(r.cap),
      maxStudents: numOrNull(r.max_students),
      loadPerHour: workingHours > 0 ? (answered + owned) / workingHours : null,
      teamMedianPerHour: null,
      overloaded: false,
      overAssigned: r.max_students !== null && assigned > num(r.max_students),
    };
  });
  judgeOverload(list);
  return {
    workingHours,
    workingHoursBasis: cal ? "default-calendar" : "calendar-hours",
    checkInWindow: { from: windowFrom.toISOString(), to: until.toISOString() },
    staff: list,
  };
}

/**
 * Overloaded: load per working hour above the person's capacity; with no capacity set, above 1.5 × the
 * median of their team (everyone listed when they have no team). A zero team median flags nobody: with
 * no work there is nothing to be over.
 */
export function judgeOverload(list: StaffLoad[]): void {
  const byTeam = new Map<string | null, number[]>();
  for (const s of list) if (s.loadPerHour !== null) byTeam.set(s.team, [...(byTeam.get(s.team) ?? []), s.loadPerHour]);
  const everyone = list.flatMap((s) => (s.loadPerHour === null ? [] : [s.loadPerHour]));
  for (const s of list) {
    s.teamMedianPerHour = median(s.team === null ? everyone : (byTeam.get(s.team) ?? []));
    if (s.loadPerHour === null) continue;
    if (s.capacityPerHour !== null) s.overloaded = s.loadPerHour > s.capacityPerHour;
    else s.overloaded = s.teamMedianPerHour !== null && s.teamMedianPerHour > 0 && s.loadPerHour > OVERLOAD_FACTOR * s.teamMedianPerHour;
  }
}
