import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { csatGroupBys, csatReport as csatQuery, csatTotal, type CsatFilter, type CsatGroupBy, type CsatReport as CsatData, type CsatStats } from "../../db/queries/reports/csat";
import type { Period } from "../period";
import { parseFilter } from "./episode-detail";
import { parseGroupBy, reportPeriod, type ReportQuery } from "./sla";

/** Satisfaction (CSAT, NPS, response rate), as the satisfaction page and `cli report csat` read it. */

export type { CsatFilter };

/** The report filters as a URL or the CLI carries them (`?role=&cohort=&channel=&source=`, SLA page keys). */
export interface FilterQuery {
  role?: string;
  cohort?: string;
  channel?: string;
  source?: string;
}

/**
 * Role, cohort (id), channel (id) and source, parsed by the SLA page's own parser so the same URL means
 * the same episodes on every page; a value that does not parse is dropped (a stale link still opens).
 */
export function parseReportFilter(q: FilterQuery): CsatFilter {
  const { role, cohortId, channelId, source } = parseFilter({ role: q.role, cohort: q.cohort, channel: q.channel, source: q.source });
  return Object.fromEntries(Object.entries({ role, cohortId, channelId, source }).filter(([, v]) => v !== undefined)) as CsatFilter;
}

export interface CsatReport extends CsatData {
  school: string;
  timezone: string;
  period: Period;
  /** The filter applied (empty = every rating of the period). */
  filter: CsatFilter;
}

export async function csatReport(db: Db, school: SchoolRow, q: ReportQuery & FilterQuery, now: Date): Promise<CsatReport> {
  const groupBy = parseGroupBy<CsatGroupBy>(q.groupBy, csatGroupBys, "person");
  const period = await reportPeriod(db, school, q, now);
  const filter = parseReportFilter(q);
  return { school: school.slug, timezone: school.timezone, period, filter, ...(await csatQuery(db, school.id, school.timezone, period, groupBy, filter)) };
}

/** The total of csatReport alone (the overview's KPI cards): the same figures without grouping. */
export async function csatTotalReport(db: Db, school: SchoolRow, q: ReportQuery & FilterQuery, now: Date): Promise<{ total: CsatStats }> {
  const period = await reportPeriod(db, school, q, now);
  return { total: await csatTotal(db, school.id, school.timezone, period, parseReportFilter(q)) };
}
