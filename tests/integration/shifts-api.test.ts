import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool } from "@/db/queries/schools";
import type { UserRole } from "@/db/queries/users";

/**
 * POST /api/shifts and /api/shifts/import with a team lead's scope (issue #6): a lead edits their
 * teams' staff shifts and gets 403 for anyone else's, and the plan names only the viewer's scope.
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

const { sameOrigin, postShift, postShiftsImport, getShiftsPlan, exportShifts } = await import("@/lib/dal/shifts");

/** CSRF guard of POST /api/shifts: the Origin header must name this host. */
describe("shifts API same-origin check", () => {
  const req = (headers: Record<string, string>) => new Request("http://dash.test/api/shifts", { method: "POST", headers });
  it("accepts the page's own origin", () => {
    expect(sameOrigin(req({ origin: "http://dash.test", host: "dash.test" }))).toBe(true);
    expect(sameOrigin(req({ origin: "https://dash.example", host: "10.0.0.5:3000", "x-forwarded-host": "dash.example" }))).toBe(true);
  });
  it("refuses another origin, a missing or a malformed one", () => {
    expect(sameOrigin(req({ origin: "http://evil.test", host: "dash.test" }))).toBe(false);
    expect(sameOrigin(req({ host: "dash.test" }))).toBe(false);
    expect(sameOrigin(req({ origin: "null", host: "dash.test" }))).toBe(false);
  });
});

// A Monday 09:00 UTC weeks before NOW: the weekly shifts recur into the plan week.
const NOW = new Date("2026-03-04T12:00:00Z");
const MONDAY = new Date("2026-02-02T09:00:00Z");
const post = (path: string, body: unknown) =>
  new Request(`http://dash.test${path}`, { method: "POST", headers: { origin: "http://dash.test", host: "dash.test", "content-type": "application/json" }, body: JSON.stringify(body) });

