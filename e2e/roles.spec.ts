import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { signIn } from "./helpers";
import { EXTRA_REQUESTS, MATRIX, ROLES, routesOnDisk, type Outcome } from "../tests/integration/roles-matrix";

/**
 * The role × route matrix over real HTTP with real sessions (issue #6): every page under app/(dashboard)
 * and every handler under app/api, found on disk now, for each demo login and for an anonymous visitor.
 * Status or redirect must match tests/integration/roles-matrix.ts, and what the admin's exports show
 * about other teams, students and messages must not reach the roles that may not see it.
 */

test.describe.configure({ mode: "serial" });

// Playwright runs from the repository root (playwright.config.ts).
const root = process.cwd();
const onDisk = (() => {
  const { pages, apis } = routesOnDisk(root);
  return new Set([...pages, ...apis]);
})();

type CsvRow = Record<string, string | undefined>;

/** Minimal RFC 4180 reader for our own CSVs (BOM, quotes, CRLF). */
function parseCsv(text: string): CsvRow[] {
  const rows: string[][] = [];
  let cell = "";
  let row: string[] = [];
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n") {
      row.push(cell.replace(/\r$/, ""));
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const [head, ...body] = rows;
  return body.filter((r) => r.length > 1 || r[0] !== "").map((r) => Object.fromEntries((head ?? []).map((h, i) => [h, r[i] ?? ""])));
}

async function get(ctx: APIRequestContext, url: string): Promise<APIResponse> {
  return ctx.get(url, { maxRedirects: 0, failOnStatusCode: false });
}

async function csv(ctx: APIRequestContext, url: string): Promise<CsvRow[]> {
  const r = await get(ctx, url);
  expect(r.status(), url).toBe(200);
  return parseCsv(await r.text());
}

/** What the response means in the matrix's words. */
async function outcomeOf(r: APIResponse, kind: "page" | "api", byId: boolean): Promise<Outcome | `other ${number}`> {
  const s = r.status();
  // An id outside the viewer's scope is "not found": allowed to open the route, shown nothing.
  if (byId && s === 404) return "ok";
  if (kind === "page") {
    if ([302, 303, 307, 308].includes(s) && (r.headers()["location"] ?? "").includes("/login")) return "login";
    if (s === 403) return "forbidden";
    // Dashboard pages stream behind app/(dashboard)/loading.tsx, so a refusal keeps the 200 already sent and
    // carries Next's 403 (or 404) fallback in the stream, which renders app/forbidden.tsx instead of the page.
    if (s === 200) {
      const body = await r.text();
      if (body.includes("NEXT_HTTP_ERROR_FALLBACK;403")) return "forbidden";
      if (body.includes("NEXT_HTTP_ERROR_FALLBACK;404")) return byId ? "ok" : "other 404";
      return "ok";
    }
    return `other ${s}`;
  }
  if (s === 200) return "ok";
  if (s === 401) return "unauth";
  if (s === 403) return "forbidden";
  return `other ${s}`;
}

interface Known {
  school: string;
  episodeId: string;
  studentId: string;
  teamRows: CsvRow[];
  studentNames: string[];
}

let known: Known | null = null;

/** From the admin's own exports: ids to fill `[id]` with, every staff row and every student name. */
async function learn(ctx: APIRequestContext): Promise<Known> {
  const schools = await (await get(ctx, "/api/queue")).json() as { school: { slug: string } };
  const school = schools.school.slug;
  const episodes = await csv(ctx, `/api/export/episodes?school=${school}`);
  const episodeId = episodes[0]?.id ?? "1";
  const page = await (await get(ctx, `/episodes/${episodeId}?school=${school}`)).text();
  const studentId = /\/students\/(\d+)/.exec(page)?.[1] ?? "1";
  const teamRows = await csv(ctx, `/api/export/team?school=${school}`);
  const staffNames = new Set(teamRows.map((r) => r.person ?? ""));
  const names = new Set<string>();
  for (const r of await csv(ctx, `/api/export/queue?school=${school}`)) names.add(r.student ?? "");
  for (const r of await csv(ctx, `/api/export/risk?school=${school}`)) names.add(r.student ?? "");
  for (const r of episodes) names.add(r.student ?? "");
  // Short or staff-like names would match by accident; what is left is unmistakably a student.
  const studentNames = [...names].filter((n) => n.length >= 8 && n !== "—" && !staffNames.has(n));
  return { school, episodeId, studentId, teamRows, studentNames };
}

function urlOf(route: string, query: string | undefined, k: Known): string {
  const p = route.replace("[id]", route.startsWith("/students") ? k.studentId : k.episodeId).replace("[source]", "telegram").replace("[...nextauth]", "session");
  const q = new URLSearchParams(query?.replace("[student]", k.studentId) ?? "");
  if (!p.startsWith("/api/auth") && !p.startsWith("/api/ingest") && !p.startsWith("/api/xapi") && !p.startsWith("/api/ratings")) q.set("school", k.school);
  const s = q.toString();
  return s ? `${p}?${s}` : p;
}

