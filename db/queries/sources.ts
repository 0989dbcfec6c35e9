import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import { channels, deadLetters, ingestReceipts, schools, sources, threads } from "../schema";
import type { ChannelRef, SourceKind } from "../../lib/ingest/types";

export interface WebhookSource {
  schoolId: number;
  sourceId: number;
  kind: SourceKind;
  externalId: string;
  /** The shared secret / signing secret the messenger signs with (sources.settings.secret). */
  secret: string | null;
  /** Extra shared tokens (sources.settings.tokens): Mattermost outgoing-webhook tokens, which Mattermost generates. */
  tokens: string[];
}

export async function findWebhookSource(db: Db, schoolSlug: string, kind: SourceKind, externalId: string): Promise<WebhookSource | null> {
  const [r] = await db
    .select({ schoolId: sources.schoolId, sourceId: sources.id, kind: sources.kind, externalId: sources.externalId, settings: sources.settings })
    .from(sources)
    .innerJoin(schools, eq(schools.id, sources.schoolId))
    .where(and(eq(schools.slug, schoolSlug), eq(sources.kind, kind), eq(sources.externalId, externalId)));
  if (!r) return null;
  const secret = typeof r.settings.secret === "string" ? r.settings.secret : null;
  const tokens = Array.isArray(r.settings.tokens) ? r.settings.tokens.filter((x): x is string => typeof x === "string" && x.length > 0) : [];
  return { schoolId: r.schoolId, sourceId: r.sourceId, kind: r.kind, externalId: r.externalId, secret, tokens };
}

/** Register a source (or change its name, secret or content policy): `cli source add`, the settings page. */
export async function upsertSource(
  db: Db,
  s: { schoolId: number; kind: SourceKind; externalId: string; name: string; secret?: string; storeGroupText?: boolean },
): Promise<number> {
  const settings = s.secret ? { secret: s.secret } : {};
  const [row] = await db
    .insert(sources)
    .values({ schoolId: s.schoolId, kind: s.kind, externalId: s.externalId, name: s.name, settings, storeGroupText: s.storeGroupText ?? true })
    .onConflictDoUpdate({
      target: [sources.schoolId, sources.kind, sources.externalId],
      set: {
        name: s.name,
        settings: sql`${sources.settings} || ${JSON.stringify(settings)}::jsonb`,
        ...(s.storeGroupText === undefined ? {} : { storeGroupText: s.storeGroupText }),
      },
    })
    .returning({ id: sources.id });
  if (!row) throw new Error("source not stored");
  return row.id;
}

/**
 * Keep a refused or ignored payload whole, with why. `resolved` marks one that needs no action (an
 * event type the product does not record, acknowledged 2xx): kept for audit, not listed as a problem.
 */
export async function keepDeadLetter(db: Db, d: { schoolId: number | null; source: string; reason: string; payload: string; headers?: Record<string, string>; resolved?: boolean }): Promise<void> {
  await db.insert(deadLetters).values({ schoolId: d.schoolId, source: d.source, reason: d.reason, payload: d.payload, headers: d.headers ?? null, resolvedAt: d.resolved ? new Date() : null });
}

/** Kinds of the channels of one source already stored, by the source's channel id (for frames that do not say). */
export async function channelKinds(db: Db, schoolId: number, sourceId: number, externalIds: string[]): Promise<Map<string, ChannelRef["kind"]>> {
  const ids = externalIds.filter((x) => x.length > 0);
  if (ids.length === 0) return new Map();
  const found = await db
    .select({ ext: channels.externalId, kind: channels.kind })
    .from(channels)
    .where(and(eq(channels.schoolId, schoolId), eq(channels.sourceId, sourceId), inArray(channels.externalId, ids)));
  return new Map(found.map((f) => [f.ext, f.kind]));
}

/** A thread stored under its parent channel, looked up by the thread's own id (a Discord thread is a channel). */
export async function threadParents(db: Db, schoolId: number, sourceId: number, threadExternalIds: string[]): Promise<Array<{ threadId: string; parentId: string; parentKind: ChannelRef["kind"]; title: string | null }>> {
  const ids = threadExternalIds.filter((x) => x.length > 0);
  if (ids.length === 0) return [];
  const found = await db
    .select({ threadId: threads.externalId, parentId: channels.externalId, parentKind: channels.kind, title: threads.title })
    .from(threads)
    .innerJoin(channels, eq(channels.id, threads.channelId))
    .where(and(eq(threads.schoolId, schoolId), eq(channels.sourceId, sourceId), inArray(threads.externalId, ids)));
  return found;
}

export async function receiptExists(db: Db, schoolId: number, sourceId: number, eventKey: string): Promise<boolean> {
  const r = await db
    .select({ k: ingestReceipts.eventKey })
    .from(ingestReceipts)
    .where(and(eq(ingestReceipts.schoolId, schoolId), eq(ingestReceipts.sourceId, sourceId), eq(ingestReceipts.eventKey, eventKey)));
  return r.length > 0;
}

export async function recordReceipt(db: Db, r: { schoolId: number; sourceId: number; eventKey: string; payloadHash: string }): Promise<void> {
  await db.insert(ingestReceipts).values(r).onConflictDoNothing();
}

/**
 * Sets a source's shared secret (sources.settings.secret, where findWebhookSource reads it for the
 * webhook's verification), keeping its other settings (tokens, rating policy). True when the source
 * exists. The caller never logs the secret: the audit entry names the source only.
 */
export async function setSourceSecret(db: Db, schoolId: number, kind: SourceKind, externalId: string, secret: string): Promise<boolean> {
  const updated = await db
    .update(sources)
    .set({ settings: sql`${sources.settings} || ${JSON.stringify({ secret })}::jsonb` })
    .where(and(eq(sources.schoolId, schoolId), eq(sources.kind, kind), eq(sources.externalId, externalId)))
    .returning({ id: sources.id });
  return updated.length > 0;
}
