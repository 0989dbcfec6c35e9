import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DateTime } from "luxon";
import { engines, openDemoSchool } from "./harness";
import type { DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import type { UserRole } from "@/db/queries/users";
import { KPI_KEYS, overviewKpis, type OverviewKpis } from "@/lib/reports/overview-kpis";
import { slaReport } from "@/lib/reports/sla";
import { csatReport } from "@/lib/reports/csat";
import { queueReport } from "@/lib/reports/queue";
import { outcomesReport } from "@/lib/reports/outcomes";
import { renderKpis } from "@/lib/cli/kpi-command";
import { sql } from "drizzle-orm";
import { rows } from "@/db/client";
import { cohortCourses } from "@/db/queries/reports/outcomes-filter";

/**
 * The overview's KPI cards on the demo seed: each figure equals the report it is taken from (so the page,
 * `cli report kpis` and the SLA / CSAT / queue / outcomes reports agree), the previous period is the one of
 * equal length just before, and a school with no data shows nulls ("—"), not zeros. The DAL drops the
 * episode links for executives (aggregates only) and refuses staff.
 */

const session = vi.hoisted(() => ({ current: null as null | { user: { id: number; email: string; name: string }; expires: string } }));
vi.mock("next-auth", () => ({ getServerSession: async () => session.current }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Error(`NEXT_REDIRECT ${to}`);
  },
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));
const { getOverviewKpis } = await import("@/lib/dal/overview-kpis");

const anchor = new Date("2026-11-27T00:00:00Z");
const now = new Date("2026-11-28T12:00:00Z");
const lastDay = (p: { to: string }) => DateTime.fromISO(p.to).minus({ days: 1 }).toISODate()!;

