import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { arrayLiteral } from "./ingest-bulk";

/**
 * Staging tables of the bulk import (db/queries/bulk-import.ts): TEMP tables dropped at commit, filled
 * with `COPY … FROM STDIN` on PostgreSQL (text format: the cheapest way to hand rows to the server, no
 * parameters, no per-row statements) and with `insert … select from unnest(arrays)` on PGlite, which
 * has no COPY from a client stream. The product's tables are then written from them with one
 * `insert … select … on conflict` per kind, so every row is checked against the same unique keys as
 * the store path (db/queries/ingest.ts).
 */

export type StageValue = string | number | boolean | Date | null;

export interface StageColumn {
  name: string;
  /** PostgreSQL type of the staging column (arrays and JSON are staged as text and cast when read). */
  type: "bigint" | "int" | "real" | "text" | "boolean" | "timestamptz";
}

/** Where COPY is possible: the pool client the import's transaction runs on (PostgreSQL only). */
export interface Stager {
  db: Db;
  copy: PoolClient | null;
}

/** One value in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped. */
export function copyText(v: StageValue): string {
  if (v === null) return "\\N";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return String(v);
  }
  const s = v instanceof Date ? v.toISOString() : v;
  // Fast path: most values need no escaping.
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

export async function createStage(s: Stager, table: string, columns: readonly StageColumn[]): Promise<void> {
  // ON COMMIT DROP: nothing outlives the import's transaction; no WAL for temp tables.
  await s.db.execute(sql.raw(`create temp table ${table} (${columns.map((c) => `${c.name} ${c.type}`).join(", ")}) on commit drop`));
}

const UNNEST_ROWS = 5000;
const COPY_ROWS = 2000;

/** Appends rows to a staging table (each row's values in the order of `columns`). */
export async function stageRows(s: Stager, table: string, columns: readonly StageColumn[], rowsIn: Iterable<readonly StageValue[]>): Promise<void> {
  if (s.copy) {
    const stream = s.copy.query(copyFrom(`copy ${table} (${columns.map((c) => c.name).join(", ")}) from stdin`));
    async function* lines(): AsyncGenerator<string> {
      let buf: string[] = [];
      for (const r of rowsIn) {
        buf.push(r.map(copyText).join("\t"));
        if (buf.length >= COPY_ROWS) {
          yield buf.join("\n") + "\n";
          buf = [];
        }
      }
      if (buf.length > 0) yield buf.join("\n") + "\n";
    }
    await pipeline(Readable.from(lines()), stream);
    return;
  }
  let buf: Array<readonly StageValue[]> = [];
  const flush = async () => {
    if (buf.length === 0) return;
    const arrays = columns.map((c, i) => sql`${arrayLiteral(buf.map((r) => r[i] ?? null))}::${sql.raw(c.type)}[]`);
    await s.db.execute(sql`insert into ${sql.raw(table)} (${sql.raw(columns.map((c) => c.name).join(", "))}) select * from unnest(${sql.join(arrays, sql`, `)})`);
    buf = [];
  };
  for (const r of rowsIn) {
    buf.push(r);
    if (buf.length >= UNNEST_ROWS) await flush();
  }
  await flush();
}
