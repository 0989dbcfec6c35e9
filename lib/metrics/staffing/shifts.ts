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
  // Wall-clock weeks differ from 7 × 24 h by at most an hour or two: start a week early to be safe.
  const k0 = Math.max(0, Math.floor((from - endMs) / WEEK_MS) - 1);
  for (let k = k0; ; k++) {
    const [a, b] = weeklyOccurrence(startMs, endMs, tz, k);
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
const weekly = new Map<string, readonly [number, number]>();
export function weeklyOccurrence(startMs: number, endMs: number, tz: string, k: number): readonly [number, number] {
  const key = `${tz}\u0000${startMs}\u0000${endMs}\u0000${k}`;
  let o = weekly.get(key);
  if (o === undefined) {
    o = [DateTime.fromMillis(startMs, { zone: tz }).plus({ weeks: k }).toMillis(), DateTime.fromMillis(endMs, { zone: tz }).plus({ weeks: k }).toMillis()];
    if (weekly.size >= 500_000) weekly.clear();
    weekly.set(key, o);
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
  for (const shift of shifts) {
    for (const occ of occurrences(shift, tz, weekFrom, weekTo + 1)) {
      bounds.forEach(([a, b], h) => {
        const add = b > a ? Math.max(0, Math.min(b, occ.to) - Math.max(a, occ.from)) / (b - a) : occ.from <= a && a < occ.to ? 1 : 0;
        if (add > 0) staff[h] = (staff[h] ?? 0) + add;
      });
    }
  }
  return staff.map((v) => Math.round(v * 1e9) / 1e9);
}

/** Shifts of one role only: a duty queue is staffed by its role. */
export function shiftsOfRole(shifts: readonly Shift[], role: Role): Shift[] {
  return shifts.filter((s) => s.role === role);
}
