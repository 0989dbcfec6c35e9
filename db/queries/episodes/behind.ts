import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { analyzeGrown } from "../bulk-import";
import { recomputeEpisodes, type RecomputeResult } from "./recompute";
import { markStaffContactsComplete } from "./staff-contacts";

/** What the runs write (analysed when grown: each run's statements read what the runs before it wrote). */
const DERIVED = ["episodes", "staff_contacts", "scope_checkpoints", "dirty_scopes"];

/** What the runs behind one school's load did, summed; `tailMs` is the wait after its last part. */
export interface BehindSummary {
  runs: number;
  episodesWritten: number;
  /** Batches that reloaded the school's context: a part's new staff committed after their run read it. */
  contextReloads: number;
  tailMs: number;
}

/**
 * Derivation behind a load that is stored in parts (the streamed demo's slices): once a part is committed,
 * the scopes it marked dirty are derived while the next part is generated and stored, instead of all
 * scopes after the last part. Importing is about one core's work split between Node and PostgreSQL, and
 * so is deriving: side by side they use the machine's two cores (issue #9, import ≥ 50 k messages/s
 * including derivation).
 *
 * The runs are the ordinary incremental recompute (`scopes: "dirty"`) that webhooks trigger, under
 * recompute's own advisory lock, which never blocks ingestion; a scope that gets more messages after it
 * was derived is marked again and resumed from its checkpoint by a later run, so the result does not depend
 * on where the parts were cut (tests/integration/derive-behind.test.ts compares it with one `all` run).
 * At most one run is in flight: a part committed during a run asks for one more after it, and the
 * importer never waits for a run until `finish`.
 */
export class DeriveBehind {
  private running: Promise<void> | null = null;
  private again = false;
  private failure: unknown = null;
  private readonly runs: RecomputeResult[] = [];

  private constructor(
    private readonly db: Db,
    private readonly schoolId: number,
    private readonly now: Date,
    /** The school held no messages when the load began: every scope it has at the end was derived by these runs. */
    private readonly fresh: boolean,
  ) {}

  /** Call before the load's first part is stored. */
  static async start(db: Db, schoolId: number, now: Date): Promise<DeriveBehind> {
    const found = await rows<{ x: number }>(db, sql`select 1 as x from messages where school_id = ${schoolId} limit 1`);
    return new DeriveBehind(db, schoolId, now, found.length === 0);
  }

  /** After a part (and whatever configuration its scopes' SLA depends on) is committed. Throws an earlier run's error. */
  partStored(): void {
    this.throwIfFailed();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.runOnce();
        // These tables grow from nothing during a load; without statistics the next run's plans go wrong.
        await analyzeGrown(this.db, DERIVED);
      } while (this.again);
    } catch (e) {
      // Kept, not thrown here: nobody awaits this promise until the next part or `finish`.
      this.failure = e;
    } finally {
      this.running = null;
    }
  }

  private async runOnce(): Promise<void> {
    this.runs.push(await recomputeEpisodes(this.db, this.schoolId, { scopes: "dirty", now: this.now }));
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure instanceof Error ? this.failure : new Error(String(this.failure));
  }

  /**
   * After the last part: waits for the run in flight, derives what is still dirty, and, for a school that
   * was empty, records its staff contacts as complete (as `recompute --all` does), so no page backfills them.
   */
  async finish(): Promise<BehindSummary> {
    const t0 = performance.now();
    if (this.running) await this.running;
    this.throwIfFailed();
    await this.runOnce();
    if (this.fresh) await markStaffContactsComplete(this.db, this.schoolId);
    return {
      runs: this.runs.length,
      episodesWritten: this.runs.reduce((n, r) => n + r.episodes, 0),
      contextReloads: this.runs.reduce((n, r) => n + r.contextReloads, 0),
      tailMs: Math.round(performance.now() - t0),
    };
  }
}
