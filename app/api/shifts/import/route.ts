import type { NextRequest } from "next/server";
import { postShiftsImport } from "@/lib/dal/shifts";

export const dynamic = "force-dynamic";

/** Import shifts from a CSV file (admin, head, team lead; same-origin; all rows or none). */
export async function POST(req: NextRequest) {
  return postShiftsImport(req);
}
