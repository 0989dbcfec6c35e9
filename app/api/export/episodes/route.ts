import type { NextRequest } from "next/server";
import { exportEpisodesCsv } from "@/lib/dal/episodes";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportEpisodesCsv(Object.fromEntries(req.nextUrl.searchParams));
}
