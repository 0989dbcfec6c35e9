import "server-only";
import { DateTime } from "luxon";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { studentHead, studentTimelineRows, type SlaState, type StudentTimelineRows } from "../../db/queries/reports/student-timeline";
import { csvResponse, toCsv } from "../csv";
import { guardApi } from "./exports";
import { requireAccess, studentInScope } from "./access";

export type { SlaState, StudentTimelineRows };

export type TimelineKind = "message" | "episode" | "lms" | "rating" | "enrollment";

/** One line of the chronological table (and the CSV): every kind of event in one shape. */
export interface TimelineRow {
  key: string;
  at: string;
  kind: TimelineKind;
  /** Channel title, course, or cohort. */
  where: string;
  /** Verb, status, rating kind; message text only outside DMs. */
  what: string;
  dm: boolean;
  episodeId: number | null;
  /** An episode row's opening message, for its link (lib/episode-href.ts). */
  openedMessageId: number | null;
  responseMinutes: number | null;
  targetMinutes: number | null;
  sla: SlaState | null;
  score: number | null;
}

export interface StudentTimelineData extends StudentTimelineRows {
  school: string;
  schoolName: string;
  timezone: string;
  rows: TimelineRow[];
}

/** Merges the kinds into one list, oldest first (a timeline reads forwards). */
export function timelineRows(d: StudentTimelineRows): TimelineRow[] {
  const none = { dm: false, episodeId: null, openedMessageId: null, responseMinutes: null, targetMinutes: null, sla: null, score: null };
  const out: TimelineRow[] = [
    ...d.messages.map((m): TimelineRow => ({ ...none, key: `m${m.id}`, at: m.at, kind: "message", where: m.channel, what: m.text ?? "", dm: m.dm })),
    ...d.episodes.map((e): TimelineRow => ({
      ...none, key: `e${e.id}`, at: e.at, kind: "episode", where: e.channel, what: e.status, dm: e.dm, episodeId: e.id, openedMessageId: e.openedMessageId,
      responseMinutes: e.responseMinutes, targetMinutes: e.targetMinutes, sla: e.sla,
    })),
    ...d.lms.map((l): TimelineRow => ({ ...none, key: `l${l.id}`, at: l.at, kind: "lms", where: l.course ?? "", what: [l.verb, l.object].filter(Boolean).join(" "), score: l.score })),
    ...d.ratings.map((r): TimelineRow => ({ ...none, key: `r${r.id}`, at: r.at, kind: "rating", where: "", what: [r.kind, r.comment].filter(Boolean).join(": "), episodeId: r.episodeId, score: r.score })),
    ...d.changes.map((c): TimelineRow => ({ ...none, key: `s${c.id}`, at: c.at, kind: "enrollment", where: `${c.course} / ${c.cohort}`, what: c.status })),
  ];
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.key.localeCompare(b.key));
}

/**
 * One student's timeline. Per-student rows: admin and head see any student of the school, a team lead
 * their team's students, staff their own; executives are refused (403, access.ts PAGE_ROLES). A person
 * outside the scope, not of the school, or not a student answers null (404): the page does not confirm
 * that the id exists.
 */
export async function getStudentTimeline(q: { school?: string; id: string }, now: Date = new Date()): Promise<StudentTimelineData | null> {
  const a = await requireAccess({ school: q.school, page: "student" });
  const id = Number(q.id);
  if (!Number.isSafeInteger(id) || id < 1) return null;
  if (!studentInScope(a.scope, id)) return null;
  const { db } = await getDb();
  const head = await studentHead(db, a.school.id, id);
  if (!head) return null;
  const d = await studentTimelineRows(db, a.school.id, head, now);
  return { ...d, school: a.school.slug, schoolName: a.school.name, timezone: a.school.timezone, rows: timelineRows(d) };
}

const local = (iso: string, tz: string) => DateTime.fromISO(iso, { zone: tz }).toFormat("yyyy-MM-dd HH:mm:ss");

/** The chronological table as CSV, local times of the school's zone. */
export function exportStudentTimelineCsv(q: { school?: string; id: string }): Promise<Response> {
  return guardApi(async () => {
    const d = await getStudentTimeline(q);
    if (!d) return Response.json({ error: "not found" }, { status: 404 });
    const a = await requireAccess({ school: d.school, page: "student" });
    const { db } = await getDb();
    await audit(db, { userId: a.viewer.userId, schoolId: a.school.id, action: "export.csv", target: `student:${d.student.personId}` });
    const body = toCsv(
      ["at_local", "kind", "where", "what", "dm", "episode_id", "response_minutes", "target_minutes", "sla", "score"],
      d.rows.map((r) => [local(r.at, d.timezone), r.kind, r.where, r.what, r.dm ? "true" : "false", r.episodeId, r.responseMinutes === null ? null : Math.round(r.responseMinutes * 10) / 10, r.targetMinutes, r.sla, r.score]),
    );
    return csvResponse(`student-${d.school}-${d.student.personId}.csv`, body);
  });
}
