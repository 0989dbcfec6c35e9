import { shiftsTemplate } from "@/lib/dal/shifts";

export const dynamic = "force-dynamic";

/** The shift CSV template. */
export async function GET() {
  return shiftsTemplate();
}
