import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The role × route matrix (issue #6, docs/adr/0003-roles-and-scopes.md): what every page and every API
 * answers to each role and to an anonymous visitor. Both the DAL-level suite (tests/integration/roles.test.ts)
 * and the HTTP suite (e2e/roles.spec.ts) read this table, and both list the routes on disk at test time,
 * so a new page or route handler without a row here fails the tests.
 *
 *   ok        200 with the data the role's scope allows;
 *   forbidden 403 (pages: the 403 boundary, data-testid="forbidden"; APIs: JSON);
 *   login     pages: redirect to /login;
 *   unauth    APIs: 401;
 *   refused   ingestion and LMS endpoints: a 4xx whatever the session (they trust signatures, not cookies).
 */

export const ROLES = ["admin", "head", "team_lead", "executive", "staff", "anonymous"] as const;
export type MatrixRole = (typeof ROLES)[number];
export type Outcome = "ok" | "forbidden" | "login" | "unauth" | "refused";

export interface RouteRow {
  /** The route as its folder spells it: "/episodes/[id]", "/api/export/sla". */
  route: string;
  kind: "page" | "api";
  /** The request the HTTP suite sends; `[id]` is filled in by the suite. */
  method?: "GET" | "POST";
  query?: string;
  expect: Record<MatrixRole, Outcome>;
  /** Who owns the route's code (others' rows are still checked). */
  note?: string;
}

const all = (o: Outcome, anon: Outcome): Record<MatrixRole, Outcome> => ({ admin: o, head: o, team_lead: o, executive: o, staff: o, anonymous: anon });
const by = (allowed: ReadonlyArray<Exclude<MatrixRole, "anonymous">>, anon: Outcome): Record<MatrixRole, Outcome> => ({
  admin: allowed.includes("admin") ? "ok" : "forbidden",
  head: allowed.includes("head") ? "ok" : "forbidden",
  team_lead: allowed.includes("team_lead") ? "ok" : "forbidden",
  executive: allowed.includes("executive") ? "ok" : "forbidden",
  staff: allowed.includes("staff") ? "ok" : "forbidden",
  anonymous: anon,
});

const SCHOOL_WIDE = ["admin", "head", "executive"] as const;
const PER_STUDENT = ["admin", "head", "team_lead", "staff"] as const;
const EVERY = ["admin", "head", "team_lead", "executive", "staff"] as const;

export const MATRIX: RouteRow[] = [
  { route: "/overview", kind: "page", expect: by(SCHOOL_WIDE, "login") },
  { route: "/sla", kind: "page", expect: by(SCHOOL_WIDE, "login") },
  { route: "/episodes", kind: "page", expect: by(PER_STUDENT, "login") },
  { route: "/episodes/[id]", kind: "page", expect: by(PER_STUDENT, "login") },
  { route: "/queue", kind: "page", expect: by(EVERY, "login") },
  { route: "/team", kind: "page", expect: by(EVERY, "login") },
  { route: "/satisfaction", kind: "page", expect: by(SCHOOL_WIDE, "login") },
  { route: "/outcomes", kind: "page", expect: by(SCHOOL_WIDE, "login") },
  { route: "/shifts", kind: "page", expect: by(EVERY, "login"), note: "lib/dal/shifts.ts (another helper)" },
  { route: "/settings", kind: "page", expect: by(["admin", "head"], "login"), note: "lib/dal/settings.ts (another helper)" },
  { route: "/audit", kind: "page", expect: by(["admin"], "login") },
  // A student id outside the viewer's scope answers 404 (does not confirm the id exists).
  { route: "/students/[id]", kind: "page", expect: by(PER_STUDENT, "login"), note: "lib/dal/students.ts (another helper)" },

  { route: "/api/export/overview", kind: "api", expect: by(SCHOOL_WIDE, "unauth") },
  { route: "/api/export/sla", kind: "api", query: "table=role", expect: by(SCHOOL_WIDE, "unauth") },
  { route: "/api/export/sla-extra", kind: "api", query: "table=categories", expect: by(SCHOOL_WIDE, "unauth"), note: "lib/dal/sla-extra.ts: counts only" },
  { route: "/api/export/episodes", kind: "api", expect: by(PER_STUDENT, "unauth") },
  { route: "/api/export/queue", kind: "api", expect: by(EVERY, "unauth") },
  { route: "/api/export/team", kind: "api", expect: by(EVERY, "unauth") },
  { route: "/api/export/satisfaction", kind: "api", expect: by(SCHOOL_WIDE, "unauth") },
  { route: "/api/export/outcomes", kind: "api", expect: by(SCHOOL_WIDE, "unauth") },
  { route: "/api/export/risk", kind: "api", expect: by(["admin", "head"], "unauth") },
  // Per-student lists of the outcomes page (unreachable, check-ins due): the risk list's permission (lib/dal/contacts.ts).
  { route: "/api/export/contacts", kind: "api", query: "table=unreachable", expect: by(["admin", "head"], "unauth") },
  { route: "/api/export/shifts", kind: "api", expect: by(EVERY, "unauth"), note: "lib/dal/shifts.ts (another helper)" },
  { route: "/api/export/audit", kind: "api", expect: by(["admin"], "unauth") },
  { route: "/api/export/student", kind: "api", query: "id=[student]", expect: by(PER_STUDENT, "unauth"), note: "lib/dal/students.ts (another helper)" },
  { route: "/api/queue", kind: "api", expect: by(EVERY, "unauth") },
  { route: "/api/team", kind: "api", expect: by(EVERY, "unauth") },
  { route: "/api/shifts/template", kind: "api", expect: by(EVERY, "unauth"), note: "another helper" },
  { route: "/api/health", kind: "api", expect: all("ok", "ok") },
  { route: "/api/auth/[...nextauth]", kind: "api", expect: all("ok", "ok") },
  // Without a signature / an LMS client's Basic credentials these refuse everyone, session or not.
  { route: "/api/ingest/[source]", kind: "api", method: "POST", expect: all("refused", "refused") },
  { route: "/api/xapi/statements", kind: "api", method: "POST", expect: all("refused", "refused") },
  // A cross-site POST (no Origin) is refused before anything is written.
  { route: "/api/shifts", kind: "api", method: "POST", expect: all("refused", "refused"), note: "lib/dal/shifts.ts (another helper)" },
  { route: "/api/shifts/import", kind: "api", method: "POST", expect: all("refused", "refused"), note: "lib/dal/shifts.ts (another helper)" },
  // The survey bot's endpoints trust the bot's credentials only.
  { route: "/api/ratings/due", kind: "api", method: "GET", expect: all("refused", "refused"), note: "lib/dal/ratings.ts (another helper)" },
  { route: "/api/ratings/asked", kind: "api", method: "POST", expect: all("refused", "refused"), note: "lib/dal/ratings.ts (another helper)" },
  { route: "/api/ratings/submit", kind: "api", method: "POST", expect: all("refused", "refused"), note: "lib/dal/ratings.ts (another helper)" },
];

/** The CSV-export variants with per-student rows that must refuse the executive even where the page is open. */
export const EXTRA_REQUESTS: Array<{ route: string; query: string; expect: Record<MatrixRole, Outcome> }> = [
  { route: "/api/export/sla", query: "table=breached", expect: by(["admin", "head"], "unauth") },
  { route: "/api/export/satisfaction", query: "table=comments", expect: by(SCHOOL_WIDE, "unauth") },
];

function walk(dir: string, file: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, file, out);
    else if (name === file) out.push(full);
  }
}

