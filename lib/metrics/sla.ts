import type { ChannelRef, Role } from "@/lib/ingest/types";
import { addBusinessMinutes, businessMinutesBetween, businessMinutesUntilMs } from "./business-time";
import type { BusinessCalendar } from "./calendar";

/** SLA policies, their evaluation against an episode, compliance, and the percentiles we report with. */

export type ChannelKind = ChannelRef["kind"];
export const priorities = ["urgent", "normal", "low"] as const;
export type Priority = (typeof priorities)[number];
export type Clock = "business" | "calendar";

/** A row of `sla_policies` (active ones only; filtering `active` is the caller's query). Null matches anything. */
export interface SlaPolicy {
  readonly id: number;
  readonly ownerRole: Role | null;
  readonly channelKind: ChannelKind | null;
  readonly priority: Priority | null;
  readonly targetMinutes: number;
  readonly clock: Clock;
  /** The calendar a `business` clock runs on; null means the school's default calendar, resolved by the caller. */
  readonly calendarId: number | null;
}

export interface PolicyQuery {
  readonly ownerRole: Role | null;
  readonly channelKind: ChannelKind | null;
  readonly priority: Priority | null;
}

/**
 * Why these weights: among equally specific policies a head of service expects the one about the
 * question itself to win, so an urgent complaint in a mentors' chat gets the "urgent: 15 min" target,
 * not "mentor: 24 h". Priority outranks owner role, which outranks channel kind. Weights 4/2/1 never
 * reorder different specificity counts because the count is compared first.
 */
const WEIGHT = { priority: 4, ownerRole: 2, channelKind: 1 } as const;

/**
 * The most specific matching policy, or null. A policy matches when each of its non-null fields
 * equals the query's (a null in the query — e.g. unknown owner role — matches only null fields).
 * Ranking: more non-null fields first; then the field weights above; then the lowest id, so two
 * identical policies resolve the same way on every page, export and CLI run.
 */
export function matchPolicy(policies: readonly SlaPolicy[], query: PolicyQuery): SlaPolicy | null {
  let best: SlaPolicy | null = null;
  let bestRank: readonly [number, number] = [-1, -1];
  for (const p of policies) {
    let count = 0;
    let weight = 0;
    let matches = true;
    for (const field of ["priority", "ownerRole", "channelKind"] as const) {
      const value = p[field];
      if (value === null) continue;
      if (value !== query[field]) {
        matches = false;
        break;
      }
      count += 1;
      weight += WEIGHT[field];
    }
    if (!matches) continue;
    const better =
      count > bestRank[0] ||
      (count === bestRank[0] && (weight > bestRank[1] || (weight === bestRank[1] && best !== null && p.id < best.id)));
    if (better) {
      best = p;
      bestRank = [count, weight];
    }
  }
  return best;
}

export interface SlaInput {
  readonly openedAt: Date;
  readonly answeredAt: Date | null;
  readonly policy: SlaPolicy;
  /** Required for a `business` clock; with a `calendar` clock it still yields responseBusinessMinutes. */
  readonly calendar: BusinessCalendar | null;
  readonly now: Date;
}

export interface SlaEvaluation {
  readonly answered: boolean;
  readonly targetMinutes: number;
  readonly clock: Clock;
  /** answeredAt − openedAt in real minutes; null while open. */
  readonly responseCalendarMinutes: number | null;
  /** The same span counted in the calendar's working hours; null while open or without a calendar. */
  readonly responseBusinessMinutes: number | null;
  /** Minutes on the policy's clock from openedAt to answeredAt ?? now. */
  readonly elapsedMinutes: number;
  /** Response (or, while open, elapsed) time exceeds the target. Exactly on target is met. */
  readonly breached: boolean;
  /** Open and already breached. */
  readonly breachingNow: boolean;
  /** Open, past 80 % of target, not yet breached: the queue's warning state, disjoint from breachingNow. */
  readonly atRisk: boolean;
  /** Answered within target. */
  readonly met: boolean;
  /** When the target runs out on the policy's clock. */
  readonly deadline: Date;
  /** Answered, or open past target; open within target is not yet known. */
  readonly outcomeKnown: boolean;
}

const MINUTE = 60_000;
export const AT_RISK_SHARE = 0.8;

