import type { SourceRef } from "../types";

/**
 * One Mattermost source per school by default (`externalId: "mattermost"`), shared by live events and
 * bulk exports so that identities meet; a school with two servers passes `source`.
 */
export function mattermostSource(override?: Partial<SourceRef>): SourceRef {
  return { kind: "mattermost", externalId: override?.externalId ?? "mattermost", name: override?.name ?? "Mattermost" };
}

/**
 * System posts. Live posts say so in `type` (`system_join_channel`, …). Bulk exports often drop the type
 * and keep only the generated text (the sample's "harry joined the channel."), so those English
 * templates are recognised too. They never open an episode.
 */
const SYSTEM_TEXT = [
  /^@?[\w.-]+ (joined|left) the (channel|team)\.$/,
  /^@?[\w.-]+ (added to|removed from) the (channel|team) by @?[\w.-]+\.$/,
  /^@?[\w.-]+ (updated the channel (header|purpose|display name)|archived the channel|unarchived the channel)\b/,
];

export function serviceOf(type: string | null | undefined, message: string): boolean {
  if (type && type.startsWith("system_")) return true;
  return SYSTEM_TEXT.some((re) => re.test(message.trim()));
}
