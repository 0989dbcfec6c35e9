import { kaplanMeier, survivalGrid, type KmStep } from "./stats/kaplan-meier";
import { assignQuartiles, type Quartile, type QuartileCuts } from "./stats/quartiles";
import { wilsonInterval, type Proportion } from "./stats/wilson";

/**
 * Completion and outcomes (METRICS.md, "Completion and outcomes"). Pure: enrollments in, figures out.
 *
 * COR = completed / (completed + withdrawn): active, paused, frozen and transferred enrollments are not
 * in the denominator. Every comparison here (by tier, by quartile of support exposure, retention by
 * tier) is a CORRELATION between support and outcomes, never an effect: students who need or seek more
 * support differ from the others in ways these figures do not control for.
 */
export const OUTCOMES_INTERPRETATION = "correlation" as const;

export type EnrollmentStatus = "active" | "completed" | "withdrawn" | "paused" | "frozen" | "transferred";

export interface OutcomeEnrollment {
  readonly id: string;
  readonly tier: string;
  readonly status: EnrollmentStatus;
  /** The cohort's start (retention is measured from it). */
  readonly startsAt?: Date;
  /** Withdrawal or completion time; for a completion without one, the cohort's end. */
  readonly endedAt?: Date;
}

export interface GroupCompletion extends Proportion {
  readonly group: string;
  /** Enrollments in the group that have not ended (not in the denominator). */
  readonly notEnded: number;
}

/** Completion rate with its 95 % Wilson interval: successes = completed, n = completed + withdrawn. */
export function completionRate(enrollments: readonly Pick<OutcomeEnrollment, "status">[]): Proportion & { notEnded: number } {
  let completed = 0;
  let withdrawn = 0;
  for (const e of enrollments) {
    if (e.status === "completed") completed++;
    else if (e.status === "withdrawn") withdrawn++;
  }
  return { ...wilsonInterval(completed, completed + withdrawn), notEnded: enrollments.length - completed - withdrawn };
}

/** Completion per group (tier, cohort, presentation…), groups in sorted order. */
export function completionBy<T extends Pick<OutcomeEnrollment, "status">>(enrollments: readonly T[], group: (e: T) => string | null): GroupCompletion[] {
  const groups = new Map<string, T[]>();
  for (const e of enrollments) {
    const g = group(e);
    if (g === null) continue;
    const list = groups.get(g) ?? [];
    list.push(e);
    groups.set(g, list);
  }
  return [...groups.keys()].sort().map((g) => ({ group: g, ...completionRate(groups.get(g) ?? []) }));
}

export interface QuartileCompletion extends Proportion {
  readonly quartile: Quartile;
  /** The value range of the quartile: (from, to]; Q1 is [min, p25]. */
  readonly from: number | null;
  readonly to: number | null;
  readonly notEnded: number;
}

/**
 * Completion by quartile of an exposure (median response time experienced, share of episodes breached,
 * staff-initiated contacts). Enrollments without the exposure (value null: e.g. no episode, so no
 * response time) are left out and counted in `withoutExposure`. Quartile cuts come from all the
 * enrollments with a value (ended or not), so they describe the exposure, not the outcome.
 */
export function completionByQuartile<T extends Pick<OutcomeEnrollment, "status">>(
  enrollments: readonly T[],
  exposure: (e: T) => number | null,
): { cuts: QuartileCuts | null; quartiles: QuartileCompletion[]; withoutExposure: number; interpretation: typeof OUTCOMES_INTERPRETATION } {
  const { cuts, quartiles } = assignQuartiles(enrollments, exposure);
  const byQ = new Map<Quartile, T[]>([[1, []], [2, []], [3, []], [4, []]]);
  let withoutExposure = 0;
  enrollments.forEach((e, i) => {
    const q = quartiles[i];
    if (q === null || q === undefined) withoutExposure++;
    else byQ.get(q)?.push(e);
  });
  const edges: Array<number | null> = cuts ? [null, cuts.p25, cuts.p50, cuts.p75, null] : [null, null, null, null, null];
  const out: QuartileCompletion[] = ([1, 2, 3, 4] as const).map((q) => ({
    quartile: q,
    from: edges[q - 1] ?? null,
    to: edges[q] ?? null,
    ...completionRate(byQ.get(q) ?? []),
  }));
  return { cuts, quartiles: out, withoutExposure, interpretation: OUTCOMES_INTERPRETATION };
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Weeks from the cohort start to the withdrawal (event) or to the completion / the as-of date
 * (censored): a withdrawal during week k (days 7(k−1)+1 … 7k) counts at week k; before or on the
 * start, at week 0. Null when the start is unknown or a withdrawal has no date.
 */
export function retentionObservation(e: OutcomeEnrollment, asOf: Date): { time: number; event: boolean } | null {
  const start = e.startsAt;
  if (!start) return null;
  const weeks = (t: Date) => Math.max(0, Math.ceil((t.getTime() - start.getTime()) / WEEK_MS));
  if (e.status === "withdrawn") return e.endedAt && e.endedAt.getTime() <= asOf.getTime() ? { time: weeks(e.endedAt), event: true } : null;
  const end = e.status === "completed" && e.endedAt && e.endedAt.getTime() < asOf.getTime() ? e.endedAt : asOf;
  return { time: weeks(end), event: false };
}

export interface RetentionCurve {
  readonly tier: string;
  readonly enrollments: number;
  readonly withdrawals: number;
  readonly steps: KmStep[];
  /** Share still enrolled at the end of week 0, 1, … maxWeek. */
  readonly byWeek: Array<{ week: number; stillEnrolled: number }>;
}

/** Kaplan–Meier retention (share still enrolled, by week) per tier. Enrollments without a start date are skipped. */
export function retentionCurvesByTier(enrollments: readonly OutcomeEnrollment[], asOf: Date, maxWeek?: number): { curves: RetentionCurve[]; skipped: number; interpretation: typeof OUTCOMES_INTERPRETATION } {
  const byTier = new Map<string, Array<{ time: number; event: boolean }>>();
  let skipped = 0;
  for (const e of enrollments) {
    const o = retentionObservation(e, asOf);
    if (!o) {
      skipped++;
      continue;
    }
    const list = byTier.get(e.tier) ?? [];
    list.push(o);
    byTier.set(e.tier, list);
  }
  const curves = [...byTier.keys()].sort().map((tier) => {
    const obs = byTier.get(tier) ?? [];
    const steps = kaplanMeier(obs);
    const last = maxWeek ?? Math.max(0, ...obs.map((o) => o.time));
    return { tier, enrollments: obs.length, withdrawals: obs.filter((o) => o.event).length, steps, byWeek: survivalGrid(steps, last).map((p) => ({ week: p.time, stillEnrolled: p.survival })) };
  });
  return { curves, skipped, interpretation: OUTCOMES_INTERPRETATION };
}
