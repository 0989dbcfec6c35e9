import { checkGrid, HOURS_PER_WEEK } from "./week";

/**
 * The SLA measured in past weeks for the same staffing, shown beside each prediction so the model's
 * error is in plain sight. For each hour-of-week: past weeks whose head count at that hour rounds to
 * the same number as the plan's; their episodes pooled (within-target / known, METRICS.md "SLA
 * compliance"). Cells with fewer than 5 episodes are low-confidence (METRICS.md "Heatmap").
 */

export interface PastWeek {
  readonly weekStart: string;
  /** Staff on duty per hour-of-week that week (`expandShifts`). */
  readonly staff: readonly number[];
  /** Episodes with a known outcome per hour-of-week (answered, or open past target). */
  readonly known: readonly number[];
  /** Of those, answered within target. */
  readonly withinTarget: readonly number[];
}

export interface MeasuredCell {
  /** Pooled SLA compliance of matching past hours; null when none matched or none had episodes. */
  readonly measured: number | null;
  readonly episodes: number;
  /** Past weeks matched at this hour. */
  readonly weeks: number;
  readonly lowConfidence: boolean;
}

export const MIN_EPISODES = 5;

export function measuredForStaffing(past: readonly PastWeek[], staffing: readonly number[]): MeasuredCell[] {
  checkGrid("staffing", staffing);
  for (const w of past) {
    checkGrid(`staff of ${w.weekStart}`, w.staff);
    checkGrid(`known of ${w.weekStart}`, w.known);
    checkGrid(`withinTarget of ${w.weekStart}`, w.withinTarget);
  }
  const cells: MeasuredCell[] = [];
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    const want = Math.round(staffing[h] ?? 0);
    let known = 0;
    let within = 0;
    let weeks = 0;
    for (const w of past) {
      if (Math.round(w.staff[h] ?? 0) !== want) continue;
      weeks += 1;
      known += w.known[h] ?? 0;
      within += Math.min(w.withinTarget[h] ?? 0, w.known[h] ?? 0);
    }
    cells.push({ measured: known > 0 ? within / known : null, episodes: known, weeks, lowConfidence: known < MIN_EPISODES });
  }
  return cells;
}

export interface ModelError {
  /** Hours compared: a measured value with enough episodes. */
  readonly hours: number;
  /** Mean |predicted − measured| (compliance points, 0..1), episode-weighted; null with no hours. */
  readonly mae: number | null;
  /** Mean (predicted − measured), episode-weighted: positive = the model is optimistic. */
  readonly bias: number | null;
}

/** Error of predicted SLA compliance against the measured one, over confident cells only. */
export function modelError(predicted: readonly number[], measured: readonly MeasuredCell[]): ModelError {
  if (predicted.length !== HOURS_PER_WEEK || measured.length !== HOURS_PER_WEEK) throw new RangeError("predicted and measured need 168 hours");
  let n = 0;
  let weight = 0;
  let abs = 0;
  let signed = 0;
  measured.forEach((cell, h) => {
    const p = predicted[h];
    if (cell.measured === null || cell.lowConfidence || p === undefined) return;
    n += 1;
    weight += cell.episodes;
    abs += cell.episodes * Math.abs(p - cell.measured);
    signed += cell.episodes * (p - cell.measured);
  });
  return { hours: n, mae: weight > 0 ? abs / weight : null, bias: weight > 0 ? signed / weight : null };
}
