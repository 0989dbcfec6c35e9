import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import path from "node:path";
import { engines } from "./harness";
import { MATRIX, EXTRA_REQUESTS, ROLES, isKnownGap, missingRows, type MatrixRole, type Outcome } from "./roles-matrix";
import type { DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import type { UserRole } from "@/db/queries/users";
import { eq } from "drizzle-orm";

/**
 * The role × route matrix at the DAL level: every page's and export's lib/dal entry point is called with
 * a mocked session for each role (and none), on a hand-built school with two teams, and must answer as
 * tests/integration/roles-matrix.ts says without showing rows outside the role's scope.
 * The HTTP version over real sessions is e2e/roles.spec.ts.
 */

const session = vi.hoisted(() => ({ current: null as null | { user: { id: number; email: string; name: string }; expires: string } }));
vi.mock("next-auth", () => ({ getServerSession: async () => session.current }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw Object.assign(new Error(`NEXT_REDIRECT ${to}`), { redirectTo: to });
  },
  notFound: () => {
    throw Object.assign(new Error("NEXT_NOT_FOUND"), { notFound: true });
  },
}));

const { exportOverviewCsv, exportSatisfactionCsv, guardMutation } = await import("@/lib/dal/exports");
const { getOverview } = await import("@/lib/dal/overview");
const { getSlaPage, exportSlaCsv } = await import("@/lib/dal/sla");
const { getEpisodeList, getEpisode, exportEpisodesCsv } = await import("@/lib/dal/episodes");
const { getQueue, exportQueueCsv, queueJson } = await import("@/lib/dal/queue");
const { getTeam, exportTeamCsv } = await import("@/lib/dal/team");
const { getSatisfaction } = await import("@/lib/dal/satisfaction");
const { getOutcomes } = await import("@/lib/dal/outcomes");
const { exportOutcomesCsv, exportRiskCsv } = await import("@/lib/dal/exports-outcomes");
const { exportContactsCsv } = await import("@/lib/dal/contacts");
const { getAuditLog, exportAuditCsv } = await import("@/lib/dal/audit");
const { assertSameOrigin } = await import("@/lib/dal/access");
// Pages other helpers own: still cells of the matrix.
const { getShiftsPlan, exportShifts } = await import("@/lib/dal/shifts");
const { getSettings } = await import("@/lib/dal/settings");
const { getStudentTimeline, exportStudentTimelineCsv } = await import("@/lib/dal/students");
const { AccessError } = await import("@/lib/dal/session");

const at = (iso: string) => new Date(iso);
const NOW = at("2026-03-02T09:00:00Z");

interface World {
  school: SchoolRow;
  users: Record<Exclude<MatrixRole, "anonymous">, number>;
  episodes: Record<"a1" | "a2" | "b1" | "bGroup", number>;
  studentIds: Record<"a1" | "a2" | "b1", number>;
}

/**
 * Team A: lead "Lead-A", staff "Staff-A1" and "Staff-A2"; team B: lead "Lead-B", staff "Staff-B1".
 * Students "Stu-A1" (of Staff-A1), "Stu-A2" (of Staff-A2), "Stu-B1" (of Staff-B1), each with a DM owned
 * by their coordinator; a group chat of team B. Message text and rating comments carry markers.
 */
