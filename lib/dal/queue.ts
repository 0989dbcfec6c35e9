import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { episodeStudents as queueStudents } from "../../db/queries/scope";
import { csvResponse, toCsv } from "../csv";
import { queueReport, type QueueQuery, type QueueReport } from "../reports/queue";
import { guardApi } from "./exports";
import { getViewer, resolveSchool } from "./session";
import { requireAccess, staffInScope, studentInScope, type Scope } from "./access";
import type { QueueItem } from "../reports/queue";

export type { QueueQuery, QueueReport };

/** A team lead's or staff member's item: owned by, suggested for, or about someone in their scope. */
function itemInScope(s: Scope, it: QueueItem, studentOf: (episodeId: number) => number | null): boolean {
  if (s.kind === "school") return true;
  if (s.kind === "aggregate") return false;
  if (it.ownerPersonId !== null) return staffInScope(s, it.ownerPersonId);
  if (it.suggested && staffInScope(s, it.suggested.personId)) return true;
  return s.channelIds.includes(it.channelId) || studentInScope(s, studentOf(it.episodeId));
}

/**
 * The queue page's first paint, its polling route (/api/queue) and its CSV read this one function; it
 * checks the viewer beside the data. A team lead sees their team's queue, a staff member their own;
 * executives see the counts, not the per-student items (METRICS.md, Privacy).
 */
export async function getQueue(q: QueueQuery, now: Date = new Date()): Promise<QueueReport> {
  const { school, scope } = await requireAccess({ school: q.school, page: "queue" });
  const { db } = await getDb();
  const r = await queueReport(db, school, q, now);
  if (scope.kind === "school") return r;
  if (scope.kind === "aggregate") return { ...r, items: [], options: { ...r.options, channels: [] } };
  const students = await queueStudents(db, school.id, r.items.map((it) => it.episodeId));
  const items = r.items.filter((it) => itemInScope(scope, it, (id) => students.get(id) ?? null));
  const counts = { breaching: 0, atRisk: 0, ok: 0, noSla: 0 };
  for (const it of items) counts[it.state] += 1;
  const channels = new Set(scope.channelIds);
  for (const it of items) channels.add(it.channelId);
  return {
    ...r,
    items,
    counts,
    totalOpen: items.length,
    options: { ...r.options, teams: r.options.teams.filter((t) => items.some((it) => it.suggested?.team === t)), channels: r.options.channels.filter((c) => channels.has(c.id)) },
  };
}

export function queueJson(q: QueueQuery): Promise<Response> {
  return guardApi(async () => Response.json(await getQueue(q), { headers: { "cache-control": "no-store" } }));
}

export function exportQueueCsv(q: QueueQuery): Promise<Response> {
  return guardApi(async () => {
    const data = await getQueue(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    const schoolId = viewer ? resolveSchool(viewer, data.school.slug).id : null;
    await audit(db, { userId: viewer?.userId, schoolId, action: "export.csv", target: "queue", details: { ...data.filters, asOf: data.asOf } });
    const body = toCsv(
      ["episode_id", "state", "opened_at", "deadline", "minutes_left", "elapsed_minutes", "target_minutes", "clock", "priority", "source", "channel", "thread", "student", "owner_role", "owner", "suggested", "suggested_reason", "messages"],
      data.items.map((it) => [
        it.episodeId, it.state, it.openedAt, it.deadline ?? "", it.deadline === null ? "" : Math.round((Date.parse(it.deadline) - Date.parse(data.asOf)) / 60_000),
        Math.round(it.elapsedMinutes), it.targetMinutes ?? "", it.clock ?? "", it.priority, it.sourceKind, it.channelTitle, it.threadTitle ?? "", it.studentName,
        it.ownerRole ?? "", it.ownerName ?? "", it.suggested?.name ?? "", it.suggested?.reason ?? "", it.messageCount,
      ]),
    );
    return csvResponse(`queue-${data.school.slug}-${data.asOf.slice(0, 16).replace(/[:T]/g, "")}.csv`, body);
  });
}
