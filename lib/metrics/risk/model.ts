import { fitLogistic, sigmoid } from "../stats/logistic";
import { riskDirection, riskFeatureNames, type RiskFeatureName, type RiskFeatures } from "./features";

/**
 * The at-risk score: a logistic model on standardised features. contribution_j = β_j·(x_j − mean_j)/sd_j
 * is the feature's push on the log-odds relative to an average enrollment of the training data; the
 * reasons are the largest positive contributions. An unknown feature is taken at its mean (contribution 0).
 */
export interface RiskModel {
  /** Per standardised feature (log-odds per standard deviation). */
  readonly coefficients: Readonly<Record<string, number>>;
  readonly intercept: number;
  readonly featureNames: readonly string[];
  readonly version: string;
  /** Training mean and standard deviation of each feature (the reference a contribution is measured from). */
  readonly center: Readonly<Record<string, number>>;
  readonly scale: Readonly<Record<string, number>>;
  /** Features whose coefficient is an expert prior, not fitted (no data to fit it on). */
  readonly unvalidated?: readonly string[];
  readonly trainedOn?: string;
}

export interface RiskReason {
  readonly key: RiskFeatureName;
  readonly label_ru: string;
  readonly label_en: string;
  readonly contribution: number;
  readonly value: number;
}

export interface RiskScore {
  /** 0..1, higher = more likely to withdraw (a probability on the training population; see the model card). */
  readonly score: number;
  readonly reasons: RiskReason[];
}

export const riskReasonLabels: Record<RiskFeatureName, { ru: string; en: string }> = {
  daysInactive: { ru: "Давно не заходил в LMS", en: "No LMS activity for a long time" },
  unsubmittedShare: { ru: "Не сданы задания, срок которых прошёл", en: "Assignments past due not submitted" },
  unsubmittedWeight: { ru: "Не сданы задания с большим весом в оценке", en: "Heavily weighted assignments not submitted" },
  lateShare: { ru: "Задания сданы с опозданием", en: "Assignments submitted late" },
  failedShare: { ru: "Не пройдены тесты", en: "Failed tests" },
  lowScore: { ru: "Низкие оценки", en: "Low scores" },
  scoreDrop: { ru: "Оценки падают", en: "Falling scores" },
  registrationLead: { ru: "Записался незадолго до старта или после него", en: "Enrolled shortly before the start or later" },
  preCourseActivity: { ru: "Мало заходил в LMS до старта", en: "Little LMS activity before the start" },
  previousAttempts: { ru: "Повторная попытка курса", en: "Repeating the course" },
  studiedCredits: { ru: "Большая учебная нагрузка", en: "Heavy study load" },
  missedWebinarShare: { ru: "Пропускает вебинары", en: "Missing webinars" },
  outreachUnanswered: { ru: "Не отвечает на сообщения куратора (7+ дней)", en: "No reply to staff outreach (7+ days)" },
  openBreachedEpisodes: { ru: "Обращения без ответа сверх SLA", en: "Open requests past their SLA" },
  negativeMessages: { ru: "Негативные сообщения", en: "Negative messages" },
};

/** Reasons below this push on the log-odds are noise, not worth showing. */
export const MIN_REASON_CONTRIBUTION = 0.05;

export function scoreEnrollment(features: RiskFeatures, model: RiskModel, maxReasons = 3): RiskScore {
  let z = model.intercept;
  const reasons: RiskReason[] = [];
  for (const name of model.featureNames) {
    const beta = model.coefficients[name] ?? 0;
    const x = (features as Record<string, number | undefined>)[name];
    if (x === undefined || !Number.isFinite(x) || beta === 0) continue;
    const c = (beta * (x - (model.center[name] ?? 0))) / (model.scale[name] ?? 1);
    z += c;
    if (c >= MIN_REASON_CONTRIBUTION && isRiskFeature(name)) {
      reasons.push({ key: name, label_ru: riskReasonLabels[name].ru, label_en: riskReasonLabels[name].en, contribution: round(c), value: x });
    }
  }
  reasons.sort((a, b) => b.contribution - a.contribution || a.key.localeCompare(b.key));
  return { score: sigmoid(z), reasons: reasons.slice(0, maxReasons) };
}

