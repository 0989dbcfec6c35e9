import "server-only";
import { getDb } from "../../db/client";
import { satisfactionReport, type SatisfactionData } from "../reports/satisfaction";
import type { ReportQuery } from "../reports/sla";
import { AccessError, requireViewer, resolveSchool, roleAt } from "./session";

export type { SatisfactionData };

export async function getSatisfaction(q: ReportQuery & { school?: string }, now: Date = new Date()): Promise<SatisfactionData & { canSeeComments: boolean }> {
  const viewer = await requireViewer();
  const school = resolveSchool(viewer, q.school);
  const role = roleAt(viewer, school);
  if (!role) throw new AccessError(403, "no role at this school");
  const { db } = await getDb();
  const data = await satisfactionReport(db, school, q, now);
  // Executives read aggregates only: no comment text (METRICS.md, Privacy).
  const canSeeComments = role !== "executive";
  return { ...data, comments: canSeeComments ? data.comments : [], canSeeComments };
}
