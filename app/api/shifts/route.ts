import type { NextRequest } from "next/server";
import { postShift } from "@/lib/dal/shifts";

export const dynamic = "force-dynamic";

/** Add a weekly shift or remove one (admin, head, team lead; same-origin only). */
export async function POST(req: NextRequest) {
  return postShift(req);
}
