import type { Db } from "../../db/client";
import { messageSpan } from "../../db/queries/overview";
import type { SchoolRow } from "../../db/queries/schools";
import { groupBys, openFlags, type GroupBy } from "../../db/queries/reports/common";
import { slaHeatmap, slaSummary, type HeatCell, type SlaSummary } from "../../db/queries/reports/sla";
import type { PartKind } from "../../db/queries/reports/sla-page-part";
import { parsePeriod, periodNeedsLastDay, type Period } from "../period";
import type { RunOptions } from "./report-runs";
import { slaPageFigures } from "./sla-page-run";

/**
 * SLA reports as the SLA page, its exports and `cli report sla` read them (authorisation is the caller's,
 * ARCHITECTURE.md: lib/dal checks the viewer, then calls these).
 */

export interface ReportQuery {
  from?: string;
  to?: string;
  days?: string;
  groupBy?: string;
}

/** The period of a report: as asked, else the 30 days ending on the school's last message day. */
export async function reportPeriod(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<Period> {
  // With an end date the span is not read: parsePeriod would not use it, and its statement came before
  // every report's own (~0.5 ms a view at 10 M messages; docs/performance.md, round 26).
  const last = periodNeedsLastDay(q) ? (await messageSpan(db, school.id, school.timezone)).last : null;
  return parsePeriod(q, school.timezone, last, now);
}

/** A `--group-by` / `?groupBy=` value, checked against what the report supports. */
export function parseGroupBy<G extends string>(value: string | undefined, allowed: readonly G[], fallback: G): G {
  if (value === undefined || value === "") return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as G;
  throw new RangeError(`group by must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`);
}

export interface SlaReport extends SlaSummary {
  school: string;
  timezone: string;
  period: Period;
  /** The instant open episodes were judged at (breaching now, at risk). */
  asOf: string;
}

export interface SlaReportOptions {
  /**
   * Read the days before yesterday from the SLA page's stored run (ADR 0011), as the SLA page reads its
   * breakdown by role and its heatmap: the same figures (tests/integration/report-runs.test.ts), the
   * same run. Only the role grouping is stored; by person, cohort or channel the report is computed for
   * the call. Absent = everything computed for the call.
   */
  stored?: RunOptions;
}

/** The SLA page's figures of a period without filters, from its stored run (slaPageFigures), for one grouping. */
function pageFigures(db: Db, school: SchoolRow, period: Period, now: Date, stored: RunOptions, kind: PartKind) {
  return slaPageFigures(db, school, period, {}, now, stored, openFlags(db, school.id, school.timezone, period, now), [kind]);
}

export async function slaReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date, opts: SlaReportOptions = {}): Promise<SlaReport> {
  const groupBy = parseGroupBy<GroupBy>(q.groupBy, groupBys, "role");
  const period = await reportPeriod(db, school, q, now);
  const summary: SlaSummary =
    groupBy === "role" && opts.stored
      ? await pageFigures(db, school, period, now, opts.stored, "policy").then(({ breakdown }) => ({
          groupBy,
          total: breakdown.total,
          // slaSummary's keys and labels; the page's order is slaSummary's (most episodes first, then the key, no role last).
          groups: breakdown.byRole.map(({ role, roleLabel, ...stats }) => ({ key: role, label: roleLabel, ...stats })),
        }))
      : await slaSummary(db, school.id, school.timezone, period, groupBy, now);
  return { school: school.slug, timezone: school.timezone, period, asOf: now.toISOString(), ...summary };
}

export interface HeatmapReport {
  school: string;
  timezone: string;
  period: Period;
  cells: HeatCell[];
}

/** `opts.stored`: from the SLA page's stored run, as slaReport reads it. */
export async function heatmapReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date, opts: SlaReportOptions = {}): Promise<HeatmapReport> {
  const period = await reportPeriod(db, school, q, now);
  const cells = opts.stored ? (await pageFigures(db, school, period, now, opts.stored, "cell")).cells : await slaHeatmap(db, school.id, school.timezone, period, now);
  return { school: school.slug, timezone: school.timezone, period, cells };
}
