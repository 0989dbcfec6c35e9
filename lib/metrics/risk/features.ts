/**
 * Risk features of one enrollment as of a date, from a pure snapshot. Everything dated after `asOf`
 * is ignored here, whatever the caller passes: a snapshot may hold the full history and the features
 * still use only what was known on the as-of date (the validation's no-leakage rule).
 *
 * A feature is `undefined` when it is unknown or not applicable (no assignment due yet, no webinar
 * scheduled, no support data for an LMS-only school): the model then uses its training mean, so an
 * unknown feature neither raises nor lowers the score and is never given as a reason.
 */

const DAY_MS = 86_400_000;
/** Days inactive are capped: beyond two months the signal does not grow (and outliers would dominate a linear model). */
export const MAX_DAYS_INACTIVE = 60;
/** A scored test or assignment below this percentage is failed (the Open University pass mark). */
export const PASS_MARK_PCT = 40;
/** Outreach is "unanswered" once this many days pass without a reply (METRICS.md). */
export const OUTREACH_UNANSWERED_DAYS = 7;
/** Negative messages count over this window before the as-of date. */
export const NEGATIVE_WINDOW_DAYS = 30;

export interface RiskItem {
  readonly id: string;
  readonly kind: "assignment" | "test" | "exam" | "other";
  readonly dueAt?: Date;
  /** Weight in the final grade (%), when the school gives one. */
  readonly weight?: number;
}

export interface RiskSubmission {
  readonly itemId: string;
  readonly submittedAt: Date;
  /** 0..100; absent when not marked. */
  readonly scorePct?: number;
  /** A result carried over from an earlier attempt: not work done in this cohort. */
  readonly banked?: boolean;
}

export interface RiskSupportSignals {
  /** Staff-initiated contacts: when sent, and the student's first reply (if any). */
  readonly outreach: ReadonlyArray<{ readonly sentAt: Date; readonly repliedAt?: Date }>;
  /**
   * The `outreachUnanswered` count already taken by the reader with the same test (sent at least
   * OUTREACH_UNANSWERED_DAYS before asOf, no reply by asOf; db/queries/reports/risk.ts counts it in SQL
   * instead of listing every contact); when present, `outreach` is not read.
   */
  readonly outreachUnanswered?: number;
  /** Open episodes of this student already past their SLA target at the as-of date (computed by the caller from sla.ts). */
  readonly openBreachedEpisodes: number;
  /** The student's messages flagged negative. */
  readonly negativeMessages: ReadonlyArray<{ readonly at: Date }>;
}

export interface RiskSnapshot {
  readonly asOf: Date;
  /** The cohort's start. */
  readonly startsAt: Date;
  readonly enrolledAt?: Date;
  /** The schedule: assignments, tests and exams with their deadlines. */
  readonly items: readonly RiskItem[];
  readonly submissions: readonly RiskSubmission[];
  /** Other LMS activity (views, clicks, posts): only its dates matter. */
  readonly activityAt?: readonly Date[];
  /** LMS actions before the cohort start (e.g. OULAD pre-course clicks), when known. */
  readonly preCourseActions?: number;
  readonly webinars?: ReadonlyArray<{ readonly at: Date; readonly attended: boolean }>;
  readonly previousAttempts?: number;
  readonly studiedCredits?: number;
  /** Absent for a school without messenger support data (OULAD): the support features are then unknown. */
  readonly support?: RiskSupportSignals;
}

export const riskFeatureNames = [
  "daysInactive",
  "unsubmittedShare",
  "unsubmittedWeight",
  "lateShare",
  "failedShare",
  "lowScore",
  "scoreDrop",
  "registrationLead",
  "preCourseActivity",
  "previousAttempts",
  "studiedCredits",
  "missedWebinarShare",
  "outreachUnanswered",
  "openBreachedEpisodes",
  "negativeMessages",
] as const;
export type RiskFeatureName = (typeof riskFeatureNames)[number];

/** The direction in which each feature is expected to raise the risk: +1 = larger is riskier, −1 = smaller is riskier. */
export const riskDirection: Record<RiskFeatureName, 1 | -1> = {
  daysInactive: 1,
  unsubmittedShare: 1,
  unsubmittedWeight: 1,
  lateShare: 1,
  failedShare: 1,
  lowScore: 1,
  scoreDrop: 1,
  registrationLead: -1,
  preCourseActivity: -1,
  previousAttempts: 1,
  studiedCredits: 1,
  missedWebinarShare: 1,
  outreachUnanswered: 1,
  openBreachedEpisodes: 1,
  negativeMessages: 1,
};

/**
 * Feature values (units below). Most are oriented so that larger = more risk (`lowScore` = 100 − mean
 * score); `registrationLead` and `preCourseActivity` are protective (larger = less risk). The fitted
 * model decides each sign; a reason is any feature pushing the score up.
 *
 * daysInactive: days since the last LMS action (capped at 60) · unsubmittedShare: share of assignments
 * and tests due that are not submitted · unsubmittedWeight: the same weighted by grade weight ·
 * lateShare: share of the submitted ones submitted after the deadline · failedShare: share of scored
 * work below 40 % · lowScore: 100 − mean score · scoreDrop: mean of earlier scores − latest score ·
 * registrationLead: ln(1 + days enrolled before the start) · preCourseActivity: ln(1 + LMS actions
 * before the start) · previousAttempts, studiedCredits: as given · missedWebinarShare · support counts.
 */
