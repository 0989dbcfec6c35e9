import { z } from "zod";

/** Discord ids are snowflakes: decimal strings of a 64-bit integer (JSON numbers would lose precision). */
export const snowflake = z.string().regex(/^\d{1,20}$/, "expected a snowflake id");

// ---- Gateway v10 dispatch payloads (know.; FORMATS.md 3a). Loose: Discord adds fields all the time. ----

export const gwUserSchema = z.looseObject({
  id: snowflake,
  username: z.string(),
  global_name: z.string().nullish(),
  discriminator: z.string().optional(),
  bot: z.boolean().optional(),
  system: z.boolean().optional(),
});
export type GwUser = z.infer<typeof gwUserSchema>;

const gwReferenceSchema = z.looseObject({
  /** 0 = reply (default when absent), 1 = forward. */
  type: z.number().int().optional(),
  message_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  guild_id: snowflake.optional(),
});

export const gwMessageSchema = z.looseObject({
  id: snowflake,
  channel_id: snowflake,
  guild_id: snowflake.optional(),
  author: gwUserSchema,
  member: z.looseObject({ nick: z.string().nullish() }).optional(),
  content: z.string(),
  timestamp: z.string(),
  edited_timestamp: z.string().nullish(),
  type: z.number().int().nonnegative(),
  mentions: z.array(gwUserSchema).default([]),
  attachments: z.array(z.unknown()).default([]),
  embeds: z.array(z.unknown()).default([]),
  sticker_items: z.array(z.unknown()).optional(),
  message_reference: gwReferenceSchema.optional(),
  referenced_message: z.looseObject({ id: snowflake, author: gwUserSchema }).nullish(),
  webhook_id: snowflake.optional(),
});
export type GwMessage = z.infer<typeof gwMessageSchema>;

/** MESSAGE_UPDATE may be partial (an embed unfurl sends only ids and embeds). */
export const gwMessageUpdateSchema = gwMessageSchema.partial().extend({ id: snowflake, channel_id: snowflake });
export type GwMessageUpdate = z.infer<typeof gwMessageUpdateSchema>;

export const gwMessageDeleteSchema = z.looseObject({ id: snowflake, channel_id: snowflake, guild_id: snowflake.optional() });
export const gwMessageDeleteBulkSchema = z.looseObject({ ids: z.array(snowflake).min(1), channel_id: snowflake, guild_id: snowflake.optional() });

export const gwChannelSchema = z.looseObject({
  id: snowflake,
  type: z.number().int().nonnegative(),
  guild_id: snowflake.optional(),
  parent_id: snowflake.nullish(),
  name: z.string().nullish(),
});
export type GwChannel = z.infer<typeof gwChannelSchema>;

export const gwDispatchSchema = z.looseObject({
  op: z.literal(0),
  t: z.string().min(1),
  s: z.number().int().nullish(),
  d: z.unknown(),
});

/**
 * What relay.example.mjs posts: the dispatch frame plus what the relay knows and the frame does not say
 * (see README.md): the channel (a thread's parent is not in MESSAGE_CREATE) and, for deletions, the
 * author it remembers from the message's creation.
 */
export const relayEnvelopeSchema = z.looseObject({
  v: z.literal(1),
  relayedAt: z.string(),
  applicationId: snowflake.optional(),
  channel: gwChannelSchema.nullish(),
  parent: gwChannelSchema.nullish(),
  messageAuthor: gwUserSchema.nullish(),
  payload: gwDispatchSchema,
});
export type RelayEnvelope = z.infer<typeof relayEnvelopeSchema>;

// ---- DiscordChatExporter JSON (src JsonMessageWriter.cs; FORMATS.md 3b) ----

export const dceUserSchema = z.looseObject({
  id: snowflake,
  name: z.string(),
  discriminator: z.string().nullish(),
  nickname: z.string().nullish(),
  isBot: z.boolean().default(false),
});
export type DceUser = z.infer<typeof dceUserSchema>;

export const dceMessageSchema = z.looseObject({
  id: snowflake,
  type: z.string(),
  timestamp: z.string(),
  timestampEdited: z.string().nullish(),
  content: z.string().default(""),
  author: dceUserSchema,
  attachments: z.array(z.unknown()).default([]),
  embeds: z.array(z.unknown()).default([]),
  stickers: z.array(z.unknown()).default([]),
  reactions: z.array(z.unknown()).default([]),
  mentions: z.array(dceUserSchema).default([]),
  reference: z
    .looseObject({ type: z.string().nullish(), messageId: snowflake.nullish(), channelId: snowflake.nullish(), guildId: snowflake.nullish() })
    .nullish(),
});
export type DceMessage = z.infer<typeof dceMessageSchema>;

export const dceExportSchema = z.looseObject({
  guild: z.looseObject({ id: z.string(), name: z.string().nullish() }),
  channel: z.looseObject({
    id: snowflake,
    type: z.string(),
    categoryId: z.string().nullish(),
    category: z.string().nullish(),
    name: z.string().nullish(),
  }),
  messages: z.array(z.unknown()),
  messageCount: z.number().int().optional(),
});
