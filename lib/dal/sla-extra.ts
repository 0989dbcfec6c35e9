import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import type { UrlParams } from "../reports/episode-detail";
import { slaExtraCsvRows, slaExtraReport, slaExtraTables, type SlaExtraReport, type SlaExtraTable } from "../reports/sla-extra";
import { requireAccess } from "./access";
import { guardApi } from "./exports";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import { getViewer } from "./session";

export type { SlaExtraReport };

/**
 * Questions by category and bot/peer activity: counts only (no names, no students), so every role that
 * may open the SLA page sees them whole, executives included (access.ts PAGE_ROLES.sla).
 */
export async function getSlaExtra(p: UrlParams, now: Date = new Date()): Promise<SlaExtraReport> {
  const { school } = await requireAccess({ school: p.school, page: "sla" });
  const { db } = await getDb();
  return slaExtraReport(db, school, p, now, { stored: { refreshMs: RUN_REFRESH_MS } });
}

/** GET /api/export/sla-extra?table=categories|bot&school&from&to[&role&cohort&channel&source]. */
export function exportSlaExtraCsv(p: UrlParams): Promise<Response> {
  return guardApi(async () => {
    const raw = Array.isArray(p.table) ? p.table[0] : p.table;
    const table: SlaExtraTable = (slaExtraTables as readonly string[]).includes(raw ?? "") ? (raw as SlaExtraTable) : "categories";
    const data = await getSlaExtra(p);
    const viewer = await getViewer();
    const { db } = await getDb();
    const { school } = await requireAccess({ school: p.school, page: "sla" });
    await audit(db, { userId: viewer?.userId, schoolId: school.id, action: "export.csv", target: `sla-${table}`, details: { ...data.period, ...data.filter } });
    const { header, rows } = slaExtraCsvRows(data, table);
    return csvResponse(`sla-${table}-${data.school}-${data.period.from}.csv`, toCsv(header, rows));
  });
}
