import type { Db } from "../../client";
import {
  deriveScopes,
  scopeKey,
  type CheckpointPolicy,
  type ResumeFrom,
  type ScopeCheckpoint,
  type ScopedEpisodeMessage,
  type StaffInitiatedContact,
} from "@/lib/metrics/episodes";
import { groupBy } from "@/lib/group-by";
import { channelFingerprint, planResume, resumeInputs, writeCheckpoints, type ResumePlan } from "./checkpoints";
import { loadSchoolContext, readInputsVersion, type SchoolContext } from "./context";
import { episodeRow, type EpisodeInsert } from "./evaluate";
import {
  batchScopes,
  runBatches,
  listScopes,
  loadChannels,
  loadMessagesAfter,
  loadQuoted,
  loadScopeMessages,
  type ChannelInfo,
  type ScopeCount,
  type ScopeRef,
} from "./load";
import { RatingLinker } from "./ratings";
import { claimMarks, clearMarks, readMarks, recomputeLock, replaceEpisodes } from "./write";
import { markStaffContactsComplete, writeStaffContacts } from "./staff-contacts";

export interface RecomputeOptions {
  /** `dirty`: scopes marked by the store path; `all`: every scope; or an explicit list (thread null or 0 = main timeline). */
  scopes: "dirty" | "all" | ReadonlyArray<{ channelId: number; threadId: number | null }>;
  /** The instant open episodes are judged at (abandonment, bot deflection, breaching now). */
  now: Date;
  /** Batch bound in messages; a scope is never split. Default 25 000 (see docs/metrics.md, timings). */
  batchMessages?: number;
  batchScopes?: number;
  onProgress?: (doneScopes: number, totalScopes: number) => void;
  /**
   * Checkpoints of big scopes (see checkpoints.ts): taken under this policy by every run, resumed from by
   * `dirty` runs. Default DEFAULT_CHECKPOINT; `false` = take none and derive every scope whole.
   */
  checkpoint?: CheckpointPolicy | false;
}

/**
 * A checkpoint before a scope's last five seconds, in scopes of 200 messages or more (below that, deriving
 * the scope whole costs about a millisecond). A message delivered later than that behind a newer one of its
 * scope (a retry after an outage) is not lost or miscounted: its scope is derived whole once, as every
 * scope was before checkpoints. Every run re-derives the lag's messages of each busy scope: under the
 * bench's webhook load (80 chats of ~10 messages a second) a minute's lag made a run re-derive ~600
 * messages a chat to add ~10 (docs/performance.md, round 20). Five seconds still covers the order in which
 * concurrent deliveries of one chat commit and Telegram's whole-second timestamps.
 */
export const DEFAULT_CHECKPOINT: CheckpointPolicy = { lagMs: 5_000, minMessages: 200 };

export interface RecomputeResult {
  scopes: number;
  episodes: number;
  batches: number;
  /** Rows actually written: unchanged episodes keep their rows (and ids). */
  inserted: number;
  deleted: number;
  /** Ratings (re)linked to an episode. */
  ratingsLinked: number;
  /** Scopes derived from their checkpoint (only their messages after it were read); `episodes` counts theirs from there. */
  resumed: number;
  /** Batches that found the school's derivation inputs changed since the context was read, and reloaded it. */
  contextReloads: number;
  ms: number;
  /**
   * Where the time went: `setup` (the school's context, the scope list, the ratings to relink), reading
   * messages, deriving + SLA (pure code), writing episodes and links, and linking ratings stored late.
   */
  phaseMs: { setup: number; read: number; derive: number; write: number; ratings: number };
  warnings: string[];
}

/**
 * Recomputes the episodes of some scopes of a school: derives them from the scopes' messages
 * (lib/metrics/episodes), evaluates each against its SLA policy, and in one transaction per batch replaces
 * the scopes' episodes (rewriting only rows that changed) and clears the dirty marks that were there when the batch started. Each batch
 * reads its messages inside its transaction after taking a per-school lock, so two concurrent recomputes
 * cannot write a stale view over a fresher one.
 */
/** Up to this many scopes, a recompute reads only their ratings (RatingLinker.load). */
const PARTIAL_RATINGS_MAX_SCOPES = 2_000;

