import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, ne, sql } from "drizzle-orm";
import * as t from "@/db/schema";
import { rows, type DbHandle } from "@/db/client";
import { listSchools, type SchoolRow } from "@/db/queries/schools";
import { forgetReportRuns, readReportRun, storeReportRun, type ReportRunKind } from "@/db/queries/reports/report-runs";
import { packRiskReport } from "@/lib/reports/risk-pack";
import { currentRiskReport, riskReport, type CurrentRiskReport, type RiskReport } from "@/lib/reports/risk";
import { currentRun, DECODED_IDLE_MS, dropUnused, forgetDecodedRuns, runRefreshIdle, RUN_REUSE_MS, type RunSpec } from "@/lib/reports/report-runs";
import { currentOutcomeRows, outcomesReport } from "@/lib/reports/outcomes";
import { outcomeRows } from "@/db/queries/reports/outcomes";
import { checkInsReport, currentCheckInsReport, currentUnreachableReport, staffOutcomesReport, unreachableReport } from "@/lib/reports/contacts";
import { defaultRiskModel } from "@/lib/metrics/risk";
import { overviewKpis } from "@/lib/reports/overview-kpis";
import { teamReport } from "@/lib/reports/team";
import { satisfactionReport } from "@/lib/reports/satisfaction";
import { slaPageReport } from "@/lib/reports/episode-detail";
import { slaExtraReport } from "@/lib/reports/sla-extra";
import { heatmapReport, slaReport } from "@/lib/reports/sla";
import { shiftsPlan, type ShiftsQuery } from "@/lib/reports/shifts";
import type { Role } from "@/lib/ingest/types";
import { engines, openDemoSchool } from "./harness";

/**
 * The stored at-risk run (docs/adr/0009-stored-report-runs.md): reused only within the window on both
 * clocks, the same list riskReport scores, and dropped by any change to the school's learning data
 * (migration 0017's triggers), not by another school's.
 */

const anchor = new Date("2026-03-02T12:00:00Z");
const now = new Date("2026-03-01T09:00:00Z");
const min = 60_000;
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
/** A run of a list of numbers (stored as kind `outcomes` under its own version), to watch currentRun itself. */
const numbersSpec = (version: string, compute: () => Promise<number[]>, onUnpack: () => void = () => {}): RunSpec<number[]> => ({
  kind: "outcomes",
  version,
  compute,
  rows: (v) => v.length,
  pack: (v) => JSON.stringify(v),
  unpack: (text) => {
    onUnpack();
    return JSON.parse(text) as number[];
  },
});
/** Periods of the outcomes page compared stored against computed: the default, a shorter one, explicit dates. */
const QUERIES = [{}, { days: "90" }, { from: "2025-11-01", to: "2026-02-28" }];
/** The report without what says how it was obtained. */
const body = (r: CurrentRiskReport): RiskReport => ({ school: r.school, asOf: r.asOf, model: r.model, rows: r.rows });

