import { and, eq, sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import * as t from "../../schema";
import type { Period } from "@/lib/period";
import type { Role } from "@/lib/ingest/types";
import { percentilesOfSortedRuns } from "@/lib/metrics/sla";
import { countOpen, flagSets, float32Base64, fromFloat32Base64, inPeriod, num, numOrNull, openFlags, openIdsOf, sortedFloat4s, unjudgedSlaFlags } from "./common";
import { openedAtOffset } from "./sla";

/**
 * Reads for the staffing page (docs/staffing.md): episode openings per week and hour-of-week, the
 * role's shifts, policies and staff. Hour-of-week = (ISO weekday − 1) × 24 + local hour in the school's
 * zone, as lib/metrics/staffing/week.ts; weeks start on a local Monday. GROUP BY uses column positions
 * so the zone stays one bound parameter per use (PostgreSQL cannot match `$1` to `$3` in a GROUP BY).
 */

export interface HourCount {
  /** Local Monday 'YYYY-MM-DD'. */
  week: string;
  /** Hour of week 0..167. */
  hour: number;
  /** Episodes opened. */
  opened: number;
  /** With a known SLA outcome (METRICS.md: answered, abandoned, or open past target). */
  known: number;
  /** Answered within target. */
  met: number;
}

export interface HourStats {
  /** Per local week and hour-of-week with any episode, in week then hour order. */
  counts: HourCount[];
  /** The median business minutes to the first staff answer over the answered episodes among them (null: none). */
  medianResponseBusinessMinutes: number | null;
  /** Answered episodes with a business response time (the median's count). */
  answered: number;
}

/** The role's episodes opened in a range of local days, as SQL over `e`. */
const ofRoleIn = (schoolId: number, tz: string, role: Role, range: Period): SQL =>
  sql`e.school_id = ${schoolId} and e.owner_role = ${role}::role_kind and ${inPeriod(sql`e.opened_at`, tz, range)}`;

interface HourRow extends Record<string, unknown> {
  k: string;
  lh: unknown;
  opened: unknown;
  known: unknown;
  met: unknown;
  v: string | null;
}

/**
 * Episodes of `ofRole` per local hour since 1970-01-01 00:00 (a Thursday), by the range's offset segments
 * (openedAtOffset), not a time-zone conversion of each row; week and hour-of-week are derived in Node
 * (hourCell). 'h' rows: opened, known and met with no open episode judged; 'o' rows: the open ones with a
 * target, their ids in `v` (countOpen).
 */
function hourRows(ofRole: SQL, offset: SQL): SQL {
  const h = sql`(floor((date_part('epoch', e.opened_at) + ${offset}) / 3600))::bigint`;
  return sql`select 'h' as k, ${h} as lh, count(*) as opened, count(*) filter (where ${unjudgedSlaFlags.known}) as known,
      count(*) filter (where ${unjudgedSlaFlags.met}) as met, null::text as v
    from episodes e where ${ofRole}
    group by 2
    union all
    select 'o', ${h}, 0, 0, 0, ${openIdsOf}
    from episodes e where e.status = 'open' and e.target_minutes is not null and ${ofRole}
    group by 2`;
}

/**
 * Episodes owned by `role` opened in the period, per local week and hour-of-week, with SLA outcomes, and
 * the median business response time of the answered ones. Three reads at once, none waiting for another
 * (only for the zone's offsets): the judgement of the open episodes (openFlags); one statement with the
 * period's episodes grouped by local hour with their settled outcomes (unjudgedSlaFlags) and the role's
 * open episodes with a target by local hour (few: each counts as known when judged breaching now, as
 * slaFlags counts them); and the median. Grouped by the local hour alone (hashed) with the role compared
 * as the enum: the planner's statement by week and hour-of-week with a text cast per row, then the median,
 * took ~145 + ~75 ms at 10 M messages one after the other. The median stays a statement of its own:
 * beside the counts (grouping sets), PostgreSQL sorts the period for every group's percentile (+~80 ms).
 */
export async function episodeHourStats(db: Db, schoolId: number, tz: string, role: Role, period: Period, now: Date, settled?: Promise<SettledHourPart>): Promise<HourStats> {
  if (settled) return hourStatsFromParts(db, schoolId, tz, role, period, now, settled);
  const ofRole = ofRoleIn(schoolId, tz, role, period);
  const [judged, grouped, [median]] = await Promise.all([
    openFlags(db, schoolId, tz, period, now),
    // One statement, so one snapshot: an episode answered between two reads would count in both.
    openedAtOffset(db, tz, period).then((offset) => rows<HourRow>(db, hourRows(ofRole, offset))),
    rows<{ median: unknown; n: unknown }>(
      db,
      sql`select percentile_cont(0.5) within group (order by e.response_business_minutes) as median, count(e.response_business_minutes) as n
          from episodes e
          where e.status = 'answered' and e.response_business_minutes is not null and ${ofRole}`,
    ),
  ]);
  const sets = flagSets(judged);
  const breaching = new Map<number, number>();
  for (const r of grouped) if (r.k === "o") breaching.set(num(r.lh), countOpen(r.v, sets).breachingNow);
  const counts = grouped.flatMap((r) => {
    if (r.k !== "h") return [];
    const lh = num(r.lh);
    return [{ ...hourCell(lh), opened: num(r.opened), known: num(r.known) + (breaching.get(lh) ?? 0), met: num(r.met) }];
  });
  counts.sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : a.hour - b.hour));
  return { counts, medianResponseBusinessMinutes: numOrNull(median?.median), answered: num(median?.n ?? 0) };
}