export type RiskFeatures = { readonly [K in RiskFeatureName]?: number };

const known = <T extends { readonly at: Date }>(xs: readonly T[] | undefined, asOf: Date): T[] => (xs ?? []).filter((x) => x.at.getTime() <= asOf.getTime());
const days = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / DAY_MS;

export function extractRiskFeatures(s: RiskSnapshot): RiskFeatures {
  const asOf = s.asOf.getTime();
  const subs = s.submissions.filter((x) => x.submittedAt.getTime() <= asOf).sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime() || a.itemId.localeCompare(b.itemId));
  const submittedAt = new Map<string, number>();
  for (const x of subs) if (!submittedAt.has(x.itemId)) submittedAt.set(x.itemId, x.submittedAt.getTime());

  // Assignments and tests due by the as-of date (exams are the end of the course, not a progress signal).
  const due = s.items.filter((i) => i.kind !== "exam" && i.dueAt !== undefined && i.dueAt.getTime() <= asOf);
  const unsubmittedItems = due.filter((i) => !submittedAt.has(i.id));
  const unsubmitted = unsubmittedItems.length;
  const dueWeight = due.reduce((a, i) => a + (i.weight ?? 0), 0);
  const missedWeight = unsubmittedItems.reduce((a, i) => a + (i.weight ?? 0), 0);
  const dueSubmitted = due.filter((i) => submittedAt.has(i.id));
  const late = dueSubmitted.filter((i) => (submittedAt.get(i.id) ?? 0) > (i.dueAt?.getTime() ?? Infinity)).length;

  const exams = new Set(s.items.filter((i) => i.kind === "exam").map((i) => i.id));
  const scored = subs.filter((x) => x.scorePct !== undefined && !x.banked && !exams.has(x.itemId));
  const scores = scored.map((x) => x.scorePct ?? 0);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const last = scores[scores.length - 1];

  // Days inactive: since the latest LMS action known at the as-of date, else since the student could start.
  const starts = Math.max(s.startsAt.getTime(), s.enrolledAt?.getTime() ?? -Infinity);
  let lastActive = starts;
  for (const x of subs) if (!x.banked) lastActive = Math.max(lastActive, x.submittedAt.getTime());
  for (const a of s.activityAt ?? []) if (a.getTime() <= asOf) lastActive = Math.max(lastActive, a.getTime());
  const inactive = Math.min(MAX_DAYS_INACTIVE, Math.max(0, (asOf - lastActive) / DAY_MS));

  const webinars = known(s.webinars, s.asOf);
  const out: { -readonly [K in RiskFeatureName]?: number } = {
    daysInactive: Math.round(inactive * 100) / 100,
    ...(due.length > 0 ? { unsubmittedShare: unsubmitted / due.length } : {}),
    ...(dueWeight > 0 ? { unsubmittedWeight: missedWeight / dueWeight } : {}),
    ...(dueSubmitted.length > 0 ? { lateShare: late / dueSubmitted.length } : {}),
    ...(scores.length > 0 ? { failedShare: scores.filter((v) => v < PASS_MARK_PCT).length / scores.length, lowScore: 100 - mean(scores) } : {}),
    ...(scores.length >= 2 && last !== undefined ? { scoreDrop: mean(scores.slice(0, -1)) - last } : {}),
    // Enrolled long before the start = planned; shortly before or after = more withdrawals.
    ...(s.enrolledAt ? { registrationLead: Math.log1p(Math.max(0, days(s.enrolledAt, s.startsAt))) } : {}),
    ...(s.preCourseActions !== undefined ? { preCourseActivity: Math.log1p(Math.max(0, s.preCourseActions)) } : {}),
    ...(s.previousAttempts !== undefined ? { previousAttempts: s.previousAttempts } : {}),
    ...(s.studiedCredits !== undefined ? { studiedCredits: s.studiedCredits } : {}),
    ...(webinars.length > 0 ? { missedWebinarShare: webinars.filter((w) => !w.attended).length / webinars.length } : {}),
  };
  if (s.support) {
    const limit = asOf - OUTREACH_UNANSWERED_DAYS * DAY_MS;
    out.outreachUnanswered = s.support.outreachUnanswered ?? s.support.outreach.filter((o) => o.sentAt.getTime() <= limit && !(o.repliedAt && o.repliedAt.getTime() <= asOf)).length;
    out.openBreachedEpisodes = s.support.openBreachedEpisodes;
    out.negativeMessages = known(s.support.negativeMessages, s.asOf).filter((m) => m.at.getTime() > asOf - NEGATIVE_WINDOW_DAYS * DAY_MS).length;
  }
  return out;
}
