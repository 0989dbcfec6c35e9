export { verifyTelegramWebhook, TELEGRAM_SECRET_HEADER, type TelegramVerifyResult } from "./verify";
export { parseTelegramUpdate, type TelegramUpdateOptions, type TelegramUpdateResult } from "./update";
export {
  parseTelegramExport, TelegramExportTimezoneError, DEFAULT_TELEGRAM_EXPORT_SOURCE, type TelegramExportOptions, type TelegramExportResult,
} from "./export";
