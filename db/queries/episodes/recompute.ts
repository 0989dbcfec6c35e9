import { sql } from "drizzle-orm";
import type { Db } from "../../client";
import { deriveScopes } from "@/lib/metrics/episodes";
import { loadSchoolContext, type SchoolContext } from "./context";
import { episodeRow, type EpisodeInsert } from "./evaluate";
import { batchScopes, listScopes, loadChannels, loadScopeMessages, type ScopeCount, type ScopeRef } from "./load";
import { RatingLinker } from "./ratings";
import { clearMarks, readMarks, replaceEpisodes } from "./write";

export interface RecomputeOptions {
  /** `dirty`: scopes marked by the store path; `all`: every scope; or an explicit list (thread null or 0 = main timeline). */
  scopes: "dirty" | "all" | ReadonlyArray<{ channelId: number; threadId: number | null }>;
  /** The instant open episodes are judged at (abandonment, bot deflection, breaching now). */
  now: Date;
  /** Batch bound in messages; a scope is never split. Default 25 000 (see docs/metrics.md, timings). */
  batchMessages?: number;
  batchScopes?: number;
  onProgress?: (doneScopes: number, totalScopes: number) => void;
}

export interface RecomputeResult {
  scopes: number;
  episodes: number;
  batches: number;
  /** Rows actually written: unchanged episodes keep their rows (and ids). */
  inserted: number;
  deleted: number;
  /** Ratings (re)linked to an episode. */
  ratingsLinked: number;
  ms: number;
  /** Where the time went: reading messages, deriving + SLA (pure code), writing episodes and links. */
  phaseMs: { read: number; derive: number; write: number };
  warnings: string[];
}

/** Distinct from the store path's single-key lock (another key space), so recomputes never block ingestion. */
const RECOMPUTE_LOCK = 7411;

/**
 * Recomputes the episodes of some scopes of a school: derives them from the scopes' messages
 * (lib/metrics/episodes), evaluates each against its SLA policy, and in one transaction per batch replaces
 * the scopes' episodes (rewriting only rows that changed) and clears the dirty marks that were there when the batch started. Each batch
 * reads its messages inside its transaction after taking a per-school lock, so two concurrent recomputes
 * cannot write a stale view over a fresher one.
 */
export async function recomputeEpisodes(db: Db, schoolId: number, opts: RecomputeOptions): Promise<RecomputeResult> {
  const started = performance.now();
  const warnings = new Set<string>();
  const warn = (m: string) => void warnings.add(m);
  const ctx = await loadSchoolContext(db, schoolId, opts.now);
  const which = typeof opts.scopes === "string" ? opts.scopes : opts.scopes.map((s) => ({ channelId: s.channelId, threadId: s.threadId ?? 0 }));
  const scopes = await listScopes(db, schoolId, which);
  const batches = batchScopes(scopes, opts.batchMessages ?? 25_000, opts.batchScopes ?? 5_000);

  let done = 0;
  let episodes = 0;
  let inserted = 0;
  let deleted = 0;
  const ratings = await RatingLinker.load(db, schoolId);
  const phaseMs = { read: 0, derive: 0, write: 0 };
  opts.onProgress?.(0, scopes.length);
  for (const batch of batches) {
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      await tx.execute(sql`select pg_advisory_xact_lock(${RECOMPUTE_LOCK}::int, ${schoolId}::int)`);
      const marks = await readMarks(tx, schoolId, batch);
      const rows = await deriveBatch(tx, ctx, batch, opts.now, warn, phaseMs);
      const w0 = performance.now();
      const replaced = await replaceEpisodes(tx, schoolId, batch, rows);
      await ratings.afterBatch(tx, schoolId, rows, replaced);
      await clearMarks(tx, schoolId, marks);
      phaseMs.write += performance.now() - w0;
      episodes += rows.length;
      inserted += replaced.idByOpening.size;
      deleted += replaced.deletedIds.length;
    });
    done += batch.length;
    opts.onProgress?.(done, scopes.length);
  }
  // Ratings stored after their episode was computed carry no dirty mark; link them even when nothing was dirty.
  await ratings.unlinked(db, schoolId);
  const round = (n: number) => Math.round(n);
  return {
    scopes: scopes.length,
    episodes,
    batches: batches.length,
    inserted,
    deleted,
    ratingsLinked: ratings.linked,
    ms: round(performance.now() - started),
    phaseMs: { read: round(phaseMs.read), derive: round(phaseMs.derive), write: round(phaseMs.write) },
    warnings: [...warnings],
  };
}

async function deriveBatch(
  db: Db,
  ctx: SchoolContext,
  batch: readonly ScopeCount[],
  now: Date,
  warn: (m: string) => void,
  phaseMs: { read: number; derive: number },
): Promise<EpisodeInsert[]> {
  const r0 = performance.now();
  const refs: ScopeRef[] = batch.map((s) => ({ channelId: s.channelId, threadId: s.threadId }));
  const channels = await loadChannels(db, ctx.schoolId, [...new Set(refs.map((s) => s.channelId))]);
  const messages = await loadScopeMessages(db, ctx, refs);
  const d0 = performance.now();
  phaseMs.read += d0 - r0;
  const derived = deriveScopes({ channels, messages, roleOf: ctx.roleOf, now });
  const out = derived.episodes.map((e) => {
    const channel = channels.get(e.scope.channelId);
    if (!channel) throw new Error(`episode in unknown channel ${e.scope.channelId}`);
    return episodeRow(ctx, e, channel, now, warn);
  });
  phaseMs.derive += performance.now() - d0;
  return out;
}
