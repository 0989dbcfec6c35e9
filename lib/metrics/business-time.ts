import { IANAZone } from "luxon";
import { intervalsOn, type BusinessCalendar, type IsoWeekday } from "./calendar";

/**
 * Business time over a BusinessCalendar.
 *
 * DST rule: an instant is *working* when the school's wall clock, at that instant, shows a working
 * minute of a working date. Business minutes are the real minutes during which that holds.
 * - Spring forward skips wall-clock times: they never occur, so they never count. A 00:00–24:00 day
 *   on America/New_York's spring-forward day is 1380 business minutes; an interval 01:00–03:00 is 60.
 * - Fall back repeats wall-clock times: both occurrences count. 00:00–24:00 is 1500 minutes that day.
 * - A 09:00–21:00 day is 720 minutes on both change days, since the changes happen at night.
 * Why: the SLA measures how long a student really waited while the school was open, and a 24/7
 * calendar must then agree with the `calendar` clock. Offsets come only from the time-zone database
 * (luxon's IANAZone), never from a fixed offset.
 *
 * Why days, not minutes: time is walked in UTC windows of one day; within a window the zone's offset
 * is constant unless it changes, and then the change is found by bisection. So a six-month span costs
 * ~180 offset look-ups. Assumes a zone never changes offset twice within 24 h (true of the tz database).
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Stops `addBusinessMinutes` on a calendar whose working time ran out (e.g. decades of holidays). */
const MAX_DAYS = 366 * 30;
/** Float slack when comparing millisecond amounts derived from fractional minutes (a microsecond). */
const EPSILON_MS = 1e-3;

interface Segment {
  readonly from: number;
  readonly to: number;
  /** UTC offset in minutes, constant over [from, to). */
  readonly offset: number;
}

function zoneOf(cal: BusinessCalendar): IANAZone {
  const zone = IANAZone.create(cal.timezone);
  if (!zone.isValid) throw new RangeError(`Unknown time zone ${cal.timezone}`);
  return zone;
}

function ms(date: Date, name: string): number {
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`${name} is an invalid Date`);
  return t;
}

/** Splits one UTC window at its offset change, if any; bisects to the second (tz changes fall on seconds). */
function* windowSegments(zone: IANAZone, from: number, to: number, offFrom: number, offTo: number): Generator<Segment> {
  if (offFrom === offTo) {
    yield { from, to, offset: offFrom };
    return;
  }
  let lo = from;
  let hi = to;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (zone.offset(mid) === offFrom) lo = mid;
    else hi = mid;
  }
  yield { from, to: hi, offset: offFrom };
  yield { from: hi, to, offset: offTo };
}

/**
 * The zone's offset at a UTC midnight, memoised: every episode's walk asks for the same midnights again,
 * and luxon's offset look-up (Intl formatting) was the largest cost of a recompute (docs/performance.md).
 * A pure function of (zone, instant), so results are unchanged; bounded by zones × days in use.
 */
const midnightOffsets = new Map<string, number>();
function offsetAtMidnight(zone: IANAZone, t: number): number {
  const key = `${zone.name}\u0000${t}`;
  let off = midnightOffsets.get(key);
  if (off === undefined) {
    off = zone.offset(t);
    if (midnightOffsets.size >= 1_000_000) midnightOffsets.clear();
    midnightOffsets.set(key, off);
  }
  return off;
}

/** Constant-offset segments covering [start, until), in time order, from the UTC midnight before `start`. */
function* segmentsFrom(zone: IANAZone, start: number, until: number): Generator<Segment> {
  let from = Math.floor(start / DAY) * DAY;
  let offFrom = offsetAtMidnight(zone, from);
  while (from < until) {
    const to = from + DAY;
    const offTo = offsetAtMidnight(zone, to);
    yield* windowSegments(zone, from, to, offFrom, offTo);
    from = to;
    offFrom = offTo;
  }
}

function dayKeyOf(dayNumber: number): string {
  return new Date(dayNumber * DAY).toISOString().slice(0, 10);
}

function isoWeekdayOf(dayNumber: number): IsoWeekday {
  // Day 0 (1970-01-01) was a Thursday.
  return ((((dayNumber + 3) % 7) + 7) % 7 + 1) as IsoWeekday;
}

/**
 * Working pieces [from, to) in real milliseconds, in time order, within [start, until).
 * Within a segment the wall clock is `t + offset`, so each working interval of each local date
 * maps to exactly one real range; dates are local dates, so holidays are the school's holidays.
 */