function realMinutes(from: Date, to: Date): number {
  return Math.max(0, to.getTime() - from.getTime()) / MINUTE;
}

/** An unanswered episode to judge at a moment: its opening, target and clock (business needs a calendar). */
export interface OpenToJudge {
  openedAt: Date;
  targetMinutes: number;
  clock: "business" | "calendar";
  calendar: BusinessCalendar | null;
}

/**
 * `breachingNow` and `atRisk` of unanswered episodes at `now`, exactly as evaluateSla judges each one
 * (elapsed > target; else elapsed > AT_RISK_SHARE · target), but with one walk of each calendar for all
 * its episodes (businessMinutesUntil) and no deadline computed: the report pages judge every open
 * episode of their period (thousands at 10 M messages), and two calendar walks per episode were ~40 ms
 * of the SLA page. Throws, as evaluateSla does, for business time without a calendar.
 */
export function judgeOpenAt(list: readonly OpenToJudge[], now: Date): Array<{ breachingNow: boolean; atRisk: boolean }> {
  const { breachingNow, atRisk } = judgePrepared(prepareOpenJudgement(list), now);
  return list.map((_, i) => ({ breachingNow: breachingNow[i] === 1, atRisk: atRisk[i] === 1 }));
}

/**
 * Unanswered episodes made ready to be judged at any moment (judgePrepared): their openings as epoch
 * milliseconds grouped by calendar, and their targets. What does not depend on the moment, so that a
 * caller keeping the same open episodes between views (db/queries/reports/common.ts judgedOpenEpisodes)
 * prepares them once, and each view only walks each calendar up to its `now`.
 */
export interface PreparedJudgement {
  readonly size: number;
  readonly targets: Float64Array;
  /** AT_RISK_SHARE × target, as judgeOpenAt computed it. */
  readonly riskTargets: Float64Array;
  /** Calendar-clock episodes: their indexes and openings. */
  readonly real: { readonly at: Int32Array; readonly opened: Float64Array };
  /** Business-clock episodes per calendar: their indexes and openings. */
  readonly business: ReadonlyArray<{ readonly calendar: BusinessCalendar; readonly at: Int32Array; readonly opened: Float64Array }>;
}

export function prepareOpenJudgement(list: readonly OpenToJudge[]): PreparedJudgement {
  const targets = new Float64Array(list.length);
  const riskTargets = new Float64Array(list.length);
  const real: number[] = [];
  const byCalendar = new Map<BusinessCalendar, number[]>();
  list.forEach((o, i) => {
    targets[i] = o.targetMinutes;
    riskTargets[i] = AT_RISK_SHARE * o.targetMinutes;
    if (o.clock === "calendar") real.push(i);
    else if (o.calendar === null) throw new Error("a business-time target needs a calendar");
    else {
      const at = byCalendar.get(o.calendar);
      if (at) at.push(i);
      else byCalendar.set(o.calendar, [i]);
    }
  });
  // An invalid opening throws on business time (as businessMinutesUntil does) and is never flagged on
  // the calendar clock (NaN compares false), as before.
  const openings = (at: readonly number[], check: boolean) => {
    const opened = new Float64Array(at.length);
    at.forEach((i, k) => {
      const t = list[i]!.openedAt.getTime();
      if (check && !Number.isFinite(t)) throw new RangeError("start is an invalid Date");
      opened[k] = t;
    });
    return opened;
  };
  return {
    size: list.length,
    targets,
    riskTargets,
    real: { at: Int32Array.from(real), opened: openings(real, false) },
    business: [...byCalendar].map(([calendar, at]) => ({ calendar, at: Int32Array.from(at), opened: openings(at, true) })),
  };
}

/** judgeOpenAt of prepared episodes: 1 where breaching now, and where at risk (disjoint), by index. */
export function judgePrepared(p: PreparedJudgement, now: Date): { breachingNow: Uint8Array; atRisk: Uint8Array } {
  const e = now.getTime();
  if (!Number.isFinite(e) && p.business.length > 0) throw new RangeError("end is an invalid Date");
  const elapsed = new Float64Array(p.size);
  for (let k = 0; k < p.real.at.length; k++) elapsed[p.real.at[k]!] = Math.max(0, e - p.real.opened[k]!) / MINUTE;
  for (const g of p.business) {
    const minutes = businessMinutesUntilMs(g.calendar, g.opened, e);
    for (let k = 0; k < g.at.length; k++) elapsed[g.at[k]!] = minutes[k]!;
  }
  const breachingNow = new Uint8Array(p.size);
  const atRisk = new Uint8Array(p.size);
  for (let i = 0; i < p.size; i++) {
    if (elapsed[i]! > p.targets[i]!) breachingNow[i] = 1;
    else if (elapsed[i]! > p.riskTargets[i]!) atRisk[i] = 1;
  }
  return { breachingNow, atRisk };
}

