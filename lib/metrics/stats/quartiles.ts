import { percentiles } from "../sla";

/**
 * Quartile groups (Q1 = lowest values) by the cut points of percentile_cont (sla.ts): Q1 holds values
 * <= p25, Q2 values in (p25, p50], Q3 in (p50, p75], Q4 the rest. Ties at a cut point always fall in
 * the lower quartile, so equal values never split across groups (groups can then be unequal, or
 * empty when many values are equal — e.g. most students with 0 staff-initiated contacts).
 */
export type Quartile = 1 | 2 | 3 | 4;

export interface QuartileCuts {
  readonly p25: number;
  readonly p50: number;
  readonly p75: number;
}

export function quartileCuts(values: readonly number[]): QuartileCuts | null {
  const [p25 = null, p50 = null, p75 = null] = percentiles(values, [0.25, 0.5, 0.75]);
  return p25 === null || p50 === null || p75 === null ? null : { p25, p50, p75 };
}

export function quartileOf(value: number, cuts: QuartileCuts): Quartile {
  if (value <= cuts.p25) return 1;
  if (value <= cuts.p50) return 2;
  if (value <= cuts.p75) return 3;
  return 4;
}

/** Each item's quartile by `value(item)`; items whose value is null (no exposure) get null. */
export function assignQuartiles<T>(items: readonly T[], value: (item: T) => number | null): { cuts: QuartileCuts | null; quartiles: Array<Quartile | null> } {
  const values = items.map(value);
  const present = values.filter((v): v is number => v !== null);
  const cuts = quartileCuts(present);
  return { cuts, quartiles: values.map((v) => (v === null || cuts === null ? null : quartileOf(v, cuts))) };
}
