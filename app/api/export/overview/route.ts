import type { NextRequest } from "next/server";
import { exportOverviewCsv } from "@/lib/dal/exports";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportOverviewCsv(Object.fromEntries(req.nextUrl.searchParams));
}
