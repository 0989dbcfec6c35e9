import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { num } from "./common";
import { isoTs } from "./outcomes";
import type { Role } from "@/lib/ingest/types";

const interval = (ms: number) => sql`${`${Math.trunc(ms)} milliseconds`}::interval`;

/**
 * What a stored run holds: the at-risk list, every enrollment's outcome row, the unreachable students, the
 * check-ins due, the KPI cards' settled figures, the team and SLA pages' settled parts (ADR 0011), and per
 * role the shift planner's.
 */
export type ReportRunKind = "risk" | "outcomes" | "unreachable" | "checkins" | "kpi" | "team" | "sla" | "satisfaction" | `shifts-${Role}`;

/**
 * A stored report run of a school (db/schema/rollups.ts `report_runs`, docs/adr/0009-stored-report-runs.md):
 * a report as computed at `asOf`, kept whole, one per school and kind.
 */
export interface StoredReportRun {
  asOf: string;
  version: string;
  computedAt: string;
  ms: number;
  rows: number;
  /**
   * This stored version of the row (its `xmin`): every write of a run makes a new one, so a caller that
   * keeps a run it has decoded can tell whether the stored run is still that one.
   */
  token: string;
  /** The run as stored (JSON text), parsed by the caller, which knows its shape; null when it is `known`. */
  body: string | null;
}

/**
 * The school's run of `kind` when it may stand for one as of `asOf` asked at `now`: of `version`, as of
 * no later than `asOf` and at most `maxAgeMs` before it, and scored at most `maxAgeMs` before `now` (the
 * second clock matters for a past as-of date: the data behind an old run may have changed since). The
 * triggers of migration 0017 have already dropped any run whose learning data changed. With `known` (a
 * token from an earlier read), the body is not sent when the run is still that one.
 */
export async function readReportRun(db: Db, schoolId: number, kind: ReportRunKind, version: string, asOf: Date, now: Date, maxAgeMs: number, known?: string): Promise<StoredReportRun | null> {
  const a = sql`${asOf.toISOString()}::timestamptz`;
  const oldest = sql`${new Date(now.getTime() - maxAgeMs).toISOString()}::timestamptz`;
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select ${isoTs(sql`as_of`)} as as_of, version, ${isoTs(sql`computed_at`)} as computed_at, ms, rows, xmin::text as token,
               case when xmin::text = ${known ?? ""} then null else body::text end as body
        from report_runs
        where school_id = ${schoolId} and kind = ${kind} and version = ${version} and as_of <= ${a} and as_of >= ${a} - ${interval(maxAgeMs)}
          and computed_at >= ${oldest}`,
  );
  const x = r[0];
  if (!x) return null;
  return { asOf: String(x.as_of), version: String(x.version), computedAt: String(x.computed_at), ms: num(x.ms), rows: num(x.rows), token: String(x.token), body: x.body === null || x.body === undefined ? null : String(x.body) };
}

/**
 * Keeps `body` (JSON text) as the school's run of its kind, replacing the one before, unless that one is
 * of a later as-of date and still reusable (computed within `maxAgeMs`): a report asked for a past date
 * must not push out the current one that the default view reuses. `lockTimeoutMs` bounds
 * the wait for a writer that has just dropped the run (migration 0017's triggers lock its row until they
 * commit): the page that computed must not wait for an import; its run is simply not kept then.
 * Returns the kept run's token (StoredReportRun), or null when it was not kept.
 */
export async function storeReportRun(
  db: Db,
  schoolId: number,
  run: { kind: ReportRunKind; asOf: Date; version: string; computedAt: Date; ms: number; rows: number; body: string },
  maxAgeMs: number,
  lockTimeoutMs = 200,
): Promise<string | null> {
  try {
    return await db.transaction(async (t) => {
      const tx = t as unknown as Db;
      await tx.execute(sql.raw(`set local lock_timeout = ${Math.max(1, Math.trunc(lockTimeoutMs))}`));
      const r = await rows<{ token: unknown }>(
        tx,
        sql`insert into report_runs as r (school_id, kind, as_of, version, computed_at, ms, rows, body)
            values (${schoolId}, ${run.kind}, ${run.asOf.toISOString()}::timestamptz, ${run.version}, ${run.computedAt.toISOString()}::timestamptz, ${Math.round(run.ms)}, ${run.rows}, ${run.body}::json)
            on conflict (school_id, kind) do update set as_of = excluded.as_of, version = excluded.version, computed_at = excluded.computed_at, ms = excluded.ms, rows = excluded.rows, body = excluded.body
            where excluded.as_of >= r.as_of or excluded.version <> r.version or r.computed_at < excluded.computed_at - ${interval(maxAgeMs)}
            returning xmin::text as token`,
      );
      return r[0] ? String(r[0].token) : null;
    });
  } catch (e) {
    // 55P03 lock_not_available: a writer holds the row (it is dropping the run); the run is not kept.
    const code = (e as { code?: unknown; cause?: { code?: unknown } }).code ?? (e as { cause?: { code?: unknown } }).cause?.code;
    if (code === "55P03") return null;
    throw e;
  }
}

/** Drops the school's stored runs (of one kind, or all): tests, and a caller that knows its data changed in a way the triggers do not see. */
export async function forgetReportRuns(db: Db, schoolId: number, kind?: ReportRunKind): Promise<void> {
  await db.execute(sql`delete from report_runs where school_id = ${schoolId} ${kind ? sql`and kind = ${kind}` : sql``}`);
}
