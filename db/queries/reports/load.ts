import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { loadCalendars } from "../episodes/context";
import { alwaysOpenCalendar } from "@/lib/metrics/calendar";
import { businessMinutesBetween } from "@/lib/metrics/business-time";
import { median } from "@/lib/metrics/sla";
import type { Period } from "@/lib/period";
import { countOpen, flagSets, inPeriod, num, numOrNull, openFlags, openIdsOf, responseMinutes, serialRows, type OpenFlags } from "./common";
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
  // Four statements, each started as soon as what it needs is known, and merged here by person: as one
  // statement their parts ran one after another on one core (~270 ms at 10 M messages); on PostgreSQL the
  // pool runs them on separate connections, so both cores work (PGlite runs them in turn, same result).
  const bounds = periodInstants(db, tz, period).then(({ start, end }) => {
    // The period's elapsed part: a current month is judged on the hours that have passed.
    const until = new Date(Math.max(start.getTime(), Math.min(end.getTime(), now.getTime())));
    return { start, until };
  });
  const [{ start, until }, { calendars, defaultCalendarId }, roster, sent, episodes] = await Promise.all([
    bounds,
    loadCalendars(db, schoolId),
    // Check-ins read staff_contacts, so they wait for it to be complete.
    Promise.all([bounds, ensureStaffContacts(db, schoolId)]).then(([{ until: u }]) => staffRoster(db, schoolId, u)),
    sentByStaff(db, schoolId, tz, period),
    episodesByStaff(db, schoolId, tz, period, openFlags(db, schoolId, tz, period, now)),
  ]);
  const cal = defaultCalendarId !== null ? calendars.get(defaultCalendarId) : undefined;
  const workingHours = businessMinutesBetween(cal ?? alwaysOpenCalendar(tz), start, until) / 60;
  const windowFrom = new Date(until.getTime() - CHECK_IN_DAYS * DAY);

  const list: StaffLoad[] = roster.map((r) => {
    const personId = num(r.id);
    const a = episodes.answered.get(personId);
    const answered = a?.n ?? 0;
    const owned = episodes.owned.get(personId) ?? 0;
    const assigned = num(r.assigned);
    const checkedIn = num(r.checked);
    return {
      personId,
      name: String(r.name),
      role: String(r.role),
      team: r.team === null ? null : String(r.team),
      messagesSent: sent.get(personId) ?? 0,
      episodesAnswered: answered,
      studentsAnswered: a?.students ?? 0,
      openOwned: owned,
      medianMinutes: a?.median ?? null,
      p90Minutes: a?.p90 ?? null,
      breaches: episodes.breaches.get(personId) ?? 0,
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
 * The staff (anyone with a staff role; their first role in STAFF_ROLES order, their alphabetically first
 * team), capacity, and assigned students valid at `until` with how many of them they checked in on:
 * contacted first in a DM in the 30 days before it (staff_contacts rule initiated, lib/metrics/episodes).
 * Ordered by name, then id. Driven from person_roles: the school has ~100 students per staff member.
 */
async function staffRoster(db: Db, schoolId: number, until: Date): Promise<Record<string, unknown>[]> {
  const u = sql`${until.toISOString()}::timestamptz`;
  const windowFrom = sql`${new Date(until.getTime() - CHECK_IN_DAYS * DAY).toISOString()}::timestamptz`;
  return rows<Record<string, unknown>>(
    db,
    sql`with staff as (
          select distinct on (r.person_id) r.person_id as id, r.role::text as role from person_roles r
          where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES})
          order by r.person_id, array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text)),
        -- Grouped once, not looked up per staff member (a per-row look-up scanned the teams each time).
        team_of as (
          select tm.person_id, min(t.name) as team from team_members tm join teams t on t.id = tm.team_id
          where tm.school_id = ${schoolId} group by tm.person_id),
        cur as (
          select distinct staff_person_id, student_person_id from assignments
          where school_id = ${schoolId} and (valid_from is null or valid_from < ${u}) and (valid_to is null or valid_to >= ${u})),
        contacted as (
          select distinct k.staff_person_id, k.student_person_id from staff_contacts k
          where k.school_id = ${schoolId} and k.rule = 'initiated' and k.sent_at >= ${windowFrom} and k.sent_at < ${u}),
        assigned as (
          select cur.staff_person_id as id, count(*)::int as n, count(c.staff_person_id)::int as checked
          from cur left join contacted c on c.staff_person_id = cur.staff_person_id and c.student_person_id = cur.student_person_id
          group by 1)
        select s.id::text as id, p.display_name as name, s.role, tf.team, coalesce(a.n, 0) as assigned, coalesce(a.checked, 0) as checked,
          c.episodes_per_hour as cap, c.max_students as max_students
        -- Each staff member's name by key: joined, PostgreSQL hashed all ~95 k people of the school (~14 ms).
        from staff s join lateral (select p.display_name from people p where p.id = s.id and p.school_id = ${schoolId} limit 1) p on true
          left join team_of tf on tf.person_id = s.id left join assigned a on a.id = s.id
          left join staff_capacity c on c.school_id = ${schoolId} and c.person_id = s.id
        order by p.display_name, s.id`,
  );
}

/**
 * Messages each staff member sent in the period, service messages and those deleted within a minute
 * excluded. Only the staff's own messages are read (messages_author_cover_idx per staff member), not
 * every message of the period: students write most of them.
 */
async function sentByStaff(db: Db, schoolId: number, tz: string, period: Period): Promise<Map<number, number>> {
  const list = await rows<{ id: unknown; n: unknown }>(
    db,
    sql`select m.author_person_id as id, count(*)::int as n from messages m
        where m.school_id = ${schoolId}
          and m.author_person_id in (select r.person_id from person_roles r where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES}))
          and ${inPeriod(sql`m.sent_at`, tz, period)} and m.content_kind <> 'service'
          and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')
        group by 1`,
  );
  return new Map(list.map((r) => [num(r.id), num(r.n)]));
}

interface EpisodesByStaff {
  answered: Map<number, { n: number; students: number; median: number | null; p90: number | null }>;
  owned: Map<number, number>;
  breaches: Map<number, number>;
}

/**
 * The period's episodes per person: answered by them (count, students, median and p90 response), open
 * ones they own, and breaches attributed to them (answered by them, or owned and unanswered). Index-only
 * reads of the period (every column used is in episodes_period_idx).
 */
async function episodesByStaff(db: Db, schoolId: number, tz: string, period: Period, judged: Promise<OpenFlags>): Promise<EpisodesByStaff> {
  // The statement does not wait for the open episodes to be judged (~50–70 ms at 10 M messages): it
  // lists each person's open episodes with a target, and those breaching now are counted here (countOpen).
  // Two scans of the period's episodes instead of one materialised CTE read four times (~90 → ~60 ms):
  // the answered ones ('a'), and the open or breached ones: 'o' rows per owner (and per the person an
  // open episode's breach is attributed to, `who`), 'b' rows of the breaches of the others.
  const inP = inPeriod(sql`e.opened_at`, tz, period);
  const [list, flags] = await Promise.all([
    serialRows<{ k: string; id: unknown; who: unknown; n: unknown; students: unknown; median: unknown; p90: unknown; open_ids: unknown }>(
      db,
      sql`select 'a' as k, e.responder_person_id as id, null::bigint as who, count(*)::int as n, count(distinct e.student_person_id)::int as students,
            percentile_cont(0.5) within group (order by ${responseMinutes}) as median, percentile_cont(0.9) within group (order by ${responseMinutes}) as p90, null as open_ids
          from episodes e where e.school_id = ${schoolId} and ${inP} and e.status = 'answered' group by e.responder_person_id
          union all
          select case when e.status = 'open' then 'o' else 'b' end,
            case when e.status = 'open' then e.owner_person_id else coalesce(e.responder_person_id, e.owner_person_id) end,
            case when e.status = 'open' then coalesce(e.responder_person_id, e.owner_person_id) end,
            count(*)::int, null, null, null, ${openIdsOf}
          from episodes e where e.school_id = ${schoolId} and ${inP} and (e.status = 'open' or e.breached)
          group by 1, 2, 3`,
    ),
    judged,
  ]);
  const open = flagSets(flags);
  const out: EpisodesByStaff = { answered: new Map(), owned: new Map(), breaches: new Map() };
  const add = (m: Map<number, number>, id: number | null, n: number) => {
    if (id !== null && n > 0) m.set(id, (m.get(id) ?? 0) + n);
  };
  for (const r of list) {
    const id = numOrNull(r.id);
    if (r.k === "a") {
      if (id !== null) out.answered.set(id, { n: num(r.n), students: num(r.students), median: numOrNull(r.median), p90: numOrNull(r.p90) });
    } else if (r.k === "o") {
      add(out.owned, id, num(r.n));
      // An open episode is breached when it is breaching now (slaFlags), attributed as every breach is.
      add(out.breaches, numOrNull(r.who), countOpen(r.open_ids, open).breachingNow);
    } else add(out.breaches, id, num(r.n));
  }
  return out;
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