for (const engine of engines()) {
  describe(`overview KPIs on the demo seed (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    let empty: SchoolRow;
    let k: OverviewKpis;
    const g = globalThis as unknown as { __sqdDb?: Promise<DbHandle> };

    beforeAll(async () => {
      ({ h, school } = await openDemoSchool(engine, anchor, now));
      empty = await ensureSchool(h.db, { organisation: { slug: "kpi-empty-org", name: "Empty" }, slug: "kpi-empty", name: "Empty school", timezone: "Asia/Yekaterinburg" });
      k = await overviewKpis(h.db, school, { days: "30" }, now);
      g.__sqdDb = Promise.resolve(h);
    });
    afterAll(async () => {
      g.__sqdDb = undefined;
      session.current = null;
      await h?.drop();
    });

    it("takes SLA compliance, response times, breaches and compliance by role from the SLA report (as `report sla --group-by role`)", async () => {
      const sla = await slaReport(h.db, school, { days: "30", groupBy: "role" }, now);
      expect(k.period).toEqual(sla.period);
      expect(sla.total.episodes).toBeGreaterThan(0);
      expect(k.kpis.slaCompliance).toMatchObject({ value: sla.total.compliance, n: sla.total.known });
      expect(k.kpis.medianResponse).toMatchObject({ value: sla.total.medianMinutes, n: sla.total.answered });
      expect(k.kpis.p90Response).toMatchObject({ value: sla.total.p90Minutes, n: sla.total.answered });
      expect(k.kpis.breached).toMatchObject({ value: sla.total.breached, n: sla.total.episodes });
      expect(k.byRole.map((r) => [r.key, r.compliance, r.met, r.known, r.episodes, r.breached])).toEqual(sla.groups.map((x) => [x.key, x.compliance, x.met, x.known, x.episodes, x.breached]));
    });

    it("compares with the previous period of equal length, ending where this one starts", async () => {
      const days = (p: { from: string; to: string }) => DateTime.fromISO(p.to).diff(DateTime.fromISO(p.from), "days").days;
      expect(k.previousPeriod.to).toBe(k.period.from);
      expect(days(k.previousPeriod)).toBe(days(k.period));
      expect(days(k.period)).toBe(30);
      const prev = await slaReport(h.db, school, { from: k.previousPeriod.from, to: lastDay(k.previousPeriod), groupBy: "role" }, now);
      expect(prev.period).toEqual(k.previousPeriod);
      expect(k.kpis.slaCompliance).toMatchObject({ previous: prev.total.compliance, previousN: prev.total.known });
      expect(k.kpis.medianResponse.previous).toBe(prev.total.medianMinutes);
      expect(k.kpis.breached.previous).toBe(prev.total.breached);
      for (const r of k.byRole) expect(r.previous).toBe(prev.groups.find((x) => x.key === r.key)?.compliance ?? null);
      const sign = (x: number) => (x > 0 ? "up" : x < 0 ? "down" : "flat");
      const c = k.kpis.slaCompliance;
      if (c.value !== null && c.previous !== null && Math.abs(c.value - c.previous) > 0.0005) expect(c.trend.direction).toBe(sign(c.value - c.previous));
    });

    it("takes CSAT from the CSAT report, open and breaching now from the live queue, completion from the outcomes report", async () => {
      const csat = await csatReport(h.db, school, { days: "30" }, now);
      const csatPrev = await csatReport(h.db, school, { from: k.previousPeriod.from, to: lastDay(k.previousPeriod) }, now);
      expect(k.kpis.csat).toMatchObject({ value: csat.total.csatPercent, n: csat.total.n, previous: csatPrev.total.csatPercent, previousN: csatPrev.total.n });
      expect(csat.total.n).toBeGreaterThan(0);
      const queue = await queueReport(h.db, school, {}, now);
      expect(k.kpis.openNow).toMatchObject({ value: queue.totalOpen, live: true, previous: null });
      expect(k.kpis.breachingNow).toMatchObject({ value: queue.counts.breaching, live: true, previous: null });
      // The outcomes page's own default window (365 days) ending on the period's last day.
      const outcomes = await outcomesReport(h.db, school, { to: lastDay(k.period) }, now);
      expect(k.completionWindow.current).toEqual(outcomes.period);
      expect(k.kpis.completion).toMatchObject({ value: outcomes.total.rate, n: outcomes.total.n });
      const outcomesPrev = await outcomesReport(h.db, school, { to: lastDay(k.previousPeriod) }, now);
      expect(k.kpis.completion).toMatchObject({ previous: outcomesPrev.total.rate, previousN: outcomesPrev.total.n });
    });

    it("prints the same object from `report kpis --json`", async () => {
      expect(JSON.parse(renderKpis(k, true))).toEqual(JSON.parse(JSON.stringify(k)));
      const again = await overviewKpis(h.db, school, { days: "30" }, now);
      expect(again).toEqual(k);
    });

    it("gives a school with no data nulls and dashes, not zeros", async () => {
      const e = await overviewKpis(h.db, empty, { days: "30" }, now);
      for (const key of KPI_KEYS) {
        expect(e.kpis[key].value, key).toBeNull();
        expect(e.kpis[key].trend.verdict, key).toBeNull();
      }
      expect(e.byRole).toEqual([]);
      const text = renderKpis(e, false);
      expect(text).toMatch(/slaCompliance\s+—/);
      expect(text).toMatch(/openNow\s+—/);
      expect(text).not.toMatch(/csat\s+0/);
    });

    it("filters by cohort: CSAT and the SLA figures equal a direct SQL count, the queue says it ignores the cohort", async () => {
      const tz = school.timezone;
      const p = k.period;
      const within = (col: ReturnType<typeof sql>) => sql`${col} >= (${p.from}::date)::timestamp at time zone ${tz} and ${col} < (${p.to}::date)::timestamp at time zone ${tz}`;
      // The cohort rule of the reports, written out: the scope's cohort, else the student's latest enrollment.
      const latest = (person: ReturnType<typeof sql>) => sql`(select en.cohort_id from enrollments en where en.school_id = ${school.id} and en.person_id = ${person} order by en.enrolled_at desc nulls last, en.id desc limit 1)`;
      const [top] = await rows<{ cohort: unknown; n: unknown; satisfied: unknown }>(
        h.db,
        sql`select cohort, count(*)::int as n, count(*) filter (where score >= 4)::int as satisfied
            from (select coalesce(r.cohort_id, ${latest(sql`r.person_id`)}) as cohort, r.score from ratings r
                  where r.school_id = ${school.id} and r.kind = 'csat' and ${within(sql`r.given_at`)}) x
            where cohort is not null group by cohort order by 2 desc, 1 limit 1`,
      );
      expect(top).toBeDefined();
      const cohort = Number(top!.cohort);
      const [ep] = await rows<{ n: unknown }>(
        h.db,
        sql`select count(*)::int as n from episodes e where e.school_id = ${school.id} and ${within(sql`e.opened_at`)} and coalesce(e.cohort_id, ${latest(sql`e.student_person_id`)}) = ${cohort}`,
      );
      const f = await overviewKpis(h.db, school, { days: "30", cohort: String(cohort) }, now);
      expect(f.filter).toEqual({ cohortId: cohort });
      expect(f.kpis.csat.n).toBe(Number(top!.n));
      expect(f.kpis.csat.value).toBeCloseTo((100 * Number(top!.satisfied)) / Number(top!.n), 9);
      expect(f.kpis.csat.n).toBeLessThan(k.kpis.csat.n);
      expect(f.kpis.breached.n).toBe(Number(ep!.n));
      expect(f.kpis.breached.href).toContain(`cohort=${cohort}`);
      expect(f.kpis.csat.href).toContain(`cohort=${cohort}`);
      // The live queue has no cohort key: the same number as unfiltered, marked as such, its link without the cohort.
      expect(f.kpis.openNow).toMatchObject({ value: k.kpis.openNow.value, unfiltered: ["cohort"] });
      expect(f.kpis.openNow.href ?? "").not.toContain("cohort=");
      // Completion by the outcomes report's cohort filter (its URL key is the cohort's external id).
      const ext = (await cohortCourses(h.db, school.id)).find((c) => c.cohortId === cohort)!.cohortExternalId;
      const outcomes = await outcomesReport(h.db, school, { to: lastDay(k.period) }, now, { cohort: ext });
      expect(f.kpis.completion).toMatchObject({ value: outcomes.total.rate, n: outcomes.total.n, unfiltered: [] });
      expect(JSON.parse(renderKpis(f, true)).kpis.csat.n).toBe(f.kpis.csat.n);
    });

    it("filters open and breaching now by role through the queue report, and SLA by role as the role row says", async () => {
      const f = await overviewKpis(h.db, school, { days: "30", role: "mentor" }, now);
      const queue = await queueReport(h.db, school, { role: "mentor" }, now);
      expect(f.kpis.openNow).toMatchObject({ value: queue.totalOpen, unfiltered: [] });
      expect(f.kpis.breachingNow.value).toBe(queue.counts.breaching);
      const row = k.byRole.find((r) => r.key === "mentor")!;
      expect(f.kpis.slaCompliance).toMatchObject({ value: row.compliance, n: row.known });
      expect(f.kpis.breached.value).toBe(row.breached);
      expect(f.kpis.completion.unfiltered).toEqual(["role"]);
      // A value that does not parse is dropped, as on the SLA page: the unfiltered figures.
      const stale = await overviewKpis(h.db, school, { days: "30", role: "nobody", cohort: "x" }, now);
      expect(stale.filter).toEqual({});
      expect(stale.kpis.csat.value).toBe(k.kpis.csat.value);
    });

    it("checks the viewer first: heads get the drill-down links, executives the numbers only, staff nothing", async () => {
      const user = async (email: string, role: UserRole) => {
        const [u] = await h.db.insert(t.users).values({ email, name: role, passwordHash: "x" }).returning();
        await h.db.insert(t.userRoles).values({ userId: u!.id, organisationId: school.organisationId, schoolId: role === "executive" ? null : school.id, role });
        return { user: { id: u!.id, email, name: role }, expires: "2099-01-01T00:00:00Z" };
      };
      session.current = await user("kpi-head@t.test", "head");
      const head = await getOverviewKpis({ school: school.slug, days: "30" }, now);
      expect(head.canDrill).toBe(true);
      expect(head.data.kpis.breached.href).toMatch(/^\/episodes\?/);
      expect(head.data.kpis.slaCompliance.value).toBe(k.kpis.slaCompliance.value);
      session.current = await user("kpi-exec@t.test", "executive");
      const exec = await getOverviewKpis({ school: school.slug, days: "30" }, now);
      expect(exec.canDrill).toBe(false);
      expect(exec.data.kpis.breached.href).toBeNull();
      expect(exec.data.kpis.slaCompliance.href).toMatch(/^\/sla\?/);
      expect(exec.data.kpis.csat.value).toBe(k.kpis.csat.value);
      session.current = await user("kpi-staff@t.test", "staff");
      await expect(getOverviewKpis({ school: school.slug, days: "30" }, now)).rejects.toMatchObject({ status: 403 });
      session.current = null;
      await expect(getOverviewKpis({ school: school.slug }, now)).rejects.toThrow(/NEXT_REDIRECT/);
    });
  });
}
