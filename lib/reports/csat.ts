import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { csatGroupBys, csatReport as csatQuery, type CsatGroupBy, type CsatReport as CsatData } from "../../db/queries/reports/csat";
import type { Period } from "../period";
import { parseGroupBy, reportPeriod, type ReportQuery } from "./sla";

/** Satisfaction (CSAT, NPS, response rate), as the satisfaction page and `cli report csat` read it. */

export interface CsatReport extends CsatData {
  school: string;
  timezone: string;
  period: Period;
}

export async function csatReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<CsatReport> {
  const groupBy = parseGroupBy<CsatGroupBy>(q.groupBy, csatGroupBys, "person");
  const period = await reportPeriod(db, school, q, now);
  return { school: school.slug, timezone: school.timezone, period, ...(await csatQuery(db, school.id, school.timezone, period, groupBy)) };
}
