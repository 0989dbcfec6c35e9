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
  // The grouped report and the weekly trend are independent reads, so they run together: the page waits
  // for the slower, not the sum (with a 365-day period they are most of its time). The comments need the
  // report's resolved period and filter, so they follow it (a few ms, bounded by their limit).
  const reportP = csatReport(db, school, q, now);
  const weeklyP = q.groupBy === "week" ? reportP : csatReport(db, school, { ...q, groupBy: "week" }, now);
  const commentsP = reportP.then((report) =>
    // Unfiltered, the shared comment query as before; filtered, the same query with the report's filter.
    Object.keys(report.filter).length === 0
      ? ratingComments(db, school.id, school.timezone, report.period)
      : csatComments(db, school.id, school.timezone, report.period, report.filter),
  );
  const [report, weekly, comments] = await Promise.all([reportP, weeklyP, commentsP]);
  return { report, weekly, comments };
}
