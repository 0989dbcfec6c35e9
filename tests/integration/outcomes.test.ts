import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { eq, inArray } from "drizzle-orm";
import * as t from "@/db/schema";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { outcomesReport, retentionTable } from "@/lib/reports/outcomes";
import { parseAsOf, riskReport } from "@/lib/reports/risk";
import { wilsonInterval } from "@/lib/metrics/stats/wilson";
import { defaultRiskModel, scoreEnrollment } from "@/lib/metrics/risk";

const at = (iso: string) => new Date(iso);

/**
 * A hand-built school: one cohort (starts 2026-01-05), 7 students in two tiers, a schedule of three
 * assignments, LMS submissions, DMs from a coordinator and one answered episode.
 */
async function seed(h: DbHandle, school: SchoolRow) {
  const db = h.db;
  const s = school.id;
  const [course] = await db.insert(t.courses).values({ schoolId: s, externalId: "C1", title: "Course 1" }).returning();
  const [cohort] = await db.insert(t.cohorts).values({ schoolId: s, courseId: course!.id, externalId: "K1", title: "Поток 1", startsOn: "2026-01-05", endsOn: "2026-03-29" }).returning();
  const [tg] = await db.insert(t.sources).values({ schoolId: s, kind: "telegram", externalId: "bot", name: "TG" }).returning();
  const [lms] = await db.insert(t.sources).values({ schoolId: s, kind: "lms_csv", externalId: "lms", name: "LMS" }).returning();
  const person = async (name: string) => {
    const [p] = await db.insert(t.people).values({ schoolId: s, displayName: name }).returning();
    const [tgId] = await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: tg!.id, externalId: `tg-${name}`, personId: p!.id }).returning();
    await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: lms!.id, externalId: `lms-${name}`, personId: p!.id });
    return { id: p!.id, tg: tgId!.id };
  };
  const coord = await person("coord");
  await db.insert(t.personRoles).values({ schoolId: s, personId: coord.id, role: "coordinator" });
  const students: Record<string, { id: number; tg: number; enrollment: number }> = {};
  const enroll = async (name: string, tier: string, status: "active" | "completed" | "withdrawn", endedAt?: string) => {
    const p = await person(name);
    const [en] = await db.insert(t.enrollments).values({ schoolId: s, cohortId: cohort!.id, personId: p.id, tier, status, enrolledAt: at("2026-01-05T00:00:00Z"), endedAt: endedAt ? at(endedAt) : null }).returning();
    students[name] = { ...p, enrollment: en!.id };
  };
  await enroll("s1", "premium", "completed", "2026-03-29T00:00:00Z");
  await enroll("s2", "premium", "completed", "2026-03-29T00:00:00Z");
  await enroll("s3", "premium", "withdrawn", "2026-01-20T00:00:00Z");
  await enroll("s4", "standard", "withdrawn", "2026-01-10T00:00:00Z");
  await enroll("s5", "standard", "completed", "2026-03-29T00:00:00Z");
  await enroll("s6", "standard", "active");
  await enroll("s7", "standard", "withdrawn", "2026-03-15T00:00:00Z");

  await db.insert(t.lmsItems).values([
    { schoolId: s, cohortId: cohort!.id, externalId: "A1", kind: "assignment", dueAt: at("2026-01-20T20:00:00Z"), weight: 50 },
    { schoolId: s, cohortId: cohort!.id, externalId: "A2", kind: "assignment", dueAt: at("2026-02-10T20:00:00Z"), weight: 50 },
    { schoolId: s, cohortId: cohort!.id, externalId: "A3", kind: "assignment", dueAt: at("2026-03-01T20:00:00Z"), weight: 0 },
  ]);
  const s6 = students.s6!;
  const sub = (id: string, item: string, when: string, score: number) => ({ schoolId: s, sourceId: lms!.id, externalId: id, personId: s6.id, courseId: course!.id, cohortId: cohort!.id, enrollmentId: s6.enrollment, verb: "submitted", objectId: item, score, maxScore: 100, occurredAt: at(when) });
  await db.insert(t.lmsEvents).values([sub("e1", "A1", "2026-01-19T10:00:00Z", 30), sub("e2", "A2", "2026-02-20T10:00:00Z", 90)]);

  // A DM with s6: the coordinator writes first (a staff-initiated contact), s6 only replies after the as-of date.
  const [dm] = await db.insert(t.channels).values({ schoolId: s, sourceId: tg!.id, externalId: "dm-s6", kind: "dm", dmStudentPersonId: s6.id }).returning();
  const [group] = await db.insert(t.channels).values({ schoolId: s, sourceId: tg!.id, externalId: "group", kind: "group" }).returning();
  const msg = async (id: string, author: { id: number; tg: number }, when: string, negative = false, channelId = dm!.id) => {
    const [m] = await db.insert(t.messages).values({ schoolId: s, sourceId: tg!.id, channelId, externalId: id, authorPersonId: author.id, authorIdentityId: author.tg, sentAt: at(when), negative }).returning();
    return m!.id;
  };
  const q = await msg("m0", s6, "2026-01-12T09:00:00Z");
  await msg("m1", coord, "2026-01-12T09:30:00Z"); // the answer, 30 min later: not a contact (< 1 h of silence)
  await msg("m2", coord, "2026-02-01T10:00:00Z"); // outreach, no reply for 7+ days at 2026-02-15
  await msg("m3", s6, "2026-02-10T10:00:00Z", true, group!.id); // negative, in the group chat (not a reply to the DM)
  await msg("m4", s6, "2026-02-16T10:00:00Z", true); // the reply, negative, after the first as-of date: ignored then
  await db.insert(t.episodes).values({
    schoolId: s, channelId: dm!.id, studentPersonId: s6.id, cohortId: cohort!.id, openedMessageId: q, openedAt: at("2026-01-12T09:00:00Z"), lastStudentMessageAt: at("2026-01-12T09:00:00Z"),
    messageCount: 1, kind: "first", status: "answered", answeredAt: at("2026-01-12T09:30:00Z"), targetMinutes: 60, clock: "calendar", responseCalendarMinutes: 30, breached: false,
  });
  return students;
}

