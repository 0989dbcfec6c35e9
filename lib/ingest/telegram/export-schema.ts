import { z } from "zod";

/**
 * Telegram Desktop "Export chat history" JSON (FORMATS.md §1b; tdesktop export_output_json.cpp).
 * Loose objects: exporter versions add fields. Every field we read is typed; a message that fails is
 * rejected alone and the rest of the chat continues.
 */
export const tgxEntitySchema = z.looseObject({
  type: z.string(),
  text: z.string(),
  user_id: z.number().int().optional(),
});
export type TgxEntity = z.infer<typeof tgxEntitySchema>;

/** `text` is a string when it is one plain part, else an array mixing strings and entities. */
export const tgxTextSchema = z.union([z.string(), z.array(z.union([z.string(), tgxEntitySchema]))]);

export const tgxMessageSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  date: z.string(),
  date_unixtime: z.string().optional(),
  edited: z.string().optional(),
  edited_unixtime: z.string().optional(),
  from: z.string().nullable().optional(),
  from_id: z.string().optional(),
  actor: z.string().nullable().optional(),
  actor_id: z.string().optional(),
  action: z.string().optional(),
  title: z.string().optional(),
  new_title: z.string().optional(),
  reply_to_message_id: z.number().int().optional(),
  reply_to_peer_id: z.union([z.string(), z.number()]).optional(),
  text: tgxTextSchema.optional(),
  text_entities: z.array(tgxEntitySchema).optional(),
  media_type: z.string().optional(),
});
export type TgxMessage = z.infer<typeof tgxMessageSchema>;

export const tgxChatSchema = z.looseObject({
  name: z.string().nullable().optional(),
  type: z.string(),
  id: z.number().int(),
  messages: z.array(z.unknown()),
});
export type TgxChat = z.infer<typeof tgxChatSchema>;

/** The full-account `result.json`: chats under `chats.list` and `left_chats.list`. */
export const tgxAccountSchema = z.looseObject({
  chats: z.looseObject({ list: z.array(z.unknown()) }),
  left_chats: z.looseObject({ list: z.array(z.unknown()) }).optional(),
});

/** Content markers besides `media_type`: their presence makes a message 'media' (caption = text). */
export const tgxMediaFields = ["photo", "file", "poll", "location_information", "contact_information", "game_title", "invoice_information", "place_name"] as const;
