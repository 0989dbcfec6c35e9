import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import { queueReport, type QueueQuery, type QueueReport } from "../reports/queue";
import { guardApi } from "./exports";
import { getViewer, resolveSchool } from "./session";
import { requireAccess, staffInScope, studentInScope, type Scope } from "./access";
import type { QueueEntry } from "../reports/queue";

export type { QueueQuery, QueueReport };

/** A team lead's or staff member's entry: owned by, suggested for, or about someone in their scope. */
function entryInScope(s: Scope, it: QueueEntry): boolean {
  if (s.kind === "school") return true;
  if (s.kind === "aggregate") return false;
  if (it.ownerPersonId !== null) return staffInScope(s, it.ownerPersonId);
  if (it.suggested && staffInScope(s, it.suggested.personId)) return true;
  return s.channelIds.includes(it.channelId) || studentInScope(s, it.studentPersonId);
}

/**
 * The queue page's first paint, its polling route (/api/queue) and its CSV read this one function; it
 * checks the viewer beside the data. A team lead sees their team's queue, a staff member their own;
 * executives see the counts, not the per-student items (METRICS.md, Privacy). `all` returns every row
 * (the CSV), not the page's first `limit`.
 */
export async function getQueue(q: QueueQuery, now: Date = new Date(), opts: { all?: boolean } = {}): Promise<QueueReport> {
  const { school, scope } = await requireAccess({ school: q.school, page: "queue" });
  const { db } = await getDb();
  const limit = opts.all ? Infinity : undefined;
  if (scope.kind === "school") return queueReport(db, school, q, now, { limit });
  if (scope.kind === "aggregate") {
    const r = await queueReport(db, school, q, now, { limit: 0 });
    return { ...r, options: { ...r.options, channels: [] } };
  }
  return queueReport(db, school, q, now, { limit, scope: { keep: (it) => entryInScope(scope, it), channelIds: scope.channelIds } });
}

export function queueJson(q: QueueQuery): Promise<Response> {
  return guardApi(async () => Response.json(await getQueue(q), { headers: { "cache-control": "no-store" } }));
}

export function exportQueueCsv(q: QueueQuery): Promise<Response> {
  return guardApi(async () => {
    const data = await getQueue(q, new Date(), { all: true });
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
