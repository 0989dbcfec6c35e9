import "server-only";
import { z } from "zod";
import { csvResponse, toCsv } from "../csv";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { endShift, insertShift, personInSchool } from "../../db/queries/reports/shifts";
import { staffRoles, type Role } from "../ingest/types";
import { shiftsToIcal } from "../metrics/staffing";
import { importShifts, parseParams, roleShifts, shiftPerson, shiftsPlan, SHIFTS_CSV_TEMPLATE, weeklyShiftTimes, type ShiftsPlanData, type ShiftsQuery, type ShiftsVisibility } from "../reports/shifts";
import { requireAccess, staffInScope, type Access, type Scope } from "./access";
import { guardApi } from "./exports";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import { AccessError, getViewer } from "./session";

export type { ShiftsPlanData };

/**
 * Roles that may change the stored shift plan; a team lead only their teams' staff (issue #6). Everyone
 * with a role at the school may read the plan and try what-ifs, within their scope.
 */
const EDITORS = new Set(["admin", "head", "team_lead"]);

/**
 * Whose shifts a scope names: every person for the school scope, the teams' staff for a team lead,
 * oneself for staff, nobody for executives (they get the hour figures only, ADR 0003).
 */
function visibility(scope: Scope): ShiftsVisibility {
  if (scope.kind === "aggregate") return { person: () => false, names: false };
  return { person: (id) => staffInScope(scope, id), names: true };
}

/** The shifts of this person may be stored or removed by this viewer. */
function mayEditPerson(a: Access, personId: number): boolean {
  return EDITORS.has(a.role) && a.scope.kind !== "aggregate" && a.scope.kind !== "self" && staffInScope(a.scope, personId);
}

export async function getShiftsPlan(
  q: ShiftsQuery & { school?: string },
  now: Date = new Date(),
): Promise<ShiftsPlanData & { canEdit: boolean; names: "all" | "scope" | "none" }> {
  const a = await requireAccess({ school: q.school, page: "shifts" });
  const { db } = await getDb();
  const data = await shiftsPlan(db, a.school, q, now, visibility(a.scope), { stored: { refreshMs: RUN_REFRESH_MS } });
  // What the list is cut to, so the page can say so instead of looking like missing data.
  const names = a.scope.kind === "school" ? "all" : a.scope.kind === "aggregate" ? "none" : "scope";
  return { ...data, canEdit: EDITORS.has(a.role), names };
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x * 10_000) / 100);
const r2 = (x: number) => Math.round(x * 100) / 100;

/** The plan as CSV (one row per hour of the week) or, with `format=ics`, the role's shifts as iCalendar. */
export function exportShifts(q: ShiftsQuery & { school?: string; format?: string }): Promise<Response> {
  return guardApi(async () => {
    const viewer = await getViewer();
    if (q.format === "ics") {
      if (!viewer) throw new AccessError(401, "unauthorized");
      const a = await requireAccess({ school: q.school, page: "shifts" });
      const school = a.school;
      const { role } = parseParams(q);
      const { db } = await getDb();
      const vis = visibility(a.scope);
      // Executives get the hours with the role as the title, never a name; others only their scope's people.
      const shifts = (await roleShifts(db, school.id, role, vis.names ? vis.person : undefined)).map((s) => (vis.names ? s : { ...s, person: role }));
      await audit(db, { userId: viewer.userId, schoolId: school.id, action: "export.ics", target: "shifts", details: { role } });
      const body = shiftsToIcal(shifts, { timezone: school.timezone, dtstamp: new Date(), uidDomain: `${school.slug}.shifts`, calendarName: `${school.name}: ${role}` });
      return new Response(body, {
        headers: {
          "content-type": "text/calendar; charset=utf-8",
          "content-disposition": `attachment; filename="${`shifts-${school.slug}-${role}.ics`.replace(/[^\w.-]/g, "_")}"`,
          "cache-control": "no-store",
        },
      });
    }
    const d = await getShiftsPlan(q);
    const { db } = await getDb();
    await audit(db, { userId: viewer?.userId, action: "export.csv", target: "shifts-plan", details: { school: d.school, role: d.params.role, week: d.planWeek } });
    const names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const body = toCsv(
      ["weekday", "hour", "forecast", "needed", "scheduled", "gap", "predicted_sla_percent", "measured_sla_percent", "measured_episodes", "whatif_scheduled", "whatif_predicted_sla_percent"],
      d.forecast.map((f, h) => {
        const needed = d.needed[h] ?? 0;
        const scheduled = d.scheduled[h] ?? 0;
        const m = d.measured[h];
        return [
          names[Math.floor(h / 24)] ?? "", h % 24, r2(f), r2(needed), r2(scheduled), r2(scheduled - needed),
          pct(d.predicted.hours[h]?.slaCompliance), pct(m?.measured), m?.episodes ?? 0,
          d.whatIf ? r2(d.whatIf.scheduled[h] ?? 0) : null, d.whatIf ? pct(d.whatIf.predicted.hours[h]?.slaCompliance) : null,
        ];
      }),
    );
    return csvResponse(`shifts-${d.school}-${d.params.role}-${d.planWeek}.csv`, body);
  });
}

