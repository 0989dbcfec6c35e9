import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { rows, type Db } from "../../client";
import { loadCalendars } from "../episodes/context";
import { addBusinessMinutes } from "@/lib/metrics/business-time";
import { evaluateSla } from "@/lib/metrics/sla";
import { num, numOrNull } from "./common";

/**
 * The live queue: every open episode of a school judged at `now` (deadline on the policy's clock and
 * calendar, at risk past 80 %, breaching now), ordered by time left, with a suggested taker.
 * Open episodes are few (recompute abandons them after 7 days), so they are evaluated in JavaScript
 * with lib/metrics/sla, like the reports' open flags (db/queries/reports/common.ts#openFlags).
 */

export type QueueState = "breaching" | "atRisk" | "ok" | "noSla";
export type SuggestionReason = "owner" | "onShift" | "leastLoaded" | "none";

export interface QueueStaff {
  personId: number;
  name: string;
  role: string;
  team: string | null;
  /** Open episodes they own right now (DM counterpart or the channel's one owner). */
  openOwned: number;
  onShift: boolean;
}

export interface QueueItem {
  episodeId: number;
  openedAt: string;
  lastStudentMessageAt: string;
  messageCount: number;
  priority: string;
  category: string | null;
  channelId: number;
  channelTitle: string;
  channelKind: string;
  sourceKind: string;
  threadTitle: string | null;
  studentName: string;
  ownerRole: string | null;
  ownerPersonId: number | null;
  ownerName: string | null;
  targetMinutes: number | null;
  clock: "business" | "calendar" | null;
  /** When the target runs out (ISO); null without a policy. */
  deadline: string | null;
  /** When the episode passes 80 % of its target (ISO); null without a policy. */
  atRiskAt: string | null;
  /** Minutes on the policy's clock so far (calendar minutes without a policy). */
  elapsedMinutes: number;
  state: QueueState;
  suggested: { personId: number; name: string; team: string | null; reason: SuggestionReason } | null;
}

export interface QueueData {
  asOf: string;
  items: QueueItem[];
  staff: QueueStaff[];
}

const STAFF_ROLES = ["coordinator", "mentor", "reviewer", "support", "team_lead"];
const DAY_MS = 86_400_000;

export interface ShiftRow {
  personId: number;
  startsAt: Date;
  endsAt: Date;
  weekly: boolean;
  repeatUntil: Date | null;
}

/**
 * Is a shift on at `now`? A weekly shift repeats on the same local weekday and wall-clock hours in the
 * school's zone (so a 09:00 shift stays 09:00 across DST), while its occurrence starts no later than
 * `repeatUntil`. Only the occurrences of this week and the week before can cover `now` (shifts < 7 days).
 */
export function shiftCovers(s: ShiftRow, now: Date, tz: string): boolean {
  const t = now.getTime();
  if (!s.weekly) return s.startsAt.getTime() <= t && t < s.endsAt.getTime();
  const start = DateTime.fromJSDate(s.startsAt, { zone: tz });
  const end = DateTime.fromJSDate(s.endsAt, { zone: tz });
  const k = Math.floor((t - s.startsAt.getTime()) / (7 * DAY_MS));
  for (const w of [k + 1, k, k - 1]) {
    if (w < 0) continue;
    const a = start.plus({ weeks: w }).toMillis();
    const b = end.plus({ weeks: w }).toMillis();
    if (s.repeatUntil !== null && a > s.repeatUntil.getTime()) continue;
    if (a <= t && t < b) return true;
  }
  return false;
}

/**
 * Who should take an episode: its owner when it has one; else, among staff of the owning role (any staff
 * role when the episode has none), the least loaded of those on shift now, else the least loaded of all.
 * "Load" = open episodes owned plus those already suggested to them in this queue, so a burst of new
 * questions is spread over the shift instead of piling on one person. Ties: name, then id.
 */
