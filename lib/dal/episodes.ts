import "server-only";
import { DateTime } from "luxon";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import type { SchoolRow } from "../../db/queries/schools";
import { csvResponse, toCsv } from "../csv";
import { episodeListReport, episodeViewReport, type EpisodeListData, type EpisodeViewData, type UrlParams } from "../reports/episode-detail";
import type { EpisodeListRow } from "../../db/queries/reports/episode-detail";
import { guardApi } from "./exports";
import { AccessError, getViewer, requireViewer, resolveSchool, roleAt } from "./session";

export type { EpisodeListData, EpisodeViewData };

async function schoolFor(p: UrlParams): Promise<SchoolRow> {
  const viewer = await requireViewer();
  const slug = Array.isArray(p.school) ? p.school[0] : p.school;
  const school = resolveSchool(viewer, slug);
  // Any role at the school may open episodes for now; the authorisation matrix comes later.
  if (!roleAt(viewer, school)) throw new AccessError(403, "no role at this school");
  return school;
}

/** The episodes behind an SLA figure (filters and drill-down keys in the URL), one page. */
export async function getEpisodeList(p: UrlParams, now: Date = new Date()): Promise<EpisodeListData> {
  const school = await schoolFor(p);
  const { db } = await getDb();
  return episodeListReport(db, school, p, now);
}

/** One episode of the URL's school, or null when it has no such episode. */
export async function getEpisode(id: string, p: UrlParams, now: Date = new Date()): Promise<EpisodeViewData | null> {
  const school = await schoolFor(p);
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n < 1) return null;
  const { db } = await getDb();
  return episodeViewReport(db, school, n, now);
}

export const episodeListColumns = [
  "id", "opened_at_local", "answered_at_local", "student", "channel", "source", "role", "responder", "policy", "target_minutes", "clock",
  "response_minutes", "status", "breached", "breaching_now", "at_risk",
] as const;

const local = (iso: string | null, tz: string) => (iso === null ? null : DateTime.fromISO(iso, { zone: tz }).toFormat("yyyy-MM-dd HH:mm"));

export function episodeCsvRows(rows: readonly EpisodeListRow[], tz: string): Array<Array<string | number | null>> {
  return rows.map((r) => [
    r.id, local(r.openedAt, tz), local(r.answeredAt, tz), r.student, r.channel, r.source, r.role ?? "", r.responder, r.policy, r.targetMinutes, r.clock,
    r.responseMinutes === null ? null : Math.round(r.responseMinutes * 10) / 10, r.status, r.breached ? "true" : "false", r.breachingNow ? "true" : "false", r.atRisk ? "true" : "false",
  ]);
}

/** CSV of every episode the list's URL selects (all pages), with local times of the school's zone. */
export function exportEpisodesCsv(p: UrlParams): Promise<Response> {
  return guardApi(async () => {
    const school = await schoolFor(p);
    const viewer = await getViewer();
    const { db } = await getDb();
    const data = await episodeListReport(db, school, p, new Date(), true);
    await audit(db, { userId: viewer?.userId, schoolId: school.id, action: "export.csv", target: "episodes", details: { ...data.period, ...data.filter } });
    return csvResponse(`episodes-${school.slug}-${data.period.from}.csv`, toCsv([...episodeListColumns], episodeCsvRows(data.list.rows, school.timezone)));
  });
}
