import { DateTime } from "luxon";
import type { Role } from "@/lib/ingest/types";
import { hourBounds, HOURS_PER_WEEK, zeroGrid, zoneOrThrow } from "./week";

/** A duty shift, shaped like a `shifts` row (db/schema/sla.ts); `id` is the row id or a CSV line key. */
export interface Shift {
  readonly id: string;
  /** Person key: an email in CSV imports, a person id rendered as text from the DB. */
  readonly person: string;
  readonly role: Role;
  readonly startsAt: Date;
  readonly endsAt: Date;
  /** Repeats every 7 days on the school's wall clock (a 09:00 shift stays 09:00 across DST). */
  readonly weekly: boolean;
  /** Last allowed start of an occurrence (inclusive); null = forever. Ignored unless weekly. */
  readonly repeatUntil: Date | null;
}

const WEEK_MS = 7 * 86_400_000;

export interface Occurrence {
  readonly shift: Shift;
  readonly from: number;
  readonly to: number;
}

function checkShift(s: Shift): void {
  const a = s.startsAt.getTime();
  const b = s.endsAt.getTime();
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`shift ${s.id}: invalid date`);
  if (b <= a) throw new RangeError(`shift ${s.id}: ends at or before it starts`);
  if (b - a > WEEK_MS) throw new RangeError(`shift ${s.id}: longer than a week`);
}

/**
 * Occurrences of a shift overlapping real time [from, to). Occurrence k starts at startsAt + k weeks
 * on the `tz` wall clock and ends at endsAt + k weeks on the wall clock, so a night shift 22:00–06:00
 * over a DST change lasts 7 or 9 real hours, as the person actually works it.
 */
export function occurrences(shift: Shift, tz: string, from: number, to: number): Occurrence[] {
  checkShift(shift);
  zoneOrThrow(tz);
  const startMs = shift.startsAt.getTime();
  const endMs = shift.endsAt.getTime();
  if (!shift.weekly) return startMs < to && endMs > from ? [{ shift, from: startMs, to: endMs }] : [];
  const until = shift.repeatUntil?.getTime() ?? Infinity;
  const out: Occurrence[] = [];
  const table = occurrenceTable(startMs, endMs, tz);
  // Wall-clock weeks differ from 7 × 24 h by at most an hour or two: start a week early to be safe.
  const k0 = Math.max(0, Math.floor((from - endMs) / WEEK_MS) - 1);
  for (let k = k0; ; k++) {
    const [a, b] = occurrenceIn(table, startMs, endMs, tz, k);
    if (a >= to || a > until) break;
    if (b > from) out.push({ shift, from: a, to: b });
  }
  return out;
}

/**
 * The k-th weekly occurrence [start, end) of a shift on the `tz` wall clock, in ms, memoised: luxon's
 * zone arithmetic costs ~10 µs a call, and the shift planner asks each of a school's shifts (~5 k at 10 M
 * messages) for ~10 weeks on every view (~2 s of luxon), the live queue for this week and the last on
 * every poll. A pure function of its arguments: results are unchanged and nothing needs invalidating.
 * Bounded by clearing.
 */
// By zone, then start, then end (number keys: a string key per shift and week was ~7 ms a planner view).
const weekly = new Map<string, Map<number, Map<number, Array<readonly [number, number]>>>>();
let weeklyEntries = 0;
export function weeklyOccurrence(startMs: number, endMs: number, tz: string, k: number): readonly [number, number] {
  return occurrenceIn(occurrenceTable(startMs, endMs, tz), startMs, endMs, tz, k);
}

/** A shift's memoised occurrences by k, looked up once per shift, not once per week asked. */
function occurrenceTable(startMs: number, endMs: number, tz: string): Array<readonly [number, number]> {
  let byStart = weekly.get(tz);
  if (byStart === undefined) {
    byStart = new Map();
    weekly.set(tz, byStart);
  }
  let byEnd = byStart.get(startMs);
  if (byEnd === undefined) {
    byEnd = new Map();
    byStart.set(startMs, byEnd);
  }
  let table = byEnd.get(endMs);
  if (table === undefined) {
    table = [];
    byEnd.set(endMs, table);
  }
  return table;
}

