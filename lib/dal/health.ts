import "server-only";
import { getDb, rows, sql } from "../../db/client";

export async function checkHealth(): Promise<{ ok: boolean; db: string; error?: string }> {
  try {
    const h = await getDb();
    await rows(h.db, sql`select 1 as ok`);
    return { ok: true, db: h.kind };
  } catch (e) {
    return { ok: false, db: "unreachable", error: e instanceof Error ? e.message : String(e) };
  }
}
