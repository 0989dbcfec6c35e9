/**
 * Logistic regression fitted by iteratively reweighted least squares (Newton–Raphson) with an L2
 * (ridge) penalty on the coefficients, not on the intercept. Deterministic: no random start, no
 * shuffling; the same rows give the same coefficients on every machine (up to float rounding).
 */
export interface LogisticFit {
  readonly intercept: number;
  readonly coefficients: number[];
  readonly iterations: number;
  readonly converged: boolean;
}

export interface LogisticOptions {
  /** Ridge penalty λ on Σβ² (features should be standardised). Default 1. */
  readonly l2?: number;
  readonly maxIterations?: number;
  /** Stop when the largest change of a parameter is below this. */
  readonly tolerance?: number;
  /** Optional per-row weights (e.g. to balance presentations). */
  readonly weights?: readonly number[];
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function fitLogistic(x: readonly (readonly number[])[], y: readonly boolean[], opts: LogisticOptions = {}): LogisticFit {
  const n = x.length;
  if (n === 0 || n !== y.length) throw new RangeError(`fitLogistic needs as many labels as rows (>0), got ${n} rows and ${y.length} labels`);
  const k = x[0]?.length ?? 0;
  for (const row of x) {
    if (row.length !== k) throw new RangeError("fitLogistic: rows of different lengths");
    for (const v of row) if (!Number.isFinite(v)) throw new RangeError(`fitLogistic: non-finite feature value ${v}`);
  }
  const l2 = opts.l2 ?? 1;
  const maxIterations = opts.maxIterations ?? 50;
  const tolerance = opts.tolerance ?? 1e-8;
  const w = opts.weights;
  const m = k + 1; // parameter 0 = intercept
  const beta = new Array<number>(m).fill(0);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations && !converged) {
    iterations++;
    const h: number[][] = Array.from({ length: m }, () => new Array<number>(m).fill(0));
    const g = new Array<number>(m).fill(0);
    for (let i = 0; i < n; i++) {
      const row = x[i] ?? [];
      let z = beta[0] ?? 0;
      for (let j = 0; j < k; j++) z += (beta[j + 1] ?? 0) * (row[j] ?? 0);
      const p = sigmoid(z);
      const wi = w?.[i] ?? 1;
      const r = wi * ((y[i] ? 1 : 0) - p);
      const v = wi * Math.max(p * (1 - p), 1e-12);
      for (let a = 0; a < m; a++) {
        const xa = a === 0 ? 1 : (row[a - 1] ?? 0);
        g[a] = (g[a] ?? 0) + r * xa;
        const ha = h[a] ?? [];
        for (let b = a; b < m; b++) ha[b] = (ha[b] ?? 0) + v * xa * (b === 0 ? 1 : (row[b - 1] ?? 0));
      }
    }
    for (let a = 1; a < m; a++) {
      g[a] = (g[a] ?? 0) - l2 * (beta[a] ?? 0);
      const ha = h[a] ?? [];
      ha[a] = (ha[a] ?? 0) + l2;
    }
    for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) (h[a] ?? [])[b] = h[b]?.[a] ?? 0;
    const step = solveSymmetric(h, g);
    let largest = 0;
    for (let a = 0; a < m; a++) {
      beta[a] = (beta[a] ?? 0) + (step[a] ?? 0);
      largest = Math.max(largest, Math.abs(step[a] ?? 0));
    }
    converged = largest < tolerance;
  }
  return { intercept: beta[0] ?? 0, coefficients: beta.slice(1), iterations, converged };
}

/** Gaussian elimination with partial pivoting (the systems here are small: one row per feature). */
export function solveSymmetric(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const m = b.length;
  const aug = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(aug[r]?.[c] ?? 0) > Math.abs(aug[pivot]?.[c] ?? 0)) pivot = r;
    const tmp = aug[c] ?? [];
    aug[c] = aug[pivot] ?? [];
    aug[pivot] = tmp;
    const pr = aug[c] ?? [];
    const pv = pr[c] ?? 0;
    if (Math.abs(pv) < 1e-14) throw new RangeError("solveSymmetric: singular matrix");
    for (let r = c + 1; r < m; r++) {
      const row = aug[r] ?? [];
      const f = (row[c] ?? 0) / pv;
      if (f === 0) continue;
      for (let j = c; j <= m; j++) row[j] = (row[j] ?? 0) - f * (pr[j] ?? 0);
    }
  }
  const out = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    const row = aug[r] ?? [];
    let s = row[m] ?? 0;
    for (let j = r + 1; j < m; j++) s -= (row[j] ?? 0) * (out[j] ?? 0);
    out[r] = s / (row[r] ?? 1);
  }
  return out;
}
