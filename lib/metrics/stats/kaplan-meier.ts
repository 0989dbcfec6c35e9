/**
 * Kaplan–Meier product-limit estimate of the survival function S(t) = P(T > t), with Greenwood's
 * variance. Here "survival" is "still enrolled": the event is a withdrawal, and an enrollment that
 * completed or is still active is censored at its end (or at the as-of date). Times are any unit the
 * caller chooses (weeks since the cohort start in the outcomes report).
 *
 * Ties: at a time with both events and censorings, the events come first (the usual convention:
 * the censored are still at risk at that time).
 */
export interface SurvivalObservation {
  /** Time of the event or of censoring; >= 0. */
  readonly time: number;
  /** true = the event (withdrawal) happened at `time`; false = censored at `time`. */
  readonly event: boolean;
}

export interface KmStep {
  readonly time: number;
  /** Number at risk just before `time`. */
  readonly atRisk: number;
  readonly events: number;
  readonly censored: number;
  /** S(t) just after `time`. */
  readonly survival: number;
  /** Greenwood standard error of S(t); null once S(t) = 0. */
  readonly stdError: number | null;
}

/** One step per distinct observed time (events or censorings), in increasing time. */
export function kaplanMeier(observations: readonly SurvivalObservation[]): KmStep[] {
  for (const o of observations) {
    if (!(Number.isFinite(o.time) && o.time >= 0)) throw new RangeError(`survival time must be finite and >= 0, got ${o.time}`);
  }
  const byTime = new Map<number, { events: number; censored: number }>();
  for (const o of observations) {
    const t = byTime.get(o.time) ?? { events: 0, censored: 0 };
    if (o.event) t.events++;
    else t.censored++;
    byTime.set(o.time, t);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  let atRisk = observations.length;
  let s = 1;
  let greenwood = 0;
  const steps: KmStep[] = [];
  for (const time of times) {
    const { events, censored } = byTime.get(time) ?? { events: 0, censored: 0 };
    if (events > 0) {
      s *= 1 - events / atRisk;
      greenwood += atRisk > events ? events / (atRisk * (atRisk - events)) : Infinity;
    }
    const stdError = s > 0 && Number.isFinite(greenwood) ? s * Math.sqrt(greenwood) : null;
    steps.push({ time, atRisk, events, censored, survival: s, stdError });
    atRisk -= events + censored;
  }
  return steps;
}

/** S(t) read from the steps: a right-continuous step function, 1 before the first event. */
export function survivalAt(steps: readonly KmStep[], t: number): number {
  let s = 1;
  for (const step of steps) {
    if (step.time > t) break;
    s = step.survival;
  }
  return s;
}

/** S(t) at t = 0, 1, …, maxTime (e.g. the share still enrolled at the end of each week). */
export function survivalGrid(steps: readonly KmStep[], maxTime: number): Array<{ time: number; survival: number }> {
  const out: Array<{ time: number; survival: number }> = [];
  for (let t = 0; t <= maxTime; t++) out.push({ time: t, survival: survivalAt(steps, t) });
  return out;
}
