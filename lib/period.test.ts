import { describe, expect, it } from "vitest";
import { daysOf, parsePeriod, periodNeedsLastDay, previousPeriod } from "./period";

describe("parsePeriod", () => {
  const today = new Date("2026-11-28T10:00:00Z");
  it.each([
    { name: "explicit range is inclusive of `to`", params: { from: "2026-10-01", to: "2026-10-31" }, last: null, want: { from: "2026-10-01", to: "2026-11-01" } },
    { name: "default: 30 days ending on the last data day", params: {}, last: "2026-06-30", want: { from: "2026-06-01", to: "2026-07-01" } },
    { name: "default without data ends today in the school's zone", params: {}, last: null, want: { from: "2026-10-30", to: "2026-11-29" } },
    { name: "garbage falls back to the default", params: { from: "yesterday", to: "2026-13-45x" }, last: "2026-06-30", want: { from: "2026-06-01", to: "2026-07-01" } },
    { name: "days sets the length back from the default end", params: { days: "7" }, last: "2026-06-30", want: { from: "2026-06-24", to: "2026-07-01" } },
    { name: "days out of range is clamped", params: { days: "9999", to: "2026-12-31" }, last: null, want: { from: "2025-12-31", to: "2027-01-01" } },
    { name: "from after to collapses to one day", params: { from: "2026-10-10", to: "2026-10-01" }, last: null, want: { from: "2026-10-01", to: "2026-10-02" } },
  ])("$name", ({ params, last, want }) => {
    expect(parsePeriod(params, "Europe/Moscow", last, today)).toEqual(want);
  });

  it("uses the school's zone for today: late evening in New York is still the 27th", () => {
    expect(parsePeriod({}, "America/New_York", null, new Date("2026-11-28T03:00:00Z")).to).toBe("2026-11-28");
  });
});

describe("periodNeedsLastDay", () => {
  // reportPeriod skips the message span's statement when this says the last day is not read: the period
  // must then be the same whatever the last day is (or fail the same way).
  const today = new Date("2026-11-28T10:00:00Z");
  const outcome = (params: { from?: string; to?: string; days?: string }, last: string | null) => {
    try {
      return parsePeriod(params, "Europe/Moscow", last, today);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  };
  it.each([
    { params: { from: "2026-10-01", to: "2026-10-31" }, needs: false },
    { params: { to: "2026-10-31" }, needs: false },
    { params: { to: "2026-10-31", days: "7" }, needs: false },
    { params: { from: "2026-10-10", to: "2026-10-01" }, needs: false },
    { params: { to: "2026-13-45" }, needs: false },
    { params: {}, needs: true },
    { params: { days: "7" }, needs: true },
    { params: { from: "2026-10-01" }, needs: true },
    { params: { to: "2026-13-45x" }, needs: true },
    { params: { to: "" }, needs: true },
  ])("$params → $needs", ({ params, needs }) => {
    expect(periodNeedsLastDay(params)).toBe(needs);
    const answers = new Set(["2026-06-30", "2026-11-27", null].map((last) => JSON.stringify(outcome(params, last))));
    expect(answers.size === 1).toBe(!needs);
  });
});

describe("previousPeriod and daysOf", () => {
  it("previous period has the same length and ends where this one starts", () => {
    expect(previousPeriod({ from: "2026-03-01", to: "2026-03-31" })).toEqual({ from: "2026-01-30", to: "2026-03-01" });
  });
  it("lists days across a DST change without skipping or repeating", () => {
    const d = daysOf({ from: "2026-03-27", to: "2026-04-01" });
    expect(d).toEqual(["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]);
  });
});
