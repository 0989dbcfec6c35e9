import type { NextRequest } from "next/server";
import { exportSettingsCsv } from "@/lib/dal/settings";

export const dynamic = "force-dynamic";

/** `/settings/csv?school=&table=` — each settings table as CSV (lib/dal/settings.ts SETTINGS_TABLES). */
export async function GET(req: NextRequest) {
  return exportSettingsCsv(Object.fromEntries(req.nextUrl.searchParams));
}
