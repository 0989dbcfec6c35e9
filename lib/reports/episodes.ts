import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { episodeCsvRow, episodeExport, episodeExportColumns, type EpisodeExportRow } from "../../db/queries/reports/episodes";
import { toCsv } from "../csv";
import { parsePeriod, type Period } from "../period";

/** The episode export (one row per episode), as `cli report episodes` and the export route read it. */

export interface EpisodesQuery {
  /** Without from and to: every episode of the school. */
  from?: string;
  to?: string;
}

export interface EpisodesReport {
  school: string;
  timezone: string;
  period: Period | null;
  asOf: string;
  episodes: EpisodeExportRow[];
}

export async function episodesReport(db: Db, school: SchoolRow, q: EpisodesQuery, now: Date): Promise<EpisodesReport> {
  const period = q.from || q.to ? parsePeriod(q, school.timezone, null, now) : null;
  const episodes = await episodeExport(db, school.id, school.timezone, period, now);
  return { school: school.slug, timezone: school.timezone, period, asOf: now.toISOString(), episodes };
}

export function episodesCsv(rows: readonly EpisodeExportRow[]): string {
  return toCsv([...episodeExportColumns], rows.map(episodeCsvRow));
}
