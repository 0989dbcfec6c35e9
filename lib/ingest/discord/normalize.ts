import type { ChannelRef, IdentityRef, MessageEvent, SourceRef, ThreadRef } from "../types";
import type { DceUser, GwChannel, GwUser } from "./schemas";

/**
 * Conventions shared by the gateway relay and the DCE importer, so that a message seen live and in an
 * export is one row: same source, same channel/thread split, same author ids.
 */

/**
 * One Discord source per school by default, whatever the guild: Discord user ids are global, and the
 * store resolves identities per source, so a student who posts in a guild and writes a mentor in DMs
 * (which belong to no guild) must be one identity. A school with a reason to split passes `source`.
 */
export function discordSource(override?: Partial<SourceRef>): SourceRef {
  return { kind: "discord", externalId: override?.externalId ?? "discord", name: override?.name ?? "Discord" };
}

export function gatewayIdentity(u: GwUser, nick?: string | null, viaWebhook = false): IdentityRef {
  const name = nick ?? u.global_name ?? u.username;
  return { externalId: u.id, username: u.username, name, isBot: u.bot === true || u.system === true || viaWebhook };
}

export function dceIdentity(u: DceUser): IdentityRef {
  return { externalId: u.id, username: u.name, name: u.nickname ?? u.name, isBot: u.isBot };
}

/** Thread channel types (10 announcement, 11 public, 12 private) and forum-like parents (15 forum, 16 media). */
export const THREAD_TYPES = new Set([10, 11, 12]);
const FORUM_TYPES = new Set([15, 16]);
const DM_TYPES = new Set([1, 3]);

/**
 * A Discord thread is a channel of its own; here it becomes a thread inside its parent channel, because
 * the metrics answer episodes per thread (METRICS.md "scope"). Without knowing the parent, the thread
 * has to stand as a channel, and the caller is told.
 */
export function gatewayPlace(
  channelId: string,
  guildId: string | undefined,
  info: GwChannel | undefined,
  parent: GwChannel | undefined,
): { channel: ChannelRef; thread?: ThreadRef; guess?: string } {
  if (!guildId || (info && DM_TYPES.has(info.type))) return { channel: { externalId: channelId, kind: "dm", ...(info?.name ? { title: info.name } : {}) } };
  if (info && THREAD_TYPES.has(info.type) && info.parent_id) {
    const forum = parent ? FORUM_TYPES.has(parent.type) : false;
    return {
      channel: { externalId: info.parent_id, kind: forum ? "forum" : "channel", ...(parent?.name ? { title: parent.name } : {}) },
      thread: { externalId: channelId, kind: forum ? "forum_topic" : "thread", ...(info.name ? { title: info.name } : {}) },
    };
  }
  const place = { channel: { externalId: channelId, kind: info && FORUM_TYPES.has(info.type) ? ("forum" as const) : ("channel" as const), ...(info?.name ? { title: info.name } : {}) } };
  return info ? place : { ...place, guess: `channel ${channelId} unknown to the relay: stored as a channel (a thread would lose its parent)` };
}

/** Gateway message types that carry a person's text: DEFAULT, REPLY, CHAT_INPUT_COMMAND, CONTEXT_MENU_COMMAND. */
const GW_TEXT_TYPES = new Set([0, 19, 20, 23]);
/** The same as DCE writes them: enum names, or the number for kinds DCE has no name for. */
const DCE_TEXT_TYPES = new Set(["Default", "Reply", "0", "19", "20", "23", "ApplicationCommand", "ChatInputCommand", "ContextMenuCommand"]);

export function isTextType(type: number | string): boolean {
  return typeof type === "number" ? GW_TEXT_TYPES.has(type) : DCE_TEXT_TYPES.has(type);
}

/**
 * Service kinds (joins, pins, "started a thread") are kept as `service`: they never open an episode
 * but they are part of the channel's history. An empty message with a sticker is a sticker; with only
 * files or embeds, media. An empty DEFAULT message with nothing else is what a bot without the
 * MESSAGE_CONTENT intent sees: the text is unknown (null), not "".
 */
export function contentOf(
  type: number | string,
  content: string,
  counts: { stickers: number; attachments: number; embeds: number },
): { contentKind: NonNullable<MessageEvent["contentKind"]>; text: string | null } {
  if (!isTextType(type)) return { contentKind: "service", text: content || null };
  if (content.trim() !== "") return { contentKind: "text", text: content };
  if (counts.stickers > 0) return { contentKind: "sticker", text: null };
  if (counts.attachments > 0 || counts.embeds > 0) return { contentKind: "media", text: null };
  return { contentKind: "text", text: null };
}