/**
 * What a range of local days adds to the planner's figures (ADR 0011, as the team and SLA pages' parts):
 * per local hour since 1970-01-01 00:00 (a Thursday), the role's episodes opened, known and met with no
 * open episode judged, and the ids of the open ones with a target (judged when the part is read, so
 * "breaching now" never lags); and the answered ones' business response times (float4), ascending, so
 * that the median of several parts is the median of the whole.
 */
export interface HourPart {
  hours: Array<{ lh: number; opened: number; known: number; met: number; openIds: string | null }>;
  responses: Float64Array;
}

/** A stored part of a period's days before `upTo` (a local date); the days from it are read live. */
export interface SettledHourPart {
  upTo: string;
  part: HourPart;
}

export async function hourPart(db: Db, schoolId: number, tz: string, role: Role, range: Period): Promise<HourPart> {
  const out: HourPart = { hours: [], responses: new Float64Array(0) };
  if (range.from >= range.to) return out;
  const ofRole = ofRoleIn(schoolId, tz, role, range);
  // One statement, one snapshot (as episodeHourStats' counts): hourRows, and one 'r' row with the response
  // times as float4 text (sortedFloat4s).
  const list = await rows<HourRow>(
    db,
    sql`${hourRows(ofRole, await openedAtOffset(db, tz, range))}
        union all
        select 'r', null, 0, 0, 0, string_agg(e.response_business_minutes::text, ',')
        from episodes e where e.status = 'answered' and e.response_business_minutes is not null and ${ofRole}`,
  );
  const open = new Map<number, string>();
  for (const r of list) {
    if (r.k === "r") out.responses = sortedFloat4s(r.v);
    else if (r.k === "o" && r.v !== null) open.set(num(r.lh), r.v);
  }
  for (const r of list) {
    if (r.k !== "h") continue;
    const lh = num(r.lh);
    out.hours.push({ lh, opened: num(r.opened), known: num(r.known), met: num(r.met), openIds: open.get(lh) ?? null });
  }
  return out;
}

/** A part as JSON can hold it: the response times as the base64 of their float4 bytes (exact). */
export interface StoredHourPart {
  hours: HourPart["hours"];
  responses: string;
}

export const packHourPart = (p: HourPart): StoredHourPart => ({ hours: p.hours, responses: float32Base64(p.responses) });
export const unpackHourPart = (p: StoredHourPart): HourPart => ({ hours: p.hours, responses: fromFloat32Base64(p.responses) });

/**
 * episodeHourStats from the stored part before `upTo` and the days from it read live, the open episodes'
 * ids of both judged now: what the whole period's statements give (tests/integration/sla-fast-paths.test.ts).
 * At 10 M messages the planner's seven weeks were two scans of ~227 k episodes per view (~110 and ~90 ms
 * on two connections at once); the live days are one or two.
 */
async function hourStatsFromParts(db: Db, schoolId: number, tz: string, role: Role, period: Period, now: Date, settled: Promise<SettledHourPart>): Promise<HourStats> {
  const stored = await settled;
  const [live, judged] = await Promise.all([hourPart(db, schoolId, tz, role, { from: stored.upTo, to: period.to }), openFlags(db, schoolId, tz, period, now)]);
  const sets = flagSets(judged);
  const byHour = new Map<number, { opened: number; known: number; met: number }>();
  for (const part of [stored.part, live]) {
    for (const x of part.hours) {
      const cur = byHour.get(x.lh) ?? { opened: 0, known: 0, met: 0 };
      cur.opened += x.opened;
      cur.met += x.met;
      // An open episode with a target counts as known when it is breaching now (slaFlags).
      cur.known += x.known + countOpen(x.openIds, sets).breachingNow;
      byHour.set(x.lh, cur);
    }
  }
  const counts = [...byHour].map(([lh, c]) => ({ ...hourCell(lh), ...c }));
  counts.sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : a.hour - b.hour));
  const responses = [stored.part.responses, live.responses];
  const [median = null] = percentilesOfSortedRuns(responses, [0.5]);
  return { counts, medianResponseBusinessMinutes: median, answered: stored.part.responses.length + live.responses.length };
}

/**
 * A local hour counted from 1970-01-01 00:00 (a Thursday) as its week's Monday ('YYYY-MM-DD') and hour of
 * that week (0..167, lib/metrics/staffing/week.ts): the hour of week from Monday 00:00 is (h + 72) mod 168,
 * and h minus that is the Monday's first hour. The same as date_trunc('week') and extract(isodow, hour)
 * of the local time (tests/integration/sla-fast-paths.test.ts).
 */
