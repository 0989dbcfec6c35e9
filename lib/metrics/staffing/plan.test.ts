import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { measuredForStaffing, modelError, type PastWeek } from "./calibration";
import { serviceLevel } from "./erlang";
import { applyChange, coverage, neededPerHour, predictWeek, whatIf, type DutyDemand, type StaffingPlan } from "./plan";
import type { Shift } from "./shifts";

const MSK = "Europe/Moscow";
const at = (iso: string): Date => DateTime.fromISO(iso, { zone: MSK }).toJSDate();
const grid = (f: (h: number) => number): number[] => Array.from({ length: 168 }, (_, h) => f(h));
const shift = (id: string, from: string, to: string): Shift => ({ id, person: `${id}@s.test`, role: "mentor", startsAt: at(from), endsAt: at(to), weekly: true, repeatUntil: null });

/** Monday 9–21 has 12 questions an hour, 10 min each (A = 2), 30-minute duty SLA. */
const demand: DutyDemand = {
  arrivals: grid((h) => (h >= 9 && h < 21 ? 12 : 0)),
  ahtSeconds: 600,
  targetAnswerSeconds: 1800,
  targetServiceLevel: 0.9,
};

describe("neededPerHour and coverage", () => {
  it("needs 3 on duty in busy hours, 0 otherwise; 30 % shrinkage → 5", () => {
    const needed = neededPerHour(demand);
    expect(needed[10]).toBe(3);
    expect(needed[3]).toBe(0);
    expect(neededPerHour({ ...demand, shrinkage: 0.3 })[10]).toBe(5); // ceil(3 / 0.7)
  });

  it("classifies hours under, ok and over", () => {
    const needed = grid((h) => (h < 3 ? 2 : 0.4));
    const scheduled = grid((h) => (h === 0 ? 1 : h === 1 ? 2 : h === 2 ? 3.5 : h === 3 ? 1 : h === 4 ? 2 : 0.4));
    const c = coverage(needed, scheduled);
    expect(c.hours.slice(0, 5).map((h) => h.status)).toEqual(["under", "ok", "over", "ok", "over"]);
    expect(c.underHours).toBe(1);
    expect(c.overHours).toBe(2);
    expect(c.shortStaffHours).toBeCloseTo(1, 12);
    expect(c.surplusStaffHours).toBeCloseTo(1.5 + 0.6 + 1.6, 12);
    expect(coverage(needed, scheduled, { overTolerance: 2 }).overHours).toBe(0);
    expect(() => coverage([1], scheduled)).toThrow(/168/);
  });
});

describe("predictWeek and whatIf", () => {
  const plan: StaffingPlan = {
    shifts: [shift("a", "2025-03-03T09:00", "2025-03-03T21:00"), shift("b", "2025-03-03T09:00", "2025-03-03T15:00")],
    weekStart: "2025-03-10",
    timezone: MSK,
    demand,
  };
  const sl = (agents: number): number => serviceLevel({ arrivalsPerInterval: 12, intervalSeconds: 3600, ahtSeconds: 600, agents, targetAnswerSeconds: 1800 });

  it("predicts per-hour SLA from the staff on duty, and the arrival-weighted week", () => {
    const p = predictWeek(plan);
    expect(p.hours[10]).toMatchObject({ staff: 2, agents: 2 });
    expect(p.hours[10]?.slaCompliance).toBe(0); // N = A = 2: unstable
    expect(p.hours[16]?.slaCompliance).toBe(0); // one person for A = 2
    expect(p.hours[3]?.slaCompliance).toBe(1); // nothing to answer
    expect(p.slaCompliance).toBe(0);
  });

  it("adding a shift raises the predicted SLA in exactly its hours", () => {
    const r = whatIf(plan, { kind: "add", shift: shift("c", "2025-03-03T09:00", "2025-03-03T15:00") });
    expect(r.changedHours).toEqual([9, 10, 11, 12, 13, 14]);
    expect(r.after.hours[10]?.slaCompliance).toBeCloseTo(sl(3), 12);
    expect(r.after.slaCompliance).toBeCloseTo(sl(3) / 2, 12); // 6 of 12 busy hours fixed
  });

  it("moving and removing shifts; shrinkage lowers productive agents", () => {
    const moved = whatIf(plan, { kind: "move", id: "b", startsAt: at("2025-03-03T15:00"), endsAt: at("2025-03-03T21:00") });
    expect(moved.after.hours[10]?.staff).toBe(1);
    expect(moved.after.hours[16]?.staff).toBe(2);
    const removed = whatIf(plan, { kind: "remove", id: "a" });
    expect(removed.after.hours[18]?.staff).toBe(0);
    expect(() => applyChange(plan.shifts, { kind: "remove", id: "zz" })).toThrow(/no shift/);
    expect(() => applyChange(plan.shifts, { kind: "add", shift: shift("a", "2025-03-03T09:00", "2025-03-03T10:00") })).toThrow(/exists/);
    const four = [...plan.shifts, shift("c", "2025-03-03T09:00", "2025-03-03T15:00"), shift("d", "2025-03-03T09:00", "2025-03-03T15:00")];
    const shrunk = predictWeek({ ...plan, shifts: four, demand: { ...demand, shrinkage: 0.25 } });
    expect(shrunk.hours[10]?.agents).toBe(3);
    expect(shrunk.hours[10]?.slaCompliance).toBeCloseTo(sl(3), 12);
  });
});

describe("measured SLA beside the prediction", () => {
  const week = (weekStart: string, staff: number, known: number, within: number): PastWeek => ({
    weekStart,
    staff: grid(() => staff),
    known: grid(() => known),
    withinTarget: grid(() => within),
  });

  it("pools past weeks with the same head count at that hour", () => {
    const past = [week("2025-02-17", 2, 10, 6), week("2025-02-24", 3, 10, 9), week("2025-03-03", 2.2, 10, 8)];
    const cells = measuredForStaffing(past, grid(() => 2));
    expect(cells[0]).toEqual({ measured: 14 / 20, episodes: 20, weeks: 2, lowConfidence: false });
    const none = measuredForStaffing(past, grid(() => 5));
    expect(none[0]).toEqual({ measured: null, episodes: 0, weeks: 0, lowConfidence: true });
  });

  it("reports the model error over confident cells only", () => {
    const cells = measuredForStaffing([week("2025-03-03", 1, 4, 2), week("2025-03-10", 2, 10, 8)], grid((h) => (h < 84 ? 1 : 2)));
    const e = modelError(grid(() => 0.9), cells);
    expect(e.hours).toBe(84); // the 1-person hours have 4 episodes: low confidence
    expect(e.mae).toBeCloseTo(0.1, 12);
    expect(e.bias).toBeCloseTo(0.1, 12);
    expect(modelError(grid(() => 1), measuredForStaffing([], grid(() => 1)))).toEqual({ hours: 0, mae: null, bias: null });
  });
});
