import type { NextRequest } from "next/server";
import { exportRiskCsv } from "@/lib/dal/exports-outcomes";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportRiskCsv(Object.fromEntries(req.nextUrl.searchParams));
}
