import "server-only";
import { csvResponse, toCsv } from "../csv";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { guardApi } from "./exports";
import { getOutcomes } from "./outcomes";
import { requireAccess } from "./access";
import { getViewer } from "./session";

const pct = (x: number | null) => (x === null ? null : Math.round(x * 10000) / 100);

/** Completion by tier and by quartile of support exposure, with 95 % Wilson bounds (percent). */
export function exportOutcomesCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    const { report: r } = await getOutcomes(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: "outcomes", details: { school: r.school, ...r.period, asOf: r.asOf } });
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
    return csvResponse(`outcomes-${r.school}-${r.period.from}.csv`, body);
  });
}

/** The at-risk list: per-student rows, so admin and head only (403 for every other role). */
export function exportRiskCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    await requireAccess({ school: q.school, page: "risk" });
    const { risk, canSeeStudents } = await getOutcomes(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: "risk", details: { school: risk.school, asOf: risk.asOf, names: canSeeStudents } });
    const en = q.lang === "en";
    const body = toCsv(
      [...(canSeeStudents ? ["student", "lms_student_id"] : []), "course", "cohort", "tier", "score", "reasons"],
      risk.rows.map((r) => [...(canSeeStudents ? [r.student, r.lmsStudentId] : []), r.courseExternalId, r.cohortExternalId, r.tier, Math.round(r.score * 1000) / 1000, r.reasons.map((x) => (en ? x.label_en : x.label_ru)).join("; ")]),
    );
    return csvResponse(`risk-${risk.school}-${risk.asOf.slice(0, 10)}.csv`, body);
  });
}
