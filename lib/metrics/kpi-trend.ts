/**
 * A figure against the same figure in the previous period (the overview's KPI cards). Pure: the
 * reports hand in both values; this decides the change, its direction and whether that is good news,
 * which depends on the metric (compliance up is better, response time up is worse).
 */

/** Which way is good for a metric. */
export type Better = "higher" | "lower";
export type Direction = "up" | "down" | "flat";
export type Verdict = "better" | "worse" | "same";

export interface Trend {
  /** current − previous; null when either side is unknown (never shown as "0" or "no change"). */
  delta: number | null;
  direction: Direction | null;
  verdict: Verdict | null;
}

export const NO_TREND: Trend = { delta: null, direction: null, verdict: null };

/**
 * `flatWithin`: changes this small count as no change. Callers pass half of the figure's display step
 * (0.0005 for a share shown to 0.1 %), so an arrow never points at a change the card cannot show.
 */
export function trendOf(current: number | null, previous: number | null, better: Better, flatWithin = 0): Trend {
  if (current === null || previous === null || !Number.isFinite(current) || !Number.isFinite(previous)) return NO_TREND;
  if (!(flatWithin >= 0)) throw new RangeError(`flatWithin must be >= 0, got ${flatWithin}`);
  const delta = current - previous;
  if (Math.abs(delta) <= flatWithin) return { delta, direction: "flat", verdict: "same" };
  const direction: Direction = delta > 0 ? "up" : "down";
  const good = (direction === "up") === (better === "higher");
  return { delta, direction, verdict: good ? "better" : "worse" };
}
