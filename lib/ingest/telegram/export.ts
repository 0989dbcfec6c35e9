import type { IdentityRef, IngestEvent, MessageEvent, SourceRef } from "../types";
import { zodReason } from "../common/zod-reason";
import { tgxAccountSchema, tgxChatSchema, tgxMediaFields, tgxMessageSchema, type TgxChat, type TgxMessage } from "./export-schema";
import { exportAuthor, exportChatRef, exportMentions, exportPeerId, exportText } from "./export-ids";
import { assertValidZone, exportInstant, TelegramExportTimezoneError } from "./export-time";
import { indexTopics } from "./export-topics";

export { TelegramExportTimezoneError } from "./export-time";

export interface TelegramExportOptions {
  /** IANA zone of the computer that made an OLD export (no date_unixtime). Ignored when date_unixtime exists. */
  tz?: string;
  /** The source the chats belong to; pass the bot id to merge an export with the same chats followed live. */
  sourceExternalId?: string;
}

export interface TelegramExportResult {
  events: IngestEvent[];
  /** Messages that could not be imported, each with why; the others were. `ref` = "<chat>#<message id>". */
  rejected: Array<{ ref: string; reason: string }>;
  /** Chats imported. */
  chats: number;
  /** Whole chats skipped or imported with a caveat (saved messages, unknown chat type). */
  warnings: string[];
}

export const DEFAULT_TELEGRAM_EXPORT_SOURCE = "telegram-desktop-export";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Telegram Desktop export → events. Accepts a single-chat export `{name, type, id, messages}` or a
 * full-account `result.json` (chats.list + left_chats.list), new or old layout. Throws only when the file
 * as a whole is unusable (not an export; old layout without --tz; a bad --tz).
 */
export function parseTelegramExport(json: unknown, opts: TelegramExportOptions = {}): TelegramExportResult {
  if (opts.tz !== undefined) assertValidZone(opts.tz);
  const rawChats = chatsOf(json);
  const source: SourceRef = { kind: "telegram", externalId: opts.sourceExternalId ?? DEFAULT_TELEGRAM_EXPORT_SOURCE };
  const result: TelegramExportResult = { events: [], rejected: [], chats: 0, warnings: [] };

  const chats: TgxChat[] = [];
  rawChats.forEach((raw, i) => {
    const parsed = tgxChatSchema.safeParse(raw);
    if (parsed.success) chats.push(parsed.data);
    else result.rejected.push({ ref: `chat #${i}`, reason: zodReason(parsed.error) });
  });
  // Checked before any work: an old export must not be half-imported in a guessed zone. A chat is old-layout
  // when none of its dated messages has date_unixtime; in a new-layout chat a stray message without it is
  // rejected alone rather than blocking the file.
  if (opts.tz === undefined) {
    const old = chats.find((c) => {
      const dated = c.messages.filter((m): m is Record<string, unknown> => isRecord(m) && typeof m.date === "string");
      return dated.length > 0 && dated.every((m) => m.date_unixtime === undefined);
    });
    if (old) throw new TelegramExportTimezoneError(old.name ?? String(old.id));
  }
  for (const chat of chats) {
    const label = chat.name ?? String(chat.id);
    if (chat.type === "saved_messages") {
      result.warnings.push(`skipped "${label}": saved messages are the account's own notes, not a conversation`);
      continue;
    }
    importChat(chat, label, source, opts.tz, result);
    result.chats++;
  }
  return result;
}

function chatsOf(json: unknown): unknown[] {
  if (isRecord(json) && Array.isArray(json.messages)) return [json];
  const account = tgxAccountSchema.safeParse(json);
  if (account.success) return [...account.data.chats.list, ...(account.data.left_chats?.list ?? [])];
  throw new Error("not a Telegram Desktop export: expected {name, type, id, messages[]} or a result.json with chats.list");
}