function occurrenceIn(table: Array<readonly [number, number]>, startMs: number, endMs: number, tz: string, k: number): readonly [number, number] {
  let o = table[k];
  if (o === undefined) {
    o = [DateTime.fromMillis(startMs, { zone: tz }).plus({ weeks: k }).toMillis(), DateTime.fromMillis(endMs, { zone: tz }).plus({ weeks: k }).toMillis()];
    // A table already handed out stays usable after a clear: it only leaves the memo.
    if (weeklyEntries >= 500_000) {
      weekly.clear();
      weeklyEntries = 0;
    }
    table[k] = o;
    weeklyEntries++;
  }
  return o;
}

/**
 * Staff on duty per hour-of-week in the week starting `weekStart` (a Monday, local): each cell is the
 * average head count over the cell's real time, so a shift from 09:30 gives 0.5 at 09:00. The hour a
 * spring-forward day skips has no real time; it gets the head count at its instant, so the grid has
 * no hole. The repeated fall-back hour averages over both real hours.
 */
export function expandShifts(shifts: readonly Shift[], weekStart: string, tz: string): number[] {
  const bounds = hourBounds(weekStart, tz);
  const weekFrom = bounds[0]?.[0] ?? 0;
  const weekTo = bounds[HOURS_PER_WEEK - 1]?.[1] ?? 0;
  const staff = zeroGrid();
  for (const { shift, count } of sameTimes(shifts)) {
    for (const occ of occurrences(shift, tz, weekFrom, weekTo + 1)) {
      // Only the hours the occurrence can touch: from the first hour ending at or after it starts (bounds
      // are in time order) while the hour starts before it ends. An hour outside would add 0, so skipping
      // it changes no cell (a ~9-hour shift touches ~10 of the week's 168 hours).
      for (let h = firstHourEndingFrom(bounds, occ.from); h < bounds.length; h++) {
        const [a, b] = bounds[h]!;
        if (a >= occ.to) break;
        const add = b > a ? Math.max(0, Math.min(b, occ.to) - Math.max(a, occ.from)) / (b - a) : occ.from <= a && a < occ.to ? 1 : 0;
        if (add > 0) staff[h] = (staff[h] ?? 0) + add * count;
      }
    }
  }
  return staff.map((v) => Math.round(v * 1e9) / 1e9);
}

/**
 * Shifts grouped by their times (start, end, weekly, repeat until), each group as its first shift and how
 * many share those times, in first-seen order; every shift checked as occurrences() checks it. Staff work
 * to a few templates (at 10 M messages the ~2.2 k coordinator shifts have 29 distinct times), so
 * expandShifts expands each template once and counts it, instead of each person's shift; per-person
 * terms of equal value summed as one product can differ only in the last bits, below the grid's 1e-9
 * rounding. Memoised per array: the planner expands the same shifts for every week of its history.
 */
const groupsOf = new WeakMap<readonly Shift[], ReadonlyArray<{ shift: Shift; count: number }>>();
function sameTimes(shifts: readonly Shift[]): ReadonlyArray<{ shift: Shift; count: number }> {
  let groups = groupsOf.get(shifts);
  if (groups !== undefined) return groups;
  const byTimes = new Map<string, { shift: Shift; count: number }>();
  for (const shift of shifts) {
    checkShift(shift);
    const key = `${shift.startsAt.getTime()} ${shift.endsAt.getTime()} ${shift.weekly ? shift.repeatUntil?.getTime() ?? "-" : "once"}`;
    const g = byTimes.get(key);
    if (g) g.count++;
    else byTimes.set(key, { shift, count: 1 });
  }
  groups = [...byTimes.values()];
  groupsOf.set(shifts, groups);
  return groups;
}

/** The first hour whose end is at or after `t` (binary search; ends never decrease), or the hour count. */
function firstHourEndingFrom(bounds: ReadonlyArray<readonly [number, number]>, t: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]![1] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Shifts of one role only: a duty queue is staffed by its role. */
export function shiftsOfRole(shifts: readonly Shift[], role: Role): Shift[] {
  return shifts.filter((s) => s.role === role);
}