function* workingPieces(cal: BusinessCalendar, start: number, until: number): Generator<readonly [number, number]> {
  for (const seg of segmentsFrom(zoneOf(cal), start, until)) {
    if (seg.to <= start) continue;
    const shift = seg.offset * MINUTE;
    const firstDay = Math.floor((seg.from + shift) / DAY);
    const lastDay = Math.floor((seg.to - 1 + shift) / DAY);
    for (let d = firstDay; d <= lastDay; d++) {
      for (const iv of intervalsOn(cal, dayKeyOf(d), isoWeekdayOf(d))) {
        const from = Math.max(d * DAY + iv.startMinute * MINUTE - shift, seg.from, start);
        const to = Math.min(d * DAY + iv.endMinute * MINUTE - shift, seg.to, until);
        if (to > from) yield [from, to];
      }
    }
  }
}

/** Business minutes in [start, end), fractional; 0 when end <= start. */
export function businessMinutesBetween(cal: BusinessCalendar, start: Date, end: Date): number {
  const s = ms(start, "start");
  const e = ms(end, "end");
  if (e <= s) return 0;
  let total = 0;
  for (const [from, to] of workingPieces(cal, s, e)) total += to - from;
  // Sum integer milliseconds first so long spans don't accumulate floating-point error.
  return total / MINUTE;
}

/**
 * Business minutes from each of `starts` to `end`: for each, exactly businessMinutesBetween(cal, start,
 * end), but the calendar is walked once over the whole span (then a binary search and a suffix sum per
 * start) instead of once per start. The live queue judges thousands of open episodes against one `now`:
 * one walk per episode took ~160 µs each (1.4 s for 8 k open episodes at 10 M messages).
 */
export function businessMinutesUntil(cal: BusinessCalendar, starts: readonly Date[], end: Date): number[] {
  const e = ms(end, "end");
  const ss = new Float64Array(starts.length);
  starts.forEach((d, i) => (ss[i] = ms(d, "start")));
  return Array.from(businessMinutesUntilMs(cal, ss, e));
}

/**
 * businessMinutesUntil over epoch milliseconds already checked (finite), for callers that keep the starts
 * between calls (lib/metrics/sla prepareOpenJudgement): the same walk and arithmetic, so the same minutes.
 */
export function businessMinutesUntilMs(cal: BusinessCalendar, ss: Float64Array, e: number): Float64Array {
  const out = new Float64Array(ss.length);
  let lo = Number.POSITIVE_INFINITY;
  for (const s of ss) if (s < lo) lo = s;
  if (!(lo < e)) return out;
  const froms: number[] = [];
  const tos: number[] = [];
  for (const [from, to] of workingPieces(cal, lo, e)) {
    froms.push(from);
    tos.push(to);
  }
  // after[k]: working milliseconds in the pieces after piece k (integers: sums are exact).
  const after = new Float64Array(tos.length + 1);
  for (let k = tos.length - 1; k >= 0; k--) after[k] = (after[k + 1] ?? 0) + ((tos[k] ?? 0) - (froms[k] ?? 0));
  for (let i = 0; i < ss.length; i++) {
    const s = ss[i]!;
    if (e <= s) continue;
    let a = 0;
    let b = tos.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if ((tos[m] ?? 0) > s) b = m;
      else a = m + 1;
    }
    if (a === tos.length) continue;
    const total = (tos[a] ?? 0) - Math.max(froms[a] ?? 0, s) + (after[a + 1] ?? 0);
    out[i] = total / MINUTE;
  }
  return out;
}

/**
 * The earliest instant by which `minutes` business minutes have elapsed since `start` (a breach
 * deadline). It always lies inside or at the end of working time: 0 minutes gives `start` itself,
 * and a target met exactly at closing time gives the closing instant, not the next opening.
 */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  const s = ms(start, "start");
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  if (minutes === 0) return new Date(s);
  let left = minutes * MINUTE;
  for (const [from, to] of workingPieces(cal, s, s + MAX_DAYS * DAY)) {
    // The slack keeps a target computed by businessMinutesBetween from spilling into the next piece.
    if (to - from >= left - EPSILON_MS) return new Date(from + Math.min(left, to - from));
    left -= to - from;
  }
  throw new RangeError(`No ${minutes} business minutes within ${MAX_DAYS} days of ${start.toISOString()}; check the calendar`);
}

/** Whether the school is working at `at` (intervals are half-open: closing time is not working). */
export function isWorkingInstant(cal: BusinessCalendar, at: Date): boolean {
  const t = ms(at, "at");
  const wall = t + zoneOf(cal).offset(t) * MINUTE;
  const day = Math.floor(wall / DAY);
  const minute = (wall - day * DAY) / MINUTE;
  return intervalsOn(cal, dayKeyOf(day), isoWeekdayOf(day)).some((iv) => minute >= iv.startMinute && minute < iv.endMinute);
}