/** Same-origin check for a state-changing request (CSRF): the Origin header must name this host. */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const own = req.headers.get("x-forwarded-host") ?? req.headers.get("host") ?? new URL(req.url).host;
  return host === own;
}

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
const bodySchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("add"), school: z.string().min(1), role: z.string(), personId: z.number().int().positive(), weekday: z.number().int().min(1).max(7), start: hhmm, end: hhmm, weekStart: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  z.object({ action: z.literal("remove"), school: z.string().min(1), id: z.number().int().positive() }),
]);

async function editorAt(slug: string): Promise<Access> {
  const a = await requireAccess({ school: slug, page: "shifts" });
  if (!EDITORS.has(a.role)) throw new AccessError(403, "only admin, head or team lead may change shifts");
  return a;
}

/** POST /api/shifts: add a weekly shift, or remove one from now on. */
export function postShift(req: Request, now: Date = new Date()): Promise<Response> {
  return guardApi(async () => {
    if (!sameOrigin(req)) return Response.json({ error: "cross-origin request refused" }, { status: 403 });
    const viewer = await getViewer();
    if (!viewer) throw new AccessError(401, "unauthorized");
    let json: unknown;
    try {
      json = await req.json();
    } catch {
      return Response.json({ error: "invalid JSON" }, { status: 400 });
    }
    const parsed = bodySchema.safeParse(json);
    if (!parsed.success) return Response.json({ error: "invalid request", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) }, { status: 400 });
    const b = parsed.data;
    const a = await editorAt(b.school);
    const school = a.school;
    const { db } = await getDb();
    if (b.action === "remove") {
      const owner = await shiftPerson(db, school.id, b.id);
      if (owner === null) return Response.json({ error: "no such shift" }, { status: 404 });
      if (!mayEditPerson(a, owner)) throw new AccessError(403, "this shift belongs to someone outside your teams");
      if (!(await endShift(db, school.id, b.id, now))) return Response.json({ error: "no such shift" }, { status: 404 });
      await audit(db, { userId: viewer.userId, schoolId: school.id, action: "shift.remove", target: `shift:${b.id}` });
      return Response.json({ ok: true });
    }
    const role = staffRoles.find((r): r is Role => r === b.role);
    if (!role) return Response.json({ error: "not a staff role" }, { status: 400 });
    if (!(await personInSchool(db, school.id, b.personId))) return Response.json({ error: "no such person" }, { status: 404 });
    if (!mayEditPerson(a, b.personId)) throw new AccessError(403, "this person is outside your teams");
    let times: ReturnType<typeof weeklyShiftTimes>;
    try {
      times = weeklyShiftTimes(b.weekStart, b, school.timezone);
    } catch {
      return Response.json({ error: "weekStart must be a Monday" }, { status: 400 });
    }
    if (!times) return Response.json({ error: "the start does not exist on that day (DST)" }, { status: 400 });
    const id = await insertShift(db, { schoolId: school.id, personId: b.personId, role, ...times, weekly: true });
    await audit(db, { userId: viewer.userId, schoolId: school.id, action: "shift.add", target: `shift:${id}`, details: { role, weekday: b.weekday, start: b.start, end: b.end } });
    return Response.json({ ok: true, id }, { status: 201 });
  });
}

/** A CSV upload is a plan for a team, not a data dump: 1 MB is thousands of shifts. */
const MAX_IMPORT_BYTES = 1_000_000;
const importSchema = z.object({ school: z.string().min(1), csv: z.string().max(MAX_IMPORT_BYTES) });

/**
 * POST /api/shifts/import: `{ school, csv }` from the page's upload. 422 with line-numbered errors and
 * nothing written when any row is bad; 200 with inserted / already-stored counts otherwise.
 */
export function postShiftsImport(req: Request, now: Date = new Date()): Promise<Response> {
  return guardApi(async () => {
    if (!sameOrigin(req)) return Response.json({ error: "cross-origin request refused" }, { status: 403 });
    const viewer = await getViewer();
    if (!viewer) throw new AccessError(401, "unauthorized");
    const len = Number(req.headers.get("content-length") ?? 0);
    if (len > MAX_IMPORT_BYTES * 2) return Response.json({ error: "file too large" }, { status: 413 });
    let json: unknown;
    try {
      json = await req.json();
    } catch {
      return Response.json({ error: "invalid JSON" }, { status: 400 });
    }
    const parsed = importSchema.safeParse(json);
    if (!parsed.success) return Response.json({ error: "invalid request", issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) }, { status: 400 });
    const a = await editorAt(parsed.data.school);
    const school = a.school;
    const { db } = await getDb();
    const result = await importShifts(db, school, parsed.data.csv, now, (id) => mayEditPerson(a, id));
    if (result.forbidden) return Response.json(result, { status: 403 });
    if (result.ok) {
      await audit(db, { userId: viewer.userId, schoolId: school.id, action: "shift.import", target: "shifts", details: { rows: result.rows, inserted: result.inserted, existing: result.existing } });
    }
    return Response.json(result, { status: result.ok ? 200 : 422 });
  });
}

/** GET /api/shifts/template: the CSV columns with two example rows. Static, but only for signed-in users like every route. */
export function shiftsTemplate(): Promise<Response> {
  return guardApi(async () => csvResponse("shifts-template.csv", SHIFTS_CSV_TEMPLATE));
}
