import type { NextRequest } from "next/server";
import { exportShifts } from "@/lib/dal/shifts";

export const dynamic = "force-dynamic";

/** The staffing plan as CSV (per hour of week), or the role's shifts as iCalendar with `?format=ics`. */
export async function GET(req: NextRequest) {
  const sp = req.nextUrl.searchParams;
  return exportShifts({ ...Object.fromEntries(sp), add: sp.getAll("add"), remove: sp.getAll("remove"), move: sp.getAll("move") });
}
