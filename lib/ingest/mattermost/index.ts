export { parseMattermostWebhook, verifyMattermostToken, type MattermostWebhookOptions, type MattermostTokenResult } from "./webhook";
export {
  parseMattermostBulkExport, exportPostId, exportUserId, type MattermostBulkOptions, type MattermostBulkResult, type MattermostExportChannel,
} from "./bulk";
export { verifyRelaySignature as verifyMattermostRelay, RELAY_SIGNATURE_HEADER, RELAY_TIMESTAMP_HEADER } from "../common/relay-signature";
