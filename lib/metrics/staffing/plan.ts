import { agentsNeeded, serviceLevelFractional } from "./erlang";
import { expandShifts, type Shift } from "./shifts";
import { checkGrid, HOURS_PER_WEEK } from "./week";

/**
 * Scheduled against needed per hour-of-week, and what-if changes to the shift plan, for a duty queue
 * (Erlang C per hour). See docs/staffing.md.
 */

export interface DutyDemand {
  /** Forecast questions per hour-of-week (168). */
  readonly arrivals: readonly number[];
  readonly ahtSeconds: number;
  /** Service-level threshold, seconds (e.g. 20 s for a phone-like queue, 1800 s for a 30-min duty SLA). */
  readonly targetAnswerSeconds: number;
  /** The SLA target, seconds; SLA compliance = P(answered within it). Default = targetAnswerSeconds. */
  readonly slaTargetSeconds?: number;
  readonly targetServiceLevel: number;
  readonly maxOccupancy?: number;
  readonly shrinkage?: number;
  readonly concurrency?: number;
}

const HOUR_SECONDS = 3600;

/** Rostered staff needed per hour-of-week (Erlang C with shrinkage), for the heatmap. */
export function neededPerHour(demand: DutyDemand): number[] {
  checkGrid("arrivals", demand.arrivals);
  return demand.arrivals.map(
    (arrivals) =>
      agentsNeeded({
        arrivals,
        intervalSeconds: HOUR_SECONDS,
        ahtSeconds: demand.ahtSeconds,
        targetAnswerSeconds: demand.targetAnswerSeconds,
        targetServiceLevel: demand.targetServiceLevel,
        maxOccupancy: demand.maxOccupancy,
        shrinkage: demand.shrinkage,
        concurrency: demand.concurrency,
      }).rostered,
  );
}

export type CoverageStatus = "under" | "ok" | "over";

export interface HourCoverage {
  readonly hour: number;
  readonly needed: number;
  readonly scheduled: number;
  /** scheduled − needed: negative = short. */
  readonly gap: number;
  readonly status: CoverageStatus;
}

export interface Coverage {
  readonly hours: HourCoverage[];
  readonly underHours: number;
  readonly overHours: number;
  /** Σ shortfall, staff-hours per week. */
  readonly shortStaffHours: number;
  /** Σ surplus, staff-hours per week. */
  readonly surplusStaffHours: number;
}

/**
 * Under = any shortfall (scheduled < needed). Over = at least `overTolerance` whole people beyond the
 * need (default 1): a fractional need (0.3 of a mentor) met by one person is not overstaffing.
 */
export function coverage(needed: readonly number[], scheduled: readonly number[], opts: { readonly overTolerance?: number } = {}): Coverage {
  checkGrid("needed", needed);
  checkGrid("scheduled", scheduled);
  const tol = opts.overTolerance ?? 1;
  const hours: HourCoverage[] = [];
  let short = 0;
  let surplus = 0;
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const n = needed[h] ?? 0;
    const s = scheduled[h] ?? 0;
    const gap = s - n;
    const status: CoverageStatus = gap < -1e-9 ? "under" : gap >= tol - 1e-9 ? "over" : "ok";
    if (gap < 0) short -= gap;
    else surplus += gap;
    hours.push({ hour: h, needed: n, scheduled: s, gap, status });
  }
  return {
    hours,
    underHours: hours.filter((h) => h.status === "under").length,
    overHours: hours.filter((h) => h.status === "over").length,
    shortStaffHours: short,
    surplusStaffHours: surplus,
  };
}

export interface StaffingPlan {
  /** Shifts of the queue's role (filter with `shiftsOfRole`). */
  readonly shifts: readonly Shift[];
  readonly weekStart: string;
  readonly timezone: string;
  readonly demand: DutyDemand;
}

export type ShiftChange =
  | { readonly kind: "add"; readonly shift: Shift }
  | { readonly kind: "remove"; readonly id: string }
  | { readonly kind: "move"; readonly id: string; readonly startsAt: Date; readonly endsAt: Date };

export interface HourPrediction {
  readonly staff: number;
  /** Productive agents: staff × (1 − shrinkage). */
  readonly agents: number;
  readonly serviceLevel: number;
  readonly slaCompliance: number;
}

export interface WeekPrediction {
  readonly hours: HourPrediction[];
  /** Arrival-weighted over the week; null when no arrivals are forecast. */
  readonly serviceLevel: number | null;
  readonly slaCompliance: number | null;
}

/** Predicted service level and SLA compliance per hour for a plan's shifts. */
export function predictWeek(plan: StaffingPlan): WeekPrediction {
  const { demand } = plan;
  checkGrid("arrivals", demand.arrivals);
  const staff = expandShifts(plan.shifts, plan.weekStart, plan.timezone);
  const shrinkage = demand.shrinkage ?? 0;
  const aht = demand.ahtSeconds / (demand.concurrency ?? 1);
  const sla = demand.slaTargetSeconds ?? demand.targetAnswerSeconds;
  let weight = 0;
  let slSum = 0;
  let complianceSum = 0;
  const hours = staff.map((s, h): HourPrediction => {
    const arrivals = demand.arrivals[h] ?? 0;
    const agents = s * (1 - shrinkage);
    const base = { arrivalsPerInterval: arrivals, intervalSeconds: HOUR_SECONDS, ahtSeconds: aht, agents };
    const serviceLevel = serviceLevelFractional({ ...base, targetAnswerSeconds: demand.targetAnswerSeconds });
    const slaCompliance = serviceLevelFractional({ ...base, targetAnswerSeconds: sla });
    weight += arrivals;
    slSum += arrivals * serviceLevel;
    complianceSum += arrivals * slaCompliance;
    return { staff: s, agents, serviceLevel, slaCompliance };
  });
  return { hours, serviceLevel: weight > 0 ? slSum / weight : null, slaCompliance: weight > 0 ? complianceSum / weight : null };
}

/** The plan's shifts after a change; throws when the changed shift does not exist or clashes by id. */
export function applyChange(shifts: readonly Shift[], change: ShiftChange): Shift[] {
  if (change.kind === "add") {
    if (shifts.some((s) => s.id === change.shift.id)) throw new RangeError(`shift ${change.shift.id} already exists`);
    return [...shifts, change.shift];
  }
  if (!shifts.some((s) => s.id === change.id)) throw new RangeError(`no shift ${change.id}`);
  if (change.kind === "remove") return shifts.filter((s) => s.id !== change.id);
  return shifts.map((s) => (s.id === change.id ? { ...s, startsAt: change.startsAt, endsAt: change.endsAt } : s));
}

export interface WhatIf {
  readonly before: WeekPrediction;
  readonly after: WeekPrediction;
  /** Hours whose predicted SLA compliance moved by more than 0.001. */
  readonly changedHours: number[];
}

export function whatIf(plan: StaffingPlan, change: ShiftChange): WhatIf {
  const before = predictWeek(plan);
  const after = predictWeek({ ...plan, shifts: applyChange(plan.shifts, change) });
  const changedHours = before.hours.flatMap((b, h) => (Math.abs((after.hours[h]?.slaCompliance ?? 0) - b.slaCompliance) > 1e-3 ? [h] : []));
  return { before, after, changedHours };
}
