import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { ratingComments, type RatingComment } from "../../db/queries/reports/comments";
import { csatReport, type CsatReport } from "./csat";
import type { ReportQuery } from "./sla";

export interface SatisfactionData {
  report: CsatReport;
  weekly: CsatReport;
  comments: RatingComment[];
}

/** The satisfaction page: the grouped report, the weekly trend and the comments, for one period. */
export async function satisfactionReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<SatisfactionData> {
  const report = await csatReport(db, school, q, now);
  const weekly = q.groupBy === "week" ? report : await csatReport(db, school, { ...q, groupBy: "week" }, now);
  const comments = await ratingComments(db, school.id, school.timezone, report.period);
  return { report, weekly, comments };
}
