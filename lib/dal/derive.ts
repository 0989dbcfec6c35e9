// No `import "server-only"`: shared with the production server's plain ingest path, which runs outside
// Next's react-server build (lib/server/webhook-core.ts, docs/adr/0004-ingest-server.md).
import type { Db } from "../../db/client";
import { recomputeEpisodes, type RecomputeResult } from "../../db/queries/episodes";

/**
 * Derivation after a webhook stored events (ARCHITECTURE.md data flow, step 4). The request only stores;
 * this recomputes the school's dirty scopes in the background, so the webhook answers fast and the
 * episode reaches the queue within a couple of seconds. Per school: coalesced (every delivery within
 * DERIVE_DEBOUNCE_MS of the first pending one joins its recompute), never two at once (deliveries during a
 * run schedule exactly one more run, a delay after it), errors logged, never thrown into the request.
 *
 * The timer is not restarted by later deliveries: a pure debounce never fires while deliveries keep
 * arriving faster than its delay (under a steady webhook load episodes would never be derived), so the
 * delay is counted from the first delivery of a burst, which bounds freshness by the delay plus one run.
 */

export const DERIVE_DEBOUNCE_MS = 300;
/**
 * The delay before the next run when deliveries came during a run (a steady load). Each run reloads the
 * school's context and every dirty scope's messages, so under load its cost is per run more than per
 * delivery: under the bench's webhook load derivation was about half of the server's CPU per request
 * (~0.8 ms with it, ~0.35 ms without) and two thirds of PostgreSQL's. A burst after a quiet spell still
 * starts its run after DERIVE_DEBOUNCE_MS; under load see busyDelayMs.
 */
export const DERIVE_BUSY_DELAY_MS = 700;
/**
 * What a message may wait under load: it can just miss a run (one run), wait the delay, and be derived by
 * the next run (another): so the busy delay shrinks when runs get long, keeping run + delay + run under
 * this (issue #9: freshness ≤ 2 s, with a margin for the queue's read).
 */
export const FRESHNESS_BUDGET_MS = 1_500;

/** The delay after a run that had deliveries during it, from how long that run took. */
export function busyDelayMs(lastRunMs: number): number {
  return Math.max(DERIVE_DEBOUNCE_MS, Math.min(DERIVE_BUSY_DELAY_MS, FRESHNESS_BUDGET_MS - 2 * lastRunMs));
}

/**
 * What one run does: recompute a school's dirty scopes as of `now`. In this thread, unless the production
 * server gave derivation a worker thread of its own (lib/server/derive-worker.ts): there its JavaScript
 * (loading, deriving, building the writes) no longer shares the event loop with the webhook requests,
 * whose batches wait for a reply at every statement (docs/performance.md, round 23). On globalThis, like
 * the states below: the server loads this module twice (Next's bundle and the plain ingest path).
 */
export type DeriveRunner = (db: Db, schoolId: number, now: Date) => Promise<RecomputeResult>;

const runnerHolder = globalThis as unknown as { __sqdDeriveRunner?: DeriveRunner | null };
/** One run where it is called: the default runner, and what the derivation thread runs for each request. */
export const deriveDirtyScopes: DeriveRunner = (db, schoolId, now) => recomputeEpisodes(db, schoolId, { scopes: "dirty", now });

/** Sets where runs execute from now on; null: in this thread again. */
export function setDeriveRunner(runner: DeriveRunner | null): void {
  runnerHolder.__sqdDeriveRunner = runner;
}

interface SchoolState {
  timer: ReturnType<typeof setTimeout> | null;
  running: Promise<void> | null;
  again: boolean;
}

const g = globalThis as unknown as { __sqdDerive?: Map<number, SchoolState> };
const states = (g.__sqdDerive ??= new Map());

export function scheduleDerive(db: Db, schoolId: number, delayMs: number = DERIVE_DEBOUNCE_MS): void {
  const st = states.get(schoolId) ?? { timer: null, running: null, again: false };
  states.set(schoolId, st);
  if (st.running) {
    st.again = true;
    return;
  }
  // Already scheduled: this delivery's scopes are dirty in the database and the pending run reads them.
  if (st.timer) return;
  st.timer = setTimeout(() => {
    st.timer = null;
    st.running = run(db, schoolId, st);
  }, delayMs);
}

async function run(db: Db, schoolId: number, st: SchoolState): Promise<void> {
  const started = performance.now();
  try {
    const r = await (runnerHolder.__sqdDeriveRunner ?? deriveDirtyScopes)(db, schoolId, new Date());
    // Opt-in timing of each run (how freshness was diagnosed at 10 M messages, docs/performance.md).
    if (process.env.SQD_DERIVE_LOG === "1") console.error(`derive school ${schoolId}: ${r.ms} ms, ${r.scopes} scopes (${r.resumed} from checkpoints), phases ${JSON.stringify(r.phaseMs)}`);
    for (const w of r.warnings) console.warn(`derive school ${schoolId}: ${w}`);
  } catch (e) {
    // drizzle's message is the query; the driver's reason is its cause.
    console.error(`derive school ${schoolId} failed: ${e instanceof Error ? `${e.message.split("\n")[0]} ${e.cause instanceof Error ? e.cause.message : ""}` : String(e)}`);
  } finally {
    st.running = null;
    if (st.again) {
      st.again = false;
      // A delay again, not 0: under a steady webhook load back-to-back runs would each pay the school
      // context's load and take a core from the deliveries; one run per delay bounds that cost.
      scheduleDerive(db, schoolId, busyDelayMs(performance.now() - started));
    }
  }
}

/** For tests: resolves when no derivation of the school is pending or running. */
export async function deriveIdle(schoolId: number): Promise<void> {
  for (;;) {
    const st = states.get(schoolId);
    if (!st || (!st.timer && !st.running)) return;
    await (st.running ?? new Promise((r) => setTimeout(r, 20)));
  }
}

/** For tests: resolves when no derivation of any school is pending or running (before closing a database). */
export async function deriveIdleAll(): Promise<void> {
  for (const id of [...states.keys()]) await deriveIdle(id);
}