for (const role of ROLES) {
  test(`${role}: every page and API answers as the matrix says`, async ({ page, request }) => {
    test.setTimeout(240_000);
    if (!known) {
      await signIn(page, "admin");
      known = await learn(page.request);
      await page.context().clearCookies();
    }
    const k = known;
    if (role !== "anonymous") await signIn(page, role);
    const ctx = role === "anonymous" ? request : page.request;
    const failures: string[] = [];
    const rows = [...MATRIX.filter((r) => onDisk.has(r.route)), ...EXTRA_REQUESTS.map((x) => ({ route: x.route, kind: "api" as const, query: x.query, expect: x.expect, method: "GET" as const }))];
    for (const row of rows) {
      const url = urlOf(row.route, row.query, k);
      const want = row.expect[role];
      if (row.method === "POST" || want === "refused") {
        const r =
          row.method === "POST"
            ? await ctx.post(url, { data: "{}", headers: { "content-type": "application/json" }, maxRedirects: 0, failOnStatusCode: false })
            : await get(ctx, url);
        if (r.status() < 400 || r.status() >= 500) failures.push(`${row.method ?? "GET"} ${url}: expected a 4xx refusal, got ${r.status()}`);
        continue;
      }
      const got = await outcomeOf(await get(ctx, url), row.kind, row.route.includes("[") || (row.query ?? "").includes("["));
      if (got !== want) failures.push(`${url}: expected ${want}, got ${got}`);
    }
    expect(failures).toEqual([]);
  });
}

test.describe("what each role sees", () => {
  test("a team lead sees one team: no other team's staff on /team or in the queue", async ({ page }) => {
    test.skip(!known, "needs the matrix tests first");
    const k = known!;
    await signIn(page, "team_lead");
    const mine = await csv(page.request, `/api/export/team?school=${k.school}`);
    const teams = new Set(mine.map((r) => r.team));
    expect(teams.size).toBe(1);
    const myNames = new Set(mine.map((r) => r.person));
    const others = k.teamRows.filter((r) => !teams.has(r.team) && !myNames.has(r.person)).map((r) => r.person ?? "").filter((n) => n.length >= 8);
    expect(others.length).toBeGreaterThan(0);
    const bodies = [await (await get(page.request, `/team?school=${k.school}`)).text(), await (await get(page.request, `/queue?school=${k.school}`)).text(), await (await get(page.request, `/api/queue?school=${k.school}`)).text()];
    for (const name of others) for (const b of bodies) expect(b.includes(name), `team lead sees ${name}`).toBe(false);
  });

  test("a staff member sees only their own row", async ({ page }) => {
    test.skip(!known, "needs the matrix tests first");
    const k = known!;
    await signIn(page, "staff");
    const mine = await csv(page.request, `/api/export/team?school=${k.school}`);
    expect(mine).toHaveLength(1);
    const body = await (await get(page.request, `/team?school=${k.school}`)).text();
    const me = mine[0]?.person ?? "";
    for (const r of k.teamRows) {
      const name = r.person ?? "";
      if (name !== me && name.length >= 8 && !me.includes(name)) expect(body.includes(name), `staff sees ${name}`).toBe(false);
    }
  });

  test("an executive sees no student names anywhere they may go", async ({ page }) => {
    test.skip(!known, "needs the matrix tests first");
    const k = known!;
    expect(k.studentNames.length).toBeGreaterThan(0);
    await signIn(page, "executive");
    for (const route of ["/overview", "/sla", "/queue", "/team", "/satisfaction", "/outcomes", "/api/queue", "/api/export/queue", "/api/export/team", "/api/export/outcomes", "/api/export/satisfaction"]) {
      const body = await (await get(page.request, `${route}?school=${k.school}`)).text();
      for (const name of k.studentNames) expect(body.includes(name), `${route} shows ${name}`).toBe(false);
    }
  });

  test("pages carry a nonce CSP and the security headers; the nonce is on Next's scripts", async ({ request }) => {
    const r = await get(request, "/login");
    const h = r.headers();
    const csp = h["content-security-policy"] ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(h["x-frame-options"]).toBe("DENY");
    expect(await r.text()).toContain(`nonce="${nonce}"`);
    const again = /'nonce-([^']+)'/.exec((await get(request, "/login")).headers()["content-security-policy"] ?? "")?.[1];
    expect(again).not.toBe(nonce);
  });

  test("the tab icon is served at both addresses browsers ask for, without a session", async ({ request }) => {
    // Chromium asks for /favicon.ico on some navigations even with <link rel=icon>: a 404 there was a
    // console error on whatever page a test happened to be on.
    for (const [path, type] of [["/favicon.ico", "image/x-icon"], ["/icon.svg", "image/svg+xml"]] as const) {
      const r = await get(request, path);
      expect(r.status(), path).toBe(200);
      expect(r.headers()["content-type"], path).toContain(type);
    }
  });

  test("the audit log: admins read sign-ins and exports, with the link in their nav only", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/audit");
    await expect(page.getByRole("heading", { level: 1 })).toContainText(/Журнал аудита|Audit log/);
    await expect(page.getByTestId("audit-table")).toContainText("export.csv");
    await expect(page.locator('nav a[href="/audit"]')).toHaveCount(1);
    await page.context().clearCookies();
    await signIn(page, "head");
    await page.goto("/overview");
    await expect(page.locator('a[href="/audit"]')).toHaveCount(0);
  });
});
