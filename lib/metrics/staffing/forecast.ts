import { isDayKey } from "../calendar";
import { checkGrid, dayKeyOfHour, HOURS_PER_WEEK } from "./week";

/**
 * Demand forecast per hour-of-week: a weighted moving average of the same hour in the last N weeks,
 * with holiday hours left out (a holiday is not a normal week's demand). See docs/staffing.md.
 *
 *   forecast[h] = Σ_w weight_w · count_w[h] / Σ_w weight_w,  over the N latest weeks w whose hour h
 *   is not on a holiday. Default weights N, N−1, …, 1 (newest first): recent weeks count more, so a
 *   trend is followed with less lag than a plain mean, while one odd week is still damped.
 */

export interface WeekCounts {
  /** Monday of the week, local date 'YYYY-MM-DD' (as produced by `countsByWeek`). */
  readonly weekStart: string;
  /** Episodes opened per hour-of-week, 168 values. */
  readonly counts: readonly number[];
}

export interface ForecastOptions {
  /** How many of the latest weeks to average. */
  readonly weeks: number;
  /** Weights, newest week first; length ≥ `weeks`. Default N, N−1, …, 1. */
  readonly weights?: readonly number[];
  /** Local dates 'YYYY-MM-DD' whose hours are left out of the history (the school calendar's holidays). */
  readonly holidays?: ReadonlySet<string> | readonly string[];
}

export interface Forecast {
  /** Expected episodes per hour-of-week. */
  readonly counts: number[];
  /** Weeks that contributed to each hour (after leaving holidays out). */
  readonly basis: number[];
  /** Hours where every candidate week was a holiday: the forecast then falls back to all N weeks. */
  readonly fallbackHours: number[];
  /** The weeks used, newest first. */
  readonly weeksUsed: string[];
}

function holidaySet(h: ForecastOptions["holidays"]): ReadonlySet<string> {
  if (!h) return new Set();
  const set: ReadonlySet<string> = "has" in h ? h : new Set(h);
  for (const d of set) if (!isDayKey(d)) throw new RangeError(`holiday ${d} is not a date YYYY-MM-DD`);
  return set;
}

function weightsFor(opts: ForecastOptions): number[] {
  const n = opts.weeks;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`weeks must be a positive integer, got ${n}`);
  const w = opts.weights ? opts.weights.slice(0, n) : Array.from({ length: n }, (_, i) => n - i);
  if (w.length < n) throw new RangeError(`${n} weeks need ${n} weights, got ${w.length}`);
  if (w.some((x) => !Number.isFinite(x) || x < 0) || w.every((x) => x === 0)) throw new RangeError("weights must be ≥ 0 and not all 0");
  return w;
}

/** The latest `weeks` weeks, newest first; validates every week. */
function latest(history: readonly WeekCounts[], weeks: number): WeekCounts[] {
  const seen = new Set<string>();
  for (const w of history) {
    if (!isDayKey(w.weekStart)) throw new RangeError(`weekStart ${w.weekStart} is not a date YYYY-MM-DD`);
    if (seen.has(w.weekStart)) throw new RangeError(`week ${w.weekStart} appears twice`);
    seen.add(w.weekStart);
    checkGrid(`counts of ${w.weekStart}`, w.counts);
  }
  return [...history].sort((a, b) => (a.weekStart < b.weekStart ? 1 : -1)).slice(0, weeks);
}

export function forecastDemand(history: readonly WeekCounts[], opts: ForecastOptions): Forecast {
  const weights = weightsFor(opts);
  const holidays = holidaySet(opts.holidays);
  const used = latest(history, opts.weeks);
  if (used.length === 0) throw new RangeError("no history to forecast from");
  const counts: number[] = [];
  const basis: number[] = [];
  const fallbackHours: number[] = [];
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    let num = 0;
    let den = 0;
    let n = 0;
    let allNum = 0;
    let allDen = 0;
    used.forEach((week, i) => {
      const w = weights[i] ?? 0;
      const v = week.counts[h] ?? 0;
      allNum += w * v;
      allDen += w;
      if (holidays.has(dayKeyOfHour(week.weekStart, h))) return;
      num += w * v;
      den += w;
      n += 1;
    });
    if (den > 0) {
      counts.push(num / den);
    } else {
      fallbackHours.push(h);
      counts.push(allDen > 0 ? allNum / allDen : 0);
    }
    basis.push(n);
  }
  return { counts, basis, fallbackHours, weeksUsed: used.map((w) => w.weekStart) };
}

export interface Backtest {
  /** The held-out (latest) week. */
  readonly weekStart: string;
  readonly forecast: number[];
  readonly actual: number[];
  /** Hours compared: the held-out week's non-holiday hours. */
  readonly hours: number;
  /** Mean absolute error, episodes per hour. */
  readonly mae: number;
  /** Mean absolute percentage error over hours with actual > 0; null when there are none. */
  readonly mape: number | null;
  /** Weighted APE = Σ|f − a| / Σa: robust to quiet hours; null when nothing happened. */
  readonly wape: number | null;
  /** Σ(f − a) / hours: positive means the forecast over-predicts. */
  readonly bias: number;
}

/**
 * Holds out the latest week, forecasts it from the `weeks` weeks before it, and scores the forecast on
 * the held-out week's non-holiday hours. MAPE is reported for completeness but is unstable at low
 * counts (one question against a forecast of 0.2 is 80 %); WAPE is the headline number.
 */
export function backtest(history: readonly WeekCounts[], opts: ForecastOptions): Backtest {
  const sorted = latest(history, history.length);
  const [held, ...rest] = sorted;
  if (!held || rest.length === 0) throw new RangeError("a backtest needs at least two weeks of history");
  const f = forecastDemand(rest, opts);
  const holidays = holidaySet(opts.holidays);
  let abs = 0;
  let signed = 0;
  let actualSum = 0;
  let apeSum = 0;
  let apeN = 0;
  let hours = 0;
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    if (holidays.has(dayKeyOfHour(held.weekStart, h))) continue;
    const a = held.counts[h] ?? 0;
    const p = f.counts[h] ?? 0;
    hours += 1;
    abs += Math.abs(p - a);
    signed += p - a;
    actualSum += a;
    if (a > 0) {
      apeSum += Math.abs(p - a) / a;
      apeN += 1;
    }
  }
  return {
    weekStart: held.weekStart,
    forecast: f.counts,
    actual: [...held.counts],
    hours,
    mae: hours > 0 ? abs / hours : 0,
    mape: apeN > 0 ? apeSum / apeN : null,
    wape: actualSum > 0 ? abs / actualSum : null,
    bias: hours > 0 ? signed / hours : 0,
  };
}
