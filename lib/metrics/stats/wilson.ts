/**
 * Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998, method 3; Agresti &
 * Coull 1998). Unlike the normal ("Wald") interval it stays inside [0, 1] and is sensible at 0 of n
 * and n of n, which small quartiles and tiers produce. No continuity correction.
 */
export interface Proportion {
  readonly successes: number;
  readonly n: number;
  /** successes / n; null when n = 0. */
  readonly rate: number | null;
  /** 95 % (or `z`) Wilson bounds; null when n = 0. */
  readonly low: number | null;
  readonly high: number | null;
}

/** z for a two-sided 95 % interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054;

export function wilsonInterval(successes: number, n: number, z: number = Z95): Proportion {
  if (!Number.isInteger(successes) || !Number.isInteger(n) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`wilsonInterval needs integers 0 <= successes <= n, got ${successes} of ${n}`);
  }
  if (!(z > 0)) throw new RangeError(`z must be positive, got ${z}`);
  if (n === 0) return { successes, n, rate: null, low: null, high: null };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact bounds at the edges (the formula gives them up to rounding).
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === n ? 1 : Math.min(1, centre + half);
  return { successes, n, rate: p, low, high };
}
