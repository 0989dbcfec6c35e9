import type { ChannelRef, IdentityRef, MessageEvent, SourceRef } from "../types";
import { isRecord, type WebhookParseResult } from "../common/import-result";
import { timingSafeEqualString } from "../common/timing-safe-equal";
import { zodReason } from "../common/zod-reason";
import { mattermostSource, serviceOf } from "./normalize";
import { outgoingWebhookSchema, postSchema, wsEventSchema, type MmPost } from "./schemas";

export interface MattermostWebhookOptions {
  source?: Partial<SourceRef>;
  /** Channel kinds already known (by channel id), for post_edited/post_deleted frames that do not say. */
  channelKinds?: ReadonlyMap<string, ChannelRef["kind"]>;
  /** Receipt time: the deletion time when a post_deleted frame carries neither delete_at nor update_at. */
  receivedAt?: Date;
}

type Body = { kind: "json"; value: unknown } | { kind: "form"; value: URLSearchParams };

function readBody(body: string, contentType: string | null | undefined): Body | { invalid: string } {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/x-www-form-urlencoded") return { kind: "form", value: new URLSearchParams(body) };
  if (type === "application/json" || type.endsWith("+json")) {
    try {
      return { kind: "json", value: JSON.parse(body) as unknown };
    } catch {
      return { invalid: "body is not valid JSON" };
    }
  }
  return { invalid: `unsupported content type "${type || "(none)"}"` };
}

export type MattermostTokenResult =
  | { ok: true }
  | { ok: false; reason: "no_token_configured" | "unsupported_body" | "missing_token" | "bad_token" };

/**
 * Outgoing webhooks carry the hook's `token` in the body, nothing else (no HMAC): compare it in
 * constant time with the configured tokens (one per hook). Relayed websocket events are signed like
 * the Discord relay instead: verify them with `verifyRelaySignature` (README.md).
 */
export function verifyMattermostToken(input: { rawBody: string; contentType: string | null | undefined; tokens: string | readonly string[] | undefined | null }): MattermostTokenResult {
  const tokens = (typeof input.tokens === "string" ? [input.tokens] : (input.tokens ?? [])).filter((t) => t.length > 0);
  if (tokens.length === 0) return { ok: false, reason: "no_token_configured" };
  const body = readBody(input.rawBody, input.contentType);
  if ("invalid" in body) return { ok: false, reason: "unsupported_body" };
  const token = body.kind === "form" ? body.value.get("token") : isRecord(body.value) ? body.value.token : undefined;
  if (typeof token !== "string" || token === "") return { ok: false, reason: "missing_token" };
  let ok = false;
  for (const t of tokens) if (timingSafeEqualString(token, t)) ok = true;
  return ok ? { ok: true } : { ok: false, reason: "bad_token" };
}

/** Epoch values above this are ms, below are seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const MS_THRESHOLD = 1e11;

/**
 * A Mattermost delivery: an outgoing webhook (JSON or form-encoded) or a relayed websocket event
 * (`posted`, `post_edited`, `post_deleted`, JSON). Total: never throws.
 */
export function parseMattermostWebhook(body: string, contentType: string | null | undefined, opts: MattermostWebhookOptions = {}): WebhookParseResult {
  const read = readBody(body, contentType);
  if ("invalid" in read) return read;
  const source = mattermostSource(opts.source);
  if (read.kind === "json" && isRecord(read.value) && "event" in read.value) return parseWsEvent(read.value, source, opts);

  let raw: Record<string, unknown>;
  if (read.kind === "form") {
    raw = Object.fromEntries(read.value.entries());
    // The form encoding writes the time as a decimal string of SECONDS (ToFormValues: Timestamp/1000).
    raw.timestamp = typeof raw.timestamp === "string" && /^\d{1,15}$/.test(raw.timestamp) ? Number(raw.timestamp) : raw.timestamp;
  } else if (isRecord(read.value)) raw = read.value;
  else return { invalid: "body is not a JSON object" };
  const hook = outgoingWebhookSchema.safeParse(raw);
  if (!hook.success) return { invalid: zodReason(hook.error) };
  const h = hook.data;
  // The encoding says the unit; the magnitude is checked too so that a proxy re-encoding the body
  // (form -> JSON) cannot shift every time by a factor of 1000.
  const millis = h.timestamp >= MS_THRESHOLD ? h.timestamp : h.timestamp * 1000;
  const notes: string[] = [];
  if ((read.kind === "form") !== (h.timestamp < MS_THRESHOLD)) notes.push(`timestamp ${h.timestamp} does not match the ${read.kind} encoding's unit; read by magnitude`);
  const files = typeof h.file_ids === "string" ? h.file_ids.split(",").filter(Boolean) : (h.file_ids ?? []);
  const event: MessageEvent = {
    type: "message",
    action: "create",
    source,
    // Outgoing webhooks fire in public channels only (FORMATS.md 4a).
    channel: { externalId: h.channel_id, kind: "channel", ...(h.channel_name ? { title: h.channel_name } : {}) },
    externalId: h.post_id,
    author: { externalId: h.user_id, ...(h.user_name ? { username: h.user_name, name: h.user_name } : {}) },
    sentAt: new Date(millis),
    text: h.text === "" && files.length > 0 ? null : h.text,
    contentKind: h.text === "" && files.length > 0 ? "media" : "text",
    mentions: [],
  };
  // No root_id in this payload: a thread reply arrives as a top-level post (FORMATS.md 4a; README.md).
  return { eventKey: `outgoing:${h.post_id}`, events: [event], ...(notes.length > 0 ? { notes } : {}) };
}

