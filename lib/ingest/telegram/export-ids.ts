import type { ChannelRef, IdentityRef } from "../types";
import { dedupeIdentities, usernameIdentity } from "./identity";
import type { TgxEntity, TgxMessage } from "./export-schema";

/**
 * The export writes bare ids; the Bot API writes supergroups and channels as -100<id> and basic groups
 * as -<id>. Exports are normalised to the Bot-API form so a chat imported from an export and then
 * followed live is one channel (FORMATS.md, "Identity across export and live").
 */
export function exportChatRef(type: string, id: number, name: string | null | undefined): { ref: ChannelRef; known: boolean } {
  const title = name ?? undefined;
  const withTitle = (externalId: string, kind: ChannelRef["kind"]): ChannelRef => ({ externalId, kind, ...(title ? { title } : {}) });
  switch (type) {
    case "personal_chat":
    case "bot_chat":
    case "saved_messages":
      return { ref: withTitle(String(id), "dm"), known: true };
    case "private_group":
      return { ref: withTitle(`-${id}`, "group"), known: true };
    case "private_supergroup":
    case "public_supergroup":
      return { ref: withTitle(`-100${id}`, "group"), known: true };
    case "private_channel":
    case "public_channel":
      return { ref: withTitle(`-100${id}`, "channel"), known: true };
    default:
      return { ref: withTitle(String(id), "group"), known: false };
  }
}

/** "user123" → "123", "channel123" → "-100123", "chat123" → "-123" (the Bot-API forms); else null. */
export function exportPeerId(fromId: string): string | null {
  const m = /^(user|channel|chat)(\d{1,20})$/.exec(fromId);
  if (!m) return null;
  const [, kind, digits] = m;
  if (kind === "user") return digits ?? null;
  return kind === "channel" ? `-100${digits}` : `-${digits}`;
}

export function exportAuthor(peerId: string, name: string | null | undefined, isBot: boolean): IdentityRef {
  // `from: null` is a deleted account: it keeps its id, it just has no name any more.
  return { externalId: peerId, ...(name ? { name } : {}), ...(isBot ? { isBot: true } : {}) };
}

/** Entities of a message: `text_entities` (new layout) or the object parts of a `text` array (old layout). */
function entitiesOf(m: TgxMessage): TgxEntity[] {
  if (m.text_entities) return m.text_entities;
  if (Array.isArray(m.text)) return m.text.filter((p): p is TgxEntity => typeof p !== "string");
  return [];
}

export function exportText(m: TgxMessage): string {
  if (typeof m.text === "string") return m.text;
  if (Array.isArray(m.text)) return m.text.map((p) => (typeof p === "string" ? p : p.text)).join("");
  return "";
}

export function exportMentions(m: TgxMessage): IdentityRef[] {
  const out: IdentityRef[] = [];
  for (const e of entitiesOf(m)) {
    if (e.type === "mention") {
      const who = usernameIdentity(e.text);
      if (who) out.push(who);
    } else if (e.type === "mention_name" && e.user_id !== undefined) {
      out.push({ externalId: String(e.user_id), ...(e.text ? { name: e.text } : {}) });
    }
  }
  return dedupeIdentities(out);
}
