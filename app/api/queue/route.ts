import type { NextRequest } from "next/server";
import { queueJson } from "@/lib/dal/queue";

export const dynamic = "force-dynamic";

/** The live queue as JSON for react-query polling: the same DAL call as the page's first paint. */
export async function GET(req: NextRequest) {
  return queueJson(Object.fromEntries(req.nextUrl.searchParams));
}
