// No `import "server-only"`: shared with the production server's plain ingest path, which runs outside
// Next's react-server build (lib/server/webhook-core.ts, docs/adr/0004-ingest-server.md).
import type { Db } from "../../db/client";
import { channelKinds, threadParents, type WebhookSource } from "../../db/queries/sources";
import { isRecord } from "../ingest/common/import-result";
import type { ChannelRef, MessageDeletionEvent } from "../ingest/types";

/**
 * What a delivery does not say about where it happened, and the store already knows:
 * - Mattermost `post_edited` / `post_deleted` frames lack `channel_type`; the adapter ignores them
 *   rather than guess (a DM guessed to be a group would have its text stored), so the kind stored
 *   for that channel is passed in.
 * - A Pachca thread is filed under the chat it was opened in, whose kind the payload does not give.
 * - A Discord message in a thread names only the thread; a relay restarted without its channel cache
 *   sends no `channel`, so threads stored earlier tell their parent.
 */
export interface KnownPlaces {
  channelKinds: Map<string, ChannelRef["kind"]>;
  discordChannels: Map<string, { id: string; type: number; parent_id?: string | null; name?: string | null }>;
}

function parsedPost(body: Record<string, unknown>): Record<string, unknown> | null {
  const data = isRecord(body.data) ? body.data : null;
  if (!data) return null;
  if (isRecord(data.post)) return data.post;
  if (typeof data.post !== "string") return null;
  try {
    const p: unknown = JSON.parse(data.post);
    return isRecord(p) ? p : null;
  } catch {
    return null;
  }
}

const str = (v: unknown): string | null => (typeof v === "string" ? v : typeof v === "number" ? String(v) : null);

export async function knownPlaces(db: Db, source: WebhookSource, body: unknown): Promise<KnownPlaces> {
  const out: KnownPlaces = { channelKinds: new Map(), discordChannels: new Map() };
  if (!isRecord(body)) return out;
  if (source.kind === "mattermost") {
    const channel = str(parsedPost(body)?.channel_id);
    if (channel) out.channelKinds = await channelKinds(db, source.schoolId, source.sourceId, [channel]);
  } else if (source.kind === "pachca") {
    const parent = isRecord(body.thread) ? str(body.thread.message_chat_id) : null;
    if (parent) out.channelKinds = await channelKinds(db, source.schoolId, source.sourceId, [parent]);
  } else if (source.kind === "discord") {
    const frame = isRecord(body.payload) ? body.payload : body;
    const d = isRecord(frame.d) ? frame.d : null;
    const channel = d ? str(d.channel_id) : null;
    if (channel && !isRecord(body.channel)) {
      for (const t of await threadParents(db, source.schoolId, source.sourceId, [channel])) {
        // Gateway channel types: 11 public thread, 0 text channel, 15 forum (a forum's threads are its posts).
        out.discordChannels.set(t.threadId, { id: t.threadId, type: 11, parent_id: t.parentId, name: t.title });
        out.discordChannels.set(t.parentId, { id: t.parentId, type: t.parentKind === "forum" ? 15 : 0 });
      }
    }
  }
  return out;
}

/** Discord deletions without a remembered author (bulk deletes, a relay restart) → mark-only deletions. */
export function discordDeletions(sourceExternalId: string, list: Array<{ messageId: string; channelId: string; deletedAt: Date }>): MessageDeletionEvent[] {
  return list.map((d) => ({
    type: "message_deletion",
    source: { kind: "discord", externalId: sourceExternalId, name: "Discord" },
    channelExternalId: d.channelId,
    externalId: d.messageId,
    deletedAt: d.deletedAt,
  }));
}