for (const engine of engines()) {
  describe(`outcomes and at-risk reports on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "Europe/Moscow" });
      await seed(h, school);
    });
    afterAll(async () => h?.drop());

    const now = at("2026-06-01T00:00:00Z");

    it("completion by tier: completed / (completed + withdrawn), Wilson bounds as lib/metrics/stats", async () => {
      const r = await outcomesReport(h.db, school, { from: "2026-01-01", to: "2026-12-31" }, now);
      expect(r.enrollments).toBe(7);
      expect(r.interpretation).toBe("correlation");
      const premium = r.byTier.find((g) => g.group === "premium");
      const standard = r.byTier.find((g) => g.group === "standard");
      expect(premium).toMatchObject({ ...wilsonInterval(2, 3), notEnded: 0 });
      expect(standard).toMatchObject({ ...wilsonInterval(1, 3), notEnded: 1 });
      expect(r.total).toMatchObject({ successes: 3, n: 6, notEnded: 1 });
    });

    it("support exposure per enrollment is computed in SQL", async () => {
      const r = await outcomesReport(h.db, school, { from: "2026-01-01", to: "2026-12-31" }, now);
      const s6 = r.rows.find((x) => x.status === "active");
      expect(s6).toMatchObject({ episodes: 1, medianResponseMinutes: 30, breachedShare: 0, staffContacts: 1 });
      const total = r.byStaffContacts.quartiles.reduce((a, q) => a + q.n + q.notEnded, 0);
      expect(total + r.byStaffContacts.withoutExposure).toBe(7);
      // Only s6 had an answered episode: the others have no response-time exposure.
      expect(r.byResponseTime.withoutExposure).toBe(6);
    });

    it("Kaplan–Meier retention by tier: first points", async () => {
      const r = await outcomesReport(h.db, school, { from: "2026-01-01", to: "2026-12-31" }, now);
      const std = r.retention.curves.find((c) => c.tier === "standard");
      const prem = r.retention.curves.find((c) => c.tier === "premium");
      // standard: s4 withdraws on day 5 (week 1) of 4 at risk; s7 on day 69 (week 10) of 3.
      expect(std?.steps[0]).toMatchObject({ time: 1, atRisk: 4, events: 1 });
      expect(std?.steps[0]?.survival).toBeCloseTo(0.75, 10);
      expect(std?.byWeek.slice(0, 3).map((p) => p.stillEnrolled)).toEqual([1, 0.75, 0.75]);
      expect(std?.steps[1]).toMatchObject({ time: 10, atRisk: 3, events: 1 });
      expect(std?.steps[1]?.survival).toBeCloseTo(0.5, 10);
      // premium: s3 withdraws on day 15 (week 3) of 3.
      expect(prem?.steps[0]).toMatchObject({ time: 3, atRisk: 3, events: 1 });
      expect(prem?.steps[0]?.survival).toBeCloseTo(2 / 3, 10);
    });

    it("an at-risk row as of a date: score and reasons from data up to that date only", async () => {
      const asOf = parseAsOf("2026-02-15", school.timezone, now);
      const r = await riskReport(h.db, school, asOf);
      // Active on 2026-02-15: s6 and s7 (who withdrew later); s1, s2, s5 completed later but were active then too.
      expect(r.rows.map((x) => x.student).sort()).toEqual(["s1", "s2", "s5", "s6", "s7"]);
      const row = r.rows.find((x) => x.student === "s6");
      expect(row).toBeDefined();
      expect(row?.lmsStudentId).toBe("lms-s6");
      expect(row?.courseExternalId).toBe("C1");
      expect(row?.cohortExternalId).toBe("K1");
      // A1 submitted with 30 %, A2 (due 02-10) not yet: its submission on 02-20 is after the as-of date.
      expect(row?.features).toMatchObject({ unsubmittedWeight: 0.5, lateShare: 0, lowScore: 70, outreachUnanswered: 1, negativeMessages: 1, openBreachedEpisodes: 0 });
      const expected = scoreEnrollment(row?.features ?? {}, defaultRiskModel);
      expect(row?.score).toBeCloseTo(expected.score, 12);
      expect(row?.reasons.map((x) => x.key)).toEqual(["lowScore", "outreachUnanswered", "unsubmittedWeight"]);
      expect(row?.reasons[0]?.label_ru).toBe("Низкие оценки");
      // Sorted by score, highest first.
      expect(r.rows[0]?.student).toBe("s6");
    });

    it("later data changes the row only when the as-of date moves past it", async () => {
      const r = await riskReport(h.db, school, parseAsOf("2026-02-25", school.timezone, now));
      const row = r.rows.find((x) => x.student === "s6");
      // A2 now submitted (late); the 02-16 reply ends the unanswered outreach; two negative messages in 30 days.
      expect(row?.features).toMatchObject({ unsubmittedWeight: 0, lateShare: 0.5, lowScore: 40, outreachUnanswered: 0, negativeMessages: 2 });
      const after = await riskReport(h.db, school, parseAsOf("2026-03-20", school.timezone, now));
      // s7 withdrew on 03-15; s1, s2, s5 complete on 03-29, so are still active on 03-20.
      expect(after.rows.map((x) => x.student).sort()).toEqual(["s1", "s2", "s5", "s6"]);
    });
    it("a banked result (OULAD is_banked, kept in extra) is stored as banked and stays out of the scores", async () => {
      const base = (await riskReport(h.db, school, parseAsOf("2026-02-25", school.timezone, now))).rows.find((x) => x.student === "s6");
      const [ev] = await h.db.select().from(t.lmsEvents).where(eq(t.lmsEvents.externalId, "e1"));
      // A banked 100 % on A1 the day before the as-of date: not a score the student earned in this run.
      const e = ev!;
      await h.db.insert(t.lmsEvents).values({
        schoolId: e.schoolId, sourceId: e.sourceId, personId: e.personId, courseId: e.courseId, cohortId: e.cohortId, enrollmentId: e.enrollmentId, verb: e.verb, objectId: e.objectId,
        externalId: "e-banked", score: 100, maxScore: 100, occurredAt: at("2026-02-24T10:00:00Z"), extra: { banked: true },
      });
      try {
        const stored = await h.db.select({ banked: t.lmsEvents.banked }).from(t.lmsEvents).where(inArray(t.lmsEvents.externalId, ["e1", "e-banked"])).orderBy(t.lmsEvents.externalId);
        expect(stored.map((x) => x.banked)).toEqual([true, false]); // "e-banked" sorts before "e1"
        const row = (await riskReport(h.db, school, parseAsOf("2026-02-25", school.timezone, now))).rows.find((x) => x.student === "s6");
        expect(row?.features.lowScore).toBe(base?.features.lowScore);
        expect(row?.features.scoreDrop).toBe(base?.features.scoreDrop);
        // A mutation check of the flag's path: the same event unbanked is a third score (mean of 30, 90, 100).
        await h.db.update(t.lmsEvents).set({ extra: null }).where(eq(t.lmsEvents.externalId, "e-banked"));
        const unbanked = (await riskReport(h.db, school, parseAsOf("2026-02-25", school.timezone, now))).rows.find((x) => x.student === "s6");
        expect(unbanked?.features.lowScore).toBeCloseTo(100 - (30 + 90 + 100) / 3, 10);
      } finally {
        await h.db.delete(t.lmsEvents).where(eq(t.lmsEvents.externalId, "e-banked"));
      }
    });

    it("the retention table: at risk, withdrawals and S(t) per tier and week, with a log-log interval", async () => {
      const r = await outcomesReport(h.db, school, { from: "2026-01-01", to: "2026-12-31" }, now);
      const std = retentionTable(r.retention.curves).filter((x) => x.tier === "standard");
      expect(std[0]).toMatchObject({ week: 0, atRisk: 4, events: 0, survival: 1, ciLow: null, ciHigh: null });
      expect(std[1]).toMatchObject({ week: 1, atRisk: 4, events: 1 });
      expect(std[1]?.survival).toBeCloseTo(0.75, 10);
      // Greenwood: se = 0.75·sqrt(1/(4·3)); log-log bounds stay inside [0, 1] and around S.
      expect(std[1]!.ciLow!).toBeGreaterThan(0);
      expect(std[1]!.ciLow!).toBeLessThan(0.75);
      expect(std[1]!.ciHigh!).toBeGreaterThan(0.75);
      expect(std[1]!.ciHigh!).toBeLessThan(1);
      expect(std[2]).toMatchObject({ week: 2, atRisk: 3, events: 0 });
      expect(std[10]).toMatchObject({ week: 10, atRisk: 3, events: 1 });
      expect(std[10]?.survival).toBeCloseTo(0.5, 10);
      expect(std[11]?.atRisk).toBe(2);
    });

    it("a course and cohort filter narrows every section to its enrollments; unknown ids are ignored", async () => {
      // A second course with one cohort and one completed premium enrollment, in the same period.
      const [c2] = await h.db.insert(t.courses).values({ schoolId: school.id, externalId: "C2", title: "Course 2" }).returning();
      const [k2] = await h.db.insert(t.cohorts).values({ schoolId: school.id, courseId: c2!.id, externalId: "K2", title: "Поток 2", startsOn: "2026-02-02", endsOn: "2026-04-26" }).returning();
      const [p8] = await h.db.insert(t.people).values({ schoolId: school.id, displayName: "s8" }).returning();
      await h.db.insert(t.enrollments).values({ schoolId: school.id, cohortId: k2!.id, personId: p8!.id, tier: "premium", status: "completed", enrolledAt: at("2026-02-02T00:00:00Z"), endedAt: at("2026-04-26T00:00:00Z") });
      const q = { from: "2026-01-01", to: "2026-12-31" };
      const all = await outcomesReport(h.db, school, q, now);
      expect(all.enrollments).toBe(8);
      expect(all.options.courses.map((c) => c.value)).toEqual(["C1", "C2"]);
      expect(all.options.cohorts.map((c) => [c.value, c.course])).toEqual([["K1", "C1"], ["K2", "C2"]]);
      const c1 = await outcomesReport(h.db, school, q, now, { course: "C1" });
      expect(c1).toMatchObject({ enrollments: 7, unfiltered: 8, filter: { course: "C1" } });
      expect(c1.total).toMatchObject({ successes: 3, n: 6 });
      expect(c1.retention.curves.find((c) => c.tier === "premium")?.enrollments).toBe(3);
      const k2only = await outcomesReport(h.db, school, q, now, { cohort: "K2" });
      expect(k2only.enrollments).toBe(1);
      expect(k2only.byTier.map((g) => [g.group, g.successes, g.n])).toEqual([["premium", 1, 1]]);
      expect(k2only.retention.curves.map((c) => [c.tier, c.enrollments])).toEqual([["premium", 1]]);
      // Both together mean both: a cohort of another course leaves nothing.
      expect((await outcomesReport(h.db, school, q, now, { course: "C1", cohort: "K2" })).enrollments).toBe(0);
      const unknown = await outcomesReport(h.db, school, q, now, { course: "nope", cohort: "K1" });
      expect(unknown.filter).toEqual({ cohort: "K1" });
      expect(unknown.enrollments).toBe(7);
    });
  });
}
