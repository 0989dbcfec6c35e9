import type { NextRequest } from "next/server";
import { exportSlaCsv } from "@/lib/dal/sla";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  return exportSlaCsv(Object.fromEntries(req.nextUrl.searchParams));
}
