import "server-only";
import { getDb } from "../../db/client";
import { overviewReport, type OverviewData, type OverviewQuery } from "../reports/overview";
import { AccessError, requireViewer, resolveSchool, roleAt } from "./session";

export type { OverviewData, OverviewQuery };

/** The overview page and its CSV export read this one function; it checks the viewer beside the data. */
export async function getOverview(q: OverviewQuery, now: Date = new Date()): Promise<OverviewData> {
  const viewer = await requireViewer();
  const school = resolveSchool(viewer, q.school);
  if (!roleAt(viewer, school)) throw new AccessError(403, "no role at this school");
  const { db } = await getDb();
  return overviewReport(db, school, q, now);
}
