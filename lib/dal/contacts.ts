import "server-only";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import {
  checkInStaffCsv,
  checkInsCsv,
  currentCheckInsReport,
  currentUnreachableReport,
  staffOutcomesCsv,
  staffOutcomesReport,
  unreachableCsv,
  type CheckInsReport,
  type StaffOutcomesReport,
  type UnreachableReport,
} from "../reports/contacts";
import { parseAsOf } from "../reports/risk";
import type { ReportQuery } from "../reports/sla";
import { requireAccess, type PageKey } from "./access";
import { guardApi } from "./exports";
import { getViewer } from "./session";

export type { CheckInsReport, StaffOutcomesReport, UnreachableReport };

export interface ContactsData {
  unreachable: UnreachableReport;
  checkIns: CheckInsReport;
  staffOutcomes: StaffOutcomesReport;
  /** False for executives: counts and staff rows only, no student rows (METRICS.md, Privacy; ADR 0003). */
  canSeeStudents: boolean;
}

export type ContactsQuery = ReportQuery & { school?: string; asOf?: string };

/** The page's as-of instant: `asOf` (YYYY-MM-DD, end of that local day) when valid, else the period's. */
function asOfOf(q: ContactsQuery, tz: string, fallback: string, now: Date): Date {
  try {
    return q.asOf ? parseAsOf(q.asOf, tz, now) : new Date(fallback);
  } catch {
    return new Date(fallback);
  }
}

async function load(q: ContactsQuery, page: PageKey, now: Date): Promise<{ data: ContactsData; schoolId: number }> {
  const { school, scope } = await requireAccess({ school: q.school, page });
  const { db } = await getDb();
  // Stored runs, as the outcomes report beside these (docs/adr/0009-stored-report-runs.md): staff outcomes
  // read its outcome rows; the two student lists are stored whole.
  const stored = { refreshMs: RUN_REFRESH_MS };
  const staffOutcomes = await staffOutcomesReport(db, school, q, now, { stored });
  const asOf = asOfOf(q, school.timezone, staffOutcomes.asOf, now);
  const [unreachable, checkIns] = await Promise.all([currentUnreachableReport(db, school, asOf, now, stored), currentCheckInsReport(db, school, asOf, now, stored)]);
  // The outcomes page is open to admin, head and executive only (PAGE_ROLES), so the scope is school-wide
  // or aggregate; anything else sees no student rows either.
  const canSeeStudents = scope.kind === "school";
  return {
    schoolId: school.id,
    data: {
      unreachable: canSeeStudents ? unreachable : { ...unreachable, rows: [] },
      checkIns: canSeeStudents ? checkIns : { ...checkIns, rows: [] },
      staffOutcomes,
      canSeeStudents,
    },
  };
}

/** The contact sections of the outcomes page: unreachable students, check-ins due, outcomes by assigned staff. */
export async function getContacts(q: ContactsQuery, now: Date = new Date()): Promise<ContactsData> {
  return (await load(q, "outcomes", now)).data;
}

const TABLES = ["unreachable", "checkins", "checkin-staff", "staff-outcomes"] as const;
type Table = (typeof TABLES)[number];

/**
 * CSV of one contact table. Student lists (unreachable, checkins) need the `risk` page (admin, head: 403
 * for executives, who get counts only); the per-staff tables need `outcomes`. Every export is audited.
 */
export function exportContactsCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    const table: Table = (TABLES as readonly string[]).includes(q.table ?? "") ? (q.table as Table) : "unreachable";
    const perStudent = table === "unreachable" || table === "checkins";
    const { data: d, schoolId } = await load(q, perStudent ? "risk" : "outcomes", new Date());
    const viewer = await getViewer();
    const { db } = await getDb();
    const asOf = table === "staff-outcomes" ? d.staffOutcomes.asOf : d.unreachable.asOf;
    await audit(db, { userId: viewer?.userId, schoolId, action: "export.csv", target: `contacts-${table}`, details: { school: d.unreachable.school, asOf, names: perStudent && d.canSeeStudents } });
    const [header, body] =
      table === "unreachable"
        ? unreachableCsv(d.unreachable, d.canSeeStudents)
        : table === "checkins"
          ? checkInsCsv(d.checkIns, d.canSeeStudents)
          : table === "checkin-staff"
            ? checkInStaffCsv(d.checkIns)
            : staffOutcomesCsv(d.staffOutcomes);
    return csvResponse(`${table}-${d.unreachable.school}-${asOf.slice(0, 10)}.csv`, toCsv(header, body));
  });
}
