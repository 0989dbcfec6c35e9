import type { IngestEvent, MessageEvent, SourceRef } from "../types";
import { isRecord, type WebhookParseResult } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { RELAY_SIGNATURE_HEADER, RELAY_TIMESTAMP_HEADER, verifyRelaySignature, type RelayVerifyInput, type RelayVerifyResult } from "../common/relay-signature";
import { zodReason } from "../common/zod-reason";
import { contentOf, discordSource, gatewayIdentity, gatewayPlace, THREAD_TYPES } from "./normalize";
import {
  gwChannelSchema, gwDispatchSchema, gwMessageDeleteBulkSchema, gwMessageDeleteSchema, gwMessageSchema, gwMessageUpdateSchema,
  relayEnvelopeSchema, type GwChannel, type GwMessage, type GwUser,
} from "./schemas";

export { RELAY_SIGNATURE_HEADER as DISCORD_RELAY_SIGNATURE_HEADER, RELAY_TIMESTAMP_HEADER as DISCORD_RELAY_TIMESTAMP_HEADER };

/** The relay's HMAC (README.md): `X-SQD-Signature: sha256=<hex>` over `<X-SQD-Timestamp>.<raw body>`, 5 minutes. */
export function verifyDiscordRelay(input: RelayVerifyInput): RelayVerifyResult {
  return verifyRelaySignature(input);
}

export interface DiscordRelayOptions {
  source?: Partial<SourceRef>;
  /** Channels the caller already knows (from earlier THREAD_CREATE deliveries), by id. */
  channels?: ReadonlyMap<string, GwChannel>;
  /** Receipt time, used for deletions when the envelope has no `relayedAt` (a bare dispatch frame). */
  receivedAt?: Date;
}

/** A thread announced by THREAD_CREATE: the caller keeps it so later messages in it find their parent. */
export interface DiscordThreadInfo {
  threadId: string;
  parentId: string;
  name?: string;
  type: number;
}

export type DiscordRelayResult = WebhookParseResult & {
  threads?: DiscordThreadInfo[];
  /** Deletions whose author the relay did not remember: MessageEvent needs an author, so they cannot be events. */
  unattributedDeletes?: Array<{ messageId: string; channelId: string; deletedAt: Date }>;
};

const HANDLED = new Set(["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK", "THREAD_CREATE"]);

/**
 * One relayed gateway dispatch (an envelope from relay.example.mjs, or a bare `{op:0,t,s,d}` frame) to
 * events. Total: never throws. `eventKey` is `<t>:<id>` so a retried delivery can be recognised.
 */
