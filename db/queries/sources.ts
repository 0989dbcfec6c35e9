import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { deadLetters, ingestReceipts, schools, sources } from "../schema";
import type { SourceKind } from "../../lib/ingest/types";

export interface WebhookSource {
  schoolId: number;
  sourceId: number;
  kind: SourceKind;
  externalId: string;
  /** The shared secret / signing secret the messenger signs with (sources.settings.secret). */
  secret: string | null;
}

export async function findWebhookSource(db: Db, schoolSlug: string, kind: SourceKind, externalId: string): Promise<WebhookSource | null> {
  const [r] = await db
    .select({ schoolId: sources.schoolId, sourceId: sources.id, kind: sources.kind, externalId: sources.externalId, settings: sources.settings })
    .from(sources)
    .innerJoin(schools, eq(schools.id, sources.schoolId))
    .where(and(eq(schools.slug, schoolSlug), eq(sources.kind, kind), eq(sources.externalId, externalId)));
  if (!r) return null;
  const secret = typeof r.settings.secret === "string" ? r.settings.secret : null;
  return { schoolId: r.schoolId, sourceId: r.sourceId, kind: r.kind, externalId: r.externalId, secret };
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

export async function keepDeadLetter(db: Db, d: { schoolId: number | null; source: string; reason: string; payload: string; headers?: Record<string, string> }): Promise<void> {
  await db.insert(deadLetters).values({ schoolId: d.schoolId, source: d.source, reason: d.reason, payload: d.payload, headers: d.headers ?? null });
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
