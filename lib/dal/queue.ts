import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import { queueReport, type QueueQuery, type QueueReport } from "../reports/queue";
import { guardApi } from "./exports";
import { AccessError, getViewer, requireViewer, resolveSchool, roleAt } from "./session";

export type { QueueQuery, QueueReport };

/**
 * The queue page's first paint, its polling route (/api/queue) and its CSV read this one function; it
 * checks the viewer beside the data. Executives see aggregates, not students (METRICS.md, Privacy).
 */
export async function getQueue(q: QueueQuery, now: Date = new Date()): Promise<QueueReport> {
  const viewer = await requireViewer();
  const school = resolveSchool(viewer, q.school);
  const role = roleAt(viewer, school);
  if (!role) throw new AccessError(403, "no role at this school");
  const { db } = await getDb();
  const r = await queueReport(db, school, q, now);
  if (role === "executive") for (const it of r.items) it.studentName = "—";
  return r;
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
