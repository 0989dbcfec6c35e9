import type { RiskFeatureName } from "./features";

/** The default model's recipe (scripts/validate-risk.ts fits it; docs/model-card-risk.md describes it). */
export const MODEL_VERSION = "oulad-2013-logit-v1";

/** Features fitted on OULAD. Protected attributes (gender, age, disability, IMD band, region) are deliberately absent. */
export const RISK_FEATURES: readonly RiskFeatureName[] = [
  "unsubmittedShare",
  "unsubmittedWeight",
  "lateShare",
  "failedShare",
  "lowScore",
  "registrationLead",
  "preCourseActivity",
  "previousAttempts",
];

/** The comparison: a plain logistic model on assessment features only. */
export const BASELINE_FEATURES: readonly RiskFeatureName[] = ["unsubmittedShare", "lateShare", "lowScore"];

/** Snapshots the model is fitted on (pooled): one model for any day of a course. */
export const TRAIN_DAYS: readonly number[] = [30, 60, 100];

/**
 * Support signals do not exist in OULAD (no messenger support), so they cannot be fitted there.
 * Expert priors, NOT validated: each unanswered outreach, open breached episode or negative message
 * adds `coefficient` to the log-odds (center 0, scale 1). Listed as `unvalidated` in the model.
 */
export const SUPPORT_PRIORS: Partial<Record<RiskFeatureName, { coefficient: number; center: number; scale: number }>> = {
  outreachUnanswered: { coefficient: 0.5, center: 0, scale: 1 },
  openBreachedEpisodes: { coefficient: 0.3, center: 0, scale: 1 },
  negativeMessages: { coefficient: 0.2, center: 0, scale: 1 },
  missedWebinarShare: { coefficient: 1.0, center: 0, scale: 1 },
};
