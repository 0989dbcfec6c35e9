import type { IdentityRef, IngestEvent, MessageEvent, SourceRef, ThreadRef } from "../types";
import { zodReason } from "../common/zod-reason";
import {
  ignoredUpdateKinds, mediaFields, messageUpdateKinds, serviceFields, tgDeletedBusinessMessagesSchema, tgMessageSchema,
  tgUpdateEnvelopeSchema, type MessageUpdateKind, type TgMessage, type TgQuotedMessage,
} from "./bot-api-schema";
import { channelRef, chatIdentity, mentionsFromEntities, userIdentity } from "./identity";

export interface TelegramUpdateOptions {
  /** The bot's id: the source's externalId (one bot = one connected Telegram source). */
  botId: string;
  /** When the webhook received the update. Needed because deletions carry no time of their own. */
  receivedAt: Date;
}

/**
 * `events`: normalised messages. `ignored`: a well-formed update that is not a message (reactions, member
 * changes, …); acknowledge it. `invalid`: a payload that is not a Telegram update; dead-letter it.
 * The function is total: it never throws, whatever the input.
 */
export type TelegramUpdateResult =
  | { eventKey: string; events: IngestEvent[] }
  | { eventKey?: string; ignored: string }
  | { invalid: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function parseTelegramUpdate(update: unknown, opts: TelegramUpdateOptions): TelegramUpdateResult {
  if (!isRecord(update)) return { invalid: "update is not a JSON object" };
  const envelope = tgUpdateEnvelopeSchema.safeParse(update);
  if (!envelope.success) return { invalid: zodReason(envelope.error) };
  const eventKey = String(envelope.data.update_id);
  const kinds = Object.keys(update).filter((k) => k !== "update_id");
  const [kind] = kinds;
  if (kind === undefined) return { invalid: "update carries no payload" };
  // Telegram sends exactly one payload per update; more is forged or garbled, not a choice to make.
  if (kinds.length > 1) return { invalid: `update carries more than one payload (${kinds.join(", ")})` };
  const source: SourceRef = { kind: "telegram", externalId: opts.botId };

  // Own keys only: `in` would also match "__proto__", "constructor", "toString" from the prototype.
  if (Object.hasOwn(messageUpdateKinds, kind)) {
    const parsed = tgMessageSchema.safeParse(update[kind]);
    if (!parsed.success) return { invalid: zodReason(parsed.error, kind) };
    return { eventKey, events: [normaliseMessage(parsed.data, messageUpdateKinds[kind as MessageUpdateKind], source)] };
  }
  if (kind === "deleted_business_messages") {
    const parsed = tgDeletedBusinessMessagesSchema.safeParse(update[kind]);
    if (!parsed.success) return { invalid: zodReason(parsed.error, kind) };
    const { chat, message_ids } = parsed.data;
    // No author and no time: the chat's counterpart stands in as author (the store resolves the author but
    // only sets deleted_at on a known message) and the receipt time is the deletion time.
    const events: IngestEvent[] = [...new Set(message_ids)].map((id) => ({
      type: "message",
      action: "delete",
      source,
      channel: channelRef(chat),
      externalId: String(id),
      author: chatIdentity(chat),
      sentAt: opts.receivedAt,
      deletedAt: opts.receivedAt,
    }));
    return { eventKey, events };
  }
  if ((ignoredUpdateKinds as readonly string[]).includes(kind)) return { eventKey, ignored: `update type ${kind} is not a message` };
  return { eventKey, ignored: `unknown update type ${kind}` };
}

/**
 * Who wrote it. `sender_chat` wins over `from`: for anonymous admins and channel posts Telegram fills
 * `from` with a placeholder (@GroupAnonymousBot, 777000). A business bot replying on the owner's behalf is
 * the author, so its auto-replies count as bot messages rather than the owner's answers.
 */
function authorOf(m: TgMessage | TgQuotedMessage): IdentityRef {
  if (m.sender_business_bot) return userIdentity(m.sender_business_bot);
  if (m.sender_chat) return chatIdentity(m.sender_chat);
  if (m.from) return userIdentity(m.from);
  return chatIdentity(m.chat);
}

/**
 * Only forum topics are threads. A reply chain in an ordinary group (which also carries a
 * message_thread_id) stays in the main timeline, linked by `replyTo`: its root was sent before anyone knew
 * it would get replies, so making the chain a scope would split a question from its answer.
 */
function threadOf(m: TgMessage): ThreadRef | undefined {
  if (m.is_topic_message !== true || m.message_thread_id === undefined) return undefined;
  // Only the creation and a rename tell the topic's current title. The quoted root's forum_topic_created
  // holds the name at creation, which would overwrite a later rename in the store, so it is not used.
  const title = m.forum_topic_edited?.name ?? m.forum_topic_created?.name;
  return { externalId: String(m.message_thread_id), kind: "forum_topic", ...(title ? { title } : {}) };
}

/** A reply to the topic's creation message is just "posted in the topic", not a reply to a person. */
function replyOf(m: TgMessage, thread: ThreadRef | undefined): MessageEvent["replyTo"] {
  const r = m.reply_to_message;
  if (!r) return undefined;
  if (r.forum_topic_created) return undefined;
  if (thread && r.message_id === m.message_thread_id) return undefined;
  return { externalId: String(r.message_id), author: authorOf(r) };
}

function contentOf(m: TgMessage): { contentKind: NonNullable<MessageEvent["contentKind"]>; text: string | null } {
  const has = (k: string) => (m as Record<string, unknown>)[k] !== undefined;
  if (serviceFields.some(has)) return { contentKind: "service", text: null };
  if (has("sticker")) return { contentKind: "sticker", text: null };
  if (mediaFields.some(has)) return { contentKind: "media", text: m.caption ?? null };
  if (m.text !== undefined) return { contentKind: "text", text: m.text };
  // A content type newer than this adapter: the person still sent something, so it is not 'service'.
  return { contentKind: "media", text: m.caption ?? null };
}

function normaliseMessage(m: TgMessage, action: "create" | "edit", source: SourceRef): IngestEvent {
  const thread = threadOf(m);
  const replyTo = replyOf(m, thread);
  const { contentKind, text } = contentOf(m);
  const entities = m.text !== undefined ? m.entities : m.caption_entities;
  const mentions = text ? mentionsFromEntities(text, entities) : [];
  const event: MessageEvent = {
    type: "message",
    action,
    source,
    channel: channelRef(m.chat),
    externalId: String(m.message_id),
    author: authorOf(m),
    sentAt: new Date(m.date * 1000),
    text,
    contentKind,
    mentions,
    ...(thread ? { thread } : {}),
    ...(replyTo ? { replyTo } : {}),
    ...(m.edit_date !== undefined ? { editedAt: new Date(m.edit_date * 1000) } : {}),
  };
  return event;
}
