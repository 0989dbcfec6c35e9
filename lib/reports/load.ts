import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { staffLoad, type LoadReport as LoadData } from "../../db/queries/reports/load";
import type { Period } from "../period";
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

/** The load report of a period already resolved (the team page reads CSAT for the same period alongside). */
export async function loadReportFor(db: Db, school: SchoolRow, period: Period, now: Date): Promise<LoadReport> {
  const data = await staffLoad(db, school.id, school.timezone, period, now);
  return { school: school.slug, timezone: school.timezone, period, asOf: now.toISOString(), ...data };
}
