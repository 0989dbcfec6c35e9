import "server-only";
import { csvResponse, toCsv } from "../csv";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { guardApi } from "./exports";
import { retentionTable } from "../reports/outcomes";
import { getOutcomes } from "./outcomes";
import { requireAccess } from "./access";
import { getViewer } from "./session";

const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

const OUTCOME_TABLES = ["completion", "retention"] as const;
/** Survival as a share with four decimals: the curve's steps at n ≈ 30 per tier differ in the third. */
const share = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 10000);
const courseCohort = (f: { course?: string; cohort?: string }) => `${f.course ? `-${f.course}` : ""}${f.cohort ? `-${f.cohort}` : ""}`.replace(/[^\w.-]+/g, "_");

/**
 * Completion by tier and by quartile of support exposure, with 95 % Wilson bounds (percent); or, with
 * `table=retention`, the Kaplan–Meier retention curves (tier, week, at risk, withdrawals, S(t), 95 % CI).
 * Both honour the page's course and cohort (`?course=&cohort=`). An unknown `table` is a 400.
 */
export function exportOutcomesCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    const table = q.table === undefined || q.table === "" ? "completion" : OUTCOME_TABLES.find((t) => t === q.table);
    if (!table) return Response.json({ error: `table: one of ${OUTCOME_TABLES.join(", ")}` }, { status: 400 });
    const { report: r } = await getOutcomes(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: table === "retention" ? "outcomes-retention" : "outcomes", details: { school: r.school, ...r.period, asOf: r.asOf, ...r.filter } });
    if (table === "retention") {
      const body = toCsv(
        ["tier", "week", "at_risk", "events", "censored", "survival", "ci95_low", "ci95_high"],
        retentionTable(r.retention.curves).map((x) => [x.tier, x.week, x.atRisk, x.events, x.censored, share(x.survival), share(x.ciLow), share(x.ciHigh)]),
      );
      return csvResponse(`retention-${r.school}${courseCohort(r.filter)}-${r.period.from}.csv`, body);
    }
    const lines: Array<Array<string | number | null>> = [];
    for (const g of r.byTier) lines.push(["tier", g.group, g.successes, g.n, g.notEnded, pct(g.rate), pct(g.low), pct(g.high)]);
    const quart = (name: string, qr: typeof r.byResponseTime) => {
      for (const x of qr.quartiles) lines.push([name, `Q${x.quartile} (${x.from ?? "min"}; ${x.to ?? "max"}]`, x.successes, x.n, x.notEnded, pct(x.rate), pct(x.low), pct(x.high)]);
    };
    quart("median_response_minutes", r.byResponseTime);
    quart("staff_initiated_contacts", r.byStaffContacts);
    quart("breached_share", r.byBreachedShare);
    lines.push(["total", "", r.total.successes, r.total.n, r.total.notEnded, pct(r.total.rate), pct(r.total.low), pct(r.total.high)]);
    const body = toCsv(["breakdown", "group", "completed", "ended", "not_ended", "completion_pct", "ci95_low_pct", "ci95_high_pct"], lines);
    return csvResponse(`outcomes-${r.school}${courseCohort(r.filter)}-${r.period.from}.csv`, body);
  });
}

/** The at-risk list: per-student rows, so admin and head only (403 for every other role). */
export function exportRiskCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    await requireAccess({ school: q.school, page: "risk" });
    // Course and cohort are applied by getOutcomes; tier and reason are the list's own filters (the page's
    // ?tier=&reason=), so the file holds exactly the rows on screen.
    const { risk, canSeeStudents, report } = await getOutcomes(q);
    const tier = q.tier || undefined;
    const reason = q.reason || undefined;
    const rows = risk.rows.filter((x) => (!tier || x.tier === tier) && (!reason || x.reasons.some((c) => c.key === reason)));
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: "risk", details: { school: risk.school, asOf: risk.asOf, names: canSeeStudents, ...report.filter, ...(tier ? { tier } : {}), ...(reason ? { reason } : {}), rows: rows.length } });
    const en = q.lang === "en";
    const body = toCsv(
      [...(canSeeStudents ? ["student", "lms_student_id"] : []), "course", "cohort", "tier", "score", "reasons"],
      rows.map((r) => [...(canSeeStudents ? [r.student, r.lmsStudentId] : []), r.courseExternalId, r.cohortExternalId, r.tier, Math.round(r.score * 1000) / 1000, r.reasons.map((x) => (en ? x.label_en : x.label_ru)).join("; ")]),
    );
    return csvResponse(`risk-${risk.school}-${risk.asOf.slice(0, 10)}.csv`, body);
  });
}
