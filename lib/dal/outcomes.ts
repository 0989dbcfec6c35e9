import "server-only";
import { getDb } from "../../db/client";
import { outcomesReport, type OutcomesFilter, type OutcomesReport, type RetentionRow } from "../reports/outcomes";
import { currentRiskReport, parseAsOf, type CurrentRiskReport } from "../reports/risk";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import type { ReportQuery } from "../reports/sla";
import { requireAccess } from "./access";

export type { OutcomesFilter, OutcomesReport, RetentionRow };
export type RiskReport = CurrentRiskReport;

/** The page's query: period, as-of, and the course/cohort filter (external ids) applied to every section. */
export type OutcomesQuery = ReportQuery & { school?: string; asOf?: string; course?: string; cohort?: string };

export interface OutcomesData {
  report: OutcomesReport;
  risk: RiskReport;
  /** False for executives: aggregates only, no student names (METRICS.md, Privacy). */
  canSeeStudents: boolean;
}

/**
 * The outcomes page: completion and retention for the period, and the at-risk list as of `asOf`
 * (YYYY-MM-DD, default the end of the period or now; a list scored up to RUN_REUSE_MS earlier is reused).
 * Executives get an empty list: aggregates only.
 */
export async function getOutcomes(q: OutcomesQuery, now: Date = new Date()): Promise<OutcomesData> {
  const { school, scope } = await requireAccess({ school: q.school, page: "outcomes" });
  const { db } = await getDb();
  // Both read stored runs when recent enough (docs/adr/0009-stored-report-runs.md): computing every
  // enrollment's outcome row took ~0.9 s and scoring the at-risk list ~1.2 s at 100 k students, per view.
  const report = await outcomesReport(db, school, q, now, { course: q.course || undefined, cohort: q.cohort || undefined }, { stored: { refreshMs: RUN_REFRESH_MS } });
  let asOf: Date;
  try {
    asOf = q.asOf ? parseAsOf(q.asOf, school.timezone, now) : new Date(report.asOf);
  } catch {
    asOf = new Date(report.asOf);
  }
  const all = await currentRiskReport(db, school, asOf, now, { refreshMs: RUN_REFRESH_MS });
  // The same course/cohort as the report (its validated filter), so the at-risk list and its CSV match.
  const f = report.filter;
  const risk = { ...all, rows: all.rows.filter((x) => (!f.course || x.courseExternalId === f.course) && (!f.cohort || x.cohortExternalId === f.cohort)) };
  const canSeeStudents = scope.kind === "school";
  return {
    // Per-enrollment rows carry person ids: only aggregates leave the DAL.
    report: { ...report, rows: [] },
    // Executives get no per-student rows at all, not even nameless ones (METRICS.md, Privacy; ADR 0003).
    risk: canSeeStudents ? risk : { ...risk, rows: [] },
    canSeeStudents,
  };
}
