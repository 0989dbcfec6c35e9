import type { ChannelRef, IdentityRef, MessageEvent, SourceRef, ThreadRef } from "../types";
import { countIgnored, emptyImportResult, type ImportResult } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { zodReason } from "../common/zod-reason";
import { pachcaSource } from "./normalize";
import { exportChatSchema, exportMessageSchema, type PachcaExportChat, type PachcaExportMessage } from "./schemas";

export interface PachcaExportOptions {
  source?: Partial<SourceRef>;
}

export type PachcaExportResult = ImportResult & { chats: PachcaExportChat[] };

/** `<ChatName>_<chatId>/YYYY-MM-DD.json`; the chat name may itself contain underscores and slashes are folder separators. */
const DAY_FILE = /^(?:.*\/)?([^/]*)_(\d+)\/(\d{4}-\d{2}-\d{2})\.json$/;

/**
 * A Pachca chat-export archive, already unzipped by the caller: path inside the archive -> contents.
 * Layout (guides/export.md): one folder per chat with one JSON array of messages per day, plus
 * `chats.json` (absent when the export was requested with skip_chats_file).
 *
 * - Personal chats are exported without content (`text: null`) and without threads.
 * - `deleted_at` is kept as the message's deletion: the message still existed and may have been answered.
 * - Messages in a thread are filed under the chat the thread was opened in, with thread = the id of the
 *   message it was opened on — the same convention as the webhook adapter, so live and exported meet.
 * - The export has no reply links (`parent_message_id`) and no attachments.
 */
export function parsePachcaExport(files: ReadonlyMap<string, string>, opts: PachcaExportOptions = {}): PachcaExportResult {
  const out: PachcaExportResult = { ...emptyImportResult(), chats: [] };
  const source = pachcaSource(opts.source);
  const chats = new Map<number, PachcaExportChat>();
  const chatsFile = [...files.keys()].find((p) => p === "chats.json" || p.endsWith("/chats.json"));
  if (chatsFile) readChats(files.get(chatsFile) ?? "", chatsFile, chats, out);
  else out.warnings.push("no chats.json: chat kinds come from each message's chat.personal");
  out.chats = [...chats.values()];

  const seen = new Set<number>();
  const paths = [...files.keys()].filter((p) => p !== chatsFile).sort();
  for (const path of paths) {
    const day = DAY_FILE.exec(path);
    if (!day) {
      countIgnored(out.ignored, "files that are not <chat>_<id>/<date>.json");
      continue;
    }
    let list: unknown;
    try {
      list = JSON.parse(files.get(path) ?? "");
    } catch (e) {
      out.rejected.push({ ref: path, reason: `not JSON: ${(e as Error).message}` });
      continue;
    }
    if (!Array.isArray(list)) {
      out.rejected.push({ ref: path, reason: "a day file must hold a JSON array of messages" });
      continue;
    }
    list.forEach((raw, index) => {
      const parsed = exportMessageSchema.safeParse(raw);
      if (!parsed.success) {
        out.rejected.push({ ref: path, index, reason: zodReason(parsed.error) });
        return;
      }
      const m = parsed.data;
      if (seen.has(m.id)) {
        out.warnings.push(`${path}: message ${m.id} seen in an earlier file; kept once`);
        return;
      }
      const built = toEvent(m, chats, source);
      if ("reason" in built) {
        out.rejected.push({ ref: path, index, reason: built.reason });
        return;
      }
      seen.add(m.id);
      if (m.reactions?.length) countIgnored(out.ignored, "reactions are not recorded", m.reactions.length);
      out.events.push(built.event);
    });
  }
  return out;
}

function readChats(text: string, path: string, chats: Map<number, PachcaExportChat>, out: ImportResult): void {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch (e) {
    out.rejected.push({ ref: path, reason: `not JSON: ${(e as Error).message}` });
    return;
  }
  if (!Array.isArray(list)) {
    out.rejected.push({ ref: path, reason: "chats.json must hold a JSON array" });
    return;
  }
  list.forEach((raw, index) => {
    const c = exportChatSchema.safeParse(raw);
    if (c.success) chats.set(c.data.id, c.data);
    else out.rejected.push({ ref: path, index, reason: zodReason(c.error) });
  });
}

function identity(u: PachcaExportMessage["user"]): IdentityRef {
  const name = [u.name, u.last_name].filter(Boolean).join(" ");
  return { externalId: String(u.id), ...(name ? { name } : {}), ...(u.email ? { email: u.email.toLowerCase() } : {}), ...(u.role === "bot" ? { isBot: true } : {}) };
}

function toEvent(m: PachcaExportMessage, chats: ReadonlyMap<number, PachcaExportChat>, source: SourceRef): { event: MessageEvent } | { reason: string } {
  const sentAt = parseIsoInstant(m.created_at, { requireOffset: true });
  if (!sentAt) return { reason: `created_at "${m.created_at}" is not an ISO date-time with offset` };
  const deletedAt = m.deleted_at ? parseIsoInstant(m.deleted_at, { requireOffset: true }) : null;
  if (m.deleted_at && !deletedAt) return { reason: `deleted_at "${m.deleted_at}" is not an ISO date-time with offset` };
  let channel: ChannelRef;
  let thread: ThreadRef | undefined;
  if (m.thread) {
    const parentId = Number(m.thread.message_chat_id);
    const parent = chats.get(parentId);
    channel = { externalId: String(parentId), kind: parent?.personal ? "dm" : "group", ...(parent?.name ? { title: parent.name } : {}) };
    thread = { externalId: String(m.thread.message_id), kind: "thread" };
  } else {
    const known = chats.get(m.chat.id);
    const personal = known?.personal ?? m.chat.personal ?? false;
    const title = known?.name ?? m.chat.name ?? undefined;
    channel = { externalId: String(m.chat.id), kind: personal ? "dm" : "group", ...(title ? { title } : {}) };
  }
  const content = m.content ?? null;
  return {
    event: {
      type: "message",
      action: "create",
      source,
      channel,
      ...(thread ? { thread } : {}),
      externalId: String(m.id),
      author: identity(m.user),
      sentAt,
      ...(deletedAt ? { deletedAt } : {}),
      // Personal chats come without content: the text is unknown (null), not empty.
      text: content === "" ? null : content,
      contentKind: "text",
      mentions: [],
    },
  };
}
