import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { expandShifts, occurrences, type Shift } from "./shifts";
import { countsByWeek, hourBounds } from "./week";

const local = (iso: string, tz: string): Date => DateTime.fromISO(iso, { zone: tz }).toJSDate();
const MSK = "Europe/Moscow";
const BER = "Europe/Berlin";

function shift(id: string, from: string, to: string, tz: string, extra: Partial<Shift> = {}): Shift {
  return { id, person: `${id}@school.test`, role: "mentor", startsAt: local(from, tz), endsAt: local(to, tz), weekly: false, repeatUntil: null, ...extra };
}

const on = (grid: number[]): number[] => grid.flatMap((v, h) => (v > 0 ? [h] : []));
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe("expandShifts", () => {
  it("a one-off day shift fills its hours", () => {
    const g = expandShifts([shift("a", "2025-03-03T09:00", "2025-03-03T18:00", MSK)], "2025-03-03", MSK);
    expect(on(g)).toEqual(range(9, 18));
    expect(g[9]).toBe(1);
  });

  it("partial hours count as fractions and overlapping shifts add up", () => {
    const g = expandShifts(
      [shift("a", "2025-03-04T09:30", "2025-03-04T10:15", MSK), shift("b", "2025-03-04T09:00", "2025-03-04T11:00", MSK)],
      "2025-03-03",
      MSK,
    );
    expect(g[24 + 9]).toBe(1.5);
    expect(g[24 + 10]).toBe(1.25);
  });

  it("weekly recurrence runs until repeatUntil (inclusive of an occurrence starting then)", () => {
    const s = shift("a", "2025-01-06T09:00", "2025-01-06T13:00", MSK, { weekly: true, repeatUntil: local("2025-03-03T09:00", MSK) });
    expect(on(expandShifts([s], "2025-03-03", MSK))).toEqual(range(9, 13));
    expect(on(expandShifts([s], "2025-03-10", MSK))).toEqual([]);
    expect(on(expandShifts([s], "2024-12-30", MSK))).toEqual([]); // before the first occurrence
    expect(on(expandShifts([{ ...s, repeatUntil: null }], "2026-03-02", MSK))).toEqual(range(9, 13));
  });

  // expandShifts expands shifts at the same times once and counts them: the grid must equal the definition
  // over every shift one by one (the template case, one-offs among them, different repeat ends, DST weeks).
  it.each([
    ["a plain week", MSK, "2025-03-03"],
    ["the spring DST week", BER, "2025-03-24"],
    ["the autumn DST week", BER, "2025-10-20"],
  ])("shifts at the same times count once each: %s", (_, tz, week) => {
    const many: Shift[] = [];
    for (let i = 0; i < 7; i++) many.push(shift(`w${i}`, "2025-01-06T09:20", "2025-01-06T17:40", tz, { weekly: true }));
    for (let i = 0; i < 3; i++) many.push(shift(`n${i}`, "2025-01-04T22:10", "2025-01-05T06:50", tz, { weekly: true }));
    many.push(shift("r", "2025-01-06T09:20", "2025-01-06T17:40", tz, { weekly: true, repeatUntil: local("2025-01-13T09:20", tz) }));
    const once = DateTime.fromISO(`${week}T09:20`, { zone: tz }).plus({ days: 2 });
    many.push(shift("o1", once.toISO() ?? "", once.plus({ hours: 3 }).toISO() ?? "", tz));
    many.push(shift("o2", once.toISO() ?? "", once.plus({ hours: 3 }).toISO() ?? "", tz));
    // The grid as defined: every shift's every occurrence over every hour, one by one, rounded at the end.
    const bounds = hourBounds(week, tz);
    const summed = bounds.map(([a, b]) => {
      let v = 0;
      for (const s of many) {
        for (const occ of occurrences(s, tz, bounds[0]![0], bounds[167]![1] + 1)) {
          v += b > a ? Math.max(0, Math.min(b, occ.to) - Math.max(a, occ.from)) / (b - a) : occ.from <= a && a < occ.to ? 1 : 0;
        }
      }
      return Math.round(v * 1e9) / 1e9;
    });
    const grid = expandShifts(many, week, tz);
    expect(grid).toEqual(summed);
    expect(Math.max(...grid)).toBeGreaterThanOrEqual(7);
  });

  it("a shift crossing midnight and the week boundary lands on both ends of the week", () => {
    const s = shift("n", "2025-03-02T22:00", "2025-03-03T02:00", MSK, { weekly: true }); // Sunday night
    expect(on(expandShifts([s], "2025-03-03", MSK))).toEqual([0, 1, 166, 167]);
  });

  it("a weekly 09:00 shift stays at 09:00 across the spring DST change", () => {
    const s = shift("a", "2025-03-17T09:00", "2025-03-17T18:00", BER, { weekly: true });
    expect(on(expandShifts([s], "2025-03-31", BER))).toEqual(range(9, 18));
  });

  it("spring forward: a night shift covers the skipped hour, lasts 7 real hours", () => {
    const s = shift("n", "2025-03-29T22:00", "2025-03-30T06:00", BER);
    const g = expandShifts([s], "2025-03-24", BER);
    expect(on(g)).toEqual([...range(5 * 24 + 22, 6 * 24), ...range(6 * 24, 6 * 24 + 6)]);
    const [occ] = occurrences(s, BER, 0, Infinity);
    expect(occ && (occ.to - occ.from) / 3_600_000).toBe(7);
    const bounds = hourBounds("2025-03-24", BER);
    expect(bounds[6 * 24 + 2]?.[0]).toBe(bounds[6 * 24 + 2]?.[1]); // 02:00 does not exist that day
  });

  it("fall back: the repeated hour is two real hours, fully staffed by a night shift", () => {
    const s = shift("n", "2025-10-25T22:00", "2025-10-26T06:00", BER, { weekly: true });
    const g = expandShifts([s], "2025-10-20", BER);
    expect(g[6 * 24 + 2]).toBe(1);
    const bounds = hourBounds("2025-10-20", BER);
    const cell = bounds[6 * 24 + 2];
    expect(cell && (cell[1] - cell[0]) / 3_600_000).toBe(2);
    // Half of the repeated hour: a shift 02:00–02:30 (first pass) counts a quarter.
    const half = { ...s, id: "h", weekly: false, startsAt: new Date("2025-10-26T00:00:00Z"), endsAt: new Date("2025-10-26T00:30:00Z") };
    expect(expandShifts([half], "2025-10-20", BER)[6 * 24 + 2]).toBe(0.25);
  });

  it("memoised hour bounds are per zone and week: the same week in two zones, and a week asked again", () => {
    const ber = hourBounds("2025-03-24", BER);
    const msk = hourBounds("2025-03-24", MSK);
    // Berlin is UTC+1 that Monday, Moscow UTC+3: the week starts two hours later in real time in Berlin.
    expect((ber[0]?.[0] ?? 0) - (msk[0]?.[0] ?? 0)).toBe(2 * 3_600_000);
    expect(hourBounds("2025-03-24", BER)).toEqual(ber);
    expect(hourBounds("2025-03-31", BER)[0]?.[0]).toBe((ber[0]?.[0] ?? 0) + 7 * 24 * 3_600_000 - 3_600_000);
  });

  it("rejects a shift that ends before it starts, and a non-Monday week", () => {
    expect(() => expandShifts([shift("x", "2025-03-03T10:00", "2025-03-03T09:00", MSK)], "2025-03-03", MSK)).toThrow(RangeError);
    expect(() => expandShifts([], "2025-03-04", MSK)).toThrow(/not a Monday/);
  });
});

describe("countsByWeek", () => {
  it("buckets instants by local hour-of-week and keeps empty weeks", () => {
    const weeks = countsByWeek([local("2025-03-03T09:15", MSK), local("2025-03-03T09:45", MSK), local("2025-03-23T23:59", MSK)], MSK);
    expect(weeks.map((w) => w.weekStart)).toEqual(["2025-03-03", "2025-03-10", "2025-03-17"]);
    expect(weeks[0]?.counts[9]).toBe(2);
    expect(weeks[1]?.counts.reduce((a, b) => a + b, 0)).toBe(0);
    expect(weeks[2]?.counts[167]).toBe(1);
  });
});
