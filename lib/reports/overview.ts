import type { Db } from "../../db/client";
import { messageSpan, messageVolumeByDay, schoolCounts, type SchoolCounts } from "../../db/queries/overview";
import type { SchoolRow } from "../../db/queries/schools";
import { daysOf, parsePeriod, type Period } from "../period";

export interface OverviewQuery {
  school?: string;
  from?: string;
  to?: string;
  days?: string;
}

export interface OverviewData {
  school: SchoolRow;
  period: Period;
  counts: SchoolCounts;
  sources: string[];
  /** One row per local day of the period, gaps filled with zeros on the server. */
  volume: Array<{ day: string } & Record<string, number | string>>;
}

/** The overview as the page, its CSV export and `cli report overview` all read it (authorisation is the caller's). */
export async function overviewReport(db: Db, school: SchoolRow, q: OverviewQuery, now: Date): Promise<OverviewData> {
  const span = await messageSpan(db, school.id, school.timezone);
  const period = parsePeriod(q, school.timezone, span.last, now);
  const [counts, rowsByDay] = await Promise.all([schoolCounts(db, school.id, school.timezone, period), messageVolumeByDay(db, school.id, school.timezone, period)]);
  const sources = [...new Set(rowsByDay.map((r) => r.source))].sort();
  const byDay = new Map<string, Record<string, number>>();
  for (const r of rowsByDay) {
    const d = byDay.get(r.day) ?? {};
    d[r.source] = r.messages;
    byDay.set(r.day, d);
  }
  const volume = daysOf(period).map((day) => {
    const d = byDay.get(day) ?? {};
    const row: { day: string } & Record<string, number | string> = { day };
    for (const s of sources) row[s] = d[s] ?? 0;
    return row;
  });
  return { school, period, counts, sources, volume };
}