/** Evaluates one episode against its policy (METRICS.md "Response time and SLA"). */
export function evaluateSla(input: SlaInput): SlaEvaluation {
  const { openedAt, answeredAt, policy, calendar, now } = input;
  if (policy.clock === "business" && calendar === null) {
    throw new Error(`SLA policy ${policy.id} runs on business time but no calendar was given`);
  }
  const answered = answeredAt !== null;
  const until = answeredAt ?? now;
  const clockMinutes = (to: Date): number =>
    policy.clock === "business" && calendar !== null ? businessMinutesBetween(calendar, openedAt, to) : realMinutes(openedAt, to);

  const elapsedMinutes = clockMinutes(until);
  const breached = elapsedMinutes > policy.targetMinutes;
  const deadline =
    policy.clock === "business" && calendar !== null
      ? addBusinessMinutes(calendar, openedAt, policy.targetMinutes)
      : new Date(openedAt.getTime() + policy.targetMinutes * MINUTE);

  return {
    answered,
    targetMinutes: policy.targetMinutes,
    clock: policy.clock,
    responseCalendarMinutes: answered ? realMinutes(openedAt, answeredAt) : null,
    responseBusinessMinutes: answered && calendar !== null ? businessMinutesBetween(calendar, openedAt, answeredAt) : null,
    elapsedMinutes,
    breached,
    breachingNow: !answered && breached,
    atRisk: !answered && !breached && elapsedMinutes > AT_RISK_SHARE * policy.targetMinutes,
    met: answered && !breached,
    deadline,
    outcomeKnown: answered || breached,
  };
}

export interface SlaCompliance {
  /** Answered within target. */
  readonly met: number;
  /** Outcome known: answered, or open past target. */
  readonly known: number;
  /** met / known; null when nothing is known yet (shown as "—", never as 0 % or 100 %). */
  readonly rate: number | null;
}

/** SLA compliance; open episodes still within target are left out of both counts. */
export function slaCompliance(evaluations: Iterable<Pick<SlaEvaluation, "met" | "outcomeKnown">>): SlaCompliance {
  let met = 0;
  let known = 0;
  for (const e of evaluations) {
    if (!e.outcomeKnown) continue;
    known += 1;
    if (e.met) met += 1;
  }
  return { met, known, rate: known === 0 ? null : met / known };
}

/**
 * The p-quantile (p in [0, 1]) by linear interpolation between closest ranks: h = (n − 1)·p,
 * result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). This is PostgreSQL's percentile_cont (and
 * Excel PERCENTILE.INC, numpy's default, R type 7), so numbers computed here and in SQL rollups agree.
 * Hand-written because no statistics library is a dependency of the project (ARCHITECTURE.md rule 8
 * would favour one; the formula is a few lines and pinned by tests). Null for no values.
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentiles(values, [p])[0] ?? null;
}

/**
 * Several percentiles of one list with one sort. The sort is a Float64Array's (numeric, no comparator
 * call per step): the outcomes page takes three quartile cuts of each of three exposures over ~80 k
 * enrollments, and a comparator sort of a copy per cut was ~40 ms of it each time.
 */
export function percentiles(values: readonly number[], ps: readonly number[]): Array<number | null> {
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN;
    if (!Number.isFinite(v)) throw new RangeError(`percentile of a non-finite value ${v}`);
    sorted[i] = v;
  }
  sorted.sort();
  return percentilesOfSorted(sorted, ps);
}

/**
 * `percentiles` of values already in ascending order, without a copy: percentile_cont's interpolation
 * (PostgreSQL's percentile_cont_final, operation for operation, so the result is the same double).
 */
