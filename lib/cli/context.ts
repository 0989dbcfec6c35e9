import { openDb, type DbHandle } from "../../db/client";
import { env } from "../env";

/** Open the configured database (DATABASE_URL, else PGlite in DATA_DIR), migrated, and close it after `fn`. */
export async function withDb<T>(fn: (h: DbHandle) => Promise<T>): Promise<T> {
  const e = env();
  const h = await openDb({ databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR });
  try {
    return await fn(h);
  } finally {
    await h.close();
  }
}

export function describeDb(): string {
  const e = env();
  return e.DATABASE_URL ? `PostgreSQL (${new URL(e.DATABASE_URL).host})` : `embedded PGlite in ${e.DATA_DIR}/pglite`;
}
