import { z } from "zod";

/** Mattermost ids: 26 lower-case base32 characters. */
export const mmId = z.string().regex(/^[a-z0-9]{26}$/, "expected a 26-character Mattermost id");
/** Epoch milliseconds (Mattermost stores every time in ms; 0 means "never"). */
const ms = z.number().int().nonnegative();

// ---- live: outgoing webhook (src model/outgoing_webhook.go OutgoingWebhookPayload) ----

export const outgoingWebhookSchema = z.looseObject({
  token: z.string().min(1),
  team_id: mmId,
  team_domain: z.string().optional(),
  channel_id: mmId,
  channel_name: z.string().optional(),
  /** ms in JSON, SECONDS in the form encoding (ToFormValues: Timestamp/1000). Normalised by the caller. */
  timestamp: z.number().int().nonnegative(),
  user_id: mmId,
  user_name: z.string().optional(),
  post_id: mmId,
  text: z.string().default(""),
  trigger_word: z.string().optional(),
  /** A comma-separated string in the Go struct; tolerated as an array. */
  file_ids: z.union([z.string(), z.array(z.string())]).optional(),
});
export type OutgoingWebhook = z.infer<typeof outgoingWebhookSchema>;

// ---- live: websocket events relayed as JSON (posted / post_edited / post_deleted) ----

const boolish = z.union([z.boolean(), z.literal("true"), z.literal("false")]);

export const postSchema = z.looseObject({
  id: mmId,
  create_at: ms,
  update_at: ms.optional(),
  edit_at: ms.optional(),
  delete_at: ms.optional(),
  user_id: mmId,
  channel_id: mmId,
  root_id: z.union([mmId, z.literal("")]).optional(),
  message: z.string(),
  type: z.string().optional(),
  props: z.looseObject({ from_bot: boolish.optional(), from_webhook: boolish.optional(), override_username: z.string().optional() }).nullish(),
  file_ids: z.array(z.string()).nullish(),
});
export type MmPost = z.infer<typeof postSchema>;

export const wsEventSchema = z.looseObject({
  event: z.enum(["posted", "post_edited", "post_deleted"]),
  data: z.looseObject({
    /** A JSON *string* in Mattermost's own websocket frames; a relay may have parsed it already. */
    post: z.union([z.string(), z.record(z.string(), z.unknown())]),
    channel_type: z.enum(["O", "P", "D", "G"]).optional(),
    channel_name: z.string().optional(),
    channel_display_name: z.string().optional(),
    sender_name: z.string().optional(),
    /** JSON string of user ids mentioned, on `posted`. */
    mentions: z.string().optional(),
  }),
  seq: z.number().int().optional(),
});

// ---- bulk export (JSONL, mmctl export create; src app/imports/import_types.go) ----

const reactionSchema = z.looseObject({ user: z.string(), emoji_name: z.string(), create_at: ms.optional() });
const props = z.record(z.string(), z.unknown()).nullish();

export const bulkReplySchema = z.looseObject({
  user: z.string().min(1),
  message: z.string().default(""),
  create_at: ms,
  edit_at: ms.nullish(),
  type: z.string().nullish(),
  props,
  reactions: z.array(reactionSchema).nullish(),
});
export type BulkReply = z.infer<typeof bulkReplySchema>;

export const bulkPostSchema = bulkReplySchema.extend({
  team: z.string().min(1),
  channel: z.string().min(1),
  replies: z.array(z.unknown()).nullish(),
});

export const bulkDirectPostSchema = bulkReplySchema.extend({
  channel_members: z.array(z.string().min(1)).min(1),
  replies: z.array(z.unknown()).nullish(),
});

export const bulkChannelSchema = z.looseObject({
  team: z.string().min(1),
  name: z.string().min(1),
  display_name: z.string().nullish(),
  type: z.enum(["O", "P"]).default("O"),
});

export const bulkUserSchema = z.looseObject({
  username: z.string().min(1),
  email: z.string().nullish(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  nickname: z.string().nullish(),
});

export const bulkTeamSchema = z.looseObject({ name: z.string().min(1), display_name: z.string().nullish() });
