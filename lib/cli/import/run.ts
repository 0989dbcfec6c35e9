import type { Db } from "../../../db/client";
import { storeEvents, type StoreResult } from "../../../db/queries/ingest";
import { bulkImport } from "../../../db/queries/bulk-import";
import { checkpointImportRun, finishImportRun, openImportRun, refreshPlannerStats, type RunCounts } from "../../../db/queries/import-runs";
import { getSchoolBySlug, listSchools, type SchoolRow } from "../../../db/queries/schools";
import { upsertSource } from "../../../db/queries/sources";
import { XapiConflictError } from "../../../db/queries/xapi";
import { storeXapiStatements } from "../../../db/queries/xapi-store";
import type { IngestEvent } from "../../ingest/types";
import type { ValidStatement } from "../../ingest/xapi";
import { prepareImport, wantFiles, type Group, type ImportFormat } from "./formats";
import { fingerprint, readInputs } from "./read-input";

export interface ImportRequest {
  format: ImportFormat;
  paths: string[];
  /** School slug; optional when the database has exactly one school, or the file names its schools (roster). */
  school?: string;
  tz?: string;
  source?: string;
  startDates?: Record<string, string>;
  /** Events (or statements) per storeEvents call: one transaction and one checkpoint each. */
  batchSize?: number;
  now?: Date;
  /**
   * Store events through the bulk import (db/queries/bulk-import.ts): same rows, far fewer statements;
   * each batch is all or nothing (one invalid event stops the import with its reason).
   */
  bulk?: boolean;
}

export interface ImportHooks {
  onStart?(total: number, resumedAt: number): void;
  onProgress?(done: number, total: number): void;
  /** Called after each committed batch (tests kill an import here). */
  afterBatch?(batch: number): void | Promise<void>;
}

export interface ImportSummary {
  format: ImportFormat;
  schools: string[];
  files: number;
  /** Records read from the files: units to store plus those the adapter rejected. */
  read: number;
  stored: number;
  updated: number;
  duplicates: number;
  rejected: number;
  /** Rejections by reason, with a few places where each occurred. */
  reasons: Array<{ reason: string; count: number; examples: string[] }>;
  ignored: Record<string, number>;
  warnings: string[];
  notes: Record<string, unknown>;
  /** Units already stored by an earlier, interrupted run of the same input (0 = fresh). */
  resumedFrom: number;
  seconds: number;
  perSecond: number;
}

export const DEFAULT_BATCH = 2000;

async function resolveSchool(db: Db, slug: string | undefined): Promise<SchoolRow | null> {
  if (slug) return getSchoolBySlug(db, slug);
  const all = await listSchools(db);
  return all.length === 1 ? (all[0] ?? null) : null;
}

/**
 * `import <format> <paths…>`: read, normalise with the format's adapter, store in batches through the
 * one store path, each batch in one transaction with its checkpoint (import_runs). Bad records are
 * counted and reported; the rest go on. Running it again on the same input changes no count; running
 * it after a kill resumes at the last committed batch.
 */
