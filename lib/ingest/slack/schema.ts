import { z } from "zod";
import { slackIdSchema, slackTsSchema } from "./ts";

/**
 * Slack message objects, as the Events API and workspace exports both write them (FORMATS.md §2).
 * Loose objects: Slack adds fields freely. Fields we read are typed; a wrong type is a bad payload.
 */
export const slackMessageSchema = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: slackIdSchema.optional(),
  bot_id: slackIdSchema.optional(),
  username: z.string().optional(),
  text: z.string().nullable().optional(),
  ts: slackTsSchema,
  thread_ts: slackTsSchema.optional(),
  parent_user_id: slackIdSchema.optional(),
  edited: z.looseObject({ user: z.string().optional(), ts: slackTsSchema }).optional(),
  files: z.array(z.unknown()).optional(),
  bot_profile: z.looseObject({ name: z.string().optional() }).nullable().optional(),
  user_profile: z
    .looseObject({ name: z.string().optional(), real_name: z.string().optional(), display_name: z.string().optional() })
    .nullable()
    .optional(),
  latest_reply: slackTsSchema.optional(),
  replies: z.array(z.looseObject({ ts: slackTsSchema })).optional(),
  team: z.string().optional(),
});
export type SlackMessage = z.infer<typeof slackMessageSchema>;

export const slackChannelTypeSchema = z.enum(["channel", "group", "im", "mpim", "app_home"]);
export type SlackChannelType = z.infer<typeof slackChannelTypeSchema>;

/** The `event` of an event_callback whose type is "message". */
export const slackMessageEventSchema = z.looseObject({
  type: z.literal("message"),
  subtype: z.string().optional(),
  channel: slackIdSchema,
  channel_type: slackChannelTypeSchema.optional(),
  ts: slackTsSchema,
  event_ts: slackTsSchema.optional(),
  message: z.unknown().optional(),
  previous_message: z.unknown().optional(),
  deleted_ts: slackTsSchema.optional(),
});

export const slackUrlVerificationSchema = z.looseObject({ type: z.literal("url_verification"), challenge: z.string().min(1).max(1000) });

export const slackEventCallbackSchema = z.looseObject({
  type: z.literal("event_callback"),
  team_id: slackIdSchema,
  event_id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, "not a Slack event id"),
  event_time: z.number().int().min(0).optional(),
  event: z.looseObject({ type: z.string().min(1) }),
});

/** Subtypes that are about the conversation, not a person speaking: never need an answer. */
export const serviceSubtypes = new Set([
  "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name", "channel_archive",
  "channel_unarchive", "channel_posting_permissions", "channel_convert_to_private", "channel_convert_to_public",
  "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive", "group_unarchive",
  "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable", "bot_disable", "reminder_add",
  "sh_room_created", "huddle_thread", "channel_canvas_updated", "joiner_notification", "assistant_app_thread",
]);

/** Subtypes that are a person (or bot) speaking: normalised like a plain message. */
export const speechSubtypes = new Set(["bot_message", "me_message", "file_share", "thread_broadcast", "reply_broadcast", "slackbot_response"]);

/** users.json entries (export). */
export const slackUserSchema = z.looseObject({
  id: slackIdSchema,
  team_id: z.string().optional(),
  name: z.string().optional(),
  real_name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  is_admin: z.boolean().optional(),
  is_owner: z.boolean().optional(),
  tz: z.string().nullable().optional(),
  profile: z
    .looseObject({ display_name: z.string().optional(), real_name: z.string().optional(), email: z.string().optional() })
    .optional(),
});
export type SlackUser = z.infer<typeof slackUserSchema>;

/** channels.json / groups.json / dms.json / mpims.json entries. */
export const slackConversationSchema = z.looseObject({ id: slackIdSchema, name: z.string().optional() });