for (const engine of engines()) {
  describe(`stored at-risk runs on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    let other: SchoolRow;
    beforeAll(async () => {
      ({ h, school } = await openDemoSchool(engine, anchor, now));
      const all = await listSchools(h.db);
      other = all.find((s) => s.id !== school.id) ?? school;
      expect(other.id).not.toBe(school.id);
    }, 120_000);
    afterAll(async () => {
      await runRefreshIdle();
      await h?.drop();
    });

    const stored = async (kind: ReportRunKind = "risk", id = school.id) => rows<{ as_of: Date | string; computed_at: Date | string }>(h.db, sql`select as_of, computed_at from report_runs where school_id = ${id} and kind = ${kind}`);

    it("scores when nothing is stored, keeps the list, and reuses it within the window: the list riskReport scores", async () => {
      await forgetReportRuns(h.db, school.id);
      const first = await currentRiskReport(h.db, school, now, now);
      expect(first.reused).toBe(false);
      expect(first.rows.length).toBeGreaterThan(0);
      expect(await stored()).toHaveLength(1);
      expect(body(first)).toEqual(JSON.parse(JSON.stringify(await riskReport(h.db, school, now))));
      // Five minutes later, as of then: the stored list, as of its own instant.
      const later = plus(now, 5 * min);
      const second = await currentRiskReport(h.db, school, later, later);
      expect(second.reused).toBe(true);
      expect(second.asOf).toBe(now.toISOString());
      expect(second.computedAt).toBe(now.toISOString());
      expect(body(second)).toEqual(body(first));
    });

    it("is not reused past the window on either clock, nor for an earlier as-of, nor for another model", async () => {
      await forgetReportRuns(h.db, school.id);
      await currentRiskReport(h.db, school, now, now);
      const after = plus(now, RUN_REUSE_MS + min);
      // As of more than the window after the stored instant.
      expect(await readReportRun(h.db, school.id, "risk", defaultRiskModel.version, after, now, RUN_REUSE_MS)).toBeNull();
      // The same as-of instant, asked more than the window after it was scored (its data may have moved).
      expect(await readReportRun(h.db, school.id, "risk", defaultRiskModel.version, now, after, RUN_REUSE_MS)).toBeNull();
      // An as-of instant before the stored one: the list would hold data from after it.
      expect(await readReportRun(h.db, school.id, "risk", defaultRiskModel.version, plus(now, -min), now, RUN_REUSE_MS)).toBeNull();
      expect(await readReportRun(h.db, school.id, "risk", "other-model", now, now, RUN_REUSE_MS)).toBeNull();
      // Just inside on both clocks.
      expect(await readReportRun(h.db, school.id, "risk", defaultRiskModel.version, plus(now, RUN_REUSE_MS), plus(now, RUN_REUSE_MS), RUN_REUSE_MS)).not.toBeNull();
      const rescored = await currentRiskReport(h.db, school, after, after);
      expect(rescored.reused).toBe(false);
      expect(rescored.asOf).toBe(after.toISOString());
    });

    it("a list for a past date does not push out the current one; a lapsed current one is replaced", async () => {
      await forgetReportRuns(h.db, school.id);
      await currentRiskReport(h.db, school, now, now);
      const past = plus(now, -7 * 24 * 60 * min);
      const old = await currentRiskReport(h.db, school, past, now);
      expect(old.reused).toBe(false);
      expect(old.asOf).toBe(past.toISOString());
      expect(new Date((await stored())[0]!.as_of).toISOString()).toBe(now.toISOString());
      // Once the current list has lapsed, whatever is scored next is kept.
      const lapsed = plus(now, RUN_REUSE_MS + min);
      await currentRiskReport(h.db, school, past, lapsed);
      expect(new Date((await stored())[0]!.as_of).toISOString()).toBe(past.toISOString());
    });

    it("a change to the school's learning data drops its run; another school's change does not", async () => {
      const [ev] = await h.db.select().from(t.lmsEvents).where(eq(t.lmsEvents.schoolId, school.id)).limit(1);
      const [otherItem] = await h.db.select().from(t.lmsItems).where(eq(t.lmsItems.schoolId, other.id)).limit(1);
      const [en] = await h.db.select().from(t.enrollments).where(eq(t.enrollments.schoolId, school.id)).limit(1);
      const [co] = await h.db.select().from(t.cohorts).where(eq(t.cohorts.schoolId, school.id)).limit(1);
      const [item] = await h.db.select().from(t.lmsItems).where(eq(t.lmsItems.schoolId, school.id)).limit(1);
      expect(ev && otherItem && en && co && item).toBeTruthy();
      const e = ev!;
      const fresh = async () => {
        await forgetReportRuns(h.db, school.id);
        await currentRiskReport(h.db, school, now, now);
        expect(await stored()).toHaveLength(1);
      };
      await fresh();
      // Another school's item: this school's run stays.
      await h.db.update(t.lmsItems).set({ weight: otherItem!.weight }).where(eq(t.lmsItems.id, otherItem!.id));
      expect(await stored()).toHaveLength(1);
      const changes: Array<[string, () => Promise<unknown>]> = [
        ["a new LMS event", () => h.db.insert(t.lmsEvents).values({ schoolId: e.schoolId, sourceId: e.sourceId, personId: e.personId, verb: "experienced", objectId: e.objectId, externalId: "risk-runs-new", occurredAt: plus(now, -min) })],
        ["a voided LMS event", () => h.db.update(t.lmsEvents).set({ voidedAt: plus(now, -min) }).where(eq(t.lmsEvents.externalId, "risk-runs-new"))],
        ["a deleted LMS event", () => h.db.delete(t.lmsEvents).where(and(eq(t.lmsEvents.schoolId, school.id), eq(t.lmsEvents.externalId, "risk-runs-new")))],
        ["an item's due date", () => h.db.update(t.lmsItems).set({ dueAt: item!.dueAt }).where(eq(t.lmsItems.id, item!.id))],
        ["an enrollment", () => h.db.update(t.enrollments).set({ tier: en!.tier }).where(eq(t.enrollments.id, en!.id))],
        ["an enrollment's status event", () => h.db.insert(t.enrollmentEvents).values({ schoolId: school.id, enrollmentId: en!.id, status: en!.status, at: plus(now, -7 * 24 * 60 * min) })],
        ["a cohort", () => h.db.update(t.cohorts).set({ title: co!.title }).where(eq(t.cohorts.id, co!.id))],
      ];
      for (const [what, change] of changes) {
        await fresh();
        await change();
        expect(await stored(), what).toHaveLength(0);
        expect((await currentRiskReport(h.db, school, now, now)).reused, what).toBe(false);
      }
      // Messages are not learning data: the run stays (support signals may lag by the window).
      await fresh();
      await h.db.update(t.messages).set({ negative: true }).where(and(eq(t.messages.schoolId, school.id), ne(t.messages.negative, true), eq(t.messages.id, sql`(select min(id) from messages where school_id = ${school.id})`)));
      expect(await stored()).toHaveLength(1);
    });

    it("a process reuses the run it decoded while the stored run is that one, and reads the body again once it is not", async () => {
      await forgetReportRuns(h.db, school.id);
      const a = await currentRiskReport(h.db, school, now, now);
      const b = await currentRiskReport(h.db, school, plus(now, min), plus(now, min));
      expect(b.reused).toBe(true);
      // The very rows, not a copy: the body was not read again.
      expect(b.rows).toBe(a.rows);
      // Shared between readers, so nobody may change it.
      expect(() => {
        (b.rows[0] as { score: number }).score = -1;
      }).toThrow(TypeError);
      // Another writer stores another run (a second server, say) with the same instants: a new row version.
      const other = { ...body(a), rows: a.rows.slice(0, 1) };
      expect(await storeReportRun(h.db, school.id, { kind: "risk", asOf: now, version: defaultRiskModel.version, computedAt: now, ms: 1, rows: 1, body: packRiskReport(other) }, RUN_REUSE_MS)).not.toBeNull();
      const c = await currentRiskReport(h.db, school, plus(now, min), plus(now, min));
      expect(c.reused).toBe(true);
      expect(c.rows).toEqual(other.rows);
    });

    it("a decoded run nobody used for DECODED_IDLE_MS is let go: the next reader reads the body again", async () => {
      let unpacked = 0;
      const spec = numbersSpec("idle-test", async () => [1, 2, 3], () => unpacked++);
      await forgetReportRuns(h.db, school.id, "outcomes");
      forgetDecodedRuns();
      await currentRun(h.db, school.id, spec, now, now);
      expect((await currentRun(h.db, school.id, spec, now, now)).reused).toBe(true);
      expect(unpacked).toBe(0);
      dropUnused(performance.now() + DECODED_IDLE_MS / 2);
      await currentRun(h.db, school.id, spec, now, now);
      expect(unpacked).toBe(0);
      dropUnused(performance.now() + DECODED_IDLE_MS + 1);
      const again = await currentRun(h.db, school.id, spec, now, now);
      expect([again.reused, again.value, unpacked]).toEqual([true, [1, 2, 3], 1]);
    });

    it("a reused list older than refreshMs is scored again in the background", async () => {
      await forgetReportRuns(h.db, school.id);
      await currentRiskReport(h.db, school, now, now);
      const later = plus(now, 6 * min);
      const r = await currentRiskReport(h.db, school, later, later, { refreshMs: 5 * min });
      expect(r.reused).toBe(true);
      expect(r.computedAt).toBe(now.toISOString());
      await runRefreshIdle();
      const [run] = await stored();
      expect(new Date(run!.computed_at).toISOString()).toBe(later.toISOString());
      expect(new Date(run!.as_of).toISOString()).toBe(later.toISOString());
      // Younger than refreshMs: nothing scored again.
      const soon = plus(later, min);
      await currentRiskReport(h.db, school, soon, soon, { refreshMs: 5 * min });
      await runRefreshIdle();
      expect(new Date((await stored())[0]!.computed_at).toISOString()).toBe(later.toISOString());
    });

    it("stored outcome rows: the rows outcomeRows reads for each period, cohorts without a start date included", async () => {
      // One cohort without a start date: its enrollments are placed by their local enrolment day.
      const [co] = await h.db.select().from(t.cohorts).where(eq(t.cohorts.schoolId, school.id)).limit(1);
      await h.db.update(t.cohorts).set({ startsOn: null }).where(eq(t.cohorts.id, co!.id));
      try {
        await forgetReportRuns(h.db, school.id);
        const first = await currentOutcomeRows(h.db, school, { from: "2025-01-01", to: "2026-03-02" }, now, now);
        expect(first.reused).toBe(false);
        const periods = [
          { from: "2025-01-01", to: "2026-03-02" },
          { from: "2025-10-01", to: "2026-01-01" },
          { from: "2026-01-15", to: "2026-01-16" },
          { from: "2027-01-01", to: "2027-02-01" },
        ];
        let nonEmpty = 0;
        for (const period of periods) {
          const stored = await currentOutcomeRows(h.db, school, period, now, now);
          expect(stored.reused).toBe(true);
          const live = await outcomeRows(h.db, school.id, school.timezone, period, now);
          expect(stored.rows, `${period.from}..${period.to}`).toEqual(live);
          if (live.length > 0) nonEmpty++;
        }
        expect(nonEmpty).toBeGreaterThanOrEqual(2);
        const noStart = await outcomeRows(h.db, school.id, school.timezone, periods[0]!, now);
        expect(noStart.some((r) => r.cohortId === co!.id && r.cohortStartsOn === null)).toBe(true);
      } finally {
        await h.db.update(t.cohorts).set({ startsOn: co!.startsOn }).where(eq(t.cohorts.id, co!.id));
      }
    });

    it("the outcomes report from the stored rows is the report computed for the call", async () => {
      await forgetReportRuns(h.db, school.id);
      for (const q of QUERIES) {
        const live = await outcomesReport(h.db, school, q, now);
        const first = await outcomesReport(h.db, school, q, now, {}, { stored: {} });
        const again = await outcomesReport(h.db, school, q, plus(now, min), {}, { stored: {} });
        expect(first).toEqual(live);
        // A minute later, from the stored run: as of its instant, the same report.
        expect(again).toEqual(live);
      }
      expect(await stored("outcomes")).toHaveLength(1);
      // The same run and query again: the report built before, shared and frozen.
      const a = await outcomesReport(h.db, school, {}, plus(now, 2 * min), {}, { stored: {} });
      const b = await outcomesReport(h.db, school, {}, plus(now, 3 * min), {}, { stored: {} });
      expect(b).toBe(a);
      expect(Object.isFrozen(a.byTier[0])).toBe(true);
      // Another query of the same run is built on its own.
      expect(await outcomesReport(h.db, school, { days: "90" }, plus(now, 3 * min), {}, { stored: {} })).not.toBe(a);
      // An enrollment change drops the run: the next view is built from the new rows.
      const [en] = await h.db.select().from(t.enrollments).where(eq(t.enrollments.schoolId, school.id)).limit(1);
      await h.db.update(t.enrollments).set({ tier: "vip-test" }).where(eq(t.enrollments.id, en!.id));
      try {
        const c = await outcomesReport(h.db, school, {}, plus(now, 4 * min), {}, { stored: {} });
        expect(c).not.toBe(a);
        expect(c).toEqual(await outcomesReport(h.db, school, {}, plus(now, 4 * min)));
        expect(c.byTier.map((g) => g.group)).toContain("vip-test");
      } finally {
        await h.db.update(t.enrollments).set({ tier: en!.tier }).where(eq(t.enrollments.id, en!.id));
      }
    });

    it("staff outcomes from the stored rows are the report computed for the call, and one page computes the run once", async () => {
      await forgetReportRuns(h.db, school.id);
      for (const q of QUERIES) {
        const live = await staffOutcomesReport(h.db, school, q, now);
        expect(live.rows.length).toBeGreaterThan(0);
        expect(await staffOutcomesReport(h.db, school, q, now, { stored: {} })).toEqual(live);
        expect(await staffOutcomesReport(h.db, school, q, plus(now, min), { stored: {} })).toEqual(live);
      }
      // The outcomes report and staff outcomes of one page view, at once, with no run stored: one computation.
      await forgetReportRuns(h.db, school.id);
      let computed = 0;
      const spec = numbersSpec("single-flight-test", async () => {
        computed++;
        await new Promise((r) => setTimeout(r, 50));
        return [computed];
      });
      const [a, b] = await Promise.all([currentRun(h.db, school.id, spec, now, now), currentRun(h.db, school.id, spec, now, now)]);
      expect(computed).toBe(1);
      expect([a.reused, b.reused, a.value, b.value]).toEqual([false, false, [1], [1]]);
      // A different as-of instant is another computation.
      await currentRun(h.db, school.id, spec, plus(now, RUN_REUSE_MS + min), plus(now, RUN_REUSE_MS + min));
      expect(computed).toBe(2);
    });

    it("the unreachable students and check-ins due, stored whole: the reports computed for the call; the roster drops them", async () => {
      await forgetReportRuns(h.db, school.id);
      const info = <T extends object>(r: T & { computedAt: string; reused: boolean; computeMs: number }): T => {
        const { computedAt: _c, reused: _r, computeMs: _m, ...rest } = r;
        return rest as unknown as T;
      };
      const liveU = await unreachableReport(h.db, school, now);
      const liveC = await checkInsReport(h.db, school, now);
      expect(liveC.rows.length).toBeGreaterThan(0);
      const u1 = await currentUnreachableReport(h.db, school, now, now);
      const c1 = await currentCheckInsReport(h.db, school, now, now);
      const u2 = await currentUnreachableReport(h.db, school, plus(now, min), plus(now, min));
      const c2 = await currentCheckInsReport(h.db, school, plus(now, min), plus(now, min));
      expect([u1.reused, c1.reused, u2.reused, c2.reused]).toEqual([false, false, true, true]);
      for (const r of [u1, u2]) expect(info(r)).toEqual(liveU);
      for (const r of [c1, c2]) expect(info(r)).toEqual(liveC);
      await currentRiskReport(h.db, school, now, now);
      // Staff outcomes from the stored outcome rows: built once per run and query.
      const s1 = await staffOutcomesReport(h.db, school, {}, now, { stored: {} });
      expect(await staffOutcomesReport(h.db, school, {}, plus(now, min), { stored: {} })).toBe(s1);
      // A roster change drops the two lists and the outcome rows (staff outcomes read the roster), not the at-risk list.
      const [a] = await h.db.select().from(t.assignments).where(eq(t.assignments.schoolId, school.id)).limit(1);
      const same = and(eq(t.assignments.schoolId, school.id), eq(t.assignments.staffPersonId, a!.staffPersonId), eq(t.assignments.studentPersonId, a!.studentPersonId));
      await h.db.update(t.assignments).set({ role: a!.role }).where(same);
      expect([(await stored("unreachable")).length, (await stored("checkins")).length, (await stored("outcomes")).length, (await stored("risk")).length]).toEqual([0, 0, 0, 1]);
      // The staff member's assignment ends before everything: the next view is built again and shows it.
      await h.db.update(t.assignments).set({ validTo: new Date("2000-01-01T00:00:00Z") }).where(same);
      try {
        const s2 = await staffOutcomesReport(h.db, school, {}, plus(now, 2 * min), { stored: {} });
        expect(s2).not.toBe(s1);
        expect(s2).toEqual(await staffOutcomesReport(h.db, school, {}, plus(now, 2 * min)));
        expect(s2).not.toEqual({ ...s1, asOf: s2.asOf });
      } finally {
        await h.db.update(t.assignments).set({ validTo: a!.validTo }).where(same);
      }
    });

    it("KPI cards from the stored figures are the cards computed for the call, view by view; an enrollment change drops them", async () => {
      await forgetReportRuns(h.db, school.id);
      const [co] = await h.db.select().from(t.cohorts).where(eq(t.cohorts.schoolId, school.id)).limit(1);
      const token = async () => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = 'kpi'`))[0]?.token;
      // The default view, a shorter period, explicit dates, and the filters (cohort: completion too; role: SLA and CSAT).
      const views = [{}, { days: "7" }, { from: "2026-01-01", to: "2026-01-31" }, { cohort: String(co!.id) }, { role: "mentor" }];
      for (const q of views) {
        const live = await overviewKpis(h.db, school, q, now);
        const first = await overviewKpis(h.db, school, q, now, { stored: {} });
        const kept = await token();
        const second = await overviewKpis(h.db, school, q, now, { stored: {} });
        expect(first).toEqual(live);
        expect(second).toEqual(live);
        // The second read the stored run (not rewritten); each view computed and replaced the one before.
        expect(await token()).toBe(kept);
        expect(kept).toBeDefined();
      }
      expect((await stored("kpi")).length).toBe(1);
      // What the cards show of the settled figures is the stored run's: a changed run shows through.
      const before = await overviewKpis(h.db, school, {}, now, { stored: {} });
      expect(before.kpis.completion.previous).not.toBeNull();
      await h.db.execute(sql`update report_runs set body = (jsonb_set(body::jsonb, '{previous,completion,rate}', '0.123'))::json where school_id = ${school.id} and kind = 'kpi'`);
      const altered = await overviewKpis(h.db, school, {}, now, { stored: {} });
      expect(altered.kpis.completion.previous).toBe(0.123);
      expect({ ...altered.kpis, completion: before.kpis.completion }).toEqual(before.kpis);
      // Completion is learning data: an enrollment change drops the run, and the next view computes it again.
      const [en] = await h.db.select().from(t.enrollments).where(eq(t.enrollments.schoolId, school.id)).limit(1);
      await h.db.update(t.enrollments).set({ tier: en!.tier }).where(eq(t.enrollments.id, en!.id));
      expect((await stored("kpi")).length).toBe(0);
      expect(await overviewKpis(h.db, school, {}, now, { stored: {} })).toEqual(before);
    });

    it("the team page from the stored part is the page computed for the call, period by period", async () => {
      await forgetReportRuns(h.db, school.id);
      const token = async () => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = 'team'`))[0]?.token;
      for (const q of [{}, { days: "7" }, { from: "2026-01-01", to: "2026-02-28" }, { team: "x", role: "mentor" }]) {
        const live = await teamReport(h.db, school, q, now);
        const first = await teamReport(h.db, school, q, now, { stored: {} });
        const kept = await token();
        const second = await teamReport(h.db, school, q, now, { stored: {} });
        expect(first).toEqual(live);
        expect(second).toEqual(live);
        expect(await token()).toBe(kept);
        expect(kept).toBeDefined();
        expect(live.totalStaff).toBeGreaterThan(0);
      }
      expect((await stored("team")).length).toBe(1);
      // Assigned students are stored with the part: a roster change drops the run (migration 0032), and the
      // next view counts the new assignment.
      const before = await teamReport(h.db, school, {}, now, { stored: {} });
      const [a] = await h.db.select().from(t.assignments).where(eq(t.assignments.schoolId, school.id)).limit(1);
      const [student] = await rows<{ id: number | string }>(
        h.db,
        sql`select p.id from people p where p.school_id = ${school.id} and not exists (select 1 from person_roles r where r.person_id = p.id and r.role <> 'student')
              and not exists (select 1 from assignments x where x.school_id = ${school.id} and x.staff_person_id = ${a!.staffPersonId} and x.student_person_id = p.id) limit 1`,
      );
      await h.db.insert(t.assignments).values({ ...a!, studentPersonId: Number(student!.id), validFrom: null, validTo: null });
      expect((await stored("team")).length).toBe(0);
      const after = await teamReport(h.db, school, {}, now, { stored: {} });
      expect(after).toEqual(await teamReport(h.db, school, {}, now));
      const count = (r: typeof before) => r.rows.find((x) => x.personId === a!.staffPersonId)?.assignedStudents;
      expect(count(after)).toBe(count(before)! + 1);
      await h.db.delete(t.assignments).where(and(eq(t.assignments.schoolId, school.id), eq(t.assignments.staffPersonId, a!.staffPersonId), eq(t.assignments.studentPersonId, Number(student!.id))));
      // The roster is stored with the part too (round 26): a change of capacity, team or role drops the run
      // (migration 0033), and the next view shows it.
      const someone = after.rows.find((x) => x.personId === a!.staffPersonId)!;
      const edits: Array<{ name: string; edit: () => Promise<unknown>; undo: () => Promise<unknown>; seen: (r: typeof before) => unknown }> = [
        {
          name: "capacity",
          edit: () => h.db.insert(t.staffCapacity).values({ schoolId: school.id, personId: someone.personId, episodesPerHour: 123, maxStudents: 7 }).onConflictDoUpdate({ target: [t.staffCapacity.schoolId, t.staffCapacity.personId], set: { episodesPerHour: 123, maxStudents: 7 } }),
          undo: () =>
            someone.capacityPerHour === null && someone.maxStudents === null
              ? h.db.delete(t.staffCapacity).where(and(eq(t.staffCapacity.schoolId, school.id), eq(t.staffCapacity.personId, someone.personId)))
              : h.db.update(t.staffCapacity).set({ episodesPerHour: someone.capacityPerHour, maxStudents: someone.maxStudents }).where(and(eq(t.staffCapacity.schoolId, school.id), eq(t.staffCapacity.personId, someone.personId))),
          seen: (r) => r.rows.find((x) => x.personId === someone.personId)?.capacityPerHour,
        },
        {
          name: "team",
          edit: () => h.db.update(t.teams).set({ name: sql`'0 ' || ${t.teams.name}` }).where(eq(t.teams.schoolId, school.id)),
          undo: () => h.db.update(t.teams).set({ name: sql`substr(${t.teams.name}, 3)` }).where(eq(t.teams.schoolId, school.id)),
          seen: (r) => r.options.teams,
        },
        {
          name: "role",
          edit: () => h.db.insert(t.personRoles).values({ schoolId: school.id, personId: Number(student!.id), role: "support" }),
          undo: () => h.db.delete(t.personRoles).where(and(eq(t.personRoles.personId, Number(student!.id)), eq(t.personRoles.role, "support"))),
          seen: (r) => r.totalStaff,
        },
      ];
      for (const e of edits) {
        const was = await teamReport(h.db, school, {}, now, { stored: {} });
        expect((await stored("team")).length).toBe(1);
        await e.edit();
        try {
          expect((await stored("team")).length, e.name).toBe(0);
          const changed = await teamReport(h.db, school, {}, now, { stored: {} });
          expect(changed, e.name).toEqual(await teamReport(h.db, school, {}, now));
          expect(e.seen(changed), e.name).not.toEqual(e.seen(was));
        } finally {
          await e.undo();
        }
      }
    });

    it("the satisfaction page from the stored part is the page computed for the call, view by view; its mean is PostgreSQL's avg", async () => {
      await forgetReportRuns(h.db, school.id);
      const token = async () => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = 'satisfaction'`))[0]?.token;
      const views: Array<Record<string, string>> = [{}, { days: "7" }, { from: "2026-01-01", to: "2026-02-28" }, { groupBy: "week" }, { groupBy: "cohort", role: "mentor" }, { groupBy: "channel", days: "60" }, { from: "2026-02-28", to: "2026-03-01" }];
      let rated = 0;
      for (const q of views) {
        // Stored at one instant, read at it and 90 minutes later (past local midnight: the live part grows).
        for (const at of [now, plus(now, 90 * min)]) {
          const live = await satisfactionReport(h.db, school, q, at);
          const first = await satisfactionReport(h.db, school, q, at, { stored: {} });
          const kept = await token();
          const second = await satisfactionReport(h.db, school, q, at, { stored: {} });
          expect(first, JSON.stringify(q)).toEqual(live);
          expect(second).toEqual(live);
          expect(await token()).toBe(kept);
          expect(kept).toBeDefined();
          rated += live.report.total.n;
        }
      }
      expect(rated).toBeGreaterThan(0);
      // The mean as the sum over the count is avg(score) bit for bit, ten-point answers (normalised to
      // fractions of 1..5) included.
      const { report } = await satisfactionReport(h.db, school, { days: "60" }, now, { stored: {} });
      const p = report.period;
      const [avg] = await rows<{ mean: number | string; tenths: number | string }>(
        h.db,
        sql`select avg(score)::float8 as mean, count(*) filter (where raw_scale_max = 10) as tenths from ratings
            where school_id = ${school.id} and kind = 'csat' and given_at >= (${p.from}::date)::timestamp at time zone ${school.timezone}
              and given_at < (${p.to}::date)::timestamp at time zone ${school.timezone}`,
      );
      expect(Number(avg!.tenths)).toBeGreaterThan(0);
      expect(report.total.mean).toBe(Number(avg!.mean));
    });

    it("the SLA page from the stored part is the page computed for the call, view by view; a shift change drops it", async () => {
      await forgetReportRuns(h.db, school.id);
      const token = async () => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = 'sla'`))[0]?.token;
      const page = (q: Record<string, string>, stored: boolean) => Promise.all([slaPageReport(h.db, school, q, now, stored ? { stored: {} } : {}), slaExtraReport(h.db, school, q, now, stored ? { stored: {} } : {})]);
      const views: Array<Record<string, string>> = [{}, { days: "7" }, { from: "2026-01-01", to: "2026-02-28" }, { role: "mentor" }, { from: "2026-02-01", to: "2026-02-28", page: "2" }];
      for (const q of views) {
        const live = await page(q, false);
        const first = await page(q, true);
        const kept = await token();
        const second = await page(q, true);
        expect(first).toEqual(live);
        expect(second).toEqual(live);
        expect(await token()).toBe(kept);
        expect(kept).toBeDefined();
      }
      const [before] = await page({}, true);
      expect(before.breakdown.total.episodes).toBeGreaterThan(0);
      // Staff on shift is stored with the part: a shift edit drops the run, and the next view counts it.
      const [staff] = await h.db.select().from(t.people).where(eq(t.people.schoolId, school.id)).limit(1);
      const [added] = await h.db.insert(t.shifts).values({ schoolId: school.id, personId: staff!.id, role: "mentor", startsAt: new Date("2026-02-24T06:00:00Z"), endsAt: new Date("2026-02-24T15:00:00Z"), weekly: true }).returning({ id: t.shifts.id });
      expect((await stored("sla")).length).toBe(0);
      const [after] = await page({}, true);
      expect(after.hasShifts).toBe(true);
      expect(after).toEqual((await page({}, false))[0]);
      await h.db.delete(t.shifts).where(eq(t.shifts.id, added!.id));
    });

    it("the CLI's SLA report by role and its heatmap from the SLA page's stored part are the reports computed for the call, and read the page's run", async () => {
      await forgetReportRuns(h.db, school.id);
      const token = async () => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = 'sla'`))[0]?.token;
      const views: Array<Record<string, string>> = [{}, { days: "7" }, { from: "2026-01-01", to: "2026-02-28" }, { from: "2026-02-01", to: "2026-03-02" }];
      for (const q of views) {
        for (const at of [now, plus(now, 90 * min)]) {
          const sla = await slaReport(h.db, school, q, at);
          const heat = await heatmapReport(h.db, school, q, at);
          expect(sla.total.episodes).toBeGreaterThan(0);
          expect(await slaReport(h.db, school, q, at, { stored: {} })).toEqual(sla);
          expect(await heatmapReport(h.db, school, q, at, { stored: {} })).toEqual(heat);
        }
      }
      // The SLA page stores the run the CLI then reads (one run per school: the last period asked).
      await slaPageReport(h.db, school, {}, now, { stored: {} });
      const kept = await token();
      expect(kept).toBeDefined();
      await slaReport(h.db, school, {}, now, { stored: {} });
      await heatmapReport(h.db, school, {}, now, { stored: {} });
      expect(await token()).toBe(kept);
      // Other groupings are not stored: computed for the call.
      expect(await slaReport(h.db, school, { groupBy: "person" }, now, { stored: {} })).toEqual(await slaReport(h.db, school, { groupBy: "person" }, now));
    });

    it("the shift planner from the stored part is the plan computed for the call, role by role, one run per role", async () => {
      await forgetReportRuns(h.db, school.id);
      const token = async (role: Role) => (await rows<{ token: string }>(h.db, sql`select xmin::text as token from report_runs where school_id = ${school.id} and kind = ${`shifts-${role}`}`))[0]?.token;
      const views: Array<ShiftsQuery & { role: Role }> = [{ role: "coordinator" }, { role: "mentor" }, { role: "mentor", weeks: "2" }, { role: "coordinator", add: "1.2.0900.1800" }];
      for (const q of views) {
        const live = await shiftsPlan(h.db, school, q, now);
        const first = await shiftsPlan(h.db, school, q, now, undefined, { stored: {} });
        const kept = await token(q.role);
        const second = await shiftsPlan(h.db, school, q, now, undefined, { stored: {} });
        expect(first).toEqual(live);
        expect(second).toEqual(live);
        expect(await token(q.role)).toBe(kept);
        expect(kept).toBeDefined();
        expect(live.history.some((w) => w.total > 0)).toBe(true);
      }
      // Each role keeps its own run: the mentors' views did not push out the coordinators'.
      expect((await stored("shifts-coordinator")).length).toBe(1);
      expect((await stored("shifts-mentor")).length).toBe(1);
    });

    it("LMS events drop the at-risk run only; enrollment changes drop both", async () => {
      const [ev] = await h.db.select().from(t.lmsEvents).where(eq(t.lmsEvents.schoolId, school.id)).limit(1);
      const [en] = await h.db.select().from(t.enrollments).where(eq(t.enrollments.schoolId, school.id)).limit(1);
      const e = ev!;
      const both = async () => {
        await forgetReportRuns(h.db, school.id);
        await currentRiskReport(h.db, school, now, now);
        await currentOutcomeRows(h.db, school, { from: "2025-01-01", to: "2026-03-02" }, now, now);
        expect([(await stored("risk")).length, (await stored("outcomes")).length]).toEqual([1, 1]);
      };
      await both();
      await h.db.insert(t.lmsEvents).values({ schoolId: e.schoolId, sourceId: e.sourceId, personId: e.personId, verb: "experienced", objectId: e.objectId, externalId: "report-runs-lms", occurredAt: plus(now, -min) });
      expect([(await stored("risk")).length, (await stored("outcomes")).length]).toEqual([0, 1]);
      await both();
      await h.db.update(t.enrollments).set({ tier: en!.tier }).where(eq(t.enrollments.id, en!.id));
      expect([(await stored("risk")).length, (await stored("outcomes")).length]).toEqual([0, 0]);
      await h.db.delete(t.lmsEvents).where(and(eq(t.lmsEvents.schoolId, school.id), eq(t.lmsEvents.externalId, "report-runs-lms")));
    });

    if (engine.name === "postgres") {
      it("a page that scored while a writer drops the run does not wait for the writer: its list is not kept", async () => {
        await forgetReportRuns(h.db, school.id);
        await currentRiskReport(h.db, school, now, now);
        const [ev] = await h.db.select().from(t.lmsEvents).where(eq(t.lmsEvents.schoolId, school.id)).limit(1);
        const e = ev!;
        let kept: string | null | undefined;
        let waited = 0;
        await h.db.transaction(async (tx) => {
          // The trigger deletes the run inside this open transaction, locking its row until commit.
          await tx.insert(t.lmsEvents).values({ schoolId: e.schoolId, sourceId: e.sourceId, personId: e.personId, verb: "experienced", objectId: e.objectId, externalId: "risk-runs-locked", occurredAt: plus(now, -min) });
          const started = performance.now();
          kept = await storeReportRun(h.db, school.id, { kind: "risk", asOf: plus(now, min), version: defaultRiskModel.version, computedAt: plus(now, min), ms: 1, rows: 0, body: "{}" }, RUN_REUSE_MS, 100);
          waited = performance.now() - started;
        });
        expect(kept).toBeNull();
        expect(waited).toBeLessThan(5_000);
        expect(await stored()).toHaveLength(0);
        await h.db.delete(t.lmsEvents).where(and(eq(t.lmsEvents.schoolId, school.id), eq(t.lmsEvents.externalId, "risk-runs-locked")));
      });
    }
  });
}
