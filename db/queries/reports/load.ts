import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { ensureStaffContacts } from "../episodes/staff-contacts";
import { loadCalendars } from "../episodes/context";
import { alwaysOpenCalendar } from "@/lib/metrics/calendar";
import { businessMinutesBetween } from "@/lib/metrics/business-time";
import { countInSorted, median, percentilesOfSortedRuns } from "@/lib/metrics/sla";
import type { Period } from "@/lib/period";
import { countOpen, flagSets, float32Base64, float64Base64, fromFloat32Base64, fromFloat64Base64, inPeriod, judgedOpenEpisodes, num, numOrNull, openFlags, openIdsOf, periodBoundsMs, responseMinutes, serialRows, sortedFloat4s, type OpenFlags } from "./common";
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

/**
 * Instants of a period's local-date bounds in `tz`: periodBoundsMs's, asked once per process (the team page
 * asked PostgreSQL twice per view; round 27).
 */
async function periodInstants(db: Db, tz: string, p: Period): Promise<{ start: Date; end: Date }> {
  const { from, to } = await periodBoundsMs(db, tz, p);
  return { start: new Date(from), end: new Date(to) };
}

/**
 * The period's closed episodes and sent messages before `upTo` (a local date), stored (ADR 0011, as the
 * KPI cards' SLA part): `staffLoad` then reads only the days from `upTo` and the open episodes live.
 */
export interface SettledStaffPart {
  upTo: string;
  part: StaffPart;
  /**
   * Assigned students and those checked in on, per staff member, as of when the part was computed
   * (assignedCounts): they depend on the roster, whose changes drop the run (migration 0032), and on the
   * staff's DMs, which may lag by the run's reuse window (ADR 0009, as the check-ins due).
   */
  assigned: Array<[number, number, number]>;
  /** CSAT answers per responder before `upTo` (csatCountsByResponder), for the team page's CSAT column. */
  csat: Array<[number, number, number]>;
  /** Answered episodes before `upTo` per responder, channel and student (rebalance.ts answeredPairs), for the movable items. */
  pairs: Float64Array;
  /**
   * The staff as staffRoster read them when the part was computed: a change of roles, teams or capacities
   * drops the run (migration 0033); a renamed person shows within the run's reuse window (ADR 0009).
   */
  roster: Record<string, unknown>[];
}