export function parseDiscordRelay(body: unknown, opts: DiscordRelayOptions = {}): DiscordRelayResult {
  if (!isRecord(body)) return { invalid: "body is not a JSON object" };
  let frame: { t: string; d: unknown };
  let relayedAt: Date | undefined = opts.receivedAt;
  let channel: GwChannel | undefined;
  let parent: GwChannel | undefined;
  let rememberedAuthor: GwUser | undefined;
  if ("payload" in body || "v" in body) {
    const env = relayEnvelopeSchema.safeParse(body);
    if (!env.success) return { invalid: zodReason(env.error, "envelope") };
    const at = parseIsoInstant(env.data.relayedAt, { requireOffset: true });
    if (!at) return { invalid: "envelope.relayedAt: expected an ISO date-time with offset" };
    relayedAt = at;
    frame = env.data.payload;
    channel = env.data.channel ?? undefined;
    parent = env.data.parent ?? undefined;
    rememberedAuthor = env.data.messageAuthor ?? undefined;
  } else {
    const f = gwDispatchSchema.safeParse(body);
    if (!f.success) return { invalid: zodReason(f.error) };
    frame = f.data;
  }
  if (!HANDLED.has(frame.t)) return { ignored: `gateway event ${frame.t} is not recorded` };
  const source = discordSource(opts.source);
  const lookup = (id: string): GwChannel | undefined => (channel?.id === id ? channel : opts.channels?.get(id));
  const parentOf = (c: GwChannel | undefined): GwChannel | undefined =>
    c?.parent_id ? (parent?.id === c.parent_id ? parent : opts.channels?.get(c.parent_id)) : undefined;

  switch (frame.t) {
    case "MESSAGE_CREATE": {
      const m = gwMessageSchema.safeParse(frame.d);
      if (!m.success) return { invalid: zodReason(m.error, "d") };
      const built = messageEvent(m.data, "create", source, lookup, parentOf);
      if ("invalid" in built) return built;
      return { eventKey: `MESSAGE_CREATE:${m.data.id}`, events: [built.event], ...(built.note ? { notes: [built.note] } : {}) };
    }
    case "MESSAGE_UPDATE": {
      const u = gwMessageUpdateSchema.safeParse(frame.d);
      if (!u.success) return { invalid: zodReason(u.error, "d") };
      // Only an author's edit has edited_timestamp; embed unfurls and pin changes also send MESSAGE_UPDATE.
      if (!u.data.edited_timestamp) return { ignored: "MESSAGE_UPDATE without edited_timestamp (embed or flag change, not an edit)" };
      const full = gwMessageSchema.safeParse(frame.d);
      if (!full.success) return { ignored: "partial MESSAGE_UPDATE without author or content: nothing to record" };
      const built = messageEvent(full.data, "edit", source, lookup, parentOf);
      if ("invalid" in built) return built;
      return { eventKey: `MESSAGE_UPDATE:${full.data.id}:${full.data.edited_timestamp}`, events: [built.event] };
    }
    case "MESSAGE_DELETE":
    case "MESSAGE_DELETE_BULK": {
      const one = frame.t === "MESSAGE_DELETE" ? gwMessageDeleteSchema.safeParse(frame.d) : null;
      const bulk = frame.t === "MESSAGE_DELETE_BULK" ? gwMessageDeleteBulkSchema.safeParse(frame.d) : null;
      const parsed = one ?? bulk;
      if (!parsed?.success) return { invalid: parsed ? zodReason(parsed.error, "d") : "no payload" };
      // Discord sends no deletion time: the relay's send time (signed) is the best we have.
      if (!relayedAt) return { invalid: "deletion without relayedAt or receipt time" };
      const d = parsed.data;
      const ids = "ids" in d ? (d.ids as string[]) : [d.id as string];
      const channelId = d.channel_id as string;
      const guildId = d.guild_id as string | undefined;
      if (!rememberedAuthor || ids.length > 1) {
        return {
          eventKey: `${frame.t}:${ids.join(",")}`,
          events: [],
          unattributedDeletes: ids.map((messageId) => ({ messageId, channelId, deletedAt: relayedAt })),
          notes: ["deletion without a remembered author: returned in unattributedDeletes"],
        };
      }
      const place = gatewayPlace(channelId, guildId, lookup(channelId), parentOf(lookup(channelId)));
      const event: MessageEvent = {
        type: "message", action: "delete", source, channel: place.channel, ...(place.thread ? { thread: place.thread } : {}),
        externalId: ids[0] ?? "", author: gatewayIdentity(rememberedAuthor), sentAt: relayedAt, deletedAt: relayedAt,
      };
      return { eventKey: `${frame.t}:${ids.join(",")}`, events: [event] };
    }
    default: {
      const c = gwChannelSchema.safeParse(frame.d);
      if (!c.success) return { invalid: zodReason(c.error, "d") };
      if (!THREAD_TYPES.has(c.data.type) || !c.data.parent_id) return { ignored: `THREAD_CREATE for channel type ${c.data.type} without a parent` };
      const thread: DiscordThreadInfo = { threadId: c.data.id, parentId: c.data.parent_id, type: c.data.type, ...(c.data.name ? { name: c.data.name } : {}) };
      // No message yet: the thread's first message (or its starter) arrives as MESSAGE_CREATE.
      return { eventKey: `THREAD_CREATE:${c.data.id}`, events: [], threads: [thread] };
    }
  }
}

type Lookup = (id: string) => GwChannel | undefined;

function messageEvent(
  m: GwMessage,
  action: "create" | "edit",
  source: SourceRef,
  lookup: Lookup,
  parentOf: (c: GwChannel | undefined) => GwChannel | undefined,
): { event: IngestEvent; note?: string } | { invalid: string } {
  const sentAt = parseIsoInstant(m.timestamp, { requireOffset: true });
  if (!sentAt) return { invalid: "d.timestamp: expected an ISO date-time with offset" };
  const editedAt = m.edited_timestamp ? parseIsoInstant(m.edited_timestamp, { requireOffset: true }) : null;
  if (m.edited_timestamp && !editedAt) return { invalid: "d.edited_timestamp: expected an ISO date-time with offset" };
  const info = lookup(m.channel_id);
  const place = gatewayPlace(m.channel_id, m.guild_id, info, parentOf(info));
  const content = contentOf(m.type, m.content, { stickers: m.sticker_items?.length ?? 0, attachments: m.attachments.length, embeds: m.embeds.length });
  const ref = m.message_reference;
  // A reply is a DEFAULT/REPLY message referencing another; forwards (type 1), pins, thread starters and
  // crossposts also carry a reference and are not replies to a person.
  const isReply = !!ref?.message_id && (ref.type ?? 0) === 0 && (m.type === 0 || m.type === 19);
  const event: MessageEvent = {
    type: "message",
    action,
    source,
    channel: place.channel,
    ...(place.thread ? { thread: place.thread } : {}),
    externalId: m.id,
    author: gatewayIdentity(m.author, m.member?.nick, !!m.webhook_id),
    sentAt,
    ...(editedAt ? { editedAt } : {}),
    text: content.text,
    contentKind: content.contentKind,
    ...(isReply && ref?.message_id
      ? { replyTo: { externalId: ref.message_id, ...(m.referenced_message ? { author: gatewayIdentity(m.referenced_message.author) } : {}) } }
      : {}),
    mentions: m.mentions.map((u) => gatewayIdentity(u)),
  };
  return place.guess ? { event, note: place.guess } : { event };
}