export async function recomputeEpisodes(db: Db, schoolId: number, opts: RecomputeOptions): Promise<RecomputeResult> {
  const started = performance.now();
  const warnings = new Set<string>();
  const warn = (m: string) => void warnings.add(m);
  const which = typeof opts.scopes === "string" ? opts.scopes : opts.scopes.map((s) => ({ channelId: s.channelId, threadId: s.threadId ?? 0 }));
  const policy = opts.checkpoint === false ? null : (opts.checkpoint ?? DEFAULT_CHECKPOINT);
  const scopes = await listScopes(db, schoolId, which, { resumable: opts.scopes === "dirty" && policy !== null });
  // The context (roles, bots, policies, calendars) after the list: whatever wrote a listed scope's messages
  // committed before the list was read, so its roster is in the context. Read the other way round, a load
  // committing in between (a streamed slice with its new staff, db/seed/stream.ts) had its scopes listed
  // and derived with roles from before it (a bench run at 10 M messages lost one slice's answers that way;
  // tests/integration/derive-behind.test.ts stores a slice inside a run, just before its list).
  let ctx = await loadSchoolContext(db, schoolId, opts.now);
  let reloads = 0;
  const batches = runBatches(scopes, opts.batchMessages ?? 25_000, opts.batchScopes ?? 5_000);

  let done = 0;
  let episodes = 0;
  let inserted = 0;
  let deleted = 0;
  // An incremental run (webhooks' dirty scopes) reads only the ratings it can change, part by part, by the
  // ids of the messages each part read (RatingLinker.addMessages); a big one (a full recompute, a bulk
  // load's marks) reads the school's once instead of a huge scope list.
  const partialRatings = scopes.length <= PARTIAL_RATINGS_MAX_SCOPES;
  const ratings = partialRatings ? await RatingLinker.pending(db, schoolId) : await RatingLinker.load(db, schoolId);
  const phaseMs = { read: 0, derive: 0, write: 0 };
  const setupMs = performance.now() - started;
  let resumed = 0;
  opts.onProgress?.(0, scopes.length);
  for (const batch of batches) {
    await claimMarks(db, schoolId, batch);
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      await tx.execute(recomputeLock(schoolId));
      const marks = await readMarks(tx, schoolId, batch);
      // A roster, policy or calendar change committed since the context was read, and with it the marks it
      // renewed (a student made a mentor marks every scope they wrote in), would otherwise be derived with
      // the old roles and its marks cleared until the scope's next message. The counter is read after the
      // marks, so every change behind a mark read here is in a context reloaded now; a change committed
      // after the marks were read renews them again and they survive clearMarks.
      if ((await readInputsVersion(tx, schoolId)) !== ctx.inputsVersion) {
        ctx = await loadSchoolContext(tx, schoolId, opts.now);
        reloads++;
      }
      // Decided here, under the lock and from the marks this batch will clear (checkpoints.ts).
      const plans = opts.scopes === "dirty" && policy ? await planResume(tx, ctx, marks) : new Map<string, ResumePlan>();
      resumed += plans.size;
      const written = await pipelineBatch(tx, ctx, batch, { now: opts.now, policy, plans }, warn, phaseMs, ratings);
      const w0 = performance.now();
      await clearMarks(tx, schoolId, marks);
      phaseMs.write += performance.now() - w0;
      episodes += written.episodes;
      inserted += written.inserted;
      deleted += written.deleted;
    });
    done += batch.length;
    opts.onProgress?.(done, scopes.length);
  }
  // Ratings stored after their episode was computed carry no dirty mark; link them even when nothing was dirty.
  const l0 = performance.now();
  await ratings.unlinked(db, schoolId);
  const ratingsMs = performance.now() - l0;
  // Every scope was written: the staff_contacts of the school are complete (no backfill on first read).
  if (opts.scopes === "all") await markStaffContactsComplete(db, schoolId);
  const round = (n: number) => Math.round(n);
  return {
    scopes: scopes.length,
    episodes,
    batches: batches.length,
    inserted,
    deleted,
    ratingsLinked: ratings.linked,
    resumed,
    contextReloads: reloads,
    ms: round(performance.now() - started),
    phaseMs: { setup: round(setupMs), read: round(phaseMs.read), derive: round(phaseMs.derive), write: round(phaseMs.write), ratings: round(ratingsMs) },
    warnings: [...warnings],
  };
}