for (const engine of engines()) {
  describe(`shift edits within the viewer's scope on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const g = globalThis as unknown as { __sqdDb?: Promise<DbHandle> };
    const users: Partial<Record<UserRole, number>> = {};
    const shiftOf: Record<string, number> = {};
    const personOf: Record<string, number> = {};
    const as = (role: UserRole) => {
      session.current = { user: { id: users[role]!, email: `${role}@t.test`, name: role }, expires: "2099-01-01T00:00:00Z" };
    };

    beforeAll(async () => {
      h = await engine.open();
      g.__sqdDb = Promise.resolve(h);
      const db = h.db;
      const school = await ensureSchool(db, { organisation: { slug: "org", name: "Org" }, slug: "s1", name: "School 1", timezone: "UTC" });
      const s = school.id;
      for (const name of ["Lead-A", "Staff-A1", "Lead-B", "Staff-B1"]) {
        const [p] = await db.insert(t.people).values({ schoolId: s, displayName: name, email: `${name.toLowerCase()}@s.test` }).returning();
        personOf[name] = p!.id;
        await db.insert(t.personRoles).values({ schoolId: s, personId: p!.id, role: name.startsWith("Lead") ? "team_lead" : "coordinator" });
        if (!name.startsWith("Lead")) {
          const [sh] = await db.insert(t.shifts).values({ schoolId: s, personId: p!.id, role: "coordinator", startsAt: MONDAY, endsAt: new Date(MONDAY.getTime() + 8 * 3_600_000), weekly: true }).returning();
          shiftOf[name] = sh!.id;
        }
      }
      const [teamA] = await db.insert(t.teams).values({ schoolId: s, name: "Team A", leadPersonId: personOf["Lead-A"]! }).returning();
      const [teamB] = await db.insert(t.teams).values({ schoolId: s, name: "Team B", leadPersonId: personOf["Lead-B"]! }).returning();
      await db.insert(t.teamMembers).values([
        { schoolId: s, teamId: teamA!.id, personId: personOf["Staff-A1"]! },
        { schoolId: s, teamId: teamB!.id, personId: personOf["Staff-B1"]! },
      ]);
      const user = async (role: UserRole, extra: { teamId?: number; personId?: number } = {}) => {
        const [u] = await db.insert(t.users).values({ email: `${role}@t.test`, name: role, passwordHash: "x" }).returning();
        await db.insert(t.userRoles).values({ userId: u!.id, organisationId: school.organisationId, schoolId: extra.personId === undefined && role === "executive" ? null : s, role, teamId: extra.teamId ?? null, personId: extra.personId ?? null });
        users[role] = u!.id;
      };
      await user("head");
      await user("team_lead", { teamId: teamA!.id, personId: personOf["Lead-A"]! });
      await user("staff", { personId: personOf["Staff-A1"]! });
      await user("executive");
    });
    afterAll(async () => {
      g.__sqdDb = undefined;
      session.current = null;
      await h?.drop();
    });

    it("a team lead may not remove or add another team's shift (403), nothing changes; their own team's works", async () => {
      as("team_lead");
      const removeB = await postShift(post("/api/shifts", { action: "remove", school: "s1", id: shiftOf["Staff-B1"] }), NOW);
      expect(removeB.status).toBe(403);
      const addB = await postShift(post("/api/shifts", { action: "add", school: "s1", role: "coordinator", personId: personOf["Staff-B1"], weekday: 2, start: "10:00", end: "12:00", weekStart: "2026-03-02" }), NOW);
      expect(addB.status).toBe(403);
      const [b] = await h.db.select().from(t.shifts).where(eq(t.shifts.id, shiftOf["Staff-B1"]!));
      expect(b?.repeatUntil).toBeNull();
      expect(await h.db.select().from(t.shifts).where(eq(t.shifts.personId, personOf["Staff-B1"]!))).toHaveLength(1);

      const addA = await postShift(post("/api/shifts", { action: "add", school: "s1", role: "coordinator", personId: personOf["Staff-A1"], weekday: 2, start: "10:00", end: "12:00", weekStart: "2026-03-02" }), NOW);
      expect(addA.status).toBe(201);
      const removeA = await postShift(post("/api/shifts", { action: "remove", school: "s1", id: shiftOf["Staff-A1"] }), NOW);
      expect(removeA.status).toBe(200);
    });

    it("a CSV import naming another team's staff is refused whole with 403", async () => {
      as("team_lead");
      const before = (await h.db.select().from(t.shifts)).length;
      const csv = ["person,role,start,end,weekly", "staff-a1@s.test,coordinator,Wed 09:00,12:00,yes", "staff-b1@s.test,coordinator,Wed 09:00,12:00,yes"].join("\n");
      const r = await postShiftsImport(post("/api/shifts/import", { school: "s1", csv }), NOW);
      expect(r.status).toBe(403);
      const body = (await r.json()) as { errors: Array<{ line: number }> };
      expect(body.errors.map((e) => e.line)).toEqual([3]);
      expect((await h.db.select().from(t.shifts)).length).toBe(before);
    });

    it("the plan names only the viewer's scope: the lead's team, the staff member, nobody for executives", async () => {
      as("head");
      const head = await getShiftsPlan({ school: "s1", role: "coordinator" }, NOW);
      expect(head.shifts.map((s) => s.personName)).toContain("Staff-B1");

      as("team_lead");
      const lead = await getShiftsPlan({ school: "s1", role: "coordinator", remove: String(shiftOf["Staff-B1"]) }, NOW);
      expect(JSON.stringify(lead)).not.toContain("Staff-B1");
      expect(lead.errors).toEqual([`remove=${shiftOf["Staff-B1"]}`]);
      expect(lead.canEdit).toBe(true);
      const ics = await (await exportShifts({ school: "s1", role: "coordinator", format: "ics" })).text();
      expect(ics).toContain("BEGIN:VCALENDAR");
      expect(ics).not.toContain("Staff-B1");

      as("staff");
      const staff = await getShiftsPlan({ school: "s1", role: "coordinator" }, NOW);
      expect(new Set(staff.shifts.map((s) => s.personName))).toEqual(new Set(["Staff-A1"]));
      expect(staff.canEdit).toBe(false);

      as("executive");
      const exec = await getShiftsPlan({ school: "s1", role: "coordinator" }, NOW);
      expect(exec.shifts).toEqual([]);
      expect(exec.staff).toEqual([]);
      expect(exec.scheduled.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      const execIcs = await (await exportShifts({ school: "s1", role: "coordinator", format: "ics" })).text();
      expect(execIcs).not.toMatch(/Staff-|Lead-/);
    });
  });
}
