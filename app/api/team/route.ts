import type { NextRequest } from "next/server";
import { getTeam } from "@/lib/dal/team";
import { guardApi } from "@/lib/dal/exports";

export const dynamic = "force-dynamic";

/** The team report as JSON for react-query polling: the same DAL call as the page's first paint. */
export async function GET(req: NextRequest) {
  const q = Object.fromEntries(req.nextUrl.searchParams);
  return guardApi(async () => Response.json(await getTeam(q), { headers: { "cache-control": "no-store" } }));
}
