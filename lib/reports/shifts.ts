import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { loadCalendars } from "../../db/queries/episodes/context";
import {
  episodeHourStats, hourPart, lastOpenedAt, packHourPart, rolePolicies, shiftsOf, staffOfRole, unpackHourPart,
  type HourCount, type PolicyRow, type SettledHourPart, type ShiftRow, type StoredHourPart,
} from "../../db/queries/reports/shifts";
import { insertShiftsOnce, matchPeople, type NewShift } from "../../db/queries/reports/shifts-import";
import { staffRoles, type Role } from "../ingest/types";
import type { BusinessCalendar } from "../metrics/calendar";
import { settledUpTo, type Period } from "../period";
import { currentRun, type RunOptions, type RunSpec } from "./report-runs";
import {
  backlogStaffHours, backtest, parseShiftsCsv, coverage, expandShifts, forecastDemand, HOURS_PER_WEEK, measuredForStaffing, modelError, neededPerHour, occurrences,
  predictWeek, weekStartIn, zeroGrid,
  type Backtest, type BacklogPlan, type CsvRowError, type Coverage, type DutyDemand, type MeasuredCell, type ModelError, type PastWeek, type Shift, type WeekPrediction,
} from "../metrics/staffing";

/**
 * The staffing page (docs/staffing.md), for one role of one school: demand forecast per hour-of-week
 * from the last N weeks of episodes the role owns, staff needed (Erlang C for short targets, the
 * backlog model for long ones), staff scheduled by the shifts table, predicted against measured SLA
 * compliance, and a what-if with shift changes encoded in the URL (nothing is stored).
 */

export interface ShiftsQuery {
  role?: string;
  weeks?: string;
  aht?: string;
  /** Target service level, percent. */
  sl?: string;
  /** Shrinkage, percent. */
  shrinkage?: string;
  concurrency?: string;
  policy?: string;
  /** What-if additions: `personId.weekday.HHMM.HHMM` (weekday 1 = Monday). */
  add?: string | string[];
  /** What-if removals: shift ids. */
  remove?: string | string[];
  /** What-if moves: `shiftId.weekday.HHMM.HHMM` = remove that shift, add the same person's weekly shift at the new time. */
  move?: string | string[];
}

/** Erlang C for targets up to this many minutes; the backlog model above it. */
export const ERLANG_MAX_TARGET_MINUTES = 120;
export const DEFAULTS = { role: "coordinator" as Role, weeks: 6, aht: 600, sl: 80, shrinkage: 30, concurrency: 2, targetMinutes: 120 };
const MAX_CHANGES = 20;

export interface StaffingParams {
  role: Role;
  weeks: number;
  ahtSeconds: number;
  /** 0..1 */
  serviceLevel: number;
  /** 0..1 */
  shrinkage: number;
  concurrency: number;
}

function bounded(raw: string | undefined, def: number, min: number, max: number, integer = false): number {
  if (raw === undefined || raw.trim() === "") return def;
  const v = Number(raw);
  if (!Number.isFinite(v)) return def;
  const c = Math.min(max, Math.max(min, v));
  return integer ? Math.round(c) : c;
}

