import type { NextRequest } from "next/server";
import { exportAuditCsv } from "@/lib/dal/audit";

export const dynamic = "force-dynamic";

/** The audit log as CSV, admins only (checked in lib/dal/audit.ts). */
export async function GET(req: NextRequest) {
  return exportAuditCsv(Object.fromEntries(req.nextUrl.searchParams));
}
