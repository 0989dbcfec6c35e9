export {
  parseDiscordRelay, verifyDiscordRelay, DISCORD_RELAY_SIGNATURE_HEADER, DISCORD_RELAY_TIMESTAMP_HEADER,
  type DiscordRelayOptions, type DiscordRelayResult, type DiscordThreadInfo,
} from "./relay";
export { parseDiscordExport, type DiscordExportOptions } from "./export";
export { snowflakeTime } from "./snowflake";