export function hourCell(localHour: number): { week: string; hour: number } {
  const hour = (((localHour + 72) % 168) + 168) % 168;
  const mondayDays = (localHour - hour) / 24;
  return { week: new Date(mondayDays * 86_400_000).toISOString().slice(0, 10), hour };
}

/** The newest episode opening of the school (any role), or null: the plan is anchored on the data. */
export async function lastOpenedAt(db: Db, schoolId: number): Promise<Date | null> {
  const [r] = await rows<{ at: string | null }>(
    db,
    sql`select to_char(max(opened_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from episodes where school_id = ${schoolId}`,
  );
  return r?.at ? new Date(r.at) : null;
}

export interface ShiftRow {
  id: number;
  personId: number;
  personName: string;
  personEmail: string | null;
  role: Role;
  startsAt: Date;
  endsAt: Date;
  weekly: boolean;
  repeatUntil: Date | null;
}

/** Shifts of one role (all of them: past weeks' staffing needs ended ones too). */
export async function shiftsOf(db: Db, schoolId: number, role: Role): Promise<ShiftRow[]> {
  const r = await db
    .select({
      id: t.shifts.id, personId: t.shifts.personId, personName: t.people.displayName, personEmail: t.people.email, role: t.shifts.role,
      startsAt: t.shifts.startsAt, endsAt: t.shifts.endsAt, weekly: t.shifts.weekly, repeatUntil: t.shifts.repeatUntil,
    })
    .from(t.shifts)
    .innerJoin(t.people, eq(t.people.id, t.shifts.personId))
    .where(and(eq(t.shifts.schoolId, schoolId), eq(t.shifts.role, role)))
    .orderBy(t.shifts.startsAt, t.shifts.id);
  return r;
}

export interface PolicyRow {
  id: number;
  name: string;
  targetMinutes: number;
  clock: "business" | "calendar";
  channelKind: string | null;
  calendarId: number | null;
}

/** Active policies owned by the role with no priority condition, shortest target first (the duty one). */
export async function rolePolicies(db: Db, schoolId: number, role: Role): Promise<PolicyRow[]> {
  const r = await rows<{ id: unknown; name: string; target_minutes: unknown; clock: "business" | "calendar"; channel_kind: string | null; calendar_id: unknown }>(
    db,
    sql`select id, name, target_minutes, clock::text as clock, channel_kind::text as channel_kind, calendar_id
        from sla_policies
        where school_id = ${schoolId} and active and owner_role::text = ${role} and priority is null
        order by target_minutes, id`,
  );
  return r.map((p) => ({ id: num(p.id), name: p.name, targetMinutes: num(p.target_minutes), clock: p.clock, channelKind: p.channel_kind, calendarId: numOrNull(p.calendar_id) }));
}

/** People holding the role at `now` (for the shift editor). */
export async function staffOfRole(db: Db, schoolId: number, role: Role, now: Date): Promise<Array<{ id: number; name: string }>> {
  const r = await rows<{ id: unknown; name: string }>(
    db,
    sql`select p.id, p.display_name as name
        from person_roles r join people p on p.id = r.person_id
        where r.school_id = ${schoolId} and r.role::text = ${role} and not p.is_bot
          and (r.valid_from is null or r.valid_from <= ${now.toISOString()}::timestamptz)
          and (r.valid_to is null or r.valid_to > ${now.toISOString()}::timestamptz)
        order by p.display_name, p.id`,
  );
  return r.map((x) => ({ id: num(x.id), name: x.name }));
}

export async function insertShift(db: Db, s: { schoolId: number; personId: number; role: Role; startsAt: Date; endsAt: Date; weekly: boolean }): Promise<number> {
  const [row] = await db.insert(t.shifts).values({ ...s, repeatUntil: null }).returning({ id: t.shifts.id });
  if (!row) throw new Error("shift insert returned nothing");
  return row.id;
}

/**
 * Removes a shift from `now` on. A shift that already started is ended (its weekly recurrence stops
 * before `now`, so past weeks keep their real staffing); one that never started is deleted.
 * Returns false when the school has no such shift.
 */
export async function endShift(db: Db, schoolId: number, shiftId: number, now: Date): Promise<boolean> {
  const [s] = await db.select().from(t.shifts).where(and(eq(t.shifts.schoolId, schoolId), eq(t.shifts.id, shiftId)));
  if (!s) return false;
  if (s.startsAt >= now) {
    await db.delete(t.shifts).where(and(eq(t.shifts.schoolId, schoolId), eq(t.shifts.id, shiftId)));
  } else if (s.weekly) {
    // repeatUntil is the last allowed start (inclusive): one millisecond before now.
    await db.update(t.shifts).set({ repeatUntil: new Date(now.getTime() - 1) }).where(and(eq(t.shifts.schoolId, schoolId), eq(t.shifts.id, shiftId)));
  }
  return true;
}

/** A person of the school (the POST checks the shift's person belongs to it). */
export async function personInSchool(db: Db, schoolId: number, personId: number): Promise<boolean> {
  const r = await db.select({ id: t.people.id }).from(t.people).where(and(eq(t.people.schoolId, schoolId), eq(t.people.id, personId)));
  return r.length > 0;
}
