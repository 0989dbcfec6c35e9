import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { ratingComments, type RatingComment } from "../../db/queries/reports/comments";
import { csatComments } from "../../db/queries/reports/csat";
import { csatReport, type CsatReport, type FilterQuery } from "./csat";
import type { ReportQuery } from "./sla";

export interface SatisfactionData {
  report: CsatReport;
  weekly: CsatReport;
  comments: RatingComment[];
}

/** The satisfaction page: the grouped report, the weekly trend and the comments, for one period and filter. */
export async function satisfactionReport(db: Db, school: SchoolRow, q: ReportQuery & FilterQuery, now: Date): Promise<SatisfactionData> {
  const report = await csatReport(db, school, q, now);
  const weekly = q.groupBy === "week" ? report : await csatReport(db, school, { ...q, groupBy: "week" }, now);
  // Unfiltered, the shared comment query as before; filtered, the same query with the report's filter.
  const comments = Object.keys(report.filter).length === 0
    ? await ratingComments(db, school.id, school.timezone, report.period)
    : await csatComments(db, school.id, school.timezone, report.period, report.filter);
  return { report, weekly, comments };
}
