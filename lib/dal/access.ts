import "server-only";
import { getDb } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { scopeSets, teamsOfGrant, type ScopeSets } from "../../db/queries/scope";
import type { UserRole } from "../../db/queries/users";
import { AccessError, getViewer, requireViewer, resolveSchool, roleAt, type Viewer } from "./session";

/**
 * One decision per request: may this viewer open this page (or its export, drill-down, API) at this
 * school, and which rows may they see there. Every lib/dal entry point calls requireAccess first, so
 * the check sits beside the data and not only in the proxy (docs/adr/0003-roles-and-scopes.md).
 *
 * Stable API (other DAL modules depend on it): requireAccess, assertSameOrigin, canOpen, PAGE_ROLES,
 * the Scope union and the in-scope helpers.
 */

export type PageKey =
  | "overview"
  | "sla"
  | "episodes"
  | "episode"
  | "queue"
  | "team"
  | "satisfaction"
  | "outcomes"
  | "risk"
  | "shifts"
  | "settings"
  | "students"
  | "student"
  | "audit";

/**
 * What a role may see on a page it can open:
 * - school: every row of the school (admin, head);
 * - team: the team lead's teams: their staff, those staff's current students and owned channels;
 * - self: a staff member: their own person, their students and channels (staffPersonIds = [personId]);
 * - aggregate: an executive: numbers only, no student names, message text or per-student rows.
 */
export type Scope =
  | { kind: "school" }
  | ({ kind: "team" } & ScopeSets)
  | ({ kind: "self"; personId: number | null } & ScopeSets)
  | { kind: "aggregate" };

export interface Access {
  viewer: Viewer;
  school: SchoolRow;
  role: UserRole;
  scope: Scope;
}

/**
 * Which roles may open which page. Team leads and staff only get pages that can be cut to their rows;
 * school-wide figures (overview, SLA, satisfaction, outcomes) stay with admin, head and executive until
 * those reports take a scope (ADR 0003, "left for later").
 */
export const PAGE_ROLES: Record<PageKey, readonly UserRole[]> = {
  overview: ["admin", "head", "executive"],
  sla: ["admin", "head", "executive"],
  episodes: ["admin", "head", "team_lead", "staff"],
  episode: ["admin", "head", "team_lead", "staff"],
  queue: ["admin", "head", "team_lead", "staff", "executive"],
  team: ["admin", "head", "team_lead", "staff", "executive"],
  satisfaction: ["admin", "head", "executive"],
  outcomes: ["admin", "head", "executive"],
  risk: ["admin", "head"],
  shifts: ["admin", "head", "team_lead", "staff", "executive"],
  settings: ["admin", "head"],
  students: ["admin", "head", "team_lead", "staff"],
  student: ["admin", "head", "team_lead", "staff"],
  audit: ["admin"],
};

export function canOpen(role: UserRole | null, page: PageKey): boolean {
  return role !== null && PAGE_ROLES[page].includes(role);
}

/** The viewer's grant at a school, school grant first (as roleAt). */
function grantAt(viewer: Viewer, school: SchoolRow) {
  return viewer.grants.find((g) => g.schoolId === school.id) ?? viewer.grants.find((g) => g.schoolId === null && g.organisationId === school.organisationId) ?? null;
}

async function scopeFor(viewer: Viewer, school: SchoolRow, role: UserRole): Promise<Scope> {
  if (role === "admin" || role === "head") return { kind: "school" };
  if (role === "executive") return { kind: "aggregate" };
  const g = grantAt(viewer, school);
  const { db } = await getDb();
  if (role === "team_lead") {
    const teamIds = await teamsOfGrant(db, school.id, g?.teamId ?? null, g?.personId ?? null);
    return { kind: "team", ...(await scopeSets(db, school.id, teamIds, teamIds.length > 0 && g?.personId ? [g.personId] : [])) };
  }
  const personId = g?.personId ?? null;
  // A staff login not linked to a person sees nothing rather than everything.
  return { kind: "self", personId, ...(await scopeSets(db, school.id, [], personId === null ? [] : [personId])) };
}

/**
 * For pages, exports, drill-downs and APIs: the viewer (or a redirect to /login), the URL's school if
 * they have a role there (404 otherwise, so other schools' slugs are not confirmed), their role, and
 * their scope. Throws AccessError(403) when the role may not open the page.
 */
export async function requireAccess(opts: { school?: string | string[]; page: PageKey }): Promise<Access> {
  const viewer = await requireViewer();
  const slug = Array.isArray(opts.school) ? opts.school[0] : opts.school;
  const school = resolveSchool(viewer, slug);
  const role = roleAt(viewer, school);
  if (!role) throw new AccessError(403, "no role at this school");
  if (!canOpen(role, opts.page)) throw new AccessError(403, `the ${role} role may not open ${opts.page}`);
  return { viewer, school, role, scope: await scopeFor(viewer, school, role) };
}

/** True when a scope shows every row of the school. */
export const seesAll = (s: Scope): s is { kind: "school" } => s.kind === "school";

/** Whether a staff person is visible in the scope (executives see staff rows, not students). */
export function staffInScope(s: Scope, personId: number | null): boolean {
  if (s.kind === "school" || s.kind === "aggregate") return true;
  return personId !== null && s.staffPersonIds.includes(personId);
}

/** Whether a student is visible in the scope: never for executives. */
export function studentInScope(s: Scope, personId: number | null): boolean {
  if (s.kind === "school") return true;
  if (s.kind === "aggregate") return false;
  return personId !== null && s.studentPersonIds.includes(personId);
}

/**
 * CSRF defence for route handlers that change state (server actions already get Next's origin check):
 * the browser's Origin (or, failing that, Referer) must name this host. Throws AccessError(403).
 */
export function assertSameOrigin(req: Request): void {
  const method = req.method.toUpperCase();
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  const origin = req.headers.get("origin") ?? req.headers.get("referer");
  if (!host || !origin) throw new AccessError(403, "cross-site request refused: no Origin");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new AccessError(403, "cross-site request refused: bad Origin");
  }
  if (originHost !== host) throw new AccessError(403, "cross-site request refused");
  // Fetch metadata, where the browser sends it, must not say cross-site either.
  const site = req.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw new AccessError(403, "cross-site request refused");
}

/** Pages to list in the navigation: those some grant of the viewer may open (each page still checks its school). */
/** Landing order: the overview when the role has it, else the page of one's own work. */
const LANDING: ReadonlyArray<[PageKey, string]> = [["overview", "/overview"], ["queue", "/queue"], ["team", "/team"], ["episodes", "/episodes"], ["shifts", "/shifts"]];

/** The first page the signed-in viewer may open; /login when nobody is signed in. */
export async function landingPath(): Promise<string> {
  const viewer = await getViewer();
  if (!viewer) return "/login";
  const pages = navPages(viewer);
  return LANDING.find(([k]) => pages.has(k))?.[1] ?? "/overview";
}

export function navPages(viewer: Viewer): Set<PageKey> {
  const roles = new Set(viewer.grants.map((g) => g.role));
  return new Set((Object.keys(PAGE_ROLES) as PageKey[]).filter((k) => PAGE_ROLES[k].some((r) => roles.has(r))));
}