function importChat(chat: TgxChat, label: string, source: SourceRef, tz: string | undefined, result: TelegramExportResult): void {
  const { ref: channelBase, known } = exportChatRef(chat.type, chat.id, chat.name);
  if (!known) result.warnings.push(`chat "${label}" has unknown type "${chat.type}": imported as a group with its bare id`);

  const messages: TgxMessage[] = [];
  chat.messages.forEach((raw, i) => {
    const rawId = isRecord(raw) ? raw.id : undefined;
    const ref = `${label}#${typeof rawId === "number" || typeof rawId === "string" ? rawId : `index ${i}`}`;
    const parsed = tgxMessageSchema.safeParse(raw);
    if (!parsed.success) result.rejected.push({ ref, reason: zodReason(parsed.error) });
    else if (parsed.data.type === "unsupported") result.rejected.push({ ref, reason: "unsupported message: the exporter could not read it" });
    else if (parsed.data.type !== "message" && parsed.data.type !== "service") result.rejected.push({ ref, reason: `unknown message type "${parsed.data.type}"` });
    else messages.push(parsed.data);
  });

  const topics = indexTopics(messages);
  // The export has no forum flag; a chat with topic roots is a forum (its General topic is the main timeline).
  const channel = topics.titles.size > 0 && channelBase.kind === "group" ? { ...channelBase, kind: "forum" as const } : channelBase;
  // A bot chat's id is the bot's user id, the one place an export tells a bot apart.
  const botPeer = chat.type === "bot_chat" ? String(chat.id) : undefined;

  const authorOf = (m: TgxMessage): IdentityRef | string => {
    const rawId = m.type === "service" ? (m.actor_id ?? m.from_id) : m.from_id;
    const name = m.type === "service" ? (m.actor ?? m.from) : m.from;
    // A service message without an actor (e.g. a migration) is the chat's own doing.
    if (rawId === undefined) return m.type === "service" ? { externalId: channel.externalId, ...(channel.title ? { name: channel.title } : {}) } : "message without from_id";
    const peer = exportPeerId(rawId);
    if (!peer) return `unrecognised author id "${rawId}"`;
    return exportAuthor(peer, name, peer === botPeer);
  };
  // Authors first: a reply names the author of its parent when the parent is in the export.
  const authors = new Map<number, IdentityRef>();
  const authorErrors = new Map<number, string>();
  for (const m of messages) {
    const a = authorOf(m);
    if (typeof a === "string") authorErrors.set(m.id, a);
    else authors.set(m.id, a);
  }

  for (const m of messages) {
    const ref = `${label}#${m.id}`;
    const author = authors.get(m.id);
    if (!author) {
      result.rejected.push({ ref, reason: authorErrors.get(m.id) ?? "no author" });
      continue;
    }
    const sentAt = exportInstant(m.date_unixtime, m.date, tz);
    if (!sentAt) {
      const reason = m.date_unixtime === undefined && tz === undefined ? "no date_unixtime, and no --tz to read the local date" : "bad date";
      result.rejected.push({ ref, reason: `${reason}: date_unixtime=${m.date_unixtime ?? "-"} date=${m.date}` });
      continue;
    }
    const editedAt = m.edited_unixtime !== undefined || m.edited !== undefined ? exportInstant(m.edited_unixtime, m.edited, tz) : null;
    const thread = topics.threadOf(m.id);
    const replyTo = replyOf(m, topics.isTopicRoot, authors);
    const { contentKind, text } = contentOf(m);
    const event: MessageEvent = {
      type: "message",
      action: "create",
      source,
      channel,
      externalId: String(m.id),
      author,
      sentAt,
      text,
      contentKind,
      mentions: text ? exportMentions(m) : [],
      ...(thread ? { thread } : {}),
      ...(replyTo ? { replyTo } : {}),
      ...(editedAt ? { editedAt } : {}),
    };
    result.events.push(event);
  }
}

/**
 * A reply to a message in the same export carries that message's author; a reply to one outside the
 * excerpt carries only the id (it addresses nobody known). A reply to a topic root is not a reply to a
 * person, and a cross-chat reply (`reply_to_peer_id`) points into another chat, so both are dropped.
 */
function replyOf(m: TgxMessage, isTopicRoot: (id: number) => boolean, authors: Map<number, IdentityRef>): MessageEvent["replyTo"] {
  const id = m.reply_to_message_id;
  if (id === undefined || m.reply_to_peer_id !== undefined || isTopicRoot(id)) return undefined;
  const author = authors.get(id);
  return { externalId: String(id), ...(author ? { author } : {}) };
}

function contentOf(m: TgxMessage): { contentKind: NonNullable<MessageEvent["contentKind"]>; text: string | null } {
  if (m.type === "service") return { contentKind: "service", text: null };
  const text = exportText(m);
  if (m.media_type === "sticker") return { contentKind: "sticker", text: null };
  const record = m as Record<string, unknown>;
  if (m.media_type !== undefined || tgxMediaFields.some((k) => record[k] !== undefined)) return { contentKind: "media", text: text === "" ? null : text };
  return { contentKind: "text", text };
}