export async function runImport(db: Db, req: ImportRequest, hooks: ImportHooks = {}): Promise<ImportSummary> {
  const t0 = performance.now();
  const now = req.now ?? new Date();
  const files = readInputs(req.paths, wantFiles[req.format]);
  const school = await resolveSchool(db, req.school);
  if (req.school && !school) throw new Error(`no school with slug ${req.school}`);
  const tz = req.tz ?? (req.format === "enrollments" ? school?.timezone : undefined);
  const prepared = prepareImport(req.format, files, { now, ...(tz ? { tz } : {}), ...(req.source ? { source: req.source } : {}), ...(req.startDates ? { startDates: req.startDates } : {}) });
  const reasons = new Map<string, { count: number; examples: string[] }>();
  const reject = (reason: string, at: string, n = 1) => {
    const r = reasons.get(reason) ?? { count: 0, examples: [] };
    r.count += n;
    if (r.examples.length < 3 && at) r.examples.push(at);
    reasons.set(reason, r);
  };
  for (const r of prepared.rejected) reject(r.reason, r.where);

  const totals = { stored: 0, updated: 0, duplicates: 0, storeRejected: 0, resumedFrom: 0 };
  const schools: string[] = [];
  const unitsOf = (g: Group) => g.events.length + g.statements.length;
  const total = prepared.groups.reduce((n, g) => n + unitsOf(g), 0);
  let doneAll = 0;
  for (const g of prepared.groups) {
    const target = g.school === null ? school : req.school && g.school !== req.school ? null : await getSchoolBySlug(db, g.school);
    if (!target) {
      const why = g.school === null ? "no --school given and the database does not have exactly one school" : req.school ? `row is for school ${g.school}, this import is for ${req.school}` : `no school with slug ${g.school}`;
      if (g.school === null) throw new Error(`${why}: pass --school <slug>`);
      reject(why, g.school, unitsOf(g));
      totals.storeRejected += unitsOf(g);
      continue;
    }
    schools.push(target.slug);
    const fp = fingerprint(files, { format: req.format, school: target.slug, tz: tz ?? null, source: req.source ?? null, startDates: req.startDates ?? null, group: g.school });
    const run = await openImportRun(db, { schoolId: target.id, format: req.format, path: req.paths.join(" "), paths: req.paths, fingerprint: fp });
    const counts: RunCounts = { done: run.done, read: run.done, stored: run.stored, updated: run.updated, duplicates: run.duplicates, rejected: run.rejected };
    const runReasons: Record<string, number> = { ...run.reasons };
    totals.resumedFrom += run.done;
    hooks.onStart?.(total, doneAll + run.done);
    const batchSize = req.batchSize ?? DEFAULT_BATCH;
    const units = g.statements.length > 0 ? g.statements : g.events;
    let batch = 0;
    for (let i = run.done; i < units.length; i += batchSize) {
      const slice = units.slice(i, i + batchSize);
      const checkpoint = async (tx: Db, r: StoreResult, extraRejected: Record<string, number> = {}) => {
        const next: RunCounts = {
          done: i + slice.length, read: i + slice.length, stored: counts.stored + r.stored, updated: counts.updated + r.updated,
          duplicates: counts.duplicates + r.duplicates, rejected: counts.rejected + r.rejected.length + Object.values(extraRejected).reduce((a, b) => a + b, 0),
        };
        const nextReasons = { ...runReasons };
        for (const x of r.rejected) nextReasons[x.reason] = (nextReasons[x.reason] ?? 0) + 1;
        for (const [k, n] of Object.entries(extraRejected)) nextReasons[k] = (nextReasons[k] ?? 0) + n;
        await checkpointImportRun(tx, run.id, next, nextReasons);
        return { next, nextReasons };
      };
      let committed: { next: RunCounts; nextReasons: Record<string, number> } | null = null;
      if (g.statements.length > 0) committed = await storeStatementsBatch(db, target.id, slice as ValidStatement[], req.source, checkpoint);
      else if (req.bulk) {
        const r = await bulkImport(db, target.id, slice as IngestEvent[], { within: async (tx, res) => void (committed = await checkpoint(tx, res)) });
        const bad = r.rejected[0];
        if (bad) throw new Error(`bulk import: ${r.rejected.length} invalid events in the batch starting at ${i} (first: #${i + bad.index} ${bad.reason}); nothing of it was stored`);
      } else await storeEvents(db, target.id, slice as IngestEvent[], { within: async (tx, r) => void (committed = await checkpoint(tx, r)) });
      if (!committed) throw new Error("batch committed without its checkpoint");
      const c: { next: RunCounts; nextReasons: Record<string, number> } = committed;
      Object.assign(counts, c.next);
      Object.assign(runReasons, c.nextReasons);
      doneAll += slice.length;
      // Statistics after batches 1, 2, 4, 8, …: the tables grow from empty during a first import.
      if ((batch & (batch + 1)) === 0) await refreshPlannerStats(db);
      hooks.onProgress?.(Math.min(total, doneAll + totals.resumedFrom), total);
      await hooks.afterBatch?.(batch++);
    }
    totals.stored += counts.stored;
    totals.updated += counts.updated;
    totals.duplicates += counts.duplicates;
    totals.storeRejected += counts.rejected;
    for (const [reason, n] of Object.entries(runReasons)) reject(reason, "", n);
    await finishImportRun(db, run.id, { updated: counts.updated, seconds: (performance.now() - t0) / 1000 });
  }

  const seconds = (performance.now() - t0) / 1000;
  const read = total + prepared.rejected.length;
  return {
    format: req.format,
    schools,
    files: files.size,
    read,
    stored: totals.stored,
    updated: totals.updated,
    duplicates: totals.duplicates,
    rejected: prepared.rejected.length + totals.storeRejected,
    reasons: [...reasons.entries()].map(([reason, r]) => ({ reason, ...r })).sort((a, b) => b.count - a.count),
    ignored: prepared.ignored,
    warnings: prepared.warnings,
    notes: prepared.notes,
    resumedFrom: totals.resumedFrom,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(read / Math.max(seconds, 0.001)),
  };
}

type Checkpoint = (tx: Db, r: StoreResult, extraRejected?: Record<string, number>) => Promise<{ next: RunCounts; nextReasons: Record<string, number> }>;

/**
 * xAPI files go through the LRS write (statements kept for the 409 rule). A statement whose id is
 * already stored with other content is rejected on its own (409 in the route), the rest of the batch
 * is retried without it.
 */
async function storeStatementsBatch(db: Db, schoolId: number, slice: ValidStatement[], source: string | undefined, checkpoint: Checkpoint) {
  const externalId = source ?? "xapi";
  const sourceId = await upsertSource(db, { schoolId, kind: "xapi", externalId, name: "xAPI" });
  let list = slice;
  let conflicts = 0;
  for (;;) {
    let out: Awaited<ReturnType<Checkpoint>> | null = null;
    const extra: Record<string, number> = conflicts > 0 ? { "statement id already stored with different content (409)": conflicts } : {};
    try {
      await storeXapiStatements(db, { schoolId, sourceId, sourceExternalId: externalId }, list, null, async (tx, r) => void (out = await checkpoint(tx, r, extra)));
      return out;
    } catch (e) {
      if (!(e instanceof XapiConflictError)) throw e;
      const bad = new Set(e.ids);
      list = list.filter((s) => !bad.has(s.id));
      conflicts += bad.size;
    }
  }
}