export function suggestTaker(
  ep: { ownerPersonId: number | null; ownerRole: string | null },
  staff: readonly QueueStaff[],
  extra: Map<number, number>,
): { person: QueueStaff; reason: SuggestionReason } | null {
  if (ep.ownerPersonId !== null) {
    const owner = staff.find((s) => s.personId === ep.ownerPersonId);
    if (owner) return { person: owner, reason: "owner" };
  }
  const ofRole = staff.filter((s) => (ep.ownerRole === null ? s.role !== "team_lead" : s.role === ep.ownerRole));
  const load = (s: QueueStaff) => s.openOwned + (extra.get(s.personId) ?? 0);
  const least = (list: QueueStaff[]) =>
    [...list].sort((a, b) => load(a) - load(b) || a.name.localeCompare(b.name) || a.personId - b.personId)[0] ?? null;
  const onShift = least(ofRole.filter((s) => s.onShift));
  if (onShift) return { person: onShift, reason: "onShift" };
  const any = least(ofRole);
  return any ? { person: any, reason: "leastLoaded" } : null;
}

type Row = Record<string, unknown>;
const iso = (v: unknown) => new Date(String(v)).toISOString();

export async function liveQueue(db: Db, schoolId: number, tz: string, now: Date): Promise<QueueData> {
  const open = await rows<Row>(
    db,
    sql`select e.id, to_char(e.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at,
          to_char(e.last_student_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at,
          e.message_count, e.priority::text as priority, e.category::text as category, e.channel_id,
          coalesce(c.title, c.external_id) as channel_title, c.kind::text as channel_kind, s.kind::text as source_kind,
          t.title as thread_title, st.display_name as student_name, e.owner_role::text as owner_role, e.owner_person_id,
          op.display_name as owner_name, e.target_minutes, e.clock::text as clock, p.calendar_id
        from episodes e
          join channels c on c.id = e.channel_id and c.school_id = e.school_id
          join sources s on s.id = c.source_id and s.school_id = e.school_id
          join people st on st.id = e.student_person_id and st.school_id = e.school_id
          left join threads t on t.id = e.thread_id and t.school_id = e.school_id
          left join people op on op.id = e.owner_person_id and op.school_id = e.school_id
          left join sla_policies p on p.id = e.policy_id and p.school_id = e.school_id
        where e.school_id = ${schoolId} and e.status = 'open'
        order by e.opened_at, e.id`,
  );
  const staffRows = await rows<Row>(
    db,
    // Staff only (the inner lateral join drops people with no staff role now, as the filter below did) and
    // open episodes counted once per owner: per-person subqueries over every student cost O(people × open).
    sql`with owned as (
          select e.owner_person_id, count(*)::int as n from episodes e
          where e.school_id = ${schoolId} and e.status = 'open' and e.owner_person_id is not null group by 1)
        select p.id, p.display_name as name, x.role,
          (select min(tm2.name) from team_members tm join teams tm2 on tm2.id = tm.team_id where tm.school_id = p.school_id and tm.person_id = p.id) as team,
          coalesce(o.n, 0) as owned
        from people p
          join lateral (select r.role::text as role from person_roles r where r.school_id = p.school_id and r.person_id = p.id
             and r.role::text = any(${`{${STAFF_ROLES.join(",")}}`}::text[])
             and (r.valid_from is null or r.valid_from <= ${now.toISOString()}::timestamptz)
             and (r.valid_to is null or r.valid_to > ${now.toISOString()}::timestamptz)
           order by array_position(${`{${STAFF_ROLES.join(",")}}`}::text[], r.role::text) limit 1) x on true
          left join owned o on o.owner_person_id = p.id
        where p.school_id = ${schoolId} and not p.is_bot
        order by p.display_name, p.id`,
  );
  const shiftRows = await rows<Row>(
    db,
    sql`select person_id, to_char(starts_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as s, to_char(ends_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as e,
          weekly, to_char(repeat_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as u
        from shifts where school_id = ${schoolId} and starts_at <= ${now.toISOString()}::timestamptz`,
  );
  const onShift = new Set<number>();
  for (const r of shiftRows) {
    const s: ShiftRow = { personId: num(r.person_id), startsAt: new Date(String(r.s)), endsAt: new Date(String(r.e)), weekly: r.weekly === true, repeatUntil: r.u === null ? null : new Date(String(r.u)) };
    if (shiftCovers(s, now, tz)) onShift.add(s.personId);
  }
  const staff: QueueStaff[] = staffRows
    .filter((r) => r.role !== null)
    .map((r) => ({ personId: num(r.id), name: String(r.name), role: String(r.role), team: r.team === null ? null : String(r.team), openOwned: num(r.owned), onShift: onShift.has(num(r.id)) }));

  const { calendars, defaultCalendarId } = await loadCalendars(db, schoolId);
  const items: QueueItem[] = open.map((o) => {
    const openedAt = new Date(String(o.opened_at));
    const target = numOrNull(o.target_minutes);
    const clock = o.clock === "business" || o.clock === "calendar" ? o.clock : null;
    const calendarId = numOrNull(o.calendar_id) ?? defaultCalendarId;
    const calendar = calendarId !== null ? (calendars.get(calendarId) ?? null) : null;
    let deadline: string | null = null;
    let atRiskAt: string | null = null;
    let elapsed = (now.getTime() - openedAt.getTime()) / 60_000;
    let state: QueueState = "noSla";
    if (target !== null && clock !== null && !(clock === "business" && calendar === null)) {
      const ev = evaluateSla({ openedAt, answeredAt: null, policy: { id: 0, ownerRole: null, channelKind: null, priority: null, targetMinutes: target, clock, calendarId }, calendar, now });
      deadline = ev.deadline.toISOString();
      const riskMinutes = 0.8 * target;
      atRiskAt = (clock === "business" && calendar ? addBusinessMinutes(calendar, openedAt, riskMinutes) : new Date(openedAt.getTime() + riskMinutes * 60_000)).toISOString();
      elapsed = ev.elapsedMinutes;
      state = ev.breachingNow ? "breaching" : ev.atRisk ? "atRisk" : "ok";
    }
    return {
      episodeId: num(o.id),
      openedAt: openedAt.toISOString(),
      lastStudentMessageAt: iso(o.last_at),
      messageCount: num(o.message_count),
      priority: String(o.priority),
      category: o.category === null ? null : String(o.category),
      channelId: num(o.channel_id),
      channelTitle: String(o.channel_title),
      channelKind: String(o.channel_kind),
      sourceKind: String(o.source_kind),
      threadTitle: o.thread_title === null ? null : String(o.thread_title),
      studentName: String(o.student_name),
      ownerRole: o.owner_role === null ? null : String(o.owner_role),
      ownerPersonId: numOrNull(o.owner_person_id),
      ownerName: o.owner_name === null ? null : String(o.owner_name),
      targetMinutes: target,
      clock,
      deadline,
      atRiskAt,
      elapsedMinutes: elapsed,
      state,
      suggested: null,
    };
  });
  // Time left before breach: the earliest deadline first; episodes without a policy last, oldest first.
  items.sort((a, b) => (a.deadline ?? "9999").localeCompare(b.deadline ?? "9999") || a.openedAt.localeCompare(b.openedAt) || a.episodeId - b.episodeId);
  const extra = new Map<number, number>();
  for (const it of items) {
    const pick = suggestTaker(it, staff, extra);
    if (!pick) continue;
    it.suggested = { personId: pick.person.personId, name: pick.person.name, team: pick.person.team, reason: pick.reason };
    if (pick.reason !== "owner") extra.set(pick.person.personId, (extra.get(pick.person.personId) ?? 0) + 1);
  }
  return { asOf: now.toISOString(), items, staff };
}
