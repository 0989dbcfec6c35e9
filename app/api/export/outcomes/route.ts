import type { NextRequest } from "next/server";
import { exportOutcomesCsv } from "@/lib/dal/exports-outcomes";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportOutcomesCsv(Object.fromEntries(req.nextUrl.searchParams));
}
