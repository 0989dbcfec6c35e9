import { z } from "zod";

/** Pachca ids are integers (int32 in the OpenAPI spec). */
const pid = z.number().int().positive();
/** ISO-8601 UTC with ms, "2025-04-14T08:18:54.000Z"; parsed to a Date by the caller. */
const iso = z.string().min(1);

// ---- outgoing webhook (pachca/openapi, guides/webhook/events.md) ----

export const webhookEnvelopeSchema = z.looseObject({
  type: z.string().min(1),
  event: z.string().min(1),
  webhook_timestamp: z.number().int().optional(),
});

export const messageWebhookSchema = z.looseObject({
  type: z.literal("message"),
  id: pid,
  event: z.enum(["new", "update", "delete"]),
  entity_type: z.enum(["discussion", "thread", "user"]),
  entity_id: pid,
  content: z.string(),
  user_id: pid,
  created_at: iso,
  changed_at: iso.nullish(),
  url: z.string().optional(),
  chat_id: pid,
  parent_message_id: pid.nullish(),
  thread: z.looseObject({ message_id: pid, message_chat_id: pid }).nullish(),
  webhook_timestamp: z.number().int(),
});
export type PachcaMessageWebhook = z.infer<typeof messageWebhookSchema>;

// ---- chat export archive (guides/export.md) ----

const exportUserSchema = z.looseObject({
  id: pid,
  role: z.string().optional(),
  name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
});
export type PachcaExportUser = z.infer<typeof exportUserSchema>;

export const exportMessageSchema = z.looseObject({
  id: pid,
  created_at: iso,
  deleted_at: iso.nullish(),
  /** Personal chats are exported without content. */
  content: z.string().nullish(),
  thread_id: pid.nullish(),
  reactions: z.array(z.unknown()).nullish(),
  user: exportUserSchema,
  chat: z.looseObject({ id: pid, name: z.string().nullish(), personal: z.boolean().optional() }),
  /** The thread this message is in. `message_chat_id` is documented as a *string* here, an integer in webhooks. */
  thread: z
    .looseObject({ id: pid, message_id: pid, message_chat_id: z.union([pid, z.string().regex(/^\d+$/)]) })
    .nullish(),
});
export type PachcaExportMessage = z.infer<typeof exportMessageSchema>;

export const exportChatSchema = z.looseObject({
  id: pid,
  personal: z.boolean(),
  name: z.string().nullish(),
  owner_id: pid.nullish(),
  members: z.array(z.looseObject({ id: pid, role: z.string() })).default([]),
  created_at: iso.optional(),
  updated_at: iso.optional(),
});
export type PachcaExportChat = z.infer<typeof exportChatSchema>;
