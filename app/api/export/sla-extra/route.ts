import type { NextRequest } from "next/server";
import { exportSlaExtraCsv } from "@/lib/dal/sla-extra";

export const dynamic = "force-dynamic";

/** Questions by category (`table=categories`) or bot and peer activity (`table=bot`) as CSV. */
export async function GET(req: NextRequest) {
  return exportSlaExtraCsv(Object.fromEntries(req.nextUrl.searchParams));
}
