import type { ChannelRef, IngestEvent, SourceRef } from "../types";
import { zodReason } from "../common/zod-reason";
import { normaliseSlackMessage, slackAuthor, slackThread } from "./message";
import {
  slackEventCallbackSchema, slackMessageEventSchema, slackMessageSchema, slackUrlVerificationSchema, type SlackChannelType,
} from "./schema";
import { slackTsToDate } from "./ts";

/**
 * `url_verification`: answer with the challenge. `events`: store them, dedupe on `eventKey` (event_id;
 * Slack retries carry the same one). `ignored`: a well-formed callback we do not track; acknowledge it.
 * `invalid`: not a Slack payload we understand; dead-letter it. Total: never throws.
 */
export type SlackEventResult =
  | { kind: "url_verification"; challenge: string }
  | { kind: "events"; eventKey: string; events: IngestEvent[] }
  | { kind: "ignored"; reason: string; eventKey?: string }
  | { kind: "invalid"; reason: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Conversation kinds. A group DM (mpim) is a DM: it is personal, so its text is never stored, and a staff
 * member's first message there answers like in a 1:1 DM. Public and private channels are group chats.
 * Without channel_type (some older payloads) the id prefix tells: D… is a DM.
 */
export function slackChannelKind(type: SlackChannelType | undefined, channelId: string): ChannelRef["kind"] {
  if (type === "im" || type === "mpim") return "dm";
  if (type === undefined && channelId.startsWith("D")) return "dm";
  return "group";
}

export function parseSlackEvent(body: unknown): SlackEventResult {
  if (!isRecord(body)) return { kind: "invalid", reason: "body is not a JSON object" };
  if (body.type === "url_verification") {
    const v = slackUrlVerificationSchema.safeParse(body);
    return v.success ? { kind: "url_verification", challenge: v.data.challenge } : { kind: "invalid", reason: zodReason(v.error) };
  }
  if (body.type === "app_rate_limited") return { kind: "ignored", reason: "app_rate_limited: Slack paused deliveries" };
  if (body.type !== "event_callback") {
    return typeof body.type === "string" ? { kind: "ignored", reason: `unknown envelope type ${body.type}` } : { kind: "invalid", reason: "envelope has no type" };
  }
  const env = slackEventCallbackSchema.safeParse(body);
  if (!env.success) return { kind: "invalid", reason: zodReason(env.error) };
  const eventKey = env.data.event_id;
  const ev = env.data.event;
  // app_mention duplicates the message event of the same post; reactions and the rest are not messages.
  if (ev.type !== "message") return { kind: "ignored", reason: `event type ${ev.type} is not a message`, eventKey };
  const parsed = slackMessageEventSchema.safeParse(ev);
  if (!parsed.success) return { kind: "invalid", reason: zodReason(parsed.error, "event") };
  const e = parsed.data;
  if (e.channel_type === "app_home") return { kind: "ignored", reason: "app_home messages are not a support conversation", eventKey };

  const source: SourceRef = { kind: "slack", externalId: env.data.team_id };
  const channel: ChannelRef = { externalId: e.channel, kind: slackChannelKind(e.channel_type, e.channel) };
  const ok = (events: IngestEvent[]): SlackEventResult => ({ kind: "events", eventKey, events });

  if (e.subtype === "message_deleted") {
    const prev = slackMessageSchema.safeParse(e.previous_message);
    const deletedTs = e.deleted_ts ?? (prev.success ? prev.data.ts : undefined);
    if (!deletedTs) return { kind: "invalid", reason: "message_deleted without deleted_ts" };
    const author = prev.success ? slackAuthor(prev.data, undefined) : null;
    // The store needs an author to resolve; only previous_message tells who wrote the deleted message.
    if (!author) return { kind: "invalid", reason: "message_deleted without a previous_message author" };
    const thread = prev.success ? slackThread(prev.data) : undefined;
    return ok([{
      type: "message", action: "delete", source, channel, externalId: deletedTs, author,
      sentAt: slackTsToDate(deletedTs) ?? new Date(0), deletedAt: slackTsToDate(e.ts) ?? undefined, ...(thread ? { thread } : {}),
    }]);
  }

  if (e.subtype === "message_changed") {
    const inner = slackMessageSchema.safeParse(e.message);
    if (!inner.success) return { kind: "invalid", reason: zodReason(inner.error, "event.message") };
    const m = inner.data;
    if (m.subtype === "tombstone") {
      // A thread parent deleted after it got replies arrives as a change into a tombstone.
      const authorId = m.parent_user_id ?? m.user;
      if (!authorId) return { kind: "invalid", reason: "tombstone names no author" };
      const thread = slackThread(m);
      return ok([{
        type: "message", action: "delete", source, channel, externalId: m.ts, author: { externalId: authorId },
        sentAt: slackTsToDate(m.ts) ?? new Date(0), deletedAt: slackTsToDate(e.ts) ?? undefined, ...(thread ? { thread } : {}),
      }]);
    }
    // Unfurls and reply counters also arrive as message_changed; only `edited` marks a person's edit.
    if (!m.edited) return { kind: "ignored", reason: "message_changed without an edit (unfurl or thread metadata)", eventKey };
    const n = normaliseSlackMessage(m, "edit", { source, channel });
    if ("invalid" in n) return { kind: "invalid", reason: n.invalid };
    if ("skip" in n) return { kind: "ignored", reason: n.skip, eventKey };
    return ok([n.event]);
  }

  const msg = slackMessageSchema.safeParse(ev);
  if (!msg.success) return { kind: "invalid", reason: zodReason(msg.error, "event") };
  const n = normaliseSlackMessage(msg.data, "create", { source, channel });
  if ("invalid" in n) return { kind: "invalid", reason: n.invalid };
  if ("skip" in n) return { kind: "ignored", reason: n.skip, eventKey };
  return ok([n.event]);
}
