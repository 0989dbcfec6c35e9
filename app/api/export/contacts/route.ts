import type { NextRequest } from "next/server";
import { exportContactsCsv } from "@/lib/dal/contacts";

export const dynamic = "force-dynamic";

/** ?table=unreachable|checkins|checkin-staff|staff-outcomes plus the outcomes page's school, period and asOf. */
export async function GET(req: NextRequest) {
  return exportContactsCsv(Object.fromEntries(req.nextUrl.searchParams));
}
