import { createHmac } from "node:crypto";
import type { ChannelRef, MessageEvent, SourceRef, ThreadRef } from "../types";
import { isRecord, type WebhookParseResult } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { timingSafeEqualString } from "../common/timing-safe-equal";
import { zodReason } from "../common/zod-reason";
import { pachcaSource } from "./normalize";
import { messageWebhookSchema, webhookEnvelopeSchema } from "./schemas";

export const PACHCA_SIGNATURE_HEADER = "Pachca-Signature";
/** Pachca's docs: reject events whose webhook_timestamp is more than a minute from the receipt time. */
export const PACHCA_TOLERANCE_SECONDS = 60;

export type PachcaVerifyResult =
  | { ok: true; webhookTimestamp: number }
  | { ok: false; reason: "no_secret_configured" | "missing_signature" | "repeated_signature" | "malformed_signature" | "bad_signature" | "malformed_body" | "missing_timestamp" | "stale_timestamp" };

export interface PachcaVerifyInput {
  /** The body exactly as received. */
  rawBody: string;
  /** The `Pachca-Signature` header value(s). */
  signatureHeader: string | readonly string[] | null | undefined;
  secret: string | null | undefined;
  now: Date;
  toleranceSeconds?: number;
}

/**
 * `Pachca-Signature` = hex HMAC-SHA256(signing secret, raw body); there is no timestamp header, so the
 * replay window is checked on the body's `webhook_timestamp` (±60 s), and only after the signature has
 * proved the body genuine. The docs' example compares with `!==`; this compares in constant time.
 */
export function verifyPachcaWebhook(input: PachcaVerifyInput): PachcaVerifyResult {
  if (!input.secret) return { ok: false, reason: "no_secret_configured" };
  const h = input.signatureHeader;
  if (h === null || h === undefined || (typeof h !== "string" && h.length === 0)) return { ok: false, reason: "missing_signature" };
  if (typeof h !== "string" && h.length > 1) return { ok: false, reason: "repeated_signature" };
  const got = (typeof h === "string" ? h : (h[0] ?? "")).trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(got)) return { ok: false, reason: "malformed_signature" };
  const want = createHmac("sha256", input.secret).update(input.rawBody, "utf8").digest("hex");
  if (!timingSafeEqualString(got, want)) return { ok: false, reason: "bad_signature" };
  let body: unknown;
  try {
    body = JSON.parse(input.rawBody);
  } catch {
    return { ok: false, reason: "malformed_body" };
  }
  const ts = isRecord(body) ? body.webhook_timestamp : undefined;
  if (typeof ts !== "number" || !Number.isInteger(ts)) return { ok: false, reason: "missing_timestamp" };
  const tolerance = input.toleranceSeconds ?? PACHCA_TOLERANCE_SECONDS;
  if (Math.abs(input.now.getTime() / 1000 - ts) > tolerance) return { ok: false, reason: "stale_timestamp" };
  return { ok: true, webhookTimestamp: ts };
}

export interface PachcaWebhookOptions {
  source?: Partial<SourceRef>;
  /**
   * Kind of the chats already known, by chat id. A thread's parent chat could be a DM; without this a
   * thread is taken to be in a group chat (threads in DMs are rare and the DM's own messages, which
   * arrive first, already fix its channel kind in the store).
   */
  chatKinds?: ReadonlyMap<string, ChannelRef["kind"]>;
}

const NOT_RECORDED: Record<string, string> = {
  reaction: "reactions are not recorded",
  button: "button clicks are not recorded",
  view: "form submissions are not recorded",
  chat_member: "chat membership changes are not recorded",
  company_member: "workspace membership changes are not recorded",
  video_call: "video calls are not recorded",
  export: "export-ready callback: the archive is fetched by the CLI, not here",
};

/** One outgoing-webhook delivery. Total: never throws. */
export function parsePachcaWebhook(body: unknown, opts: PachcaWebhookOptions = {}): WebhookParseResult {
  if (!isRecord(body)) return { invalid: "body is not a JSON object" };
  const env = webhookEnvelopeSchema.safeParse(body);
  if (!env.success) return { invalid: zodReason(env.error) };
  const { type, event } = env.data;
  const reason = NOT_RECORDED[type];
  if (reason) return { ignored: reason };
  if (type !== "message") return { ignored: `event type ${type} is not recorded` };
  // link_shared arrives as type "message" too: it is the Unfurl bot's event, not a new message.
  if (event === "link_shared") return { ignored: "link_shared (unfurl) events are not messages" };
  const parsed = messageWebhookSchema.safeParse(body);
  if (!parsed.success) return { invalid: zodReason(parsed.error) };
  const m = parsed.data;
  const createdAt = parseIsoInstant(m.created_at, { requireOffset: true });
  if (!createdAt) return { invalid: "created_at: expected an ISO date-time with offset" };
  const changedAt = m.changed_at ? parseIsoInstant(m.changed_at, { requireOffset: true }) : null;
  if (m.changed_at && !changedAt) return { invalid: "changed_at: expected an ISO date-time with offset" };

  const notes: string[] = [];
  let channel: ChannelRef;
  let thread: ThreadRef | undefined;
  if (m.entity_type === "thread" && m.thread) {
    // A thread is a chat of its own; it is filed under the chat of the message it was opened on, named
    // by that message's id (the same in the export: thread.message_id).
    const parent = String(m.thread.message_chat_id);
    channel = { externalId: parent, kind: opts.chatKinds?.get(parent) ?? "group" };
    thread = { externalId: String(m.thread.message_id), kind: "thread" };
    if (!opts.chatKinds?.has(parent)) notes.push(`thread's parent chat ${parent} of unknown kind: taken as a group chat`);
  } else {
    if (m.entity_type === "thread") notes.push("entity_type thread without a thread object: the thread's chat is stored as a channel");
    channel = { externalId: String(m.chat_id), kind: m.entity_type === "user" ? "dm" : "group" };
  }
  const fileOnly = m.content === "";
  const deletedAt = new Date(m.webhook_timestamp * 1000);
  const event_: MessageEvent = {
    type: "message",
    action: m.event === "new" ? "create" : m.event === "update" ? "edit" : "delete",
    source: pachcaSource(opts.source),
    channel,
    ...(thread ? { thread } : {}),
    externalId: String(m.id),
    author: { externalId: String(m.user_id) },
    sentAt: createdAt,
    // `changed_at` equals `created_at` on an unedited message.
    ...(m.event === "update" ? { editedAt: changedAt ?? deletedAt } : changedAt && changedAt.getTime() !== createdAt.getTime() ? { editedAt: changedAt } : {}),
    // No deletion time in the payload: the webhook's send time is the closest.
    ...(m.event === "delete" ? { deletedAt } : {}),
    text: m.event === "delete" || fileOnly ? null : m.content,
    contentKind: fileOnly && m.event !== "delete" ? "media" : "text",
    ...(m.parent_message_id ? { replyTo: { externalId: String(m.parent_message_id) } } : {}),
    mentions: [],
  };
  return { eventKey: `message:${m.event}:${m.id}:${m.changed_at ?? m.webhook_timestamp}`, events: [event_], ...(notes.length ? { notes } : {}) };
}
