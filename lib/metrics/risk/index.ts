export { extractRiskFeatures, riskFeatureNames, riskDirection, type RiskFeatures, type RiskFeatureName, type RiskSnapshot, type RiskItem, type RiskSubmission, type RiskSupportSignals } from "./features";
export { scoreEnrollment, fitRiskModel, riskReasonLabels, type RiskModel, type RiskReason, type RiskScore } from "./model";
export { defaultRiskModel } from "./default-model";