/** Messages per pipelined part of a batch: small enough that reading, deriving and writing parts overlap. */
const PART_MESSAGES = 5_000;
/** Messages derived between two yields to the event loop (so queued writes are sent meanwhile). */
const SLICE_MESSAGES = 1_000;

interface Loaded {
  part: readonly ScopeCount[];
  channels: Map<number, ChannelInfo>;
  messages: ScopedEpisodeMessage[];
  /** The part's scopes that resume from a checkpoint, by scope key. */
  plans: Map<string, ResumePlan>;
  /** The ids of their messages after the checkpoints (among `messages`). */
  later: number[];
  resume: Map<string, ResumeFrom>;
}

/** What a run derives with: its `now`, its checkpoint policy, and the batch's resume plans. */
interface RunInput {
  now: Date;
  policy: CheckpointPolicy | null;
  plans: ReadonlyMap<string, ResumePlan>;
}

async function readPart(db: Db, ctx: SchoolContext, part: readonly ScopeCount[], allPlans: ReadonlyMap<string, ResumePlan>): Promise<Loaded> {
  const plans = new Map<string, ResumePlan>();
  const whole: ScopeRef[] = [];
  for (const s of part) {
    const plan = allPlans.get(scopeKey(s.channelId, s.threadId));
    if (plan) plans.set(scopeKey(s.channelId, s.threadId), plan);
    else whole.push({ channelId: s.channelId, threadId: s.threadId });
  }
  const channels = await loadChannels(db, ctx.schoolId, [...new Set(part.map((s) => s.channelId))]);
  const messages = await loadScopeMessages(db, ctx, whole);
  if (plans.size === 0) return { part, channels, messages, plans, later: [], resume: new Map() };
  const after = [...plans.values()].map((p) => p.after);
  const later = await loadMessagesAfter(db, ctx, after);
  // Reply targets the later messages name that are not among them: at or before the checkpoint.
  const keyOf = (m: ScopedEpisodeMessage) => scopeKey(m.channelId, m.threadId);
  const wanted = new Map<string, string[]>();
  for (const [key, list] of groupBy(later, keyOf)) {
    const own = new Set(list.map((m) => m.externalId));
    wanted.set(key, list.flatMap((m) => (m.replyToExternalId !== null && !own.has(m.replyToExternalId) ? [m.replyToExternalId] : [])));
  }
  const quotedBy = groupBy(await loadQuoted(db, ctx, after, wanted), keyOf);
  return { part, channels, messages: [...messages, ...later], plans, later: later.map((m) => m.id), resume: resumeInputs(plans, quotedBy) };
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Derives one part: its scopes in slices of about SLICE_MESSAGES messages, in scope order, yielding
 * between slices. deriveScopes orders episodes by scope first, so contiguous slices of the sorted scope
 * list concatenate to exactly its output for the whole part (same rows, same order, same ids on insert).
 */
async function derivePart(
  ctx: SchoolContext,
  loaded: Loaded,
  run: RunInput,
  warn: (m: string) => void,
  phaseMs: { derive: number },
): Promise<{ rows: EpisodeInsert[]; contacts: StaffInitiatedContact[]; checkpoints: Map<string, { checkpoint: ScopeCheckpoint; fingerprint: string }> }> {
  const { now } = run;
  const sliceOf = new Map<string, number>();
  const slices = batchScopes(loaded.part, SLICE_MESSAGES, Number.MAX_SAFE_INTEGER);
  slices.forEach((sl, i) => {
    for (const s of sl) sliceOf.set(`${s.channelId}:${s.threadId}`, i);
  });
  const bySlice: ScopedEpisodeMessage[][] = slices.map(() => []);
  for (const m of loaded.messages) bySlice[sliceOf.get(`${m.channelId}:${m.threadId ?? 0}`) ?? 0]?.push(m);
  const rows: EpisodeInsert[] = [];
  const contacts: StaffInitiatedContact[] = [];
  const checkpoints = new Map<string, { checkpoint: ScopeCheckpoint; fingerprint: string }>();
  for (const [i, messages] of bySlice.entries()) {
    if (i > 0) await yieldToLoop();
    const d0 = performance.now();
    const resume = new Map([...loaded.resume].filter(([key]) => sliceOf.get(key) === i));
    const derived = deriveScopes({ channels: loaded.channels, messages, roleOf: ctx.roleOf, now, resume, checkpoint: run.policy ?? undefined });
    for (const [key, checkpoint] of derived.checkpoints) {
      const channel = loaded.channels.get(Number(key.split(":")[0]));
      if (channel) checkpoints.set(key, { checkpoint, fingerprint: channelFingerprint(ctx, channel) });
    }
    for (const c of derived.contacts) contacts.push(c);
    for (const e of derived.episodes) {
      const channel = loaded.channels.get(e.scope.channelId);
      if (!channel) throw new Error(`episode in unknown channel ${e.scope.channelId}`);
      rows.push(episodeRow(ctx, e, channel, now, warn));
    }
    phaseMs.derive += performance.now() - d0;
  }
  return { rows, contacts, checkpoints };
}

/**
 * One batch (one transaction) as a pipeline over parts of PART_MESSAGES messages: while Node derives
 * part i, PostgreSQL reads part i + 1 and writes part i − 1 (one connection: the driver queues the
 * statements in order, the server runs them while Node computes). Each part replaces exactly its own
 * scopes' episodes and contacts, in scope order, so the end state is the one of the whole batch at once.
 * Phase times are what the loop waited for: reads, its own derivation, the writes still due at the end.
 */
async function pipelineBatch(
  db: Db,
  ctx: SchoolContext,
  batch: readonly ScopeCount[],
  run: RunInput,
  warn: (m: string) => void,
  phaseMs: { read: number; derive: number; write: number },
  ratings: RatingLinker,
): Promise<{ episodes: number; inserted: number; deleted: number }> {
  const parts = batchScopes(batch, PART_MESSAGES, Number.MAX_SAFE_INTEGER);
  const out = { episodes: 0, inserted: 0, deleted: 0 };
  let writes: Promise<void> = Promise.resolve();
  // A failed write must surface at the final await, not as an unhandled rejection while the loop reads on.
  let failure: unknown = null;
  // A read that fails while Node derives (the transaction aborted by a failed write) is observed at its await.
  const read = (part: readonly ScopeCount[]) => {
    const p = readPart(db, ctx, part, run.plans);
    p.catch(() => undefined);
    return p;
  };
  const first = parts[0];
  let next: Promise<Loaded> | null = first ? read(first) : null;
  for (let i = 0; next; i++) {
    const r0 = performance.now();
    let loaded: Loaded;
    try {
      loaded = await next;
    } catch (err) {
      // A read queued behind a failed write fails with "transaction aborted": report the write's error.
      await writes;
      throw failure ?? err;
    }
    phaseMs.read += performance.now() - r0;
    const following = parts[i + 1];
    next = following ? read(following) : null;
    const { rows, contacts, checkpoints } = await derivePart(ctx, loaded, run, warn, phaseMs);
    const refs: ScopeRef[] = loaded.part.map((s) => ({ channelId: s.channelId, threadId: s.threadId }));
    const bounds = [...loaded.plans.values()].map((p) => p.after);
    const carried = [...loaded.plans.values()].flatMap((p) => p.checkpoint.unclosed.map((u) => u.episode.openedMessageId));
    writes = writes.then(async () => {
      if (failure !== null) return;
      try {
        const replaced = await replaceEpisodes(db, ctx.schoolId, refs, rows, { bounds, carried });
        await writeStaffContacts(db, ctx.schoolId, refs, contacts, { bounds, messageIds: loaded.later });
        await writeCheckpoints(db, ctx.schoolId, refs, checkpoints, loaded.plans);
        await ratings.addMessages(db, ctx.schoolId, loaded.messages);
        await ratings.afterBatch(db, ctx.schoolId, rows, replaced);
        out.episodes += rows.length;
        out.inserted += replaced.idByOpening.size;
        out.deleted += replaced.deletedIds.length;
      } catch (err) {
        failure = err;
      }
    });
    if (failure !== null) break;
  }
  const w0 = performance.now();
  await writes;
  // Reads already queued behind a failed write fail too; wait for them before rethrowing.
  if (next) await next.catch(() => undefined);
  phaseMs.write += performance.now() - w0;
  if (failure !== null) throw failure;
  return out;
}
