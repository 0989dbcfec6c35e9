import { describe, expect, it } from "vitest";
import { wilsonInterval } from "./wilson";
import { kaplanMeier, survivalAt, survivalGrid } from "./kaplan-meier";
import { aucStdError, rocAuc } from "./roc-auc";
import { assignQuartiles, quartileCuts, quartileOf } from "./quartiles";
import { fitLogistic, sigmoid, solveSymmetric } from "./logistic";

describe("wilsonInterval against Newcombe (1998), Table I, method 3", () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
  ])("%i of %i → [%f, %f]", (k, n, lo, hi) => {
    const w = wilsonInterval(k, n);
    expect(w.rate).toBeCloseTo(k / n, 12);
    expect(w.low).toBeCloseTo(lo, 4);
    expect(w.high).toBeCloseTo(hi, 4);
  });
  it("n = 0 has no rate; bad input throws", () => {
    expect(wilsonInterval(0, 0)).toEqual({ successes: 0, n: 0, rate: null, low: null, high: null });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 2)).toThrow(RangeError);
  });
});

describe("kaplanMeier on the 6-MP arm of Freireich et al. (1963), as in Kleinbaum & Klein, Survival Analysis", () => {
  // Weeks in remission; censored marked with a minus sign.
  const raw = [6, 6, 6, -6, 7, -9, 10, -10, -11, 13, 16, -17, -19, -20, 22, 23, -25, -32, -32, -34, -35];
  const obs = raw.map((t) => ({ time: Math.abs(t), event: t > 0 }));
  const steps = kaplanMeier(obs);
  it.each([
    [6, 21, 3, 0.8571, 0.0764],
    [7, 17, 1, 0.8067, 0.0869],
    [10, 15, 1, 0.7529, 0.0963],
    [13, 12, 1, 0.6902, 0.1068],
    [16, 11, 1, 0.6275, 0.1141],
    [22, 7, 1, 0.5378, 0.1282],
    [23, 6, 1, 0.4482, 0.1346],
  ])("t = %i: at risk %i, events %i, S = %f (Greenwood SE %f)", (t, atRisk, events, s, se) => {
    const step = steps.find((x) => x.time === t);
    expect(step?.atRisk).toBe(atRisk);
    expect(step?.events).toBe(events);
    expect(step?.survival).toBeCloseTo(s, 4);
    expect(step?.stdError ?? 0).toBeCloseTo(se, 3);
  });
  it("censoring alone does not move the curve; the grid reads the step function", () => {
    expect(survivalAt(steps, 5)).toBe(1);
    expect(survivalAt(steps, 9)).toBeCloseTo(0.8067, 4);
    expect(survivalAt(steps, 40)).toBeCloseTo(0.4482, 4);
    expect(survivalGrid(steps, 7).map((p) => Number(p.survival.toFixed(4)))).toEqual([1, 1, 1, 1, 1, 1, 0.8571, 0.8067]);
  });
  it("all events at one time with censorings: the censored stay at risk", () => {
    const s = kaplanMeier([{ time: 1, event: true }, { time: 1, event: false }, { time: 2, event: true }]);
    expect(s.map((x) => [x.time, x.atRisk, Number(x.survival.toFixed(4))])).toEqual([[1, 3, 0.6667], [2, 1, 0]]);
    expect(s[1]?.stdError).toBeNull();
  });
});