const isRiskFeature = (name: string): name is RiskFeatureName => (riskFeatureNames as readonly string[]).includes(name);
const round = (v: number): number => Math.round(v * 1000) / 1000;

export interface FitRiskOptions {
  readonly featureNames: readonly RiskFeatureName[];
  readonly version: string;
  readonly l2?: number;
  readonly trainedOn?: string;
  /** Coefficients fixed by hand for features the training data cannot inform (all unknown there). */
  readonly priors?: Partial<Record<RiskFeatureName, { coefficient: number; center: number; scale: number }>>;
}

/**
 * Fit on labelled feature rows (label true = withdrew later). Standardisation uses the known values of
 * each feature; unknown values are imputed with the mean. Sign-constrained: a feature whose fitted
 * coefficient contradicts its expected direction (riskDirection; usually collinearity with another
 * feature) is dropped and the model refitted, so that every reason reads the right way ("low scores"
 * only ever for scores below average). Deterministic for the same rows.
 */
export function fitRiskModel(rows: readonly RiskFeatures[], labels: readonly boolean[], opts: FitRiskOptions): RiskModel {
  const center: Record<string, number> = {};
  const scale: Record<string, number> = {};
  const fitted: RiskFeatureName[] = [];
  for (const name of opts.featureNames) {
    const vals = rows.map((r) => r[name]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    const mean = vals.length > 0 ? vals.reduce((a, b) => a + b, 0) / vals.length : 0;
    const sd = vals.length > 1 ? Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1)) : 0;
    if (sd > 0) {
      center[name] = mean;
      scale[name] = sd;
      fitted.push(name);
    }
  }
  let fit = fitOn(rows, labels, fitted, center, scale, opts.l2 ?? 1);
  for (;;) {
    let worst = -1;
    fitted.forEach((name, j) => {
      const wrong = -(fit.coefficients[j] ?? 0) * riskDirection[name];
      if (wrong > 0 && (worst < 0 || wrong > -(fit.coefficients[worst] ?? 0) * riskDirection[fitted[worst] ?? name])) worst = j;
    });
    if (worst < 0) break;
    const [dropped] = fitted.splice(worst, 1);
    if (dropped) {
      delete center[dropped];
      delete scale[dropped];
    }
    fit = fitOn(rows, labels, fitted, center, scale, opts.l2 ?? 1);
  }
  const coefficients: Record<string, number> = {};
  fitted.forEach((name, j) => (coefficients[name] = fit.coefficients[j] ?? 0));
  const unvalidated: string[] = [];
  for (const [name, p] of Object.entries(opts.priors ?? {})) {
    if (!p || fitted.includes(name as RiskFeatureName)) continue;
    coefficients[name] = p.coefficient;
    center[name] = p.center;
    scale[name] = p.scale;
    unvalidated.push(name);
  }
  return {
    coefficients,
    intercept: fit.intercept,
    featureNames: [...fitted, ...unvalidated],
    version: opts.version,
    center,
    scale,
    ...(unvalidated.length > 0 ? { unvalidated } : {}),
    ...(opts.trainedOn ? { trainedOn: opts.trainedOn } : {}),
  };
}

function fitOn(rows: readonly RiskFeatures[], labels: readonly boolean[], names: readonly RiskFeatureName[], center: Record<string, number>, scale: Record<string, number>, l2: number) {
  const x = rows.map((r) =>
    names.map((name) => {
      const v = r[name];
      return v === undefined || !Number.isFinite(v) ? 0 : (v - (center[name] ?? 0)) / (scale[name] ?? 1);
    }),
  );
  return fitLogistic(x, labels, { l2 });
}
