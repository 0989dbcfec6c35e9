import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { ratingComments, type RatingComment } from "../../db/queries/reports/comments";
import { csatComments, csatFromParts, csatGroupBys, csatPart, csatPartsOfRange, csatReport as csatQuery, type CsatFilter, type CsatGroupBy, type CsatPart, type CsatReport as CsatData } from "../../db/queries/reports/csat";
import { labelsFor } from "../../db/queries/reports/common";
import { settledUpTo, type Period } from "../period";
import { parseReportFilter, type CsatReport, type FilterQuery } from "./csat";
import { currentRun, filterVersion, type RunOptions, type RunSpec } from "./report-runs";
import { parseGroupBy, reportPeriod, type ReportQuery } from "./sla";

export interface SatisfactionData {
  report: CsatReport;
  weekly: CsatReport;
  comments: RatingComment[];
}

export interface SatisfactionOptions {
  /**
   * Read the ratings and surveys of the days before yesterday from the school's stored run (report_runs
   * kind `satisfaction`, docs/adr/0011-settled-days-stored.md), as the page does; absent = the whole
   * period computed for the call (the tests' reference).
   */
  stored?: RunOptions;
}

/** The satisfaction page: the grouped report, the weekly trend and the comments, for one period and filter. */
export async function satisfactionReport(db: Db, school: SchoolRow, q: ReportQuery & FilterQuery, now: Date, opts: SatisfactionOptions = {}): Promise<SatisfactionData> {
  const groupBy = parseGroupBy<CsatGroupBy>(q.groupBy, csatGroupBys, "person");
  const period = await reportPeriod(db, school, q, now);
  const filter = parseReportFilter(q);
  const tz = school.timezone;
  // The comments need only the period and the filter: read beside the figures, not after them.
  const commentsP =
    // Unfiltered, the shared comment query as before; filtered, the same query with the report's filter.
    Object.keys(filter).length === 0 ? ratingComments(db, school.id, tz, period) : csatComments(db, school.id, tz, period, filter);
  const groupings: CsatGroupBy[] = groupBy === "week" ? ["week"] : [groupBy, "week"];
  let figures: Promise<CsatData[]>;
  if (opts.stored) {
    // The days before yesterday from the stored run, the days since read live, each grouping's parts added up.
    // The live days of every grouping in one statement (csatPartsOfRange), their labels from the run's.
    const run = currentRun(db, school.id, partSpec(db, school, period, filter, groupings), now, now, opts.stored).then((r) => r.value);
    figures = run.then(async (r) => {
      const live = await csatPartsOfRange(db, school.id, tz, { from: r.upTo, to: period.to }, groupings, filter);
      return Promise.all(groupings.map((g, i) => csatFromParts(db, school.id, g, [r.parts[i]!, live[i]!], knownLabels(r, i))));
    });
  } else {
    // The grouped report and the weekly trend are independent reads, so they run together: the page waits
    // for the slower, not the sum.
    figures = Promise.all(groupings.map((g) => csatQuery(db, school.id, tz, period, g, filter)));
  }
  const [[grouped, weekly = grouped], comments] = await Promise.all([figures, commentsP]);
  const wrap = (r: CsatData): CsatReport => ({ school: school.slug, timezone: tz, period, filter, ...r });
  return { report: wrap(grouped!), weekly: wrap(weekly!), comments };
}

interface StoredRun {
  /** Where the stored part ends (exclusive; settledUpTo as of when it was computed). */
  upTo: string;
  /** One part per grouping the page shows, in the order of the version's list. */
  parts: CsatPart[];
  /**
   * Per part, its groups' labels as of when it was computed ([key, label]; none by week, whose keys are
   * their labels): a name may lag by the run's reuse window, as ADR 0009 lets names lag. Reading ~800
   * names by id on every view was ~1.2 ms of PostgreSQL and ~1 ms of Node (docs/performance.md, round 26).
   */
  labels: Array<Array<[string, string]>>;
}

/** Bumped when the stored part changes shape. */
const PART_FORMAT = 2;

/** The labels a run holds for its i-th part; kept decoded with the run (the map is built per view: ~800 entries). */
function knownLabels(r: StoredRun, i: number): Map<string, string> {
  return new Map(r.labels[i]);
}

/**
 * The stored part of the page's figures (one run per school: its version names the period, the time zone,
 * the groupings and the filter, so another view computes and replaces it). Counts and CSAT sums, which
 * the live days' add up to the period's exactly (CsatPart).
 */
function partSpec(db: Db, school: SchoolRow, period: Period, filter: CsatFilter, groupings: readonly CsatGroupBy[]): RunSpec<StoredRun> {
  return {
    kind: "satisfaction",
    version: `satisfaction-${PART_FORMAT}|${school.timezone}|${period.from}..${period.to}|${groupings.join(",")}|${filterVersion(filter)}`,
    compute: async (asOf) => {
      const upTo = settledUpTo(period, school.timezone, asOf);
      const parts = await Promise.all(
        groupings.map(async (g) => {
          const part = await csatPart(db, school.id, school.timezone, { from: period.from, to: upTo }, g, filter);
          const keys = part.rated.flatMap((row) => (row.total || row.key === null ? [] : [row.key]));
          const labels = g === "week" ? [] : [...(await labelsFor(db, school.id, g, keys))].flatMap(([k, label]): Array<[string, string]> => (k === null ? [] : [[k, label]]));
          return { part, labels };
        }),
      );
      return { upTo, parts: parts.map((p) => p.part), labels: parts.map((p) => p.labels) };
    },
    rows: (v) => v.parts.reduce((n, p) => n + p.rated.length, 0),
    pack: (v) => JSON.stringify(v),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => JSON.parse(text) as StoredRun,
  };
}
