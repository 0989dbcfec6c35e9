export {
  verifySlackSignature, signSlackRequest, SLACK_SIGNATURE_HEADER, SLACK_TIMESTAMP_HEADER, SLACK_MAX_SKEW_SECONDS,
  type SlackSignatureInput, type SlackVerifyFailure, type SlackVerifyResult,
} from "./verify";
export { parseSlackEvent, slackChannelKind, type SlackEventResult } from "./event";
export { parseSlackExport, type SlackExportOptions, type SlackExportResult, type SlackExportUser } from "./export";
export { slackTsToDate, slackMentionIds } from "./ts";
