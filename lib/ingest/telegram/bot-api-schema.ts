import { z } from "zod";
import { MAX_EPOCH_SECONDS } from "../common/epoch-time";

/**
 * The slice of the Telegram Bot API that SLA needs (FORMATS.md §1a). Objects are loose: Telegram adds
 * fields every release and an unknown field must never reject an update. Fields we read are typed
 * strictly, so a wrong type is a bad payload. `.int()` also rejects integers beyond 2^53, which no real
 * id reaches (Telegram ids fit in 52 bits) and which would silently lose digits as JS numbers.
 */
const tgId = z.number().int();
const unixSeconds = z.number().int().min(0).max(MAX_EPOCH_SECONDS);

export const tgUserSchema = z.looseObject({
  id: tgId,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
export type TgUser = z.infer<typeof tgUserSchema>;

export const tgChatSchema = z.looseObject({
  id: tgId,
  type: z.enum(["private", "group", "supergroup", "channel"]),
  title: z.string().optional(),
  username: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  is_forum: z.boolean().optional(),
});
export type TgChat = z.infer<typeof tgChatSchema>;

export const tgEntitySchema = z.looseObject({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  user: tgUserSchema.optional(),
});
export type TgEntity = z.infer<typeof tgEntitySchema>;

const messageFields = {
  message_id: tgId,
  date: unixSeconds,
  chat: tgChatSchema,
  from: tgUserSchema.optional(),
  sender_chat: tgChatSchema.optional(),
  sender_business_bot: tgUserSchema.optional(),
  business_connection_id: z.string().optional(),
  edit_date: unixSeconds.optional(),
  message_thread_id: tgId.optional(),
  is_topic_message: z.boolean().optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(tgEntitySchema).optional(),
  caption_entities: z.array(tgEntitySchema).optional(),
  forum_topic_created: z.looseObject({ name: z.string() }).optional(),
  forum_topic_edited: z.looseObject({ name: z.string().optional() }).optional(),
};

/** A message as quoted inside another one (`reply_to_message` is one level deep). */
export const tgQuotedMessageSchema = z.looseObject(messageFields);
export type TgQuotedMessage = z.infer<typeof tgQuotedMessageSchema>;

export const tgMessageSchema = z.looseObject({ ...messageFields, reply_to_message: tgQuotedMessageSchema.optional() });
export type TgMessage = z.infer<typeof tgMessageSchema>;

export const tgDeletedBusinessMessagesSchema = z.looseObject({
  business_connection_id: z.string(),
  chat: tgChatSchema,
  message_ids: z.array(tgId).min(1),
});

export const tgUpdateEnvelopeSchema = z.looseObject({ update_id: z.number().int().min(0) });

/** Update kinds that carry a Message we normalise, with the action each one means. */
export const messageUpdateKinds = {
  message: "create",
  channel_post: "create",
  business_message: "create",
  edited_message: "edit",
  edited_channel_post: "edit",
  edited_business_message: "edit",
} as const;
export type MessageUpdateKind = keyof typeof messageUpdateKinds;

/** Known update kinds we deliberately do not turn into messages; the route acknowledges them. */
export const ignoredUpdateKinds = [
  "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
  "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
  "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost", "business_connection",
] as const;

/** Service-message markers: their presence makes a message 'service' (joins, pins, topic lifecycle). */
export const serviceFields = [
  "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
  "general_forum_topic_hidden", "general_forum_topic_unhidden", "new_chat_members", "left_chat_member",
  "new_chat_title", "new_chat_photo", "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
  "channel_chat_created", "message_auto_delete_timer_changed", "migrate_to_chat_id", "migrate_from_chat_id",
  "pinned_message", "users_shared", "chat_shared", "write_access_allowed", "proximity_alert_triggered",
  "boost_added", "chat_background_set", "video_chat_scheduled", "video_chat_started", "video_chat_ended",
  "video_chat_participants_invited", "giveaway_created", "giveaway_completed", "connected_website",
] as const;

/** Non-text content. A caption, if any, is the message text. */
export const mediaFields = [
  "photo", "video", "voice", "video_note", "audio", "document", "animation", "poll", "location", "venue",
  "contact", "dice", "game", "story", "invoice", "giveaway", "paid_media", "checklist",
] as const;
