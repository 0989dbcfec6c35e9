import type { ChannelRef, MessageEvent, SourceRef, ThreadRef } from "../types";
import { countIgnored, emptyImportResult, type ImportResult } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { zodReason } from "../common/zod-reason";
import { contentOf, dceIdentity, discordSource } from "./normalize";
import { dceExportSchema, dceMessageSchema, type DceMessage } from "./schemas";
import { snowflakeTime } from "./snowflake";

export interface DiscordExportOptions {
  source?: Partial<SourceRef>;
  /**
   * Zone for a timestamp without an offset. DCE always writes one (local or UTC with --utc), so this
   * only matters for hand-made files; the default is to reject such messages rather than guess.
   */
  assumeZone?: string;
}

const THREAD_KINDS = new Set(["GuildPublicThread", "GuildPrivateThread", "GuildNewsThread", "10", "11", "12"]);
const DM_KINDS = new Set(["DirectTextChat", "DirectGroupTextChat", "1", "3"]);
const FORUM_KINDS = new Set(["GuildForum", "GuildMediaChat", "15", "16"]);

/** Snowflake time further than this from `timestamp` is reported (hand-edited ids, FORMATS.md 3d); genuine ones agree to the ms. */
const SNOWFLAKE_SKEW_MS = 1_000;

/**
 * One DiscordChatExporter JSON file. A thread or forum post is a file of its own whose
 * `channel.categoryId` is the parent channel (the schema predates threads), so its messages become a
 * thread inside the parent channel, matching what the relay produces live. Deleted messages are simply
 * absent from DCE exports; reactions are counted as ignored.
 */
export function parseDiscordExport(json: string | unknown, opts: DiscordExportOptions = {}): ImportResult {
  const out = emptyImportResult();
  let data: unknown = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (e) {
      out.rejected.push({ reason: `not JSON: ${(e as Error).message}` });
      return out;
    }
  }
  const root = dceExportSchema.safeParse(data);
  if (!root.success) {
    out.rejected.push({ reason: `not a DiscordChatExporter JSON export: ${zodReason(root.error)}` });
    return out;
  }
  const { channel: ch, messages } = root.data;
  const source = discordSource(opts.source);
  const place = placeOf(ch);
  if (place.warning) out.warnings.push(place.warning);

  const parsed: Array<{ index: number; m: DceMessage }> = [];
  messages.forEach((raw, index) => {
    const m = dceMessageSchema.safeParse(raw);
    if (m.success) parsed.push({ index, m: m.data });
    else out.rejected.push({ index, reason: zodReason(m.error, `messages[${index}]`) });
  });
  // Replies name only the message id; the author comes from the quoted message when it is in this file.
  const byId = new Map(parsed.map(({ m }) => [m.id, m]));
  let skewed = 0;

  for (const { index, m } of parsed) {
    const sentAt = parseIsoInstant(m.timestamp, opts.assumeZone ? { assumeZone: opts.assumeZone } : { requireOffset: true });
    if (!sentAt) {
      out.rejected.push({ index, ref: m.id, reason: `timestamp "${m.timestamp}" is not an ISO date-time with offset` });
      continue;
    }
    const editedAt = m.timestampEdited ? parseIsoInstant(m.timestampEdited, opts.assumeZone ? { assumeZone: opts.assumeZone } : { requireOffset: true }) : null;
    const flake = snowflakeTime(m.id);
    if (flake && Math.abs(flake.getTime() - sentAt.getTime()) > SNOWFLAKE_SKEW_MS) skewed++;
    if (m.reactions.length > 0) countIgnored(out.ignored, "reactions are not recorded", m.reactions.length);

    const content = contentOf(m.type, m.content, { stickers: m.stickers.length, attachments: m.attachments.length, embeds: m.embeds.length });
    const ref = m.reference;
    const isReply = !!ref?.messageId && (m.type === "Default" || m.type === "Reply") && ref.type !== "Forward";
    const quoted = ref?.messageId ? byId.get(ref.messageId) : undefined;
    const event: MessageEvent = {
      type: "message",
      action: "create",
      source,
      channel: place.channel,
      ...(place.thread ? { thread: place.thread } : {}),
      externalId: m.id,
      author: dceIdentity(m.author),
      sentAt,
      ...(editedAt ? { editedAt } : {}),
      text: content.text,
      contentKind: content.contentKind,
      ...(isReply && ref?.messageId ? { replyTo: { externalId: ref.messageId, ...(quoted ? { author: dceIdentity(quoted.author) } : {}) } } : {}),
      mentions: m.mentions.map(dceIdentity),
    };
    out.events.push(event);
  }
  if (skewed > 0) out.warnings.push(`${skewed} message(s) whose snowflake time disagrees with "timestamp" by over a second: timestamp trusted`);
  if (root.data.messageCount !== undefined && root.data.messageCount !== messages.length) {
    out.warnings.push(`messageCount says ${root.data.messageCount} but the file holds ${messages.length} messages`);
  }
  return out;
}

function placeOf(ch: { id: string; type: string; categoryId?: string | null; category?: string | null; name?: string | null }): {
  channel: ChannelRef;
  thread?: ThreadRef;
  warning?: string;
} {
  const title = ch.name ?? undefined;
  if (DM_KINDS.has(ch.type)) return { channel: { externalId: ch.id, kind: "dm", ...(title ? { title } : {}) } };
  if (THREAD_KINDS.has(ch.type)) {
    if (!ch.categoryId) {
      return { channel: { externalId: ch.id, kind: "channel", ...(title ? { title } : {}) }, warning: `thread ${ch.id} has no categoryId (parent): stored as a channel` };
    }
    return {
      channel: { externalId: ch.categoryId, kind: "channel", ...(ch.category ? { title: ch.category } : {}) },
      thread: { externalId: ch.id, kind: "thread", ...(title ? { title } : {}) },
    };
  }
  return { channel: { externalId: ch.id, kind: FORUM_KINDS.has(ch.type) ? "forum" : "channel", ...(title ? { title } : {}) } };
}
