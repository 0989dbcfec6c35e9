import { Worker } from "node:worker_threads";
import type { RecomputeResult } from "../../db/queries/episodes";
import { setDeriveRunner } from "../dal/derive";

const THREAD = new URL("./derive-thread.ts", import.meta.url).href;

/**
 * Derivation in a worker thread of the production server (server/main.ts, with a PostgreSQL
 * DATABASE_URL). lib/dal/derive.ts still decides when a school is derived; each run executes in the
 * thread (lib/server/derive-thread.ts), on its own connections to the same database. A webhook batch waits
 * for a reply at each of its ~10 statements, and every reply waited behind the run's JavaScript on the
 * one event loop: under the bench's webhook load at 10 M messages p99 was 94 ms at 64 connections with
 * derivation in the server's thread, 37 ms with none, 42 ms with the same runs in another process
 * (docs/performance.md, round 23). PGlite is one process's in-memory database, so it derives in-thread.
 */

export interface DeriveRequest {
  id: number;
  schoolId: number;
  /** ISO instant. */
  now: string;
}

export type DeriveReply = { id: number; result: RecomputeResult } | { id: number; error: string; cause: string | null };

export interface DeriveWorker {
  /** Runs answered by the thread so far. */
  runs(): number;
  /** Runs derive in this thread again; the worker ends (a run in flight is rolled back with its connections, and its marks stay for the next). */
  stop(): Promise<void>;
}

export function startDeriveWorker(databaseUrl: string): DeriveWorker {
  let worker: Worker | null = null;
  let nextId = 0;
  let answered = 0;
  const pending = new Map<number, { resolve: (r: RecomputeResult) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const spawn = (): Worker => {
    // The thread registers tsx's loader itself, then loads its TypeScript: `--import tsx` in a worker's
    // execArgv did not apply to the worker's own entry on Node 20 ("Unknown file extension .ts").
    const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(THREAD)}); })`;
    const w = new Worker(boot, { eval: true, workerData: { databaseUrl } });
    w.on("message", (m: DeriveReply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      answered++;
      if (pending.size === 0) w.unref();
      if ("result" in m) p.resolve(m.result);
      else p.reject(new Error(m.error, m.cause === null ? undefined : { cause: new Error(m.cause) }));
    });
    // A thread that dies fails its runs (derive.ts logs them; their marks stay) and is started anew by the next.
    w.on("error", (e) => failAll(e));
    // Only the current thread's exit fails the runs: a stopped one's runs were failed by stop(), and the
    // runs pending then may already belong to its successor.
    w.on("exit", (code) => {
      if (worker !== w) return;
      worker = null;
      failAll(new Error(`the derivation thread exited (${code})`));
    });
    // An idle thread does not keep the process alive; one with runs in flight does (below).
    w.unref();
    return w;
  };
  // Started now: the thread loads its modules in a second or two, which the first webhook should not wait for.
  worker = spawn();
  setDeriveRunner(
    (_db, schoolId, now) =>
      new Promise<RecomputeResult>((resolve, reject) => {
        worker ??= spawn();
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, schoolId, now: now.toISOString() } satisfies DeriveRequest);
      }),
  );
  return {
    runs: () => answered,
    async stop() {
      setDeriveRunner(null);
      const w = worker;
      worker = null;
      if (w) await w.terminate();
      failAll(new Error("the derivation thread was stopped"));
    },
  };
}
