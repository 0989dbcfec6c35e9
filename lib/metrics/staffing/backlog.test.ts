import { describe, expect, it } from "vitest";
import { backlogStaffHours } from "./backlog";

const flat = (n: number): number[] => new Array<number>(24).fill(n);
const hoursFrom = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const NINE_TO_NINE = hoursFrom(9, 21);

describe("backlogStaffHours", () => {
  it("zero demand needs nobody and is feasible", () => {
    const p = backlogStaffHours({ dailyArrivals: flat(0), handleMinutes: 15, targetMinutes: 1440, workingHours: NINE_TO_NINE });
    expect(p).toMatchObject({ staffHoursPerDay: 0, workloadHours: 0, feasible: true, unreachableShare: 0 });
    expect(p.perHour).toEqual(flat(0));
  });

  it("a 24 h target needs exactly the workload, spread over working hours", () => {
    // 240 questions × 15 min = 60 staff-hours; 12 working hours → 5 on duty.
    const p = backlogStaffHours({ dailyArrivals: flat(10), handleMinutes: 15, targetMinutes: 1440, workingHours: NINE_TO_NINE });
    expect(p.workloadHours).toBe(60);
    expect(p.staffHoursPerDay).toBeCloseTo(60, 6);
    expect(p.perHour[9]).toBeCloseTo(5, 6);
    expect(p.perHour[3]).toBe(0);
    expect(p.feasible).toBe(true);
    expect(p.maxResponseMinutes).toBeLessThanOrEqual(1440);
  });

  it("night-time questions with a 24 h target are answered the next working day at workload cost", () => {
    const night = flat(0).map((_, h) => (h < 6 ? 10 : 0));
    const p = backlogStaffHours({ dailyArrivals: night, handleMinutes: 12, targetMinutes: 1440, workingHours: NINE_TO_NINE });
    expect(p.staffHoursPerDay).toBeCloseTo(12, 6);
    expect(p.feasible).toBe(true);
  });

  it("a peak with a short target needs more than the workload (known answer 300/119 on duty)", () => {
    // 60 questions at 12:00–13:00, 5 min each, answer within 60 min: the last one (x = 59) is done at
    // 5·60/s minutes after 12:00, so 300/s − 59 ≤ 60 → s ≥ 300/119 ≈ 2.52; the workload alone is 5 h/day.
    const peak = flat(0).map((_, h) => (h === 12 ? 60 : 0));
    const p = backlogStaffHours({ dailyArrivals: peak, handleMinutes: 5, targetMinutes: 60, workingHours: NINE_TO_NINE });
    expect(p.workloadHours).toBe(5);
    expect(p.perHour[12]).toBeCloseTo(300 / 119, 1);
    expect(p.staffHoursPerDay).toBeCloseTo((300 / 119) * 12, 0);
    expect(p.maxResponseMinutes).toBeLessThanOrEqual(60);
  });

  it("a target shorter than the gap between working hours leaves night questions unreachable", () => {
    const p = backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 10, targetMinutes: 30, workingHours: NINE_TO_NINE });
    expect(p.feasible).toBe(false);
    // 21:00–08:19 unreachable (08:20 + 30 min = 09:00 + 10 min of work); 20:51–20:59 cannot get 10
    // minutes of work before closing.
    expect(p.unreachableByHour[3]).toBeCloseTo(1, 9);
    expect(p.unreachableByHour[8]).toBeCloseTo(40 / 60, 9);
    expect(p.unreachableByHour[20]).toBeCloseTo(9 / 60, 9);
    expect(p.unreachableByHour[12]).toBe(0);
    expect(p.unreachableShare).toBeCloseTo((11 + 40 / 60 + 9 / 60) / 24, 9);
    // Lost questions are answered after the ones that can still be saved: the plan stays near the workload.
    expect(p.staffHoursPerDay).toBeGreaterThanOrEqual(p.workloadHours);
    expect(p.staffHoursPerDay).toBeLessThan(2 * p.workloadHours);
  });

  it("the business clock lets night questions wait for the opening, then needs the morning backlog cleared", () => {
    // 2/h around the clock, 6 min each, 120 business minutes, open 9–18: the 30 questions of the
    // closed 15 h (180 staff-min) all arrive at 09:00 and must be done by 11:00 → 1.5 on duty.
    const input = { dailyArrivals: flat(2), handleMinutes: 6, targetMinutes: 120, workingHours: hoursFrom(9, 18) };
    const p = backlogStaffHours({ ...input, clock: "business" });
    expect(p.feasible).toBe(true);
    expect(p.perHour[9]).toBeCloseTo(1.5, 2);
    const cal = backlogStaffHours({ ...input, clock: "calendar" });
    expect(cal.feasible).toBe(false);
    expect(cal.unreachableByHour[2]).toBe(2);
  });

  it("a handle time longer than the target makes everything unreachable; no working hours too", () => {
    const p = backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 45, targetMinutes: 30, workingHours: hoursFrom(0, 24) });
    expect(p.unreachableShare).toBeCloseTo(1, 12);
    expect(p.feasible).toBe(false);
    const closed = backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 5, targetMinutes: 1440, workingHours: [] });
    expect(closed).toMatchObject({ feasible: false, unreachableShare: 1, staffHoursPerDay: 0 });
    expect(backlogStaffHours({ dailyArrivals: flat(0), handleMinutes: 5, targetMinutes: 60, workingHours: [] }).feasible).toBe(true);
  });

  it("zero handle time answers at the first working minute", () => {
    const p = backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 0, targetMinutes: 1440, workingHours: NINE_TO_NINE });
    expect(p).toMatchObject({ staffHoursPerDay: 0, feasible: true });
    expect(p.maxResponseMinutes).toBe(12 * 60);
  });

  it("rejects malformed input", () => {
    expect(() => backlogStaffHours({ dailyArrivals: [1], handleMinutes: 5, targetMinutes: 60, workingHours: [9] })).toThrow(/24/);
    expect(() => backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 5, targetMinutes: 0, workingHours: [9] })).toThrow(RangeError);
    expect(() => backlogStaffHours({ dailyArrivals: flat(1), handleMinutes: 5, targetMinutes: 60, workingHours: [24] })).toThrow(/0–23/);
  });
});
