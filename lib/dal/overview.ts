import "server-only";
import { getDb } from "../../db/client";
import { overviewReport, type OverviewData, type OverviewQuery } from "../reports/overview";
import { requireAccess } from "./access";

export type { OverviewData, OverviewQuery };

/**
 * The overview page and its CSV export read this one function; it checks the viewer beside the data.
 * School-wide counts: admin, head and executive only (access.ts PAGE_ROLES).
 */
export async function getOverview(q: OverviewQuery, now: Date = new Date()): Promise<OverviewData> {
  const { school } = await requireAccess({ school: q.school, page: "overview" });
  const { db } = await getDb();
  return overviewReport(db, school, q, now);
}
