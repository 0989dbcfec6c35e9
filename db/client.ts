import path from "node:path";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql, type SQL } from "drizzle-orm";
import * as schema from "./schema";
import { env } from "../lib/env";

export type Schema = typeof schema;
/** Both drivers give the same query builder; code above this file never knows which one it has. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DbHandle {
  db: Db;
  kind: "pg" | "pglite";
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = path.join(here, "migrations");

export interface OpenOptions {
  /** postgres://… for a real server; absent = embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; "memory://" for an in-memory database (tests). */
  dataDir?: string;
  migrate?: boolean;
}

export async function openDb(opts: OpenOptions = {}): Promise<DbHandle> {
  const handle = opts.databaseUrl ? await openPg(opts.databaseUrl) : await openPglite(opts.dataDir ?? env().DATA_DIR);
  if (opts.migrate !== false) await migrate(handle);
  return handle;
}

async function openPg(url: string): Promise<DbHandle> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  // Idle connections are kept (pg-pool closes them after 10 s by default): a fresh backend pays for its
  // first reads again (catalog caches, first touches of shared buffers), and on this project's machine a
  // live-queue poll after a 12 s pause took 461 ms with fresh connections against 262 ms with kept ones
  // (bench/idle-pool.ts, docs/adr/0012-connections-kept-no-parallel-workers.md). `max` bounds what is
  // kept; allowExitOnIdle lets a CLI run or script that forgot close() still exit.
  const pool = new Pool({ connectionString: url, max: 10, idleTimeoutMillis: 0, allowExitOnIdle: true, keepAlive: true, options: sessionOptions(url) });
  // An idle client that loses its server (restart, failover, a test dropping its database) emits here;
  // without a listener Node would crash the process. The next query opens a fresh connection.
  pool.on("error", (err) => console.warn(`postgres: idle connection closed: ${err.message}`));
  const db = drizzle(pool, { schema }) as unknown as Db;
  return { db, kind: "pg", close: () => pool.end() };
}

/**
 * Server settings for the product's sessions, after any the URL's own `options` names. No parallel workers:
 * the pages' statements are short and issued several at once, and each Gather started fresh worker processes
 * that paid their first reads again (a 2-day team statement: 118 ms with two workers, 11 ms without, on this
 * project's 2-core machine; docs/adr/0012-connections-kept-no-parallel-workers.md).
 */
export function sessionOptions(url: string): string {
  let own = "";
  try {
    own = new URL(url).searchParams.get("options") ?? "";
  } catch {
    // A key=value connection string: no URL options to keep.
  }
  return `${own} -c max_parallel_workers_per_gather=0`.trim();
}

async function openPglite(dataDir: string): Promise<DbHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const dir = dataDir === "memory://" ? undefined : path.resolve(dataDir, "pglite");
  if (dir) mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  await client.waitReady;
  const db = drizzle(client, { schema }) as unknown as Db;
  return { db, kind: "pglite", close: () => client.close() };
}

export async function migrate(handle: DbHandle): Promise<void> {
  if (handle.kind === "pg") {
    const { migrate: run } = await import("drizzle-orm/node-postgres/migrator");
    await run(handle.db as unknown as Parameters<typeof run>[0], { migrationsFolder });
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await run(handle.db as unknown as Parameters<typeof run>[0], { migrationsFolder });
  }
}

/** Rows of a raw query, the same shape on both drivers (node-postgres and PGlite both return `.rows`). */
export async function rows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

export { sql };

// One handle per server process. PGlite allows a single process per data folder, so the app and the CLI
// never open it at the same time (the CLI's `demo` seeds first, then starts the server).
const g = globalThis as unknown as { __sqdDb?: Promise<DbHandle> };

export function getDb(): Promise<DbHandle> {
  g.__sqdDb ??= openDb({ databaseUrl: env().DATABASE_URL, dataDir: env().DATA_DIR });
  return g.__sqdDb;
}