async function seed(h: DbHandle): Promise<World> {
  const db = h.db;
  const school = await ensureSchool(db, { organisation: { slug: "org", name: "Org" }, slug: "s1", name: "School 1", timezone: "UTC" });
  await ensureSchool(db, { organisation: { slug: "org", name: "Org" }, slug: "s2", name: "School 2", timezone: "UTC" });
  const other = await ensureSchool(db, { organisation: { slug: "other", name: "Other" }, slug: "x1", name: "Other school", timezone: "UTC" });
  const s = school.id;
  const [src] = await db.insert(t.sources).values({ schoolId: s, kind: "telegram", externalId: "bot", name: "TG" }).returning();
  const person = async (name: string, role?: "coordinator" | "team_lead") => {
    const [p] = await db.insert(t.people).values({ schoolId: s, displayName: name, email: `${name.toLowerCase()}@s.test` }).returning();
    const [ident] = await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: src!.id, externalId: `tg-${name}`, personId: p!.id }).returning();
    if (role) await db.insert(t.personRoles).values({ schoolId: s, personId: p!.id, role });
    return { id: p!.id, ident: ident!.id };
  };
  const leadA = await person("Lead-A", "team_lead");
  const staffA1 = await person("Staff-A1", "coordinator");
  const staffA2 = await person("Staff-A2", "coordinator");
  const leadB = await person("Lead-B", "team_lead");
  const staffB1 = await person("Staff-B1", "coordinator");
  const [teamA] = await db.insert(t.teams).values({ schoolId: s, name: "Team A", leadPersonId: leadA.id }).returning();
  const [teamB] = await db.insert(t.teams).values({ schoolId: s, name: "Team B", leadPersonId: leadB.id }).returning();
  await db.insert(t.teamMembers).values([
    { schoolId: s, teamId: teamA!.id, personId: leadA.id },
    { schoolId: s, teamId: teamA!.id, personId: staffA1.id },
    { schoolId: s, teamId: teamA!.id, personId: staffA2.id },
    { schoolId: s, teamId: teamB!.id, personId: leadB.id },
    { schoolId: s, teamId: teamB!.id, personId: staffB1.id },
  ]);
  const stuA1 = await person("Stu-A1");
  const stuA2 = await person("Stu-A2");
  const stuB1 = await person("Stu-B1");
  await db.insert(t.assignments).values([
    { schoolId: s, staffPersonId: staffA1.id, studentPersonId: stuA1.id, role: "coordinator" },
    { schoolId: s, staffPersonId: staffA2.id, studentPersonId: stuA2.id, role: "coordinator" },
    { schoolId: s, staffPersonId: staffB1.id, studentPersonId: stuB1.id, role: "coordinator" },
  ]);
  const dm = async (student: { id: number }, owner: { id: number }, ext: string) =>
    (await db.insert(t.channels).values({ schoolId: s, sourceId: src!.id, externalId: ext, kind: "dm", dmStudentPersonId: student.id, ownerRole: "coordinator", ownerPersonId: owner.id }).returning())[0]!.id;
  const dmA1 = await dm(stuA1, staffA1, "dm-a1");
  const dmA2 = await dm(stuA2, staffA2, "dm-a2");
  const dmB1 = await dm(stuB1, staffB1, "dm-b1");
  const [groupB] = await db.insert(t.channels).values({ schoolId: s, sourceId: src!.id, externalId: "group-b", kind: "group", title: "Group-B", ownerRole: "team_lead", ownerPersonId: leadB.id }).returning();
  let n = 0;
  const msg = async (channelId: number, author: { id: number; ident: number }, when: string, text: string) =>
    (await db.insert(t.messages).values({ schoolId: s, sourceId: src!.id, channelId, externalId: `m${++n}`, authorPersonId: author.id, authorIdentityId: author.ident, sentAt: at(when), text, textLength: text.length }).returning())[0]!.id;
  const ep = async (channelId: number, student: { id: number }, messageId: number, when: string, answered: { by: { id: number }; at: string } | null, owner: { id: number } | null) =>
    (
      await db
        .insert(t.episodes)
        .values({
          schoolId: s, channelId, studentPersonId: student.id, openedMessageId: messageId, openedAt: at(when), lastStudentMessageAt: at(when), messageCount: 1, kind: "first",
          status: answered ? "answered" : "open", answeredAt: answered ? at(answered.at) : null, responderPersonId: answered?.by.id ?? null, ownerRole: "coordinator", ownerPersonId: owner?.id ?? null,
          targetMinutes: 60, clock: "calendar", responseCalendarMinutes: answered ? 30 : null, breached: false,
        })
        .returning()
    )[0]!.id;
  const qA1 = await msg(dmA1, stuA1, "2026-03-01T09:00:00Z", "TEXT-SECRET-A1");
  const ansA1 = await msg(dmA1, staffA1, "2026-03-01T09:30:00Z", "TEXT-SECRET-ANSWER-A1");
  const qA2 = await msg(dmA2, stuA2, "2026-03-02T08:00:00Z", "TEXT-SECRET-A2");
  const qB1 = await msg(dmB1, stuB1, "2026-03-02T08:10:00Z", "TEXT-SECRET-B1");
  const qBg = await msg(groupB!.id, stuB1, "2026-03-01T10:00:00Z", "TEXT-SECRET-GROUP-B");
  const ansBg = await msg(groupB!.id, leadB, "2026-03-01T10:20:00Z", "TEXT-SECRET-ANSWER-GROUP-B");
  const a1 = await ep(dmA1, stuA1, qA1, "2026-03-01T09:00:00Z", { by: staffA1, at: "2026-03-01T09:30:00Z" }, staffA1);
  const a2 = await ep(dmA2, stuA2, qA2, "2026-03-02T08:00:00Z", null, staffA2);
  const b1 = await ep(dmB1, stuB1, qB1, "2026-03-02T08:10:00Z", null, staffB1);
  const bGroup = await ep(groupB!.id, stuB1, qBg, "2026-03-01T10:00:00Z", { by: leadB, at: "2026-03-01T10:20:00Z" }, null);
  await db.update(t.episodes).set({ answerMessageId: ansA1 }).where(eq(t.episodes.id, a1));
  await db.update(t.episodes).set({ answerMessageId: ansBg }).where(eq(t.episodes.id, bGroup));
  await db.insert(t.ratings).values([
    { schoolId: s, sourceId: src!.id, externalId: "r1", kind: "csat", personId: stuB1.id, score: 0.25, rawScore: 2, rawScaleMax: 5, comment: "COMMENT-SECRET-B1", episodeId: bGroup, responderPersonId: leadB.id, givenAt: at("2026-03-01T11:00:00Z") },
    { schoolId: s, sourceId: src!.id, externalId: "r2", kind: "csat", personId: stuA1.id, score: 1, rawScore: 5, rawScaleMax: 5, comment: "COMMENT-SECRET-A1", episodeId: a1, responderPersonId: staffA1.id, givenAt: at("2026-03-01T11:00:00Z") },
  ]);
  const user = async (email: string, role: UserRole, schoolId: number | null, orgId: number, extra: { teamId?: number; personId?: number } = {}) => {
    const [u] = await db.insert(t.users).values({ email, name: email.split("@")[0]!, passwordHash: "x" }).returning();
    await db.insert(t.userRoles).values({ userId: u!.id, organisationId: orgId, schoolId, role, teamId: extra.teamId ?? null, personId: extra.personId ?? null });
    return u!.id;
  };
  const users = {
    admin: await user("admin@t.test", "admin", s, school.organisationId),
    head: await user("head@t.test", "head", s, school.organisationId),
    team_lead: await user("lead@t.test", "team_lead", s, school.organisationId, { teamId: teamA!.id, personId: leadA.id }),
    executive: await user("exec@t.test", "executive", null, school.organisationId),
    staff: await user("staff@t.test", "staff", s, school.organisationId, { personId: staffA1.id }),
  };
  // An admin of another organisation, whose audit entries nobody here may read.
  const [stranger] = await db.insert(t.users).values({ email: "stranger@t.test", name: "stranger", passwordHash: "x" }).returning();
  await db.insert(t.userRoles).values({ userId: stranger!.id, organisationId: other.organisationId, schoolId: other.id, role: "admin" });
  await db.insert(t.auditLog).values({ userId: stranger!.id, schoolId: other.id, action: "config.apply", target: "STRANGER-SETTINGS" });
  return { school, users, episodes: { a1, a2, b1, bGroup }, studentIds: { a1: stuA1.id, a2: stuA2.id, b1: stuB1.id } };
}

