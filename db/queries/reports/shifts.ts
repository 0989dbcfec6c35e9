import { and, eq, sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import * as t from "../../schema";
import type { Period } from "@/lib/period";
import type { Role } from "@/lib/ingest/types";
import { inPeriod, num, numOrNull, openFlags, slaFlags } from "./common";
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

/** Episodes owned by `role` opened in the period, per local week and hour-of-week, with SLA outcomes. */
export async function episodeHourCounts(db: Db, schoolId: number, tz: string, role: Role, period: Period, now: Date): Promise<HourCount[]> {
  const [judged, offset] = await Promise.all([openFlags(db, schoolId, tz, period, now), openedAtOffset(db, tz, period)]);
  const flags = slaFlags(judged);
  // Local hours since 1970-01-01 00:00 (a Thursday) by the offset segments, not a time-zone conversion of
  // each row (~9 weeks of a role's episodes per view, ~150 ms at 10 M messages): the hour of the week
  // from Monday 00:00 is (h + 72) mod 168, and the week's Monday is h − that, in days. The same week and
  // hour as date_trunc('week') / extract(isodow, hour) of opened_at at time zone tz
  // (tests/integration/sla-fast-paths.test.ts).
  const h = sql`(floor((date_part('epoch', e.opened_at) + ${offset}) / 3600))::bigint`;
  const r = await rows<{ week: string; hour: unknown; opened: unknown; known: unknown; met: unknown }>(
    db,
    sql`select to_char(date '1970-01-01' + (monday / 24)::int, 'YYYY-MM-DD') as week, how as hour, opened, known, met
        from (
          select lh - how as monday, how, count(*) as opened, count(*) filter (where known) as known, count(*) filter (where met) as met
          from (select ${h} as lh, ((${h} + 72) % 168 + 168) % 168 as how, ${flags.known} as known, ${flags.met} as met
                from episodes e
                where e.school_id = ${schoolId} and e.owner_role::text = ${role} and ${inPeriod(sql`e.opened_at`, tz, period)}) x
          group by 1, 2) g
        order by 1, 2`,
  );
  return r.map((x) => ({ week: x.week, hour: num(x.hour), opened: num(x.opened), known: num(x.known), met: num(x.met) }));
}

/** The newest episode opening of the school (any role), or null: the plan is anchored on the data. */
export async function lastOpenedAt(db: Db, schoolId: number): Promise<Date | null> {
  const [r] = await rows<{ at: string | null }>(
    db,
    sql`select to_char(max(opened_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at from episodes where school_id = ${schoolId}`,
  );
  return r?.at ? new Date(r.at) : null;
}

/** Median business minutes to the first staff answer of the role's answered episodes in the period. */
export async function medianResponseBusinessMinutes(db: Db, schoolId: number, tz: string, role: Role, period: Period): Promise<{ median: number | null; n: number }> {
  const [r] = await rows<{ median: unknown; n: unknown }>(
    db,
    sql`select percentile_cont(0.5) within group (order by e.response_business_minutes) as median, count(e.response_business_minutes) as n
        from episodes e
        where e.school_id = ${schoolId} and e.owner_role::text = ${role} and e.status = 'answered'
          and e.response_business_minutes is not null and ${inPeriod(sql`e.opened_at`, tz, period)}`,
  );
  return { median: numOrNull(r?.median), n: num(r?.n ?? 0) };
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
