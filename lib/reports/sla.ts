import type { Db } from "../../db/client";
import { messageSpan } from "../../db/queries/overview";
import type { SchoolRow } from "../../db/queries/schools";
import { groupBys, type GroupBy } from "../../db/queries/reports/common";
import { slaHeatmap, slaSummary, type HeatCell, type SlaSummary } from "../../db/queries/reports/sla";
import { parsePeriod, type Period } from "../period";

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
  const span = await messageSpan(db, school.id, school.timezone);
  return parsePeriod(q, school.timezone, span.last, now);
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

export async function slaReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<SlaReport> {
  const groupBy = parseGroupBy<GroupBy>(q.groupBy, groupBys, "role");
  const period = await reportPeriod(db, school, q, now);
  const summary = await slaSummary(db, school.id, school.timezone, period, groupBy, now);
  return { school: school.slug, timezone: school.timezone, period, asOf: now.toISOString(), ...summary };
}

export interface HeatmapReport {
  school: string;
  timezone: string;
  period: Period;
  cells: HeatCell[];
}

export async function heatmapReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<HeatmapReport> {
  const period = await reportPeriod(db, school, q, now);
  return { school: school.slug, timezone: school.timezone, period, cells: await slaHeatmap(db, school.id, school.timezone, period, now) };
}
