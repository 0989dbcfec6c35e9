import type { NextRequest } from "next/server";
import { exportSatisfactionCsv } from "@/lib/dal/exports";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportSatisfactionCsv(Object.fromEntries(req.nextUrl.searchParams));
}