function signInAs(w: World, role: MatrixRole): void {
  session.current = role === "anonymous" ? null : { user: { id: w.users[role], email: `${role}@t.test`, name: role }, expires: "2099-01-01T00:00:00Z" };
}

/** Runs a DAL call as the matrix sees it: the outcome and, when allowed, the data or response body. */
async function outcome(fn: () => Promise<unknown>): Promise<{ outcome: Outcome | "notfound" | "error"; body: string }> {
  try {
    const r = await fn();
    if (r instanceof Response) {
      const body = await r.text();
      const map: Record<number, Outcome | "notfound"> = { 200: "ok", 401: "unauth", 403: "forbidden", 404: "notfound" };
      return { outcome: map[r.status] ?? "error", body };
    }
    return { outcome: "ok", body: JSON.stringify(r) };
  } catch (e) {
    if (e instanceof AccessError) return { outcome: e.status === 403 ? "forbidden" : e.status === 401 ? "unauth" : "notfound", body: "" };
    if (e instanceof Error && "redirectTo" in e) return { outcome: "login", body: "" };
    throw e;
  }
}

const STUDENT_NAMES = ["Stu-A1", "Stu-A2", "Stu-B1"];
const TEXT_MARKERS = ["TEXT-SECRET", "COMMENT-SECRET"];

