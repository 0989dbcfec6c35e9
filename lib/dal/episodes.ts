import "server-only";
import { DateTime } from "luxon";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { episodesInScope } from "../../db/queries/scope";
import { csvResponse, toCsv } from "../csv";
import { episodeListReport, episodeViewReport, linkedEpisodeId, parsePage, type EpisodeListData, type EpisodeViewData, type UrlParams } from "../reports/episode-detail";
import type { EpisodeListRow } from "../../db/queries/reports/episode-detail";
import { guardApi } from "./exports";
import { getViewer } from "./session";
import { requireAccess, type Access, type Scope } from "./access";

export type { EpisodeListData, EpisodeViewData };

/**
 * Episodes are per-student rows: admin and head see the school's, a team lead their team's, a staff
 * member their own; executives none (access.ts PAGE_ROLES).
 */
function accessFor(p: UrlParams, page: "episodes" | "episode"): Promise<Access> {
  return requireAccess({ school: p.school, page });
}

/**
 * The list cut to the scope. The list query has no scope filter of its own (db/queries is shared), so a
 * scoped viewer gets every matching row of the period, the ids the scope allows, and the page in memory.
 */
async function scopedList(a: Access, p: UrlParams, now: Date, all: boolean): Promise<EpisodeListData> {
  const { db } = await getDb();
  if (a.scope.kind === "school") return episodeListReport(db, a.school, p, now, all);
  const full = await episodeListReport(db, a.school, p, now, true);
  const sets = setsOf(a.scope);
  const allowed = await episodesInScope(db, a.school.id, full.list.rows.map((r) => r.id), sets);
  const rows = full.list.rows.filter((r) => allowed.has(r.id));
  const page = all ? 1 : parsePage(p);
  const channelIds = new Set(sets.channelIds);
  return {
    ...full,
    page,
    list: { total: rows.length, rows: all ? rows : rows.slice((page - 1) * full.pageSize, page * full.pageSize) },
    // Other teams' channel titles are not theirs to read either.
    options: { ...full.options, channels: full.options.channels.filter((c) => channelIds.has(c.id)) },
  };
}

const NO_SETS = { teamIds: [], staffPersonIds: [], studentPersonIds: [], channelIds: [] };
const setsOf = (s: Scope) => (s.kind === "team" || s.kind === "self" ? s : NO_SETS);

/** The episodes behind an SLA figure (filters and drill-down keys in the URL), one page. */
export async function getEpisodeList(p: UrlParams, now: Date = new Date()): Promise<EpisodeListData> {
  return scopedList(await accessFor(p, "episodes"), p, now, false);
}

/**
 * One episode of the URL's school, or null when it has no such episode or it lies outside the viewer's
 * scope. A link's id that is gone (the episode changed and was stored anew) is followed by its opening
 * message (`m`, lib/episode-href.ts): the view is then of the current episode, whose id differs.
 */
export async function getEpisode(id: string, p: UrlParams, now: Date = new Date()): Promise<EpisodeViewData | null> {
  const a = await accessFor(p, "episode");
  const asked = Number(id);
  if (!Number.isSafeInteger(asked) || asked < 1) return null;
  const { db } = await getDb();
  const n = await linkedEpisodeId(db, a.school, asked, p);
  if (n === null) return null;
  // Out of scope answers as "no such episode": a 404 does not confirm that the id exists elsewhere.
  if (a.scope.kind !== "school" && !(await episodesInScope(db, a.school.id, [n], setsOf(a.scope))).has(n)) return null;
  return episodeViewReport(db, a.school, n, now);
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
    const a = await accessFor(p, "episodes");
    const school = a.school;
    const viewer = await getViewer();
    const { db } = await getDb();
    const data = await scopedList(a, p, new Date(), true);
    await audit(db, { userId: viewer?.userId, schoolId: school.id, action: "export.csv", target: "episodes", details: { ...data.period, ...data.filter } });
    return csvResponse(`episodes-${school.slug}-${data.period.from}.csv`, toCsv([...episodeListColumns], episodeCsvRows(data.list.rows, school.timezone)));
  });
}
