import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../../db/client";
import { deriveDirtyScopes } from "../dal/derive";
import type { DeriveReply, DeriveRequest } from "./derive-worker";

/**
 * The derivation worker thread (lib/server/derive-worker.ts starts it): its own connection pool to the
 * server's PostgreSQL, and one recompute of a school's dirty scopes per request, answered by id. Requests
 * of different schools may overlap, as they do in one thread; lib/dal/derive.ts never sends two of one
 * school at once.
 */

const port = parentPort;
if (!port) throw new Error("lib/server/derive-thread.ts runs as a worker thread");
const { databaseUrl } = workerData as { databaseUrl: string };
const handle = openDb({ databaseUrl, migrate: false });
// An unreachable database fails each request with its error, not the thread.
handle.catch(() => undefined);

port.on("message", (m: DeriveRequest) => {
  void (async () => {
    let reply: DeriveReply;
    try {
      const { db } = await handle;
      reply = { id: m.id, result: await deriveDirtyScopes(db, m.schoolId, new Date(m.now)) };
    } catch (e) {
      reply = { id: m.id, error: e instanceof Error ? e.message : String(e), cause: e instanceof Error && e.cause instanceof Error ? e.cause.message : null };
    }
    port.postMessage(reply);
  })();
});