export async function staffLoad(db: Db, schoolId: number, tz: string, period: Period, now: Date, settled?: Promise<SettledStaffPart>): Promise<LoadReport> {
  // The roster, its assigned students, messages sent and episodes as separate statements, each started as
  // soon as what it needs is known, and merged here by person: as one statement their parts ran one after
  // another on one core (~270 ms at 10 M messages); on PostgreSQL the pool runs them on separate connections,
  // so both cores work (PGlite runs them in turn, same result).
  // The period's elapsed part: a current month is judged on the hours that have passed.
  const bounds = loadUntil(db, tz, period, now);
  const [{ start, until }, { calendars, defaultCalendarId }, roster, assignedBy, sent, episodes] = await Promise.all([
    bounds,
    loadCalendars(db, schoolId),
    settled ? settled.then((s) => s.roster) : staffRoster(db, schoolId),
    (settled ? settled.then((s) => s.assigned) : bounds.then(({ until: u }) => assignedCounts(db, schoolId, u))).then((list) => new Map(list.map(([id, n, checked]) => [id, { n, checked }]))),
    settled ? Promise.resolve(new Map<number, number>()) : sentByStaff(db, schoolId, tz, period),
    settled ? episodesFromParts(db, schoolId, tz, period, now, settled) : episodesByStaff(db, schoolId, tz, period, openFlags(db, schoolId, tz, period, now)),
  ]);
  const cal = defaultCalendarId !== null ? calendars.get(defaultCalendarId) : undefined;
  const workingHours = businessMinutesBetween(cal ?? alwaysOpenCalendar(tz), start, until) / 60;
  const windowFrom = new Date(until.getTime() - CHECK_IN_DAYS * DAY);

  const list: StaffLoad[] = roster.map((r) => {
    const personId = num(r.id);
    const a = episodes.answered.get(personId);
    const answered = a?.n ?? 0;
    const owned = episodes.owned.get(personId) ?? 0;
    const assigned = assignedBy.get(personId)?.n ?? 0;
    const checkedIn = assignedBy.get(personId)?.checked ?? 0;
    return {
      personId,
      name: String(r.name),
      role: String(r.role),
      team: r.team === null ? null : String(r.team),
      messagesSent: (settled ? episodes.sent : sent).get(personId) ?? 0,
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

/** The instant a period's load is judged at: its end, or `now` while it lasts (a current month's elapsed hours). */
export async function loadUntil(db: Db, tz: string, period: Period, now: Date): Promise<{ start: Date; until: Date }> {
  const { start, end } = await periodInstants(db, tz, period);
  return { start, until: new Date(Math.max(start.getTime(), Math.min(end.getTime(), now.getTime()))) };
}

/**
 * The staff (anyone with a staff role; their first role in STAFF_ROLES order, their alphabetically first
 * team) and their capacity, ordered by name, then id. Driven from person_roles: the school has ~100
 * students per staff member. Their assigned students are counted apart (assignedCounts). The team page
 * takes both from its stored run (round 26 for the roster itself: ~7 ms of PostgreSQL a view at 10 M
 * messages, 1,024 rows decoded).
 */
export async function staffRoster(db: Db, schoolId: number): Promise<Record<string, unknown>[]> {
  return rows<Record<string, unknown>>(
    db,
    sql`with staff as (
          select distinct on (r.person_id) r.person_id as id, r.role::text as role from person_roles r
          where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES})
          order by r.person_id, array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text)),
        -- Grouped once, not looked up per staff member (a per-row look-up scanned the teams each time).
        team_of as (
          select tm.person_id, min(t.name) as team from team_members tm join teams t on t.id = tm.team_id
          where tm.school_id = ${schoolId} group by tm.person_id)
        select s.id::text as id, p.display_name as name, s.role, tf.team, c.episodes_per_hour as cap, c.max_students as max_students
        -- Each staff member's name by key: joined, PostgreSQL hashed all ~95 k people of the school (~14 ms).
        from staff s join lateral (select p.display_name from people p where p.id = s.id and p.school_id = ${schoolId} limit 1) p on true
          left join team_of tf on tf.person_id = s.id
          left join staff_capacity c on c.school_id = ${schoolId} and c.person_id = s.id
        order by p.display_name, s.id`,
  );
}

/**
 * Per staff member with assigned students valid at `until`: how many, and how many of them they checked in
 * on (contacted first in a DM in the 30 days before it: staff_contacts rule initiated, lib/metrics/episodes).
 * Rows [staff id, assigned, checked in]. Most of the team page's roster cost (~35 ms of ~43 at 10 M
 * messages: 69 k assignments counted distinct and merged with the contacts).
 */
export async function assignedCounts(db: Db, schoolId: number, until: Date): Promise<Array<[number, number, number]>> {
  // Check-ins read staff_contacts, so they wait for it to be complete.
  await ensureStaffContacts(db, schoolId);
  const u = sql`${until.toISOString()}::timestamptz`;
  const windowFrom = sql`${new Date(until.getTime() - CHECK_IN_DAYS * DAY).toISOString()}::timestamptz`;
  const list = await rows<{ id: unknown; n: unknown; checked: unknown }>(
    db,
    sql`with contacted as (
          select distinct k.staff_person_id, k.student_person_id from staff_contacts k
          where k.school_id = ${schoolId} and k.rule = 'initiated' and k.sent_at >= ${windowFrom} and k.sent_at < ${u})
        -- Distinct students per staff member, counted in the key's order: the assignments' primary key
        -- (school, staff, student, role) is read in order and merged with the contacts, where a distinct
        -- list of all ~69 k current pairs was hashed first (~47 → ~26 ms at 10 M messages).
        select a.staff_person_id as id, count(distinct a.student_person_id)::int as n,
          count(distinct a.student_person_id) filter (where c.staff_person_id is not null)::int as checked
        from assignments a left join contacted c on c.staff_person_id = a.staff_person_id and c.student_person_id = a.student_person_id
        where a.school_id = ${schoolId} and (a.valid_from is null or a.valid_from < ${u}) and (a.valid_to is null or a.valid_to >= ${u})
        group by 1`,
  );
  return list.map((r) => [num(r.id), num(r.n), num(r.checked)]);
}

/**
 * Messages each staff member sent in the period, service messages and those deleted within a minute
 * excluded. Only the staff's own messages are read (messages_author_cover_idx per staff member), not
 * every message of the period: students write most of them. The staff as one array in the index
 * condition, not a join probing the index once per staff member: one scan node instead of ~1 k rescans
 * (the team page's last two days ~5.1 → ~2.7 ms, a month ~46 → ~41 ms at 10 M messages; round 27).
 */
async function sentByStaff(db: Db, schoolId: number, tz: string, period: Period): Promise<Map<number, number>> {
  const list = await rows<{ id: unknown; n: unknown }>(
    db,
    sql`select m.author_person_id as id, count(*)::int as n from messages m
        where m.school_id = ${schoolId}
          and m.author_person_id = any(array(select r.person_id from person_roles r where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES})))
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
  /** Messages sent, when read with the parts (episodesFromParts); else empty. */
  sent: Map<number, number>;
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
  const out: EpisodesByStaff = { answered: new Map(), owned: new Map(), breaches: new Map(), sent: new Map() };
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
 * What a range of local days [from, to) adds to the period's load figures and never takes back once its
 * episodes are closed: answered episodes per responder (with their response times and students, so the
 * median, p90 and distinct students of several parts are exact), closed breaches per person they are
 * attributed to, and messages sent per author. Open episodes are not in it: they are read live.
 */
export interface StaffPart {
  answered: Array<{ id: number; n: number; responses: Float64Array; students: Float64Array }>;
  breached: Array<[number, number]>;
  sent: Array<[number, number]>;
}

export async function staffPart(db: Db, schoolId: number, tz: string, range: Period): Promise<StaffPart> {
  const out: StaffPart = { answered: [], breached: [], sent: [] };
  if (range.from >= range.to) return out;
  const inR = inPeriod(sql`e.opened_at`, tz, range);
  // Grouped by hashing (no ordered or distinct aggregate): the response times travel as float4 text and the
  // students as ids, sorted and made distinct here. episodesByStaff's and sentByStaff's definitions.
  const list = await rows<{ k: string; id: unknown; n: unknown; responses: unknown; students: unknown }>(
    db,
    sql`select 'a' as k, e.responder_person_id as id, count(*)::int as n, string_agg((${responseMinutes})::text, ',') as responses,
          string_agg(e.student_person_id::text, ',') as students
        from episodes e where e.school_id = ${schoolId} and ${inR} and e.status = 'answered' and e.responder_person_id is not null group by e.responder_person_id
        union all
        select 'b', coalesce(e.responder_person_id, e.owner_person_id), count(*)::int, null, null
        from episodes e where e.school_id = ${schoolId} and ${inR} and e.status <> 'open' and e.breached and coalesce(e.responder_person_id, e.owner_person_id) is not null
        group by 2
        union all
        select 's', m.author_person_id, count(*)::int, null, null from messages m
        where m.school_id = ${schoolId}
          and m.author_person_id = any(array(select r.person_id from person_roles r where r.school_id = ${schoolId} and r.role = any(${STAFF_ROLES})))
          and ${inPeriod(sql`m.sent_at`, tz, range)} and m.content_kind <> 'service'
          and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')
        group by 2`,
  );
  for (const r of list) {
    const id = num(r.id);
    if (r.k === "a") out.answered.push({ id, n: num(r.n), responses: sortedFloat4s(r.responses), students: distinctIds(r.students) });
    else if (r.k === "b") out.breached.push([id, num(r.n)]);
    else out.sent.push([id, num(r.n)]);
  }
  return out;
}

/** Comma-separated ids, ascending and distinct. */
function distinctIds(text: unknown): Float64Array {
  if (typeof text !== "string" || text === "") return new Float64Array(0);
  const parts = text.split(",");
  const all = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) all[i] = Number(parts[i]);
  all.sort();
  let k = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[k++] = all[i]!;
  return all.slice(0, k);
}

/** How many distinct values two ascending lists of distinct values hold together. */
export function unionSize(a: Float64Array, b: Float64Array): number {
  // The live days' few students against a month's: each looked up in the longer list, not both walked.
  if (a.length < b.length) [a, b] = [b, a];
  if (b.length * 16 < a.length) {
    let n = a.length;
    for (let k = 0; k < b.length; k++) {
      const at = countInSorted(a, b[k]!, true);
      if (!(at < a.length && a[at] === b[k])) n++;
    }
    return n;
  }
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    n++;
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return n + (a.length - i) + (b.length - j);
}

/** How many distinct values ascending lists of distinct values hold together. */
function distinctCount(lists: readonly Float64Array[]): number {
  if (lists.length === 1) return lists[0]!.length;
  let all = lists[0]!;
  for (let i = 1; i < lists.length - 1; i++) all = union(all, lists[i]!);
  return unionSize(all, lists.at(-1)!);
}

/** The ascending union of two ascending lists of distinct values. */
function union(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(unionSize(a, b));
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out[k++] = a[i++]!;
    else if (i >= a.length || b[j]! < a[i]!) out[k++] = b[j++]!;
    else {
      out[k++] = a[i++]!;
      j++;
    }
  }
  return out;
}

/**
 * Parts of disjoint ranges as one: what episodesByStaff and sentByStaff give for their union (open
 * episodes aside). Pure.
 */
export function mergeStaffParts(parts: readonly StaffPart[]): Pick<EpisodesByStaff, "answered" | "breaches" | "sent"> {
  // Response times as the parts' sorted runs, not merged (percentilesOfSortedRuns).
  // Students as each part's list, counted together at the end: with two parts (the stored one and the live
  // days, as the team page reads them) the size of their union, without building it (round 26).
  const acc = new Map<number, { n: number; responses: Float64Array[]; students: Float64Array[] }>();
  const breaches = new Map<number, number>();
  const sent = new Map<number, number>();
  for (const p of parts) {
    for (const a of p.answered) {
      const cur = acc.get(a.id);
      if (cur === undefined) acc.set(a.id, { n: a.n, responses: [a.responses], students: [a.students] });
      else {
        cur.n += a.n;
        cur.responses.push(a.responses);
        cur.students.push(a.students);
      }
    }
    for (const [id, n] of p.breached) breaches.set(id, (breaches.get(id) ?? 0) + n);
    for (const [id, n] of p.sent) sent.set(id, (sent.get(id) ?? 0) + n);
  }
  const answered: EpisodesByStaff["answered"] = new Map();
  for (const [id, a] of acc) {
    const [median = null, p90 = null] = percentilesOfSortedRuns(a.responses, [0.5, 0.9]);
    answered.set(id, { n: a.n, students: distinctCount(a.students), median, p90 });
  }
  return { answered, breaches, sent };
}

/** A part as JSON can hold it (float4 response times and float8 ids as base64, exact). */
export interface StoredStaffPart {
  answered: Array<{ id: number; n: number; responses: string; students: string }>;
  breached: Array<[number, number]>;
  sent: Array<[number, number]>;
}

export function packStaffPart(p: StaffPart): StoredStaffPart {
  return { ...p, answered: p.answered.map((a) => ({ id: a.id, n: a.n, responses: float32Base64(a.responses), students: float64Base64(a.students) })) };
}

export function unpackStaffPart(p: StoredStaffPart): StaffPart {
  return { ...p, answered: p.answered.map((a) => ({ id: a.id, n: a.n, responses: fromFloat32Base64(a.responses), students: fromFloat64Base64(a.students) })) };
}

/**
 * episodesByStaff (and the messages sent) from the stored part before `upTo`, the live part from it, and
 * the period's open episodes read live: ~135 k episodes scanned and sorted per view become the last two
 * days' and the ~6 k open ones (open episodes by the open-status index).
 */
async function episodesFromParts(db: Db, schoolId: number, tz: string, period: Period, now: Date, settled: Promise<SettledStaffPart>): Promise<EpisodesByStaff> {
  const stored = await settled;
  const [live, open] = await Promise.all([staffPart(db, schoolId, tz, { from: stored.upTo, to: period.to }), openOwnedAndBreaching(db, schoolId, tz, period, now)]);
  const merged = mergeStaffParts([stored.part, live]);
  const breaches = merged.breaches;
  for (const [id, n] of open.breaching) breaches.set(id, (breaches.get(id) ?? 0) + n);
  return { answered: merged.answered, owned: open.owned, breaches, sent: merged.sent };
}

/**
 * The period's open episodes per owner, and those breaching now per person the breach is attributed to
 * (the responder, else the owner), judged at `now` as openFlags judges them. One read of the open episodes
 * for both (judgedOpenEpisodes with their people): they were a grouped statement beside openFlags' own
 * read of the same ~6 k rows at 10 M messages.
 */
async function openOwnedAndBreaching(db: Db, schoolId: number, tz: string, period: Period, now: Date): Promise<{ owned: Map<number, number>; breaching: Map<number, number> }> {
  const owned = new Map<number, number>();
  const breaching = new Map<number, number>();
  for (const e of await judgedOpenEpisodes(db, schoolId, tz, period, now, true)) {
    if (e.ownerPersonId !== null) owned.set(e.ownerPersonId, (owned.get(e.ownerPersonId) ?? 0) + 1);
    if (e.attributedTo !== null && e.breachingNow) breaching.set(e.attributedTo, (breaching.get(e.attributedTo) ?? 0) + 1);
  }
  return { owned, breaching };
}

/**
 * Overloaded: load per working hour above the person's capacity; with no capacity set, above 1.5 × the
 * median of their team (everyone listed when they have no team). A zero team median flags nobody: with
 * no work there is nothing to be over.
 */
export function judgeOverload(list: StaffLoad[]): void {
  const byTeam = new Map<string | null, number[]>();
  for (const s of list) {
    if (s.loadPerHour === null) continue;
    const loads = byTeam.get(s.team);
    if (loads === undefined) byTeam.set(s.team, [s.loadPerHour]);
    else loads.push(s.loadPerHour);
  }
  const everyone = list.flatMap((s) => (s.loadPerHour === null ? [] : [s.loadPerHour]));
  // Each team's median once, not once per member (~1 k staff at 10 M messages).
  const medians = new Map<string | null, number | null>();
  const medianOf = (team: string | null) => {
    if (!medians.has(team)) medians.set(team, median(team === null ? everyone : (byTeam.get(team) ?? [])));
    return medians.get(team) ?? null;
  };
  for (const s of list) {
    s.teamMedianPerHour = medianOf(s.team);
    if (s.loadPerHour === null) continue;
    if (s.capacityPerHour !== null) s.overloaded = s.loadPerHour > s.capacityPerHour;
    else s.overloaded = s.teamMedianPerHour !== null && s.teamMedianPerHour > 0 && s.loadPerHour > OVERLOAD_FACTOR * s.teamMedianPerHour;
  }
}
