import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { assignedCounts, loadUntil, packStaffPart, staffLoad, staffPart, staffRoster, unpackStaffPart, type LoadReport as LoadData, type SettledStaffPart, type StoredStaffPart } from "../../db/queries/reports/load";
import { csatCountsByResponder } from "../../db/queries/reports/csat";
import { float64Base64, fromFloat64Base64 } from "../../db/queries/reports/common";
import { answeredPairs } from "../../db/queries/reports/rebalance";
import { settledUpTo, type Period } from "../period";
import { currentRun, type RunOptions, type RunSpec } from "./report-runs";
import { parseGroupBy, reportPeriod, type ReportQuery } from "./sla";

/** Load per staff member, as the team page and `cli report load` read it. */

export interface LoadReport extends LoadData {
  school: string;
  timezone: string;
  period: Period;
  asOf: string;
}

export async function loadReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<LoadReport> {
  // Load is a per-person measure; other groupings would need a different definition of capacity.
  parseGroupBy(q.groupBy, ["person"] as const, "person");
  return loadReportFor(db, school, await reportPeriod(db, school, q, now), now);
}

export interface LoadOptions {
  /**
   * Read the period's closed episodes, sent messages and assigned students from the school's stored run
   * (report_runs kind `team`, docs/adr/0011-settled-days-stored.md), as the team page does; absent = all
   * computed for the call (the CLI, the tests' reference).
   */
  stored?: RunOptions;
  /** That run, when the caller has asked for it already (the team page reads its CSAT part too). */
  settled?: Promise<SettledStaffPart>;
}

/** The load report of a period already resolved (the team page reads CSAT for the same period alongside). */
export async function loadReportFor(db: Db, school: SchoolRow, period: Period, now: Date, opts: LoadOptions = {}): Promise<LoadReport> {
  const settled = opts.settled ?? (opts.stored ? settledStaffPart(db, school, period, now, opts.stored) : undefined);
  const data = await staffLoad(db, school.id, school.timezone, period, now, settled);
  return { school: school.slug, timezone: school.timezone, period, asOf: now.toISOString(), ...data };
}

/** The team page's stored part of a period as of `now` (reused or computed: currentRun). */
export function settledStaffPart(db: Db, school: SchoolRow, period: Period, now: Date, stored: RunOptions): Promise<SettledStaffPart> {
  return currentRun(db, school.id, staffPartSpec(db, school, period), now, now, stored).then((r) => r.value);
}

/** Bumped when the stored part changes shape. */
const PART_FORMAT = 4;

/**
 * The stored part of a period's load (one run per school: its version names the period and the time
 * zone, so another period computes and replaces it). The part ends yesterday as of when it was computed;
 * the assigned students are counted as of then.
 */
function staffPartSpec(db: Db, school: SchoolRow, period: Period): RunSpec<SettledStaffPart> {
  const tz = school.timezone;
  return {
    kind: "team",
    version: `team-${PART_FORMAT}|${tz}|${period.from}..${period.to}`,
    compute: async (asOf) => {
      const upTo = settledUpTo(period, tz, asOf);
      const range = { from: period.from, to: upTo };
      const [part, assigned, csat, pairs, roster] = await Promise.all([
        staffPart(db, school.id, tz, range),
        loadUntil(db, tz, period, asOf).then(({ until }) => assignedCounts(db, school.id, until)),
        csatCountsByResponder(db, school.id, tz, range),
        answeredPairs(db, school.id, tz, range),
        staffRoster(db, school.id),
      ]);
      return { upTo, part, assigned, csat, pairs, roster };
    },
    rows: (v) => v.part.answered.length,
    pack: (v) => JSON.stringify({ ...v, part: packStaffPart(v.part), pairs: float64Base64(v.pairs) }),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => {
      const v = JSON.parse(text) as Omit<SettledStaffPart, "part" | "pairs"> & { part: StoredStaffPart; pairs: string };
      return { ...v, part: unpackStaffPart(v.part), pairs: fromFloat64Base64(v.pairs) };
    },
  };
}
