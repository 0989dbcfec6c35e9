import "server-only";
import { csvResponse, toCsv } from "../csv";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { getOverview, type OverviewQuery } from "./overview";
import { AccessError, getViewer } from "./session";
import { assertSameOrigin } from "./access";
import { getSatisfaction } from "./satisfaction";

/** Route handlers answer 401/403/404 as JSON instead of redirecting to the sign-in page. */
export async function guardApi(fn: () => Promise<Response>): Promise<Response> {
  if (!(await getViewer())) return Response.json({ error: "unauthorized" }, { status: 401 });
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AccessError) return Response.json({ error: e.message }, { status: e.status });
    throw e;
  }
}

/**
 * For route handlers that change state with the viewer's session: 401 without one, 403 for a
 * cross-site request (CSRF, access.ts assertSameOrigin), then the handler; its AccessErrors as JSON.
 */
export function guardMutation(req: Request, fn: () => Promise<Response>): Promise<Response> {
  return guardApi(async () => {
    assertSameOrigin(req);
    return fn();
  });
}

export function exportOverviewCsv(q: OverviewQuery): Promise<Response> {
  return guardApi(async () => {
    const data = await getOverview(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, schoolId: data.school.id, action: "export.csv", target: "overview-volume", details: { ...data.period } });
    const body = toCsv(["day", ...data.sources, "total"], data.volume.map((r) => [r.day, ...data.sources.map((s) => Number(r[s] ?? 0)), data.sources.reduce((a, s) => a + Number(r[s] ?? 0), 0)]));
    return csvResponse(`messages-${data.school.slug}-${data.period.from}.csv`, body);
  });
}

export function exportSatisfactionCsv(q: Record<string, string>): Promise<Response> {
  return guardApi(async () => {
    const data = await getSatisfaction(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    const r = data.report;
    const table = q.table === "comments" ? "comments" : "groups";
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: `satisfaction-${table}`, details: { school: r.school, ...r.period, groupBy: r.groupBy } });
    const body =
      table === "comments"
        ? toCsv(["given_at", "kind", "score", "responder", "cohort", "comment"], data.comments.map((c) => [c.givenAt, c.kind, c.score, c.responder, c.cohort, c.comment]))
        : toCsv(
            ["group", "csat_percent", "csat_n", "mean", "nps", "nps_n", "surveys_sent", "response_rate"],
            [...r.groups.map((g) => [g.key === null ? "" : g.label, g.csatPercent, g.n, g.mean, g.nps, g.npsN, g.surveysSent, g.responseRate] as Array<string | number | null>), ["total", r.total.csatPercent, r.total.n, r.total.mean, r.total.nps, r.total.npsN, r.total.surveysSent, r.total.responseRate]],
          );
    return csvResponse(`satisfaction-${table}-${r.school}-${r.period.from}.csv`, body);
  });
}
