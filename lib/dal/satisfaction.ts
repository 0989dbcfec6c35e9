import "server-only";
import { getDb } from "../../db/client";
import { satisfactionReport, type SatisfactionData } from "../reports/satisfaction";
import type { ReportQuery } from "../reports/sla";
import type { FilterQuery } from "../reports/csat";
import { requireAccess } from "./access";
import { dmChannelIds } from "../../db/queries/scope";
import { filterOptions, type FilterOptions } from "../../db/queries/reports/episode-detail";
import { RUN_REFRESH_MS } from "../reports/report-runs";

export type { SatisfactionData, FilterOptions };

export async function getSatisfaction(q: ReportQuery & FilterQuery & { school?: string }, now: Date = new Date()): Promise<SatisfactionData & { canSeeComments: boolean; options: FilterOptions }> {
  const { school, scope } = await requireAccess({ school: q.school, page: "satisfaction" });
  const { db } = await getDb();
  // The filter's choices (the SLA page's: staff roles, cohorts, group channels without DMs, sources),
  // read beside the report, not after it. The days before yesterday come from the stored run (ADR 0011).
  const [data, options] = await Promise.all([satisfactionReport(db, school, q, now, { stored: { refreshMs: RUN_REFRESH_MS } }), filterOptions(db, school.id)]);
  // Executives read aggregates only: no comment text (METRICS.md, Privacy).
  const canSeeComments = scope.kind === "school";
  if (scope.kind === "aggregate" && data.report.groupBy === "channel") {
    // A DM is one student and is titled with their name: its row goes, its ratings stay in the total.
    const dms = await dmChannelIds(db, school.id, data.report.groups.flatMap((g) => (g.key === null ? [] : [Number(g.key)])));
    data.report = { ...data.report, groups: data.report.groups.filter((g) => g.key === null || !dms.has(Number(g.key))) };
  }
  return { ...data, comments: canSeeComments ? data.comments : [], canSeeComments, options };
}
