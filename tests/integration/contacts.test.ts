import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool, listSchools, type SchoolRow } from "@/db/queries/schools";
import { seedDemo } from "@/db/seed/demo";
import { outcomeEnrollments, outcomeRows } from "@/db/queries/reports/outcomes";
import { checkInsReport, staffOutcomesReport, unreachableReport, UNREACHABLE_DAYS } from "@/lib/reports/contacts";
import { parseAsOf, riskReport } from "@/lib/reports/risk";
import { wilsonInterval } from "@/lib/metrics/stats/wilson";

const DAY = 86_400_000;
/** The as-of date of the hand-built school: the end of 2026-03-31 in Moscow (20:59:59.999 UTC). */
const AS_OF = parseAsOf("2026-03-31", "Europe/Moscow", new Date("2026-04-10T00:00:00Z"));
/** `d` days (fractions allowed) before the as-of instant. */
const ago = (d: number) => new Date(AS_OF.getTime() - d * DAY);

type Person = { id: number; tg: number };

/**
 * A hand-checkable school. Unreachable candidates (all active unless said):
 *  u31  — staff DM 45 d ago, replied 44 d ago, staff DM again 31 d ago, silent since: unreachable (31 d).
 *  u29  — the same, but the last staff DM is 29 d old: not yet.
 *  uGrp — staff DM 40 d ago, replied 29 d ago in a group chat ("anywhere"): not unreachable.
 *  uMen — mentioned by staff in the group 35 d ago, never wrote: unreachable through the mention.
 *  uLate — staff DM 40 d ago, replied one day AFTER the as-of date: unreachable as of then.
 *  uNone — nobody wrote to them, silent 60 d: not unreachable (nobody tried).
 *  uBot — only a bot wrote, 40 d ago: not unreachable.
 *  uGone — like u31 but withdrawn: not listed.
 * Check-ins of `coord` (assigned cA..cD, all active; cE completed, cF withdrawn):
 *  cA — coord wrote first in the DM 10 d ago: checked in.
 *  cB — the student opened the DM 10 d ago, coord answered 30 min later: an answer, not a check-in: due.
 *  cC — coord wrote first 31 d ago (cC replied): due, 31 days.
 *  cD — coord wrote first one day after the as-of date: due, never (nothing after the date counts).
 */
async function seed(h: DbHandle, school: SchoolRow) {
  const db = h.db;
  const s = school.id;
  const [course] = await db.insert(t.courses).values({ schoolId: s, externalId: "C1", title: "Course 1" }).returning();
  const [cohort] = await db.insert(t.cohorts).values({ schoolId: s, courseId: course!.id, externalId: "K1", title: "Поток 1", startsOn: "2026-01-05", endsOn: "2026-06-29" }).returning();
  const [tg] = await db.insert(t.sources).values({ schoolId: s, kind: "telegram", externalId: "bot", name: "TG" }).returning();
  const person = async (name: string, isBot = false): Promise<Person> => {
    const [p] = await db.insert(t.people).values({ schoolId: s, displayName: name, isBot }).returning();
    const [i] = await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: tg!.id, externalId: `tg-${name}`, personId: p!.id, isBot }).returning();
    return { id: p!.id, tg: i!.id };
  };
  const coord = await person("coord");
  const coord2 = await person("coord2");
  const mentor = await person("mentor");
  const bot = await person("robot", true);
  await db.insert(t.personRoles).values([
    { schoolId: s, personId: coord.id, role: "coordinator" },
    { schoolId: s, personId: coord2.id, role: "coordinator" },
    { schoolId: s, personId: mentor.id, role: "mentor" },
    { schoolId: s, personId: bot.id, role: "bot" },
  ]);
  const [group] = await db.insert(t.channels).values({ schoolId: s, sourceId: tg!.id, externalId: "group", kind: "group" }).returning();
  let seq = 0;
  const msg = async (author: Person, channelId: number, when: Date, extra: Partial<typeof t.messages.$inferInsert> = {}) => {
    await db.insert(t.messages).values({ schoolId: s, sourceId: tg!.id, channelId, externalId: `m${++seq}`, authorPersonId: author.id, authorIdentityId: author.tg, sentAt: when, textLength: 10, ...extra });
  };
  const people: Record<string, Person & { dm: number }> = {};
  const student = async (name: string, status: "active" | "completed" | "withdrawn" = "active", endedAt?: Date) => {
    const p = await person(name);
    await db.insert(t.enrollments).values({ schoolId: s, cohortId: cohort!.id, personId: p.id, tier: "standard", status, enrolledAt: new Date("2026-01-01T00:00:00Z"), endedAt: endedAt ?? null });
    const [dm] = await db.insert(t.channels).values({ schoolId: s, sourceId: tg!.id, externalId: `dm-${name}`, kind: "dm", dmStudentPersonId: p.id }).returning();
    people[name] = { ...p, dm: dm!.id };
    return people[name]!;
  };

  const u31 = await student("u31");
  await msg(coord2, u31.dm, ago(45));
  await msg(u31, u31.dm, ago(44));
  await msg(coord2, u31.dm, ago(31));
  const u29 = await student("u29");
  await msg(coord2, u29.dm, ago(45));
  await msg(u29, u29.dm, ago(44));
  await msg(coord2, u29.dm, ago(29));
  const uGrp = await student("uGrp");
  await msg(coord2, uGrp.dm, ago(40));
  await msg(uGrp, group!.id, ago(29));
  const uMen = await student("uMen");
  await msg(mentor, group!.id, ago(35), { mentionPersonIds: [uMen.id] });
  const uLate = await student("uLate");
  await msg(coord2, uLate.dm, ago(40));
  await msg(uLate, uLate.dm, ago(-1));
  const uNone = await student("uNone");
  await msg(uNone, group!.id, ago(60));
  const uBot = await student("uBot");
  await msg(bot, uBot.dm, ago(40), { isBot: true });
  const uGone = await student("uGone", "withdrawn", ago(20));
  await msg(coord2, uGone.dm, ago(45));
  await msg(coord2, uGone.dm, ago(31));

  const cA = await student("cA");
  await msg(coord, cA.dm, ago(10));
  const cB = await student("cB");
  await msg(cB, cB.dm, ago(10));
  await msg(coord, cB.dm, ago(10 - 30 / 1440));
  const cC = await student("cC");
  await msg(coord, cC.dm, ago(31));
  await msg(cC, cC.dm, ago(30.9)); // a reply: cC is reachable, only the check-in is overdue
  const cD = await student("cD");
  await msg(coord, cD.dm, ago(-1));
  const cE = await student("cE", "completed", new Date("2026-03-20T00:00:00Z"));
  const cF = await student("cF", "withdrawn", new Date("2026-02-10T00:00:00Z"));

  await db.insert(t.assignments).values([
    ...[cA, cB, cC, cD, cE, cF].map((x) => ({ schoolId: s, staffPersonId: coord.id, studentPersonId: x.id, role: "coordinator" as const })),
    { schoolId: s, staffPersonId: coord2.id, studentPersonId: u31.id, role: "coordinator" },
    // Ended before the enrollment started: not one of the mentor's students.
    { schoolId: s, staffPersonId: mentor.id, studentPersonId: cE.id, role: "mentor", validTo: new Date("2025-12-01T00:00:00Z") },
    { schoolId: s, staffPersonId: mentor.id, studentPersonId: cF.id, role: "mentor" },
  ]);
  return { coord, coord2, mentor, people };
}

