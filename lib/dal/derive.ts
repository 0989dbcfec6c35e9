import "server-only";
import type { Db } from "../../db/client";
import { recomputeEpisodes } from "../../db/queries/episodes";

/**
 * Derivation after a webhook stored events (ARCHITECTURE.md data flow, step 4). The request only stores;
 * this recomputes the school's dirty scopes in the background, so the webhook answers fast and the
 * episode reaches the queue within a couple of seconds. Per school: debounced (a burst of deliveries is
 * one recompute), never two at once (a delivery during a run schedules one more run after it), errors
 * logged, never thrown into the request.
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
  if (st.timer) clearTimeout(st.timer);
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
    console.error(`derive school ${schoolId} failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    st.running = null;
    if (st.again) {
      st.again = false;
      scheduleDerive(db, schoolId, 0);
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
