import "server-only";
import type { Db } from "../../db/client";
import { recomputeEpisodes } from "../../db/queries/episodes";

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
  try {
    const r = await recomputeEpisodes(db, schoolId, { scopes: "dirty", now: new Date() });
    for (const w of r.warnings) console.warn(`derive school ${schoolId}: ${w}`);
  } catch (e) {
    // drizzle's message is the query; the driver's reason is its cause.
    console.error(`derive school ${schoolId} failed: ${e instanceof Error ? `${e.message.split("\n")[0]} ${e.cause instanceof Error ? e.cause.message : ""}` : String(e)}`);
  } finally {
    st.running = null;
    if (st.again) {
      st.again = false;
      // The full delay again, not 0: under a steady webhook load back-to-back runs would each pay the
      // school context's load and take a core from the deliveries; one run per delay bounds that cost.
      scheduleDerive(db, schoolId);
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