for (const engine of engines()) {
  describe(`contact reports on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    let ids: Awaited<ReturnType<typeof seed>>;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "Europe/Moscow" });
      ids = await seed(h, school);
    });
    afterAll(async () => h?.drop());

    it("unreachable: 30 days without a reply anywhere to a staff message, as of the date", async () => {
      const r = await unreachableReport(h.db, school, AS_OF);
      expect(r.active).toBe(11); // not uGone (withdrawn), cE (completed), cF (withdrawn)
      expect(r.rows.map((x) => x.student).sort()).toEqual(["u31", "uLate", "uMen"]);
      expect(r.count).toBe(3);
      const u31 = r.rows.find((x) => x.student === "u31")!;
      expect(u31).toMatchObject({ daysUnanswered: 31, daysSilent: 44, unansweredStaffMessages: 1, lastStaffContactBy: "coord2", coordinators: "coord2" });
      expect(u31.firstUnansweredAt).toBe(ago(31).toISOString());
      const men = r.rows.find((x) => x.student === "uMen")!;
      expect(men).toMatchObject({ daysUnanswered: 35, daysSilent: null, lastStudentMessageAt: null, lastStaffContactBy: "mentor", coordinators: null });
      // The reply after the as-of date does not count; neither does anything else after it.
      expect(r.rows.find((x) => x.student === "uLate")).toMatchObject({ daysUnanswered: 40, lastStudentMessageAt: null });
      // Longest unanswered first.
      expect(r.rows.map((x) => x.daysUnanswered)).toEqual([40, 35, 31]);
      expect(r.rows.every((x) => x.daysUnanswered >= UNREACHABLE_DAYS)).toBe(true);
      // A day later uLate has replied: gone from the list; u29's staff message is then 30 days old.
      const later = await unreachableReport(h.db, school, new Date(AS_OF.getTime() + 2 * DAY));
      expect(later.rows.map((x) => x.student).sort()).toEqual(["u29", "u31", "uMen"]);
    });

    it("check-ins due: the staff member's own staff-initiated DM in 30 days, not an answer, nothing after the date", async () => {
      const r = await checkInsReport(h.db, school, AS_OF);
      const coord = r.staff.find((x) => x.staffPersonId === ids.coord.id)!;
      expect(coord).toMatchObject({ assigned: 4, checkedIn: 1, due: 3, coverage: 0.25, role: "coordinator" });
      const due = r.rows.filter((x) => x.staffPersonId === ids.coord.id);
      expect(due.map((x) => x.student).sort()).toEqual(["cB", "cC", "cD"]);
      expect(due.find((x) => x.student === "cC")).toMatchObject({ daysSince: 31, lastContactAt: ago(31).toISOString(), cohorts: "Поток 1" });
      expect(due.find((x) => x.student === "cB")).toMatchObject({ daysSince: null, lastContactAt: null });
      expect(due.find((x) => x.student === "cD")).toMatchObject({ daysSince: null });
      // Never contacted first come first.
      expect(r.rows.at(-1)?.daysSince).not.toBeNull();
      expect(r.due).toBe(r.rows.length);
      for (const s of r.staff) expect(s.checkedIn + s.due).toBe(s.assigned);
    });

    it("outcomes by assigned staff: completion with a Wilson interval, assignments overlapping the enrollment", async () => {
      const r = await staffOutcomesReport(h.db, school, { from: "2026-01-01", to: "2026-03-31" }, new Date("2026-04-10T00:00:00Z"));
      expect(r.interpretation).toBe("correlation");
      const coord = r.rows.find((x) => x.staffPersonId === ids.coord.id)!;
      expect(coord).toMatchObject({ students: 6, enrollments: 6, completed: 1, withdrawn: 1, notEnded: 4, ...wilsonInterval(1, 2) });
      const mentor = r.rows.find((x) => x.staffPersonId === ids.mentor.id)!;
      expect(mentor).toMatchObject({ role: "mentor", students: 1, completed: 0, withdrawn: 1, notEnded: 0, ...wilsonInterval(0, 1) });
      expect(r.rows.find((x) => x.staffPersonId === ids.coord2.id)).toMatchObject({ students: 1, notEnded: 1, n: 0, rate: null });
    });
  });

  describe(`contact reports on the small demo (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schools: SchoolRow[];
    const anchor = new Date("2026-11-27T00:00:00Z");
    beforeAll(async () => {
      h = await engine.open();
      await seedDemo(h.db, { scale: "small", seed: 42, anchor });
      schools = await listSchools(h.db);
    }, 180_000);
    afterAll(async () => h?.drop());

    it("every list holds to its definition, and check-ins add up per staff member", async () => {
      let due = 0;
      let partial = 0;
      for (const school of schools) {
        const asOf = parseAsOf("2026-11-27", school.timezone, anchor);
        const u = await unreachableReport(h.db, school, asOf);
        const risk = await riskReport(h.db, school, asOf);
        // The same active enrollments as the at-risk list.
        expect(u.active).toBe(risk.rows.length);
        for (const x of u.rows) {
          expect(x.daysUnanswered).toBeGreaterThanOrEqual(UNREACHABLE_DAYS);
          if (x.lastStudentMessageAt) expect(Date.parse(x.lastStudentMessageAt)).toBeLessThan(Date.parse(x.firstUnansweredAt));
        }
        const c = await checkInsReport(h.db, school, asOf);
        expect(c.staff.length).toBeGreaterThan(0);
        for (const s of c.staff) expect(s.checkedIn + s.due).toBe(s.assigned);
        expect(c.rows.length).toBe(c.staff.reduce((a, s) => a + s.due, 0));
        for (const x of c.rows) if (x.daysSince !== null) expect(x.daysSince).toBeGreaterThanOrEqual(30);
        due += c.due;
        // The generator has coordinators who check in rarely or never: some coverage is below 100 %.
        partial += c.staff.filter((s) => s.coverage !== null && s.coverage < 1).length;
        const o = await staffOutcomesReport(h.db, school, {}, new Date("2026-11-28T12:00:00Z"));
        expect(o.rows.length).toBeGreaterThan(0);
        for (const s of o.rows) {
          expect(s.completed + s.withdrawn).toBe(s.n);
          expect(s.completed + s.withdrawn + s.notEnded).toBe(s.enrollments);
        }
      }
      expect(due).toBeGreaterThan(0);
      expect(partial).toBeGreaterThan(0);
    }, 120_000);

    it("staff outcomes read the outcomes report's enrollments: the same rows, statuses and dates, at two as-of dates", async () => {
      let compared = 0;
      for (const school of schools) {
        for (const [period, at] of [[{ from: "2025-11-28", to: "2026-11-28" }, "2026-11-27"], [{ from: "2025-06-01", to: "2026-06-01" }, "2026-05-31"]] as const) {
          const asOf = parseAsOf(at, school.timezone, anchor);
          const full = await outcomeRows(h.db, school.id, school.timezone, period, asOf);
          const slim = await outcomeEnrollments(h.db, school.id, school.timezone, period, asOf);
          expect(slim).toEqual(full.map((r) => ({ enrollmentId: r.enrollmentId, personId: r.personId, status: r.status, enrolledAt: r.enrolledAt, cohortStartsOn: r.cohortStartsOn, endedAt: r.endedAt })));
          compared += slim.length;
        }
      }
      expect(compared).toBeGreaterThan(100);
    }, 120_000);
  });
}
