import { DateTime, IANAZone } from "luxon";
import { isDayKey } from "../calendar";

/**
 * Hour-of-week grid (METRICS.md "Heatmap"): 168 cells, index = (ISO weekday − 1) × 24 + local hour,
 * so 0 is Monday 00:00–01:00 and 167 is Sunday 23:00–24:00 on the school's wall clock.
 */
export const HOURS_PER_WEEK = 168;
export type WeekGrid = readonly number[];

export function zeroGrid(): number[] {
  return new Array<number>(HOURS_PER_WEEK).fill(0);
}

export function checkGrid(name: string, grid: readonly number[]): void {
  if (grid.length !== HOURS_PER_WEEK) throw new RangeError(`${name} must have ${HOURS_PER_WEEK} hours, got ${grid.length}`);
  grid.forEach((v, i) => {
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`${name}[${i}] must be a finite number ≥ 0, got ${v}`);
  });
}

// Zones already checked: occurrences() checks its zone once per shift, and luxon's validity check was a few ms a planner view.
const validZones = new Map<string, IANAZone>();
export function zoneOrThrow(tz: string): IANAZone {
  const known = validZones.get(tz);
  if (known !== undefined) return known;
  const zone = IANAZone.create(tz);
  if (!zone.isValid) throw new RangeError(`Unknown time zone ${tz}`);
  if (validZones.size >= 1_000) validZones.clear();
  validZones.set(tz, zone);
  return zone;
}

/** Local midnight of a Monday `weekStart` ('YYYY-MM-DD') in `tz`; throws for a non-Monday. */
export function weekStartIn(weekStart: string, tz: string): DateTime {
  if (!isDayKey(weekStart)) throw new RangeError(`weekStart must be a date YYYY-MM-DD, got ${weekStart}`);
  const d = DateTime.fromISO(weekStart, { zone: zoneOrThrow(tz) });
  if (d.weekday !== 1) throw new RangeError(`weekStart ${weekStart} is not a Monday`);
  return d;
}

/** The local date 'YYYY-MM-DD' of hour-of-week `hour` in the week starting `weekStart`. */
export function dayKeyOfHour(weekStart: string, hour: number): string {
  const [y, m, d] = weekStart.split("-").map(Number);
  const date = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, (d ?? 1) + Math.floor(hour / 24)));
  return date.toISOString().slice(0, 10);
}

/** Hour-of-week of an instant on the `tz` wall clock. */
export function hourOfWeek(at: DateTime): number {
  return (at.weekday - 1) * 24 + at.hour;
}

/**
 * Real-time bounds [from, to) in ms of each hour-of-week cell. On a spring-forward day the skipped
 * hour has from === to; on a fall-back day the repeated hour is two real hours long.
 *
 * Memoised (a pure function of its arguments; bounded by clearing): the shift planner expands each week
 * of its history and forecast on every view, and 169 luxon zone conversions per week were ~50 ms of a
 * view's ~350 ms of Node time at 10 M messages.
 */
const boundsMemo = new Map<string, ReadonlyArray<readonly [number, number]>>();
export function hourBounds(weekStart: string, tz: string): ReadonlyArray<readonly [number, number]> {
  const key = `${tz}\u0000${weekStart}`;
  let bounds = boundsMemo.get(key);
  if (bounds === undefined) {
    bounds = computeHourBounds(weekStart, tz);
    if (boundsMemo.size >= 10_000) boundsMemo.clear();
    boundsMemo.set(key, bounds);
  }
  return bounds;
}

function computeHourBounds(weekStart: string, tz: string): ReadonlyArray<readonly [number, number]> {
  const start = weekStartIn(weekStart, tz);
  const starts: number[] = [];
  for (let h = 0; h <= HOURS_PER_WEEK; h++) {
    const day = start.plus({ days: Math.floor(h / 24) });
    const local = DateTime.fromObject({ year: day.year, month: day.month, day: day.day, hour: h % 24 }, { zone: start.zone });
    // An ambiguous (fall-back) time resolves to its later occurrence: step back to the earlier one.
    let t = local.toMillis();
    for (const back of [3_600_000, 1_800_000]) {
      const earlier = DateTime.fromMillis(t - back, { zone: start.zone });
      if (earlier.hour === local.hour && earlier.day === local.day) t -= back;
    }
    // A skipped wall-clock time resolves past the gap; clamp so that cells never overlap.
    starts.push(Math.max(t, starts[starts.length - 1] ?? -Infinity));
  }
  const bounds: Array<readonly [number, number]> = [];
  for (let h = 0; h < HOURS_PER_WEEK; h++) bounds.push([starts[h] ?? 0, starts[h + 1] ?? 0]);
  return bounds;
}

/**
 * Episodes' opening instants bucketed into weekly hour-of-week counts (the forecast's history).
 * Weeks are Mondays on the `tz` wall clock; every week from the first to the last instant is present
 * (zeros included), so a quiet week is data, not a gap.
 */
export function countsByWeek(openedAt: readonly Date[], tz: string): Array<{ weekStart: string; counts: number[] }> {
  const zone = zoneOrThrow(tz);
  const byWeek = new Map<string, number[]>();
  let first: DateTime | null = null;
  let last: DateTime | null = null;
  for (const at of openedAt) {
    const local = DateTime.fromJSDate(at, { zone });
    if (!local.isValid) throw new RangeError("openedAt contains an invalid Date");
    const monday = local.startOf("day").minus({ days: local.weekday - 1 });
    const key = monday.toISODate() ?? "";
    const counts = byWeek.get(key) ?? zeroGrid();
    const h = hourOfWeek(local);
    counts[h] = (counts[h] ?? 0) + 1;
    byWeek.set(key, counts);
    if (!first || monday < first) first = monday;
    if (!last || monday > last) last = monday;
  }
  const out: Array<{ weekStart: string; counts: number[] }> = [];
  for (let w = first; w && last && w <= last; w = w.plus({ weeks: 1 })) {
    const key = w.toISODate() ?? "";
    out.push({ weekStart: key, counts: byWeek.get(key) ?? zeroGrid() });
  }
  return out;
}
