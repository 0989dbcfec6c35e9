export {
  parsePachcaWebhook, verifyPachcaWebhook, PACHCA_SIGNATURE_HEADER, PACHCA_TOLERANCE_SECONDS,
  type PachcaVerifyInput, type PachcaVerifyResult, type PachcaWebhookOptions,
} from "./webhook";
export { parsePachcaExport, type PachcaExportOptions, type PachcaExportResult } from "./export";
