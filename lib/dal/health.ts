import "server-only";
import { getDb, rows, sql } from "../../db/client";

export async function checkHealth(): Promise<{ ok: boolean; db: string }> {
  try {
    const h = await getDb();
    await rows(h.db, sql`select 1 as ok`);
    return { ok: true, db: h.kind };
  } catch (e) {
    // Anyone may call /api/health: the reason goes to the server log, not to the caller.
    console.error("health: database unreachable:", e instanceof Error ? e.message : String(e));
    return { ok: false, db: "unreachable" };
  }
}