/** What each role must never see in any answer: other teams' people, students outside scope, message text. */
const NEVER: Record<Exclude<MatrixRole, "anonymous">, string[]> = {
  admin: ["STRANGER-SETTINGS"],
  head: [],
  team_lead: ["Staff-B1", "Lead-B", "Stu-B1", "Group-B", "COMMENT-SECRET-B1"],
  // "dm-…" are the DMs' external ids, their labels when untitled: a DM row is a per-student row.
  executive: [...STUDENT_NAMES, ...TEXT_MARKERS, "dm-a1", "dm-a2", "dm-b1"],
  staff: ["Staff-A2", "Staff-B1", "Lead-B", "Stu-A2", "Stu-B1", "Group-B", "COMMENT-SECRET-B1"],
};

describe("the matrix covers every route on disk", () => {
  it("has a row for every page under app/(dashboard) and every handler under app/api", () => {
    expect(missingRows(path.resolve(import.meta.dirname, "..", ".."))).toEqual([]);
  });
});

describe("assertSameOrigin (CSRF for route handlers that change state)", () => {
  const req = (method: string, headers: Record<string, string>) => new Request("http://dash.test/api/x", { method, headers });
  it("accepts same-origin posts and every GET", () => {
    expect(() => assertSameOrigin(req("POST", { origin: "http://dash.test", host: "dash.test" }))).not.toThrow();
    expect(() => assertSameOrigin(req("POST", { referer: "http://dash.test/shifts", host: "dash.test", "sec-fetch-site": "same-origin" }))).not.toThrow();
    expect(() => assertSameOrigin(req("GET", {}))).not.toThrow();
  });
  it("refuses cross-site, missing and malformed origins", () => {
    const bad: Array<Record<string, string>> = [{ origin: "http://evil.test", host: "dash.test" }, { host: "dash.test" }, { origin: "null", host: "dash.test" }, { origin: "http://dash.test", host: "dash.test", "sec-fetch-site": "cross-site" }];
    for (const h of bad) {
      expect(() => assertSameOrigin(req("POST", h))).toThrow(AccessError);
    }
  });
});

