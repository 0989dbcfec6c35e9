import type { NextRequest } from "next/server";
import { exportQueueCsv } from "@/lib/dal/queue";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportQueueCsv(Object.fromEntries(req.nextUrl.searchParams));
}
