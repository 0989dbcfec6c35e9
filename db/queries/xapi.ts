import { createHash, randomBytes } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import { rows, type Db } from "../client";
import { sources, xapiStatements } from "../schema";

/**
 * The LRS's own storage: LMS client credentials and statements as received.
 *
 * Credentials live in the settings of the school's xAPI source (kind `xapi`, external id `xapi` by
 * default — the same source file imports use, so a statement posted live and imported from a file is
 * one row): `settings.clients = [{ key, secretSha256, name, createdAt }]`. The key (HTTP Basic user
 * name) is random and unique across schools, so the fixed endpoint URL needs no school in it. Secrets
 * are 32 random bytes, kept only as SHA-256: a slow password hash is not needed for a random secret of
 * that size, and an LRS is called per statement batch.
 */
export interface LrsClient {
  schoolId: number;
  sourceId: number;
  sourceExternalId: string;
  key: string;
  name: string;
  secretSha256: string;
}

interface StoredClient {
  key: string;
  secretSha256: string;
  name: string;
  createdAt: string;
}

const isClient = (v: unknown): v is StoredClient =>
  typeof v === "object" && v !== null && typeof (v as StoredClient).key === "string" && typeof (v as StoredClient).secretSha256 === "string";

export const sha256Hex = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

export async function findLrsClient(db: Db, key: string): Promise<LrsClient | null> {
  const found = await rows<{ id: number; school_id: number; external_id: string; settings: Record<string, unknown> }>(
    db,
    sql`select id, school_id, external_id, settings from sources
        where kind = 'xapi' and settings -> 'clients' @> ${JSON.stringify([{ key }])}::jsonb limit 1`,
  );
  const s = found[0];
  const clients = Array.isArray(s?.settings.clients) ? s.settings.clients.filter(isClient) : [];
  const c = clients.find((x) => x.key === key);
  return s && c ? { schoolId: Number(s.school_id), sourceId: Number(s.id), sourceExternalId: s.external_id, key: c.key, name: c.name, secretSha256: c.secretSha256 } : null;
}

/** Adds an LMS client to the school's xAPI source (created if new); the secret is returned once, never stored. */
export async function addLrsClient(db: Db, schoolId: number, name: string, sourceExternalId = "xapi"): Promise<{ key: string; secret: string }> {
  const key = `lrs_${randomBytes(12).toString("hex")}`;
  const secret = randomBytes(32).toString("base64url");
  const client: StoredClient = { key, secretSha256: sha256Hex(secret), name, createdAt: new Date().toISOString() };
  await db.insert(sources).values({ schoolId, kind: "xapi", externalId: sourceExternalId, name: "xAPI", settings: { clients: [client] } }).onConflictDoUpdate({
    target: [sources.schoolId, sources.kind, sources.externalId],
    set: { settings: sql`jsonb_set(${sources.settings}, '{clients}', coalesce(${sources.settings} -> 'clients', '[]'::jsonb) || ${JSON.stringify([client])}::jsonb)` },
  });
  return { key, secret };
}

export async function listLrsClients(db: Db, schoolId: number): Promise<Array<{ key: string; name: string; createdAt: string; source: string }>> {
  const found = await db.select({ ext: sources.externalId, settings: sources.settings }).from(sources).where(and(eq(sources.schoolId, schoolId), eq(sources.kind, "xapi")));
  return found.flatMap((s) => (Array.isArray(s.settings.clients) ? s.settings.clients.filter(isClient) : []).map((c) => ({ key: c.key, name: c.name, createdAt: c.createdAt, source: s.ext })));
}

/** Statements already stored under these ids (for the 409 rule). */
export async function storedStatements(db: Db, schoolId: number, sourceId: number, ids: string[]): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const found = await db
    .select({ id: xapiStatements.statementId, statement: xapiStatements.statement })
    .from(xapiStatements)
    .where(and(eq(xapiStatements.schoolId, schoolId), eq(xapiStatements.sourceId, sourceId), inArray(xapiStatements.statementId, ids)));
  return new Map(found.map((f) => [f.id, f.statement]));
}

export async function insertStatements(db: Db, list: Array<{ schoolId: number; sourceId: number; statementId: string; statement: Record<string, unknown>; clientKey: string | null }>): Promise<number> {
  if (list.length === 0) return 0;
  const done = await db.insert(xapiStatements).values(list).onConflictDoNothing().returning({ id: xapiStatements.id });
  return done.length;
}

/** Raised inside the store transaction when a known id arrives with different content: nothing is kept. */
export class XapiConflictError extends Error {
  constructor(readonly ids: string[]) {
    super(`statement id(s) already stored with different content: ${ids.join(", ")}`);
  }
}

/**
 * Free-text answers (`result.response`) are not kept (privacy; the analytics never read them): the
 * stored copy has their digest instead, and the 409 comparison runs on that form on both sides, so a
 * changed answer still conflicts.
 */
export function redactStatement(raw: Record<string, unknown>): Record<string, unknown> {
  const result = raw.result;
  if (typeof result !== "object" || result === null || typeof (result as Record<string, unknown>).response !== "string") return raw;
  const r = result as Record<string, unknown>;
  return { ...raw, result: { ...r, response: `sha256:${sha256Hex(r.response as string)}` } };
}
