import { describe, expect, it } from "vitest";
import { NO_TREND, trendOf, type Better, type Trend } from "./kpi-trend";

describe("trendOf", () => {
  const cases: Array<[string, number | null, number | null, Better, number, Trend]> = [
    ["compliance up is better", 0.9, 0.8, "higher", 0, { delta: 0.9 - 0.8, direction: "up", verdict: "better" }],
    ["compliance down is worse", 0.7, 0.8, "higher", 0, { delta: 0.7 - 0.8, direction: "down", verdict: "worse" }],
    ["response time up is worse", 45, 30, "lower", 0, { delta: 15, direction: "up", verdict: "worse" }],
    ["response time down is better", 20, 30, "lower", 0, { delta: -10, direction: "down", verdict: "better" }],
    ["equal values: no change", 12, 12, "lower", 0, { delta: 0, direction: "flat", verdict: "same" }],
    ["within the display step: no change", 0.8004, 0.8, "higher", 0.0005, { delta: 0.8004 - 0.8, direction: "flat", verdict: "same" }],
    ["just past the display step: a change", 0.801, 0.8, "higher", 0.0005, { delta: 0.801 - 0.8, direction: "up", verdict: "better" }],
    ["from zero counts", 3, 0, "lower", 0, { delta: 3, direction: "up", verdict: "worse" }],
  ];
  it.each(cases)("%s", (_name, current, previous, better, flat, want) => {
    const got = trendOf(current, previous, better, flat);
    expect(got.direction).toBe(want.direction);
    expect(got.verdict).toBe(want.verdict);
    expect(got.delta).toBeCloseTo(want.delta ?? Number.NaN, 12);
  });

  it("is unknown, not 'no change', when either side is unknown", () => {
    expect(trendOf(null, 0.8, "higher")).toEqual(NO_TREND);
    expect(trendOf(0.8, null, "higher")).toEqual(NO_TREND);
    expect(trendOf(null, null, "lower")).toEqual(NO_TREND);
    expect(trendOf(Number.NaN, 1, "lower")).toEqual(NO_TREND);
  });

  it("refuses a negative tolerance", () => {
    expect(() => trendOf(1, 2, "higher", -1)).toThrow(RangeError);
  });
});