export function percentilesOfSorted(sorted: Float64Array, ps: readonly number[]): Array<number | null> {
  for (const p of ps) if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be within [0, 1] (use 0.9 for p90), got ${p}`);
  if (sorted.length === 0) return ps.map(() => null);
  return ps.map((p) => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const lower = sorted[lo] ?? 0;
    const upper = sorted[Math.min(lo + 1, sorted.length - 1)] ?? lower;
    // + 0: a typed array sorts -0 before 0 and keeps it; the comparator sort returned either.
    return lower + (h - lo) * (upper - lower) + 0;
  });
}

/**
 * `percentilesOfSorted` of the union of several ascending lists (the parts of a period's response times,
 * stored and live, or a role's policies), without merging them: each cut's two values are found by rank
 * (`kthOfSortedRuns`). Merging copied every value once per union: over a year at 10 M messages the SLA
 * page merged ~8 M values a view (~60 ms), where a rank costs a few binary searches.
 */
export function percentilesOfSortedRuns(runs: readonly Float64Array[], ps: readonly number[]): Array<number | null> {
  for (const p of ps) if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be within [0, 1] (use 0.9 for p90), got ${p}`);
  const nonEmpty = runs.filter((r) => r.length > 0);
  if (nonEmpty.length <= 1) return percentilesOfSorted(nonEmpty[0] ?? new Float64Array(0), ps);
  const n = nonEmpty.reduce((sum, r) => sum + r.length, 0);
  return ps.map((p) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    // Two runs (a stored part and the live days, as the team and SLA pages read them) by the two-list
    // search: ~10 steps where the general one counts in every run at every step (round 28).
    const kth = nonEmpty.length === 2 ? (k: number) => kthOfTwo(nonEmpty[0]!, nonEmpty[1]!, k) : (k: number) => kthOfSortedRuns(nonEmpty, k);
    const lower = kth(lo);
    const upper = lo + 1 < n ? kth(lo + 1) : lower;
    return lower + (h - lo) * (upper - lower) + 0;
  });
}

/** How many values of an ascending list are below `x` (strict) or at most `x`: the index of the first one past them. */
export function countInSorted(r: Float64Array, x: number, strict: boolean): number {
  let lo = 0;
  let hi = r.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? r[mid]! < x : r[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many values of the ascending runs are below `x` (strict) or at most `x`. */
function countOf(runs: readonly Float64Array[], x: number, strict: boolean): number {
  let count = 0;
  for (const r of runs) count += countInSorted(r, x, strict);
  return count;
}

/**
 * The k-th smallest value (from 0) of the union of ascending runs. The value sits in some run; there it is
 * the first value with more than k values at most it, and no more than k values below it. Values that
 * compare equal (0 and -0 included) are interchangeable for the percentile that uses them.
 */
export function kthOfSortedRuns(runs: readonly Float64Array[], k: number): number {
  for (const r of runs) {
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (countOf(runs, r[mid]!, false) > k) hi = mid;
      else lo = mid + 1;
    }
    if (lo < r.length && countOf(runs, r[lo]!, true) <= k) return r[lo]!;
  }
  throw new RangeError(`rank ${k} is outside the runs' ${runs.reduce((s, r) => s + r.length, 0)} values`);
}

/**
 * The k-th smallest value (from 0) of the union of two ascending lists: the least `i` values of `a` such
 * that a[i] is not below the (k + 1 - i)-th of `b` are among the k + 1 smallest, and the larger of the two
 * last taken is the value. Equal values (0 and -0 included) are interchangeable, as in kthOfSortedRuns.
 */
export function kthOfTwo(a: Float64Array, b: Float64Array, k: number): number {
  if (!(Number.isInteger(k) && k >= 0 && k < a.length + b.length)) throw new RangeError(`rank ${k} is outside the runs' ${a.length + b.length} values`);
  let lo = Math.max(0, k + 1 - b.length);
  let hi = Math.min(k + 1, a.length);
  while (lo < hi) {
    const i = (lo + hi) >>> 1;
    if (a[i]! < b[k - i]!) lo = i + 1;
    else hi = i;
  }
  const j = k + 1 - lo;
  if (lo === 0) return b[j - 1]!;
  if (j === 0) return a[lo - 1]!;
  return a[lo - 1]! > b[j - 1]! ? a[lo - 1]! : b[j - 1]!;
}

/** The median as percentile_cont(0.5): the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number | null {
  return percentile(values, 0.5);
}