describe("rocAuc", () => {
  it("counts ties as one half (hand computation: 7/9)", () => {
    // positives 0.9, 0.8, 0.5; negatives 0.8, 0.5, 0.1 → pairs won 3 + 2.5 + 1.5 = 7 of 9.
    expect(rocAuc([0.9, 0.8, 0.8, 0.5, 0.5, 0.1], [true, false, true, false, true, false])).toBeCloseTo(7 / 9, 12);
  });
  it.each([
    [[1, 2, 3, 4], [false, false, true, true], 1],
    [[1, 2, 3, 4], [true, true, false, false], 0],
    [[5, 5, 5, 5], [true, false, true, false], 0.5],
  ])("%j with %j → %f", (s, l, a) => expect(rocAuc(s, l)).toBeCloseTo(a, 12));
  it("is null with one class only and rejects mismatched lengths", () => {
    expect(rocAuc([1, 2], [true, true])).toBeNull();
    expect(() => rocAuc([1], [true, false])).toThrow(RangeError);
  });
  it("Hanley–McNeil SE: matches a hand computation and shrinks with n", () => {
    const small = aucStdError(0.75, 10, 10) ?? 0;
    const large = aucStdError(0.75, 1000, 1000) ?? 0;
    expect(small).toBeGreaterThan(large);
    // A = 0.8, 50 + 50: Q1 = 0.8/1.2, Q2 = 1.28/1.8; (0.16 + 49(Q1 − 0.64) + 49(Q2 − 0.64)) / 2500 → SE 0.04450.
    expect(aucStdError(0.8, 50, 50)).toBeCloseTo(0.0445, 4);
    expect(aucStdError(0.8, 0, 50)).toBeNull();
  });
});

describe("quartiles", () => {
  it("cuts by percentile_cont; ties at a cut go to the lower quartile", () => {
    const cuts = quartileCuts([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cuts).toEqual({ p25: 2.75, p50: 4.5, p75: 6.25 });
    expect([1, 2.75, 3, 4.5, 5, 6.25, 7].map((v) => quartileOf(v, cuts ?? { p25: 0, p50: 0, p75: 0 }))).toEqual([1, 1, 2, 2, 3, 3, 4]);
  });
  it("null values stay out; many equal values leave quartiles empty", () => {
    const { quartiles } = assignQuartiles([0, 0, 0, 0, 0, 3, null], (v) => v);
    expect(quartiles).toEqual([1, 1, 1, 1, 1, 4, null]);
    expect(quartileCuts([])).toBeNull();
  });
});

describe("fitLogistic", () => {
  // Deterministic synthetic data: y = 1 when a hash of i falls under sigmoid(-1 + 2x).
  const x: number[][] = [];
  const y: boolean[] = [];
  for (let i = 0; i < 4000; i++) {
    const xi = ((i * 7919) % 1000) / 250 - 2;
    const u = ((i * 104729) % 9973) / 9973;
    x.push([xi]);
    y.push(u < sigmoid(-1 + 2 * xi));
  }
  it("recovers the generating coefficients and is deterministic", () => {
    const a = fitLogistic(x, y, { l2: 0 });
    expect(a.converged).toBe(true);
    expect(a.intercept).toBeCloseTo(-1, 0);
    expect(a.coefficients[0]).toBeCloseTo(2, 0);
    expect(fitLogistic(x, y, { l2: 0 })).toEqual(a);
  });
  it("the gradient is zero at the solution; ridge shrinks the slope", () => {
    const a = fitLogistic(x, y, { l2: 0 });
    let g0 = 0;
    let g1 = 0;
    x.forEach((r, i) => {
      const p = sigmoid(a.intercept + (a.coefficients[0] ?? 0) * (r[0] ?? 0));
      g0 += (y[i] ? 1 : 0) - p;
      g1 += ((y[i] ? 1 : 0) - p) * (r[0] ?? 0);
    });
    expect(Math.abs(g0) + Math.abs(g1)).toBeLessThan(1e-6);
    expect(Math.abs(fitLogistic(x, y, { l2: 1000 }).coefficients[0] ?? 0)).toBeLessThan(Math.abs(a.coefficients[0] ?? 0));
  });
  it("solves a small linear system", () => {
    expect(solveSymmetric([[2, 1], [1, 3]], [3, 5]).map((v) => Number(v.toFixed(10)))).toEqual([0.8, 1.4]);
  });
});
