import type { RiskModel } from "./model";
import json from "./default-model.json";

/**
 * The default at-risk model, fitted on OULAD 2013B + 2013J (days 30/60/100) by
 * `npx tsx scripts/validate-risk.ts --write-model`. Frozen. For a demo school it is a starting point
 * only: fitted on UK distance-learning modules without support data; the support-signal coefficients
 * are unvalidated priors (`unvalidated`). See docs/model-card-risk.md.
 */
const model: RiskModel = {
  coefficients: Object.freeze({ ...json.coefficients }),
  intercept: json.intercept,
  featureNames: Object.freeze([...json.featureNames]),
  version: json.version,
  center: Object.freeze({ ...json.center }),
  scale: Object.freeze({ ...json.scale }),
  ...(json.unvalidated ? { unvalidated: Object.freeze([...json.unvalidated]) } : {}),
  ...(json.trainedOn ? { trainedOn: json.trainedOn } : {}),
};
export const defaultRiskModel: RiskModel = Object.freeze(model);
