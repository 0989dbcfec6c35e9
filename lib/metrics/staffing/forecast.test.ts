import { describe, expect, it } from "vitest";
import { backtest, forecastDemand, type WeekCounts } from "./forecast";
import { dayKeyOfHour } from "./week";

const MONDAYS = ["2025-02-03", "2025-02-10", "2025-02-17", "2025-02-24", "2025-03-03", "2025-03-10"];
const grid = (f: (h: number) => number): number[] => Array.from({ length: 168 }, (_, h) => f(h));
const weeks = (f: (week: number, h: number) => number, n = MONDAYS.length): WeekCounts[] =>
  MONDAYS.slice(0, n).map((weekStart, w) => ({ weekStart, counts: grid((h) => f(w, h)) }));

/** Weekdays 9–21 busy (peak at 12), nights and weekends quiet: a school's weekly cycle. */
const cycle = (h: number): number => {
  const day = Math.floor(h / 24);
  const hour = h % 24;
  if (day >= 5) return hour >= 12 && hour < 18 ? 2 : 0;
  if (hour < 9 || hour >= 21) return 1;
  return hour === 12 ? 12 : 6;
};

describe("forecastDemand on synthetic patterns with known answers", () => {
  it("a constant pattern forecasts itself, whatever the weights", () => {
    const f = forecastDemand(weeks(() => 3), { weeks: 4 });
    expect(f.counts.every((v) => v === 3)).toBe(true);
    expect(forecastDemand(weeks(() => 3), { weeks: 3, weights: [5, 1, 0.5] }).counts[100]).toBeCloseTo(3, 12);
    expect(f.weeksUsed).toEqual(["2025-03-10", "2025-03-03", "2025-02-24", "2025-02-17"]);
  });

  it("a weekly cycle is reproduced hour by hour", () => {
    const f = forecastDemand(weeks((_, h) => cycle(h)), { weeks: 4 });
    expect(f.counts).toEqual(grid(cycle));
    expect(f.basis.every((b) => b === 4)).toBe(true);
  });

  it("a linear trend with weights gives the weighted mean of the weeks used", () => {
    // Weeks 0..5 hold 10, 20, …, 60 per hour; the latest three are 60, 50, 40 (newest first).
    const hist = weeks((w) => 10 * (w + 1));
    expect(forecastDemand(hist, { weeks: 3 }).counts[0]).toBeCloseTo((3 * 60 + 2 * 50 + 1 * 40) / 6, 12); // default 3,2,1
    expect(forecastDemand(hist, { weeks: 3, weights: [1, 1, 1] }).counts[0]).toBeCloseTo(50, 12);
    expect(forecastDemand(hist, { weeks: 3, weights: [1, 0, 0] }).counts[0]).toBe(60); // naive "last week"
  });

  it("a holiday week is left out: its hours do not drag the forecast down", () => {
    // Week of 2025-02-24 had Monday and Tuesday off with no questions; the rest of that week counts.
    const holidays = ["2025-02-24", "2025-02-25"];
    const hist = weeks((w, h) => (MONDAYS[w] === "2025-02-24" && h < 48 ? 0 : cycle(h)));
    const f = forecastDemand(hist, { weeks: 4, holidays });
    expect(f.counts).toEqual(grid(cycle));
    expect(f.basis[0]).toBe(3);
    expect(f.basis[60]).toBe(4);
    const naive = forecastDemand(hist, { weeks: 4 });
    expect(naive.counts[12]).toBeLessThan(cycle(12));
  });

  it("an hour that is a holiday in every week falls back to all weeks and says so", () => {
    const hist = weeks(() => 2, 2);
    const f = forecastDemand(hist, { weeks: 2, holidays: new Set(["2025-02-03", "2025-02-10"]) });
    expect(f.fallbackHours).toEqual(Array.from({ length: 24 }, (_, h) => h));
    expect(f.counts[0]).toBe(2);
  });

  it("rejects malformed history", () => {
    expect(() => forecastDemand([{ weekStart: "2025-03-03", counts: [1, 2] }], { weeks: 1 })).toThrow(/168/);
    expect(() => forecastDemand([], { weeks: 1 })).toThrow(/no history/);
    expect(() => forecastDemand(weeks(() => 1), { weeks: 3, weights: [1] })).toThrow(/weights/);
    expect(() => forecastDemand(weeks(() => 1), { weeks: 0 })).toThrow(RangeError);
  });
});

describe("backtest (last week held out)", () => {
  it("is exact on a stable cycle", () => {
    const b = backtest(weeks((_, h) => cycle(h)), { weeks: 4 });
    expect(b).toMatchObject({ weekStart: "2025-03-10", hours: 168, mae: 0, mape: 0, wape: 0, bias: 0 });
  });

  it("reports MAE, MAPE and WAPE with known values", () => {
    // History 4 per hour; the held-out week has 5 per hour: |error| = 1 everywhere.
    const hist = weeks((w) => (w === 5 ? 5 : 4));
    const b = backtest(hist, { weeks: 3 });
    expect(b.mae).toBeCloseTo(1, 12);
    expect(b.mape).toBeCloseTo(0.2, 12);
    expect(b.wape).toBeCloseTo(0.2, 12);
    expect(b.bias).toBeCloseTo(-1, 12);
  });

  it("skips the held-out week's holiday hours and copes with a silent week", () => {
    const hist = weeks((w, h) => (w === 5 ? 0 : h % 2));
    const holidays = [dayKeyOfHour("2025-03-10", 0)];
    const b = backtest(hist, { weeks: 2, holidays });
    expect(b.hours).toBe(144);
    expect(b.mape).toBeNull();
    expect(b.wape).toBeNull();
    expect(b.mae).toBeCloseTo(0.5, 12);
    expect(() => backtest(weeks(() => 1, 1), { weeks: 1 })).toThrow(/two weeks/);
  });
});
