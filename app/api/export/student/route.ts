import type { NextRequest } from "next/server";
import { exportStudentTimelineCsv } from "@/lib/dal/students";

export const dynamic = "force-dynamic";

/** One student's timeline as CSV: `?school=<slug>&id=<person id>`. */
export async function GET(req: NextRequest) {
  const sp = req.nextUrl.searchParams;
  return exportStudentTimelineCsv({ school: sp.get("school") ?? undefined, id: sp.get("id") ?? "" });
}