/** URL params to model parameters: bad or out-of-range values fall back to or are clamped into range. */
export function parseParams(q: ShiftsQuery): StaffingParams {
  const role = staffRoles.find((r) => r === q.role) ?? DEFAULTS.role;
  return {
    role,
    weeks: bounded(q.weeks, DEFAULTS.weeks, 1, 26, true),
    ahtSeconds: bounded(q.aht, DEFAULTS.aht, 10, 36_000),
    serviceLevel: bounded(q.sl, DEFAULTS.sl, 1, 99) / 100,
    shrinkage: bounded(q.shrinkage, DEFAULTS.shrinkage, 0, 90) / 100,
    concurrency: bounded(q.concurrency, DEFAULTS.concurrency, 1, 10),
  };
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export interface AddedShift {
  personId: number;
  weekday: number;
  start: string;
  end: string;
}

const HHMM = /^([01]\d|2[0-3]):?([0-5]\d)$/;

/** `personId.weekday.HHMM.HHMM` → an added shift, or null. */
export function parseAdd(raw: string): AddedShift | null {
  const [p, wd, s, e, ...rest] = raw.split(".");
  if (rest.length > 0 || !p || !wd || !s || !e) return null;
  const personId = Number(p);
  const weekday = Number(wd);
  const sm = HHMM.exec(s);
  const em = HHMM.exec(e);
  if (!Number.isInteger(personId) || personId <= 0 || !Number.isInteger(weekday) || weekday < 1 || weekday > 7 || !sm || !em) return null;
  return { personId, weekday, start: `${sm[1]}:${sm[2]}`, end: `${em[1]}:${em[2]}` };
}

export interface MovedShift {
  shiftId: string;
  weekday: number;
  start: string;
  end: string;
}

/** `shiftId.weekday.HHMM.HHMM` → a move, or null. */
export function parseMove(raw: string): MovedShift | null {
  const a = parseAdd(raw);
  return a ? { shiftId: String(a.personId), weekday: a.weekday, start: a.start, end: a.end } : null;
}

export function encodeMove(m: MovedShift): string {
  return `${m.shiftId}.${m.weekday}.${m.start.replace(":", "")}.${m.end.replace(":", "")}`;
}

export function encodeAdd(a: AddedShift): string {
  return `${a.personId}.${a.weekday}.${a.start.replace(":", "")}.${a.end.replace(":", "")}`;
}

/**
 * A weekly shift on `weekday` of the week starting `weekStart`, local wall clock of `tz`; an end not
 * after the start is on the next day (a night shift). Null when the start does not exist (DST gap).
 */
export function weeklyShiftTimes(weekStart: string, a: Pick<AddedShift, "weekday" | "start" | "end">, tz: string): { startsAt: Date; endsAt: Date } | null {
  const day = weekStartIn(weekStart, tz).plus({ days: a.weekday - 1 });
  const [sh = 0, smin = 0] = a.start.split(":").map(Number);
  const [eh = 0, emin = 0] = a.end.split(":").map(Number);
  const start = day.set({ hour: sh, minute: smin });
  if (start.hour !== sh || start.minute !== smin) return null;
  let end = day.set({ hour: eh, minute: emin });
  if (eh * 60 + emin <= sh * 60 + smin) end = day.plus({ days: 1 }).set({ hour: eh, minute: emin });
  return { startsAt: start.toJSDate(), endsAt: end.toJSDate() };
}

export interface ShiftView {
  id: string;
  personId: number;
  personName: string;
  weekday: number;
  start: string;
  end: string;
  weekly: boolean;
  /** Only in the what-if, not stored. */
  added: boolean;
  removed: boolean;
  /** What-if move: on the new shift, the id of the shift it moves; on the old one, its own id. */
  movedFrom: string | null;
}

export interface ShiftsPlanData {
  school: string;
  schoolName: string;
  timezone: string;
  params: StaffingParams;
  ahtMeasured: { medianBusinessMinutes: number | null; n: number };
  policies: PolicyRow[];
  policy: PolicyRow | null;
  targetMinutes: number;
  model: "erlang" | "backlog";
  /** The week planned (local Monday): the week of the newest data, or of `now` if there is none. */
  planWeek: string;
  /** Weeks the forecast used, newest first. */
  weeksUsed: string[];
  history: Array<{ weekStart: string; total: number }>;
  forecast: number[];
  /** Held-out latest week against the forecast from the weeks before it; null with under two weeks. */
  backtest: Backtest | null;
  needed: number[];
  backlog: BacklogPlan | null;
  scheduled: number[];
  coverage: Coverage;
  predicted: WeekPrediction;
  measured: MeasuredCell[];
  modelError: ModelError;
  whatIf: null | { scheduled: number[]; coverage: Coverage; predicted: WeekPrediction; measured: MeasuredCell[]; changedHours: number[] };
  shifts: ShiftView[];
  staff: Array<{ id: number; name: string }>;
  /** What-if URL values as understood (for links that keep them). */
  adds: AddedShift[];
  removes: string[];
  moves: MovedShift[];
  /** What-if params that could not be used. */
  errors: string[];
}

function toShift(r: ShiftRow): Shift {
  return { id: String(r.id), person: r.personName, role: r.role, startsAt: r.startsAt, endsAt: r.endsAt, weekly: r.weekly, repeatUntil: r.repeatUntil };
}

// The list's order as localeCompare with no arguments gives it (ECMA-402: the same comparison), with one
// collator instead of one per comparison (~20 k comparisons for ~2 k shifts a view).
const collator = new Intl.Collator();

// An instant's local weekday and HH:mm, by zone and instant: every view lists the week's ~2 k shifts (at
// 10 M messages), two luxon conversions and formats each (~18 ms a view), and stored shifts do not change.
const wallMemo = new Map<string, Map<number, { weekday: number; hhmm: string }>>();
function wallClock(d: Date, tz: string): { weekday: number; hhmm: string } {
  let byMs = wallMemo.get(tz);
  if (byMs === undefined) {
    if (wallMemo.size >= 100) wallMemo.clear();
    byMs = new Map();
    wallMemo.set(tz, byMs);
  }
  const ms = d.getTime();
  let w = byMs.get(ms);
  if (w === undefined) {
    const t = DateTime.fromMillis(ms, { zone: tz });
    w = { weekday: t.weekday, hhmm: t.toFormat("HH:mm") };
    if (byMs.size >= 100_000) byMs.clear();
    byMs.set(ms, w);
  }
  return w;
}

function viewOf(s: Shift, personId: number, tz: string, added: boolean, removed: boolean, movedFrom: string | null = null): ShiftView {
  const a = wallClock(s.startsAt, tz);
  const b = wallClock(s.endsAt, tz);
  return { id: s.id, personId, personName: s.person, weekday: a.weekday, start: a.hhmm, end: b.hhmm, weekly: s.weekly, added, removed, movedFrom };
}

/** The week the planner shows: the local Monday of the newest episode, never later than now. */
export async function planWeekOf(db: Db, school: SchoolRow, now: Date): Promise<string> {
  const last = await lastOpenedAt(db, school.id);
  const anchor = DateTime.fromJSDate(last && last < now ? last : now, { zone: school.timezone });
  return anchor.startOf("day").minus({ days: anchor.weekday - 1 }).toISODate() ?? "";
}

/** Hours of day (0–23) with any working time in the calendar (any weekday); 09–21 without one. */
function workingHoursOf(cal: BusinessCalendar | null): number[] {
  if (!cal) return Array.from({ length: 12 }, (_, i) => 9 + i);
  const hours = new Set<number>();
  for (const intervals of Object.values(cal.weekly)) {
    for (const iv of intervals) for (let h = 0; h < 24; h++) if (iv.startMinute < (h + 1) * 60 && iv.endMinute > h * 60) hours.add(h);
  }
  return [...hours].sort((x, y) => x - y);
}

/** Per-week hour-of-week grids from SQL rows, for the listed weeks (zeros kept: a quiet week is data). */
export function gridsByWeek(counts: readonly HourCount[], weeks: readonly string[]): Map<string, { opened: number[]; known: number[]; met: number[] }> {
  const out = new Map(weeks.map((w) => [w, { opened: zeroGrid(), known: zeroGrid(), met: zeroGrid() }]));
  for (const c of counts) {
    const g = out.get(c.week);
    if (!g || c.hour < 0 || c.hour >= HOURS_PER_WEEK) continue;
    g.opened[c.hour] = (g.opened[c.hour] ?? 0) + c.opened;
    g.known[c.hour] = (g.known[c.hour] ?? 0) + c.known;
    g.met[c.hour] = (g.met[c.hour] ?? 0) + c.met;
  }
  return out;
}

/** Local Mondays: `n` weeks before `planWeek`, oldest first. */
export function weeksBefore(planWeek: string, n: number, tz: string): string[] {
  const start = weekStartIn(planWeek, tz);
  return Array.from({ length: n }, (_, i) => start.minus({ weeks: n - i }).toISODate() ?? "");
}

/**
 * Whose shifts the viewer may see by name (lib/dal/access.ts scope). Demand, need and the scheduled
 * head-count per hour stay the role's school-wide figures (a team lead plans against the whole queue),
 * but the shift list, the staff picker and the what-if changes only name people this returns true for;
 * `names: false` (executives) drops the list and the picker altogether: hours only.
 */
export interface ShiftsVisibility {
  person: (personId: number) => boolean;
  names: boolean;
}
const SEE_ALL: ShiftsVisibility = { person: () => true, names: true };

/** Bumped when the stored part changes shape. */
const PART_FORMAT = 1;

/**
 * The stored part of a role's episodes over the planner's weeks (ADR 0011, as the team and SLA pages):
 * one run per school and role, so that switching roles does not push out another role's; its version
 * names the period and the time zone. The part ends yesterday as of when it was computed.
 */
function hourPartSpec(db: Db, school: SchoolRow, role: Role, period: Period): RunSpec<SettledHourPart> {
  return {
    kind: `shifts-${role}`,
    version: `shifts-${PART_FORMAT}|${school.timezone}|${period.from}..${period.to}`,
    compute: async (asOf) => {
      const upTo = settledUpTo(period, school.timezone, asOf);
      return { upTo, part: await hourPart(db, school.id, school.timezone, role, { from: period.from, to: upTo }) };
    },
    rows: (v) => v.part.hours.length,
    pack: (v) => JSON.stringify({ upTo: v.upTo, part: packHourPart(v.part) }),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => {
      const v = JSON.parse(text) as { upTo: string; part: StoredHourPart };
      return { upTo: v.upTo, part: unpackHourPart(v.part) };
    },
  };
}

export interface ShiftsPlanOptions {
  /**
   * Read the weeks' episodes before yesterday from the school's stored run for the role (kind
   * `shifts-<role>`, docs/adr/0011-settled-days-stored.md), as the page does; absent = all read for the
   * call (the CLI, the tests' reference).
   */
  stored?: RunOptions;
}

export async function shiftsPlan(db: Db, school: SchoolRow, q: ShiftsQuery, now: Date, vis: ShiftsVisibility = SEE_ALL, opts: ShiftsPlanOptions = {}): Promise<ShiftsPlanData> {
  const tz = school.timezone;
  const visible = (personId: number | undefined) => vis.names && personId !== undefined && vis.person(personId);
  const params = parseParams(q);
  const { role } = params;
  const errors: string[] = [];

  // The plan week: the week of the newest data (a demo from last month opens on its data), never later than now.
  const planWeek = await planWeekOf(db, school, now);

  // N weeks for the forecast plus one held out for the backtest.
  const allWeeks = weeksBefore(planWeek, params.weeks + 1, tz);
  const period = { from: allWeeks[0] ?? planWeek, to: planWeek };
  // Every read but the plan week's is independent of the others: issued together, the view waits for the
  // slowest (the period's episodes), not for their sum.
  const [stats, policies, { calendars, defaultCalendarId }, rows, staffRows] = await Promise.all([
    episodeHourStats(db, school.id, tz, role, period, now, opts.stored ? currentRun(db, school.id, hourPartSpec(db, school, role, period), now, now, opts.stored).then((r) => r.value) : undefined),
    rolePolicies(db, school.id, role),
    loadCalendars(db, school.id),
    shiftsOf(db, school.id, role),
    staffOfRole(db, school.id, role, now),
  ]);
  const counts = stats.counts;
  const grids = gridsByWeek(counts, allWeeks);
  // Weeks before the role's first episode are not quiet weeks but no data: leave them out.
  const firstWeek = counts.reduce<string | null>((m, c) => (m === null || c.week < m ? c.week : m), null);
  const weeks = firstWeek === null ? allWeeks.slice(-1) : allWeeks.filter((w) => w >= firstWeek);
  const history = weeks.map((w) => ({ weekStart: w, counts: grids.get(w)?.opened ?? zeroGrid() }));

  const policyId = Number(q.policy);
  const policy = policies.find((p) => p.id === policyId) ?? policies[0] ?? null;
  const targetMinutes = policy?.targetMinutes ?? DEFAULTS.targetMinutes;
  const calId = policy?.calendarId ?? defaultCalendarId;
  const calendar = calId !== null ? (calendars.get(calId) ?? null) : null;
  const holidays = calendar?.holidays ?? new Set<string>();

  const forecastWeeks = Math.min(params.weeks, history.length);
  const fc = forecastDemand(history, { weeks: forecastWeeks, holidays });
  const bt = history.length >= 2 ? backtest(history.slice(-(params.weeks + 1)), { weeks: Math.min(params.weeks, history.length - 1), holidays }) : null;

  const demand: DutyDemand = {
    arrivals: fc.counts,
    ahtSeconds: params.ahtSeconds,
    targetAnswerSeconds: targetMinutes * 60,
    targetServiceLevel: params.serviceLevel,
    shrinkage: params.shrinkage,
    concurrency: params.concurrency,
  };
  const model = targetMinutes <= ERLANG_MAX_TARGET_MINUTES ? "erlang" : "backlog";
  let needed: number[];
  let backlog: BacklogPlan | null = null;
  if (model === "erlang") {
    needed = neededPerHour(demand);
  } else {
    const daily = Array.from({ length: 24 }, (_, h) => Array.from({ length: 7 }, (_, d) => fc.counts[d * 24 + h] ?? 0).reduce((a, b) => a + b, 0) / 7);
    backlog = backlogStaffHours({
      dailyArrivals: daily,
      handleMinutes: params.ahtSeconds / 60 / params.concurrency,
      targetMinutes,
      workingHours: workingHoursOf(calendar),
      clock: policy?.clock ?? "calendar",
    });
    const perHour = backlog.perHour;
    needed = Array.from({ length: HOURS_PER_WEEK }, (_, h) => Math.round(((perHour[h % 24] ?? 0) / (1 - params.shrinkage)) * 100) / 100);
  }

  const personOf = new Map(rows.map((r) => [String(r.id), r.personId]));
  const shifts = rows.map(toShift);
  const scheduled = expandShifts(shifts, planWeek, tz);
  const plan = { shifts, weekStart: planWeek, timezone: tz, demand };
  const predicted = predictWeek(plan);
  const past: PastWeek[] = weeks.map((w) => ({
    weekStart: w,
    staff: expandShifts(shifts, w, tz),
    known: grids.get(w)?.known ?? zeroGrid(),
    withinTarget: grids.get(w)?.met ?? zeroGrid(),
  }));
  const measured = measuredForStaffing(past, scheduled);
  const err = modelError(predicted.hours.map((h) => h.slaCompliance), measured);

  // Shifts on duty in the plan week, for the list and the what-if.
  const weekFrom = weekStartIn(planWeek, tz);
  // The week's bounds once, not per shift (~5 k shifts at 10 M messages: ~30 ms of luxon a view).
  const weekFromMs = weekFrom.toMillis();
  const weekToMs = weekFrom.plus({ weeks: 1 }).toMillis();
  const inWeek = (s: Shift) => occurrences(s, tz, weekFromMs, weekToMs).length > 0;
  const staff = staffRows.filter((s) => visible(s.id));
  // Only visible people can be added in a what-if: an out-of-scope id is reported as a bad param.
  const names = new Map([...staff.map((s) => [s.id, s.name] as const), ...rows.filter((r) => visible(r.personId)).map((r) => [r.personId, r.personName] as const)]);
  // Moves and removes of shifts the viewer cannot see would name them in the list: refused the same way.
  const own = (id: string) => visible(personOf.get(id));

  const adds: AddedShift[] = [];
  const removes: string[] = [];
  let changed = shifts;
  const added: Shift[] = [];
  for (const raw of list(q.add).slice(0, MAX_CHANGES)) {
    const a = parseAdd(raw);
    const name = a ? names.get(a.personId) : undefined;
    const times = a ? weeklyShiftTimes(planWeek, a, tz) : null;
    if (!a || name === undefined || !times) {
      errors.push(`add=${raw}`);
      continue;
    }
    adds.push(a);
    const s: Shift = { id: `new-${adds.length}`, person: name, role, ...times, weekly: true, repeatUntil: null };
    personOf.set(s.id, a.personId);
    added.push(s);
    changed = [...changed, s];
  }
  // A move is a remove plus an add of the same person at the new time, shown as one change.
  const moves: MovedShift[] = [];
  const movedAdds: Shift[] = [];
  for (const raw of list(q.move).slice(0, MAX_CHANGES)) {
    const m = parseMove(raw);
    const old = m ? changed.find((s) => s.id === m.shiftId && !s.id.startsWith("new-") && !s.id.startsWith("moved-")) : undefined;
    const times = m ? weeklyShiftTimes(planWeek, m, tz) : null;
    if (!m || !old || !times || !own(old.id)) {
      errors.push(`move=${raw}`);
      continue;
    }
    moves.push(m);
    const s: Shift = { id: `moved-${old.id}`, person: old.person, role, ...times, weekly: true, repeatUntil: null };
    personOf.set(s.id, personOf.get(old.id) ?? 0);
    movedAdds.push(s);
    changed = [...changed.filter((x) => x.id !== old.id), s];
  }
  const movedIds = new Set(moves.map((m) => m.shiftId));
  for (const raw of list(q.remove).slice(0, MAX_CHANGES)) {
    if (!changed.some((s) => s.id === raw && !s.id.startsWith("new-") && !s.id.startsWith("moved-")) || !own(raw)) {
      errors.push(`remove=${raw}`);
      continue;
    }
    removes.push(raw);
    changed = changed.filter((s) => s.id !== raw);
  }

  let whatIf: ShiftsPlanData["whatIf"] = null;
  if (adds.length + removes.length + moves.length > 0) {
    const after = predictWeek({ ...plan, shifts: changed });
    const afterScheduled = expandShifts(changed, planWeek, tz);
    whatIf = {
      scheduled: afterScheduled,
      coverage: coverage(needed, afterScheduled),
      predicted: after,
      measured: measuredForStaffing(past, afterScheduled),
      changedHours: predicted.hours.flatMap((b, h) => (Math.abs((after.hours[h]?.slaCompliance ?? 0) - b.slaCompliance) > 1e-3 || Math.abs((afterScheduled[h] ?? 0) - (scheduled[h] ?? 0)) > 1e-9 ? [h] : [])),
    };
  }

  const views = [
    ...shifts.filter((s) => inWeek(s) && own(s.id)).map((s) => viewOf(s, personOf.get(s.id) ?? 0, tz, false, removes.includes(s.id) || movedIds.has(s.id), movedIds.has(s.id) ? s.id : null)),
    ...added.map((s) => viewOf(s, personOf.get(s.id) ?? 0, tz, true, false)),
    ...movedAdds.map((s) => viewOf(s, personOf.get(s.id) ?? 0, tz, true, false, s.id.slice("moved-".length))),
  ].sort((a, b) => a.weekday - b.weekday || collator.compare(a.start, b.start) || collator.compare(a.personName, b.personName));

  return {
    school: school.slug,
    schoolName: school.name,
    timezone: tz,
    params,
    ahtMeasured: { medianBusinessMinutes: stats.medianResponseBusinessMinutes, n: stats.answered },
    policies,
    policy,
    targetMinutes,
    model,
    planWeek,
    weeksUsed: fc.weeksUsed,
    history: history.map((w) => ({ weekStart: w.weekStart, total: w.counts.reduce((a, b) => a + b, 0) })),
    forecast: fc.counts,
    backtest: bt,
    needed,
    backlog,
    scheduled,
    coverage: coverage(needed, scheduled),
    predicted,
    measured,
    modelError: err,
    whatIf,
    shifts: views,
    staff,
    adds,
    removes,
    moves,
    errors,
  };
}

/** The role's shifts as the engine's `Shift` (person = display name), for the iCal export. */
export async function roleShifts(db: Db, schoolId: number, role: Role, person: (personId: number) => boolean = () => true): Promise<Shift[]> {
  return (await shiftsOf(db, schoolId, role)).filter((r) => person(r.personId)).map(toShift);
}

/** The person of a stored shift of the school (any role), or null: the API checks it before removing. */
export async function shiftPerson(db: Db, schoolId: number, shiftId: number): Promise<number | null> {
  for (const role of staffRoles) {
    const hit = (await shiftsOf(db, schoolId, role)).find((r) => r.id === shiftId);
    if (hit) return hit.personId;
  }
  return null;
}

export interface ShiftsImportResult {
  /** False when the file had any error: then nothing was written. */
  ok: boolean;
  errors: CsvRowError[];
  /** Shifts in the file. */
  rows: number;
  inserted: number;
  /** Already stored (a re-upload), not inserted again. */
  existing: number;
  /** The Monday that weekday-form times ("Mon 09:00") refer to. */
  weekStart: string;
  /** Some row names a person the uploader may not edit (another team's staff): the API answers 403. */
  forbidden?: boolean;
}

/** A CSV template: the columns the import reads, two example rows (weekly weekday form and one dated shift). */
export const SHIFTS_CSV_TEMPLATE = [
  "person,role,start,end,weekly,repeat_until",
  "coordinator@example.school,coordinator,Mon 09:00,18:00,yes,2027-06-30",
  "mentor@example.school,mentor,2026-12-05 10:00,14:00,no,",
].join("\r\n") + "\r\n";

/**
 * Imports shifts from CSV (docs/staffing.md "CSV import"): the whole file is checked first — syntax,
 * times, and that each person names exactly one non-bot person of the school holding the role — and any
 * error rejects it whole with line numbers, writing nothing. Shifts already stored are not inserted
 * again, so a re-upload is harmless.
 */
export async function importShifts(db: Db, school: SchoolRow, text: string, now: Date, mayEdit: (personId: number) => boolean = () => true): Promise<ShiftsImportResult> {
  const weekStart = await planWeekOf(db, school, now);
  const parsed = parseShiftsCsv(text, { timezone: school.timezone, weekStart });
  const errors: CsvRowError[] = [...parsed.errors];
  const matches = await matchPeople(db, school.id, parsed.shifts.map((s) => s.person));
  const resolved: NewShift[] = [];
  parsed.shifts.forEach((s, i) => {
    const line = parsed.lines[i] ?? 0;
    const found = matches.get(s.person.toLowerCase()) ?? [];
    const [one] = found;
    if (!one) errors.push({ line, message: `person "${s.person}" is not a person of this school (use an email, a messenger id or a name)` });
    else if (found.length > 1) errors.push({ line, message: `person "${s.person}" names ${found.length} people; use an email` });
    else if (!one.roles.includes(s.role)) errors.push({ line, message: `person "${s.person}" does not hold the role ${s.role}` });
    else resolved.push({ personId: one.personId, role: s.role, startsAt: s.startsAt, endsAt: s.endsAt, weekly: s.weekly, repeatUntil: s.repeatUntil });
  });
  if (errors.length === 0 && parsed.shifts.length === 0) errors.push({ line: 1, message: "no shifts in the file" });
  errors.sort((a, b) => a.line - b.line);
  if (errors.length > 0) return { ok: false, errors, rows: parsed.shifts.length, inserted: 0, existing: 0, weekStart };
  // A team lead plans their own team: one row for someone else's staff refuses the whole file, like any error.
  const outside = resolved.flatMap((r, i) => (mayEdit(r.personId) ? [] : [{ line: parsed.lines[i] ?? 0, message: "this person is not in your teams" }]));
  if (outside.length > 0) return { ok: false, forbidden: true, errors: outside, rows: parsed.shifts.length, inserted: 0, existing: 0, weekStart };
  const { inserted, existing } = await insertShiftsOnce(db, school.id, resolved);
  return { ok: true, errors: [], rows: parsed.shifts.length, inserted, existing, weekStart };
}
