import { expect } from "vitest";
import { sql } from "drizzle-orm";
import { rows, type Db } from "@/db/client";

/** Shared by the ingest-*.test.ts suites: row counts, and the check every refused delivery must pass. */
export async function countRows(db: Db, table: string): Promise<number> {
  return (await rows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]?.n ?? -1;
}

/**
 * A refused (or acknowledged-and-ignored) delivery: the expected status, a reason in the body, the
 * payload kept in dead_letters, and nothing written to `table`.
 */
export async function expectKeptNotWritten(db: Db, table: string, send: () => Promise<Response>, status: number): Promise<void> {
  const [before, dead] = [await countRows(db, table), await countRows(db, "dead_letters")];
  const res = await send();
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error?: string; ignored?: string };
  expect((body.error ?? body.ignored ?? "").length).toBeGreaterThan(3);
  expect(await countRows(db, table)).toBe(before);
  expect(await countRows(db, "dead_letters")).toBe(dead + 1);
}