for (const engine of engines()) {
  describe(`roles and scopes on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let w: World;
    const g = globalThis as unknown as { __sqdDb?: Promise<DbHandle> };
    beforeAll(async () => {
      h = await engine.open();
      g.__sqdDb = Promise.resolve(h);
      w = await seed(h);
    });
    afterAll(async () => {
      g.__sqdDb = undefined;
      session.current = null;
      await h?.drop();
    });

    /** The DAL entry point behind each route of the matrix (routes that only exist over HTTP are in e2e/roles.spec.ts). */
    const calls = (): Record<string, () => Promise<unknown>> => {
      const q = { school: "s1" };
      return {
        "/overview": () => getOverview(q, NOW),
        "/sla": () => getSlaPage(q, NOW),
        "/episodes": () => getEpisodeList(q, NOW),
        "/episodes/[id]": async () => (await getEpisode(String(w.episodes.a1), q, NOW)) ?? Promise.reject(new AccessError(404, "none")),
        "/queue": () => getQueue(q, NOW),
        "/team": () => getTeam(q, NOW),
        "/satisfaction": () => getSatisfaction(q, NOW),
        "/outcomes": () => getOutcomes(q, NOW),
        "/audit": () => getAuditLog(q),
        "/api/export/overview": () => exportOverviewCsv(q),
        "/api/export/sla": () => exportSlaCsv({ ...q, table: "role" }),
        "/api/export/episodes": () => exportEpisodesCsv(q),
        "/api/export/queue": () => exportQueueCsv(q),
        "/api/export/team": () => exportTeamCsv(q),
        "/api/export/satisfaction": () => exportSatisfactionCsv(q),
        "/api/export/outcomes": () => exportOutcomesCsv(q),
        "/api/export/risk": () => exportRiskCsv(q),
        "/api/export/contacts": () => exportContactsCsv({ ...q, table: "unreachable" }),
        "/api/export/audit": () => exportAuditCsv(q),
        "/api/queue": () => queueJson(q),
        "/shifts": () => getShiftsPlan(q, NOW),
        "/api/export/shifts": () => exportShifts(q),
        "/settings": () => getSettings(q),
        "/students/[id]": async () => (await getStudentTimeline({ ...q, id: String(w.studentIds.a1) }, NOW)) ?? Promise.reject(new AccessError(404, "none")),
        "/api/export/student": () => exportStudentTimelineCsv({ ...q, id: String(w.studentIds.a1) }),
      };
    };

    for (const role of ROLES) {
      it(`${role}: every DAL-backed cell answers as the matrix says and shows nothing out of scope`, async () => {
        signInAs(w, role);
        const c = calls();
        const failures: string[] = [];
        for (const row of MATRIX) {
          const fn = c[row.route];
          if (!fn) continue;
          const got = await outcome(fn);
          // Staff's own episode is a1; the team lead's team also owns it.
          if (got.outcome !== row.expect[role]) failures.push(`${row.route}: expected ${row.expect[role]}, got ${got.outcome}`);
          const leaks = role === "anonymous" ? [] : NEVER[role].filter((bad) => got.body.includes(bad));
          if (isKnownGap(row.route, role)) {
            if (leaks.length === 0) failures.push(`${row.route}: the known gap for ${role} is fixed: remove it from KNOWN_GAPS`);
          } else for (const bad of leaks) failures.push(`${row.route}: shows ${bad}`);
        }
        for (const x of EXTRA_REQUESTS) {
          const table = new URLSearchParams(x.query).get("table") ?? "";
          const fn = x.route === "/api/export/sla" ? () => exportSlaCsv({ school: "s1", table }) : () => exportSatisfactionCsv({ school: "s1", table });
          const got = await outcome(fn);
          if (got.outcome !== x.expect[role]) failures.push(`${x.route}?${x.query}: expected ${x.expect[role]}, got ${got.outcome}`);
          if (role !== "anonymous") for (const bad of NEVER[role]) if (got.body.includes(bad)) failures.push(`${x.route}?${x.query}: shows ${bad}`);
        }
        expect(failures).toEqual([]);
      });
    }

    it("admin and head see every team's people, students and comments", async () => {
      for (const role of ["admin", "head"] as const) {
        signInAs(w, role);
        const body = JSON.stringify([await getQueue({ school: "s1" }, NOW), await getTeam({ school: "s1" }, NOW), await getEpisodeList({ school: "s1" }, NOW), await getSatisfaction({ school: "s1" }, NOW)]);
        for (const name of ["Stu-A2", "Stu-B1", "Staff-B1", "Lead-B", "COMMENT-SECRET-B1"]) expect(body, `${role} sees ${name}`).toContain(name);
      }
    });

    it("a team lead sees their team's staff, those staff's students, and nothing of team B", async () => {
      signInAs(w, "team_lead");
      const team = await getTeam({ school: "s1" }, NOW);
      expect(team.rows.map((r) => r.name).sort()).toEqual(["Lead-A", "Staff-A1", "Staff-A2"]);
      const queue = await getQueue({ school: "s1" }, NOW);
      expect(queue.items.map((i) => i.episodeId)).toEqual([w.episodes.a2]);
      const list = await getEpisodeList({ school: "s1" }, NOW);
      expect(list.list.rows.map((r) => r.id).sort()).toEqual([w.episodes.a1, w.episodes.a2].sort());
      expect(await getEpisode(String(w.episodes.a2), { school: "s1" }, NOW)).not.toBeNull();
      expect(await getEpisode(String(w.episodes.b1), { school: "s1" }, NOW)).toBeNull();
      expect(await getEpisode(String(w.episodes.bGroup), { school: "s1" }, NOW)).toBeNull();
    });

    it("a staff member sees their own row, their student's episodes and their own queue", async () => {
      signInAs(w, "staff");
      const team = await getTeam({ school: "s1" }, NOW);
      expect(team.rows.map((r) => r.name)).toEqual(["Staff-A1"]);
      expect(team.rebalance).toEqual([]);
      const queue = await getQueue({ school: "s1" }, NOW);
      expect(queue.items).toEqual([]);
      const list = await getEpisodeList({ school: "s1" }, NOW);
      expect(list.list.rows.map((r) => r.id)).toEqual([w.episodes.a1]);
      const one = await getEpisode(String(w.episodes.a1), { school: "s1" }, NOW);
      expect(one?.episode.student).toBe("Stu-A1");
      // A DM stays metadata only, even for its own coordinator (METRICS.md, Privacy).
      expect(JSON.stringify(one)).not.toContain("TEXT-SECRET-A1");
      expect(await getEpisode(String(w.episodes.a2), { school: "s1" }, NOW)).toBeNull();
      // Another coordinator's student answers "not found".
      expect(await getStudentTimeline({ school: "s1", id: String(w.studentIds.a2) }, NOW)).toBeNull();
    });

    it("an executive gets aggregates only: counts without per-student rows, comments or text", async () => {
      signInAs(w, "executive");
      const queue = await getQueue({ school: "s1" }, NOW);
      expect(queue.items).toEqual([]);
      expect(queue.counts.ok + queue.counts.atRisk + queue.counts.breaching + queue.counts.noSla).toBe(2);
      const sla = await getSlaPage({ school: "s1" }, NOW);
      expect(sla.breached.rows).toEqual([]);
      const outcomes = await getOutcomes({ school: "s1" }, NOW);
      expect(outcomes.risk.rows).toEqual([]);
      expect(outcomes.canSeeStudents).toBe(false);
      const sat = await getSatisfaction({ school: "s1" }, NOW);
      expect(sat.comments).toEqual([]);
      const byChannel = await getSatisfaction({ school: "s1", groupBy: "channel" }, NOW);
      expect(byChannel.report.groups.map((g) => g.label)).toEqual(["Group-B"]);
      expect(byChannel.report.total.n).toBe(2);
      signInAs(w, "head");
      expect((await getSatisfaction({ school: "s1", groupBy: "channel" }, NOW)).report.groups.map((g) => g.label).sort()).toEqual(["Group-B", "dm-a1"]);
      signInAs(w, "executive");
      // Organisation-wide: the second school opens too, another organisation's does not exist for them.
      await expect(getOverview({ school: "s2" }, NOW)).resolves.toBeTruthy();
      await expect(getOverview({ school: "x1" }, NOW)).rejects.toMatchObject({ status: 404 });
    });

    it("guardMutation: 401 without a session, 403 cross-site, the handler for a same-origin request", async () => {
      const post = (origin: string) => new Request("http://dash.test/api/x", { method: "POST", headers: { origin, host: "dash.test" } });
      const ok = async () => Response.json({ ok: true });
      signInAs(w, "anonymous");
      expect((await guardMutation(post("http://dash.test"), ok)).status).toBe(401);
      signInAs(w, "admin");
      expect((await guardMutation(post("http://evil.test"), ok)).status).toBe(403);
      expect((await guardMutation(post("http://dash.test"), ok)).status).toBe(200);
    });

    it("a school-level role cannot open another school by its slug (404, not confirmed)", async () => {
      for (const role of ["admin", "head", "team_lead", "staff"] as const) {
        signInAs(w, role);
        await expect(getQueue({ school: "s2" }, NOW)).rejects.toMatchObject({ status: 404 });
      }
    });

    it("the audit log lists sign-ins and exports for admins, not other organisations' entries", async () => {
      signInAs(w, "admin");
      await exportQueueCsv({ school: "s1" });
      const log = await getAuditLog({ school: "s1", action: "export" });
      expect(log.rows.some((r) => r.action === "export.csv" && r.target === "queue")).toBe(true);
      expect(JSON.stringify(log)).not.toContain("STRANGER-SETTINGS");
      const csv = await (await exportAuditCsv({ school: "s1" })).text();
      expect(csv.split("\r\n")[0]).toContain("at_utc,user,school,action,target,details,ip");
    });
  });
}