const KIND: Record<string, ChannelRef["kind"]> = { O: "channel", P: "channel", D: "dm", G: "dm" };

function parseWsEvent(value: Record<string, unknown>, source: SourceRef, opts: MattermostWebhookOptions): WebhookParseResult {
  const ev = wsEventSchema.safeParse(value);
  if (!ev.success) {
    return typeof value.event === "string" && !["posted", "post_edited", "post_deleted"].includes(value.event)
      ? { ignored: `websocket event ${value.event} is not recorded` }
      : { invalid: zodReason(ev.error) };
  }
  const { event, data } = ev.data;
  let rawPost: unknown = data.post;
  if (typeof rawPost === "string") {
    try {
      rawPost = JSON.parse(rawPost);
    } catch {
      return { invalid: "data.post: not valid JSON" };
    }
  }
  const parsed = postSchema.safeParse(rawPost);
  if (!parsed.success) return { invalid: zodReason(parsed.error, "data.post") };
  const p = parsed.data;
  const kind = data.channel_type ? KIND[data.channel_type] : opts.channelKinds?.get(p.channel_id);
  // Never guess a channel kind: a DM stored as a group would keep its text (privacy, METRICS.md).
  if (!kind) return { ignored: `${event} for channel ${p.channel_id} without channel_type: the relay must send it` };
  const action = event === "posted" ? "create" : event === "post_edited" ? "edit" : "delete";
  const base = postEvent(p, action, source, { externalId: p.channel_id, kind, ...(data.channel_display_name ? { title: data.channel_display_name } : {}) });
  if (action === "create") base.mentions = mentionIds(data.mentions);
  if (action === "edit") base.editedAt = new Date(p.edit_at || p.update_at || p.create_at);
  if (action === "delete") {
    const at = p.delete_at || p.update_at || opts.receivedAt?.getTime();
    if (!at) return { invalid: "post_deleted without delete_at, update_at or receipt time" };
    base.deletedAt = new Date(at);
  }
  return { eventKey: `${event}:${p.id}:${p.update_at ?? p.create_at}`, events: [base] };
}

function mentionIds(raw: string | undefined): IdentityRef[] {
  if (!raw) return [];
  try {
    const ids: unknown = JSON.parse(raw);
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === "string" && x !== "").map((externalId) => ({ externalId })) : [];
  } catch {
    return [];
  }
}

function postEvent(p: MmPost, action: MessageEvent["action"], source: SourceRef, channel: ChannelRef): MessageEvent {
  const fromBot = p.props?.from_bot === true || p.props?.from_bot === "true" || p.props?.from_webhook === true || p.props?.from_webhook === "true";
  const service = serviceOf(p.type, p.message);
  const media = !service && p.message === "" && (p.file_ids?.length ?? 0) > 0;
  const root = p.root_id ? p.root_id : undefined;
  return {
    type: "message",
    action,
    source,
    channel,
    // Flat threads (root_id): replies form a thread named by the root; the root stays in the channel.
    ...(root ? { thread: { externalId: root, kind: "thread" as const }, replyTo: { externalId: root } } : {}),
    externalId: p.id,
    author: { externalId: p.user_id, ...(p.props?.override_username ? { name: p.props.override_username } : {}), ...(fromBot ? { isBot: true } : {}) },
    sentAt: new Date(p.create_at),
    text: media ? null : p.message,
    contentKind: service ? "service" : media ? "media" : "text",
    mentions: [],
  };
}