/** Every page under app/(dashboard) and every route handler under app/api, as route strings. */
export function routesOnDisk(root: string): { pages: string[]; apis: string[] } {
  const pages: string[] = [];
  const apis: string[] = [];
  walk(path.join(root, "app", "(dashboard)"), "page.tsx", pages);
  walk(path.join(root, "app", "api"), "route.ts", apis);
  const toRoute = (base: string, f: string, prefix: string) =>
    prefix + path.relative(base, path.dirname(f)).split(path.sep).filter((s) => s !== "" && !/^\(.*\)$/.test(s)).map((s) => `/${s}`).join("");
  return {
    pages: pages.map((f) => toRoute(path.join(root, "app", "(dashboard)"), f, "") || "/").sort(),
    apis: apis.map((f) => toRoute(path.join(root, "app", "api"), f, "/api")).sort(),
  };
}

/** Routes on disk without a matrix row (the test fails on any). Rows for routes not yet on disk are allowed. */
export function missingRows(root: string): string[] {
  const { pages, apis } = routesOnDisk(root);
  const known = new Set(MATRIX.map((r) => r.route));
  return [...pages, ...apis].filter((r) => !known.has(r));
}

/**
 * Cells that fail today in code another helper owns, reported instead of fixed here. The suites check
 * that each gap is still there (so a fix has to remove its line) and skip only these content checks.
 */
export const KNOWN_GAPS: Array<{ route: string; roles: MatrixRole[]; shows: string; owner: string }> = [
];

export function isKnownGap(route: string, role: MatrixRole): boolean {
  return KNOWN_GAPS.some((g) => g.route === route && g.roles.includes(role));
}
