import type { NextRequest } from "next/server";
import { exportTeamCsv } from "@/lib/dal/team";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportTeamCsv(Object.fromEntries(req.nextUrl.searchParams));
}
