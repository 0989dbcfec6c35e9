import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import { slaPageReport, type SlaPageData, type UrlParams } from "../reports/episode-detail";
import { episodeListReport } from "../reports/episode-detail";
import { guardApi } from "./exports";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import { episodeCsvRows, episodeListColumns } from "./episodes";
import { AccessError, getViewer } from "./session";
import { requireAccess, type Access } from "./access";

export type { SlaPageData };

/** School-wide SLA figures: admin, head and executive (access.ts PAGE_ROLES). */
function schoolFor(p: UrlParams): Promise<Access> {
  return requireAccess({ school: p.school, page: "sla" });
}

/**
 * The SLA page and its exports read this one function; it checks the viewer beside the data. The
 * breached list is per-episode (student names): executives get its count, not its rows.
 */
export async function getSlaPage(p: UrlParams, now: Date = new Date()): Promise<SlaPageData> {
  const { school, scope } = await schoolFor(p);
  const { db } = await getDb();
  const data = await slaPageReport(db, school, p, now, { stored: { refreshMs: RUN_REFRESH_MS } });
  return scope.kind === "aggregate" ? { ...data, breached: { total: data.breached.total, rows: [] } } : data;
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const min = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

export const slaTables = ["role", "policy", "weekly", "breached"] as const;
export type SlaTable = (typeof slaTables)[number];

/** CSV of one SLA table (`table=role|policy|weekly|breached`), the same numbers the page shows. */
export function exportSlaCsv(p: UrlParams): Promise<Response> {
  return guardApi(async () => {
    const raw = Array.isArray(p.table) ? p.table[0] : p.table;
    const table = (slaTables as readonly string[]).includes(raw ?? "") ? (raw as SlaTable) : "role";
    const data = await getSlaPage(p);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, schoolId: data.school.id, action: "export.csv", target: `sla-${table}`, details: { ...data.period, ...data.filter } });
    const name = `sla-${table}-${data.school.slug}-${data.period.from}.csv`;
    const stat = ["episodes", "answered", "open", "known", "met", "compliance_pct", "median_minutes", "p90_minutes", "breached", "breaching_now", "at_risk"];
    type S = SlaPageData["breakdown"]["total"];
    const cells = (s: S) => [s.episodes, s.answered, s.open, s.known, s.met, pct(s.compliance), min(s.medianMinutes), min(s.p90Minutes), s.breached, s.breachingNow, s.atRisk];
    if (table === "role") {
      const b = data.breakdown;
      return csvResponse(name, toCsv(["role", "role_label", ...stat], [...b.byRole.map((g) => [g.role ?? "", g.roleLabel, ...cells(g)]), ["total", "", ...cells(b.total)]]));
    }
    if (table === "policy") {
      return csvResponse(name, toCsv(["role", "role_label", "policy", "target_minutes", "clock", ...stat], data.breakdown.byPolicy.map((g) => [g.role ?? "", g.roleLabel, g.policy ?? "", g.targetMinutes, g.clock, ...cells(g)])));
    }
    if (table === "weekly") {
      return csvResponse(name, toCsv(["week", "role", "episodes", "known", "met", "compliance_pct"], data.weekly.map((w) => [w.week, w.role, w.episodes, w.known, w.met, pct(w.compliance)])));
    }
    // Every breached episode of the period, not only the page on screen; per-student rows, so not for executives.
    const access = await schoolFor(p);
    if (access.scope.kind !== "school") throw new AccessError(403, "the breached list has per-student rows");
    const all = await episodeListReport(db, data.school, { ...p, breached: "1", weekday: undefined, hour: undefined, policy: undefined, status: undefined }, new Date(), true);
    return csvResponse(name, toCsv([...episodeListColumns], episodeCsvRows(all.list.rows, data.school.timezone)));
  });
}
export { BREACHED_PAGE_SIZE } from "../reports/episode-detail";
