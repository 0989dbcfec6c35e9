import type { Db } from "../../db/client";
import { readReportRun, storeReportRun, type ReportRunKind } from "../../db/queries/reports/report-runs";

/**
 * Reports over every enrollment of a school, computed once and reused for a while
 * (docs/adr/0009-stored-report-runs.md): the at-risk list and the outcome rows.
 */

/**
 * How long a computed run stands: it is reused for a report asked as of at most this long after its own
 * as-of instant, when it was computed at most this long ago. Learning-data changes drop it at once
 * (migration 0017); support signals (messages, episodes) and names may lag by this much.
 */
export const RUN_REUSE_MS = 15 * 60_000;
/** A reused run older than this is computed again in the background (the reader does not wait for it). */
export const RUN_REFRESH_MS = 5 * 60_000;

export interface RunOptions {
  reuseMs?: number;
  /** Compute again in the background when the reused run is older than this; absent = never. */
  refreshMs?: number;
}

export interface RunInfo {
  /** When the run was computed (ISO), in the caller's clock. */
  computedAt: string;
  /** Whether it was stored (true) or computed for this call (false). */
  reused: boolean;
  /** How long computing it took, ms. */
  computeMs: number;
}

export interface RunSpec<T> {
  kind: ReportRunKind;
  version: string;
  /** The value as of an instant, computed from the database. */
  compute(asOf: Date): Promise<T>;
  rows(value: T): number;
  pack(value: T): string;
  /** Null when the text is of another format: computed again. */
  unpack(text: string): T | null;
}

/**
 * A filter as a run's version names it: its keys in order, `key=value` joined by `&`, so that the same
 * filter, however its object was built, names the same run.
 */
export function filterVersion(filter: object): string {
  return Object.entries(filter)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join("&");
}

/** A report stored whole as JSON (no packing: a few thousand rows), with its format's version inside. */
export function wholeReport<T>(kind: ReportRunKind, version: number, compute: (asOf: Date) => Promise<T & { rows: readonly unknown[] }>): RunSpec<T & { rows: readonly unknown[] }> {
  return {
    kind,
    version: `${kind}-${version}`,
    compute,
    rows: (r) => r.rows.length,
    pack: (r) => JSON.stringify({ v: version, r }),
    unpack: (text) => {
      // Our own JSON, written by `pack` above; the version says which shape.
      const p = JSON.parse(text) as { v?: unknown; r?: T & { rows: readonly unknown[] } };
      return p.v === version && p.r !== undefined ? p.r : null;
    },
  };
}

/**
 * The value as of `asOf` asked at `now`: the school's stored run when it may stand for it (readReportRun),
 * else computed now and stored for the next reader. A stored run is as of its own instant, at most
 * `reuseMs` earlier than asked.
 */
export async function currentRun<T>(db: Db, schoolId: number, spec: RunSpec<T>, asOf: Date, now: Date, opts: RunOptions = {}): Promise<{ value: T; asOf: Date } & RunInfo> {
  const reuseMs = opts.reuseMs ?? RUN_REUSE_MS;
  const key = runKey(db, schoolId, spec);
  dropUnused(performance.now());
  const mine = decoded.get(key);
  if (mine) mine.usedAt = performance.now();
  const run = await readReportRun(db, schoolId, spec.kind, spec.version, asOf, now, reuseMs, mine?.token);
  let value: T | null = null;
  if (run && run.body === null && mine?.token === run.token) value = mine.value as T; // decoded here from this very run
  else if (run && run.body !== null) {
    value = spec.unpack(run.body);
    if (value !== null) remember(key, run.token, value);
  } else if (!run) decoded.delete(key);
  if (run && value !== null) {
    if (opts.refreshMs !== undefined && now.getTime() - Date.parse(run.computedAt) > opts.refreshMs) refreshInBackground(db, schoolId, spec, asOf, now, reuseMs);
    return { value, asOf: new Date(run.asOf), computedAt: run.computedAt, reused: true, computeMs: run.ms };
  }
  // Two readers of one page (the outcomes report and the staff outcomes beside it) ask for the same run at
  // once: the second waits for the first one's computation instead of doing it again.
  const flightKey = `${key}:${asOf.getTime()}`;
  const pending = computing.get(flightKey) as Promise<{ value: T; asOf: Date } & RunInfo> | undefined;
  if (pending) return pending;
  const p = computeAndStore(db, schoolId, spec, asOf, now, reuseMs).finally(() => computing.delete(flightKey));
  computing.set(flightKey, p);
  return p;
}

/**
 * What this process keeps of a run is keyed by the database too: school ids (and the row versions that
 * say whether a kept run is still the stored one) are only unique within one database, and a process may
 * have several open (the tests open one per engine, the bench its own).
 */
