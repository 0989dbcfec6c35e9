import "server-only";
import { DateTime } from "luxon";
import { z } from "zod";
import { getDb } from "../../db/client";
import { audit, listAudit, type AuditRow } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import { requireAccess } from "./access";
import { guardApi } from "./exports";
import { getViewer } from "./session";

export type { AuditRow };

export const AUDIT_PAGE_SIZE = 100;

const querySchema = z.object({
  action: z.enum(["signin", "export", "config"]).optional().catch(undefined),
  who: z.string().trim().min(1).max(200).optional().catch(undefined),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export type AuditQuery = Record<string, string | string[] | undefined>;

export interface AuditData {
  school: { slug: string; name: string; timezone: string };
  filters: z.output<typeof querySchema>;
  total: number;
  page: number;
  pageSize: number;
  rows: AuditRow[];
  schoolNames: Record<number, string>;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The audit log for admins: entries of the schools where they are admin, and entries without a school
 * (sign-ins). Dates are the school's local days.
 */
export async function getAuditLog(q: AuditQuery, all = false): Promise<AuditData> {
  const { viewer, school } = await requireAccess({ school: q.school, page: "audit" });
  const filters = querySchema.parse({ action: one(q.action) || undefined, who: one(q.who) || undefined, from: one(q.from) || undefined, to: one(q.to) || undefined, page: one(q.page) ?? 1 });
  const adminSchools = viewer.schools.filter((s) => viewer.grants.some((g) => g.role === "admin" && (g.schoolId === s.id || (g.schoolId === null && g.organisationId === s.organisationId))));
  const day = (d: string | undefined, plus: number) => (d ? DateTime.fromISO(d, { zone: school.timezone }).plus({ days: plus }).toJSDate() : undefined);
  const { db } = await getDb();
  const page = all ? 1 : filters.page;
  const limit = all ? 50_000 : AUDIT_PAGE_SIZE;
  const r = await listAudit(db, { schoolIds: adminSchools.map((s) => s.id), action: filters.action, who: filters.who, from: day(filters.from, 0), to: day(filters.to, 1), limit, offset: (page - 1) * AUDIT_PAGE_SIZE });
  return {
    school: { slug: school.slug, name: school.name, timezone: school.timezone },
    filters,
    total: r.total,
    page,
    pageSize: AUDIT_PAGE_SIZE,
    rows: r.rows,
    schoolNames: Object.fromEntries(viewer.schools.map((s) => [s.id, s.name])),
  };
}

/** The filtered log as CSV (every page); the export itself is an audit entry too. */
export function exportAuditCsv(q: AuditQuery): Promise<Response> {
  return guardApi(async () => {
    const data = await getAuditLog(q, true);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: "audit", details: { ...data.filters } });
    const body = toCsv(
      ["at_utc", "user", "school", "action", "target", "details", "ip"],
      data.rows.map((r) => [r.at, r.userEmail ?? (r.userId === null ? "" : `#${r.userId}`), r.schoolId === null ? "" : (data.schoolNames[r.schoolId] ?? `#${r.schoolId}`), r.action, r.target, r.details ? JSON.stringify(r.details) : "", r.ip]),
    );
    return csvResponse(`audit-${data.school.slug}-${new Date().toISOString().slice(0, 10)}.csv`, body);
  });
}