const gd = globalThis as unknown as { __sqdRunDbIds?: { ids: WeakMap<Db, number>; next: number } };
const dbIds = (gd.__sqdRunDbIds ??= { ids: new WeakMap(), next: 0 });
function runKey(db: Db, schoolId: number, spec: { kind: ReportRunKind; version: string }): string {
  let id = dbIds.ids.get(db);
  if (id === undefined) dbIds.ids.set(db, (id = ++dbIds.next));
  return `${id}:${schoolId}:${spec.kind}:${spec.version}`;
}

/** currentRun for a report object: the report with how it was obtained. */
export async function currentReport<T extends object>(db: Db, schoolId: number, spec: RunSpec<T>, asOf: Date, now: Date, opts: RunOptions = {}): Promise<T & RunInfo> {
  const { value, computedAt, reused, computeMs } = await currentRun(db, schoolId, spec, asOf, now, opts);
  return { ...value, computedAt, reused, computeMs };
}

const gc = globalThis as unknown as { __sqdRunComputing?: Map<string, Promise<unknown>> };
const computing = (gc.__sqdRunComputing ??= new Map());

async function computeAndStore<T>(db: Db, schoolId: number, spec: RunSpec<T>, asOf: Date, now: Date, reuseMs: number): Promise<{ value: T; asOf: Date } & RunInfo> {
  const started = performance.now();
  const value = await spec.compute(asOf);
  const ms = performance.now() - started;
  const token = await storeReportRun(db, schoolId, { kind: spec.kind, asOf, version: spec.version, computedAt: now, ms, rows: spec.rows(value), body: spec.pack(value) }, reuseMs);
  if (token !== null) remember(runKey(db, schoolId, spec), token, value);
  return { value, asOf, computedAt: now.toISOString(), reused: false, computeMs: Math.round(ms) };
}

/**
 * The run this process last decoded or stored, per school, kind and version, with the stored row's token:
 * a reader whose run is still that one skips moving and parsing its body (~90 ms for the outcome rows at
 * 100 k students; the database still decides, per read, whether the run stands). Frozen: every reader
 * shares it, and a reader that changed it would change the next one's report. Held until unused for
 * DECODED_IDLE_MS: ~80 MB of heap for a school of 100 k students (the outcome rows most of it), which a
 * process should not keep for schools nobody is looking at.
 */
const g0 = globalThis as unknown as { __sqdRunDecoded?: Map<string, { token: string; value: unknown; usedAt: number }> };
const decoded = (g0.__sqdRunDecoded ??= new Map());

/** Forgets every run this process decoded (the bench, timing a reader that has not read the run yet). */
export function forgetDecodedRuns(): void {
  decoded.clear();
}

export const DECODED_IDLE_MS = 2 * RUN_REUSE_MS;

/** Drops the decoded runs unused for DECODED_IDLE_MS at `at` (performance.now() time; exported for tests). */
export function dropUnused(at: number): void {
  for (const [k, v] of decoded) if (at - v.usedAt > DECODED_IDLE_MS) decoded.delete(k);
}

const gt = globalThis as unknown as { __sqdRunSweep?: ReturnType<typeof setInterval> };

function remember(key: string, token: string, value: unknown): void {
  decoded.set(key, { token, value: freezeDeep(value), usedAt: performance.now() });
  // Also when nobody reads a run again; unref'd, so it never keeps a process (a CLI, a test) alive.
  gt.__sqdRunSweep ??= setInterval(() => dropUnused(performance.now()), DECODED_IDLE_MS / 2).unref();
}

/** Freezes `x` and everything it holds (shared values: a reader that changed one would change the next reader's). */
export function freezeDeep<T>(x: T): T {
  // Typed arrays (stored parts' response times, ADR 0011) cannot be frozen; their readers only read them.
  if (ArrayBuffer.isView(x)) return x;
  if (x !== null && typeof x === "object" && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) freezeDeep(v);
  }
  return x;
}

// One background computation per school and kind at a time, in this process (a second server may compute
// too: the upsert keeps the later as-of run).
const g = globalThis as unknown as { __sqdRunRefresh?: Map<string, Promise<void>> };
const refreshing = (g.__sqdRunRefresh ??= new Map());

function refreshInBackground<T>(db: Db, schoolId: number, spec: RunSpec<T>, asOf: Date, now: Date, reuseMs: number): void {
  const key = runKey(db, schoolId, spec);
  if (refreshing.has(key)) return;
  const p = computeAndStore(db, schoolId, spec, asOf, now, reuseMs)
    .then(() => undefined)
    .catch((e: unknown) => console.error(`${spec.kind} run of school ${schoolId} failed: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`))
    .finally(() => refreshing.delete(key));
  refreshing.set(key, p);
}

/** For tests: resolves when no background computation is running. */
export async function runRefreshIdle(): Promise<void> {
  await Promise.all([...refreshing.values()]);
}
