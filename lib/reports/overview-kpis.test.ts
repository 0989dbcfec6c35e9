import { describe, expect, it } from "vitest";
import { composeOverviewKpis, kpiPeriods, KPI_KEYS, type KpiParts } from "./overview-kpis";
import type { SlaReport } from "./sla";
import type { CsatReport } from "./csat";
import type { SlaStats } from "../../db/queries/reports/sla";
import type { CsatStats } from "../../db/queries/reports/csat";

const TZ = "Europe/Moscow";
const NOW = new Date("2026-11-28T12:00:00Z");

const stats = (x: Partial<SlaStats>): SlaStats => ({ episodes: 0, answered: 0, open: 0, breachingNow: 0, atRisk: 0, breached: 0, met: 0, known: 0, compliance: null, medianMinutes: null, p90Minutes: null, ...x });
const sla = (total: SlaStats, groups: SlaReport["groups"] = []): SlaReport => ({ school: "s", timezone: TZ, period: { from: "", to: "" }, asOf: NOW.toISOString(), groupBy: "role", total, groups });
const csatStats = (x: Partial<CsatStats>): CsatStats => ({ n: 0, csatPercent: null, mean: null, npsN: 0, promoters: 0, detractors: 0, nps: null, surveysSent: 0, responseRate: null, ...x });
const csat = (total: CsatStats): CsatReport => ({ school: "s", timezone: TZ, period: { from: "", to: "" }, groupBy: "person", total, groups: [], filter: {} });
const prop = (successes: number, n: number) => ({ successes, n, rate: n === 0 ? null : successes / n });

function parts(over: Partial<KpiParts> = {}): KpiParts {
  const p = kpiPeriods({ to: "2026-11-27", days: "30" }, TZ, null, NOW);
  return {
    school: { slug: "s", timezone: TZ },
    period: p.period,
    previousPeriod: p.previous,
    completionWindow: p.completionWindow,
    now: NOW,
    hasData: true,
    sla: sla(stats({ episodes: 100, answered: 90, breached: 20, met: 72, known: 90, compliance: 0.8, medianMinutes: 30, p90Minutes: 200 }), [
      { key: "coordinator", label: "Куратор", ...stats({ episodes: 60, met: 50, known: 55, breached: 5, compliance: 50 / 55 }) },
      { key: null, label: "—", ...stats({ episodes: 5, met: 1, known: 2, breached: 1, compliance: 0.5 }) },
    ]),
    slaPrevious: sla(stats({ episodes: 80, answered: 70, breached: 10, met: 63, known: 70, compliance: 0.9, medianMinutes: 40, p90Minutes: 200 }), [
      { key: "coordinator", label: "Куратор", ...stats({ episodes: 40, met: 30, known: 40, breached: 10, compliance: 0.75 }) },
    ]),
    csat: csat(csatStats({ n: 10, csatPercent: 80 })),
    csatPrevious: csat(csatStats({ n: 0 })),
    queue: {
      totalOpen: 3,
      counts: { breaching: 1, atRisk: 1, ok: 1, noSla: 0 },
      // 2026-11-26T22:30Z is already the 27th in Moscow: the drill-down uses the school's local dates.
      items: [{ openedAt: "2026-11-26T22:30:00.000Z" }, { openedAt: "2026-11-24T10:00:00.000Z" }, { openedAt: "2026-11-25T10:00:00.000Z" }] as KpiParts["queue"]["items"],
    },
    completion: prop(60, 100),
    completionPrevious: prop(60, 100),
    ...over,
  };
}

describe("kpiPeriods", () => {
  it("takes the previous period of equal length, ending where this one starts, and year-long completion windows", () => {
    const p = kpiPeriods({ to: "2026-11-27", days: "30" }, TZ, null, NOW);
    expect(p.period).toEqual({ from: "2026-10-29", to: "2026-11-28" });
    expect(p.previous).toEqual({ from: "2026-09-29", to: "2026-10-29" });
    expect(p.completionWindow.current).toEqual({ from: "2025-11-28", to: "2026-11-28" });
    expect(p.completionWindow.previous).toEqual({ from: "2025-10-29", to: "2026-10-29" });
  });
  it("follows an explicit from–to", () => {
    const p = kpiPeriods({ from: "2026-03-01", to: "2026-03-07" }, TZ, null, NOW);
    expect(p.previous).toEqual({ from: "2026-02-22", to: "2026-03-01" });
  });
});

describe("composeOverviewKpis", () => {
  const k = composeOverviewKpis(parts());
  it("copies each report's figure with its count and judges the trend the metric's way", () => {
    expect(k.kpis.slaCompliance).toMatchObject({ value: 0.8, n: 90, previous: 0.9, previousN: 70, live: false, trend: { direction: "down", verdict: "worse" } });
    expect(k.kpis.medianResponse).toMatchObject({ value: 30, n: 90, previous: 40, trend: { direction: "down", verdict: "better" } });
    expect(k.kpis.p90Response.trend).toMatchObject({ direction: "flat", verdict: "same" });
    expect(k.kpis.breached).toMatchObject({ value: 20, n: 100, previous: 10, trend: { verdict: "worse" } });
    expect(k.kpis.completion.trend).toMatchObject({ delta: 0, verdict: "same" });
  });
  it("has no trend where the previous period has nothing, and none for the live queue", () => {
    expect(k.kpis.csat).toMatchObject({ value: 80, n: 10, previous: null, trend: { delta: null, verdict: null } });
    expect(k.kpis.openNow).toMatchObject({ value: 3, live: true, previous: null, previousN: null, trend: { verdict: null } });
    expect(k.kpis.breachingNow.value).toBe(1);
  });
  it("links each figure to the episodes behind it, in the school's dates", () => {
    expect(k.kpis.breached.href).toBe("/episodes?school=s&from=2026-10-29&to=2026-11-27&breached=1");
    expect(k.kpis.medianResponse.href).toBe("/episodes?school=s&from=2026-10-29&to=2026-11-27&status=answered");
    expect(k.kpis.openNow.href).toBe("/episodes?school=s&from=2026-11-24&to=2026-11-27&status=open");
    expect(k.kpis.breachingNow.href).toBe("/episodes?school=s&from=2026-11-24&to=2026-11-27&status=open&breached=1");
    expect(k.kpis.completion.href).toBe("/outcomes?school=s&from=2025-11-28&to=2026-11-27");
  });
  it("lists compliance by role with the previous period's value matched by role key", () => {
    expect(k.byRole.map((r) => [r.key, r.previous, r.trend.verdict])).toEqual([["coordinator", 0.75, "better"], [null, null, null]]);
    expect(k.byRole[1]!.href).toBe("/episodes?school=s&from=2026-10-29&to=2026-11-27&role=none");
    expect(k.byRole[0]!.breachedHref).toBe("/episodes?school=s&from=2026-10-29&to=2026-11-27&role=coordinator&breached=1");
  });
  it("gives nulls, not zeros, for a school with no data", () => {
    const empty = composeOverviewKpis(
      parts({ hasData: false, sla: sla(stats({})), slaPrevious: sla(stats({})), csat: csat(csatStats({})), csatPrevious: csat(csatStats({})), queue: { totalOpen: 0, counts: { breaching: 0, atRisk: 0, ok: 0, noSla: 0 }, items: [] }, completion: prop(0, 0), completionPrevious: prop(0, 0) }),
    );
    for (const key of KPI_KEYS) expect(empty.kpis[key].value, key).toBeNull();
    expect(empty.byRole).toEqual([]);
    expect(empty.kpis.openNow.href).toBe("/queue?school=s");
  });
  it("carries the filters into each link, only those its figure applies, and names the ones it ignores", () => {
    const f = composeOverviewKpis(parts({ filter: { role: "mentor", cohortId: 7, source: "slack" }, completionCohort: "c-7" }));
    expect(f.filter).toEqual({ role: "mentor", cohortId: 7, source: "slack" });
    expect(f.kpis.breached.href).toBe("/episodes?school=s&from=2026-10-29&to=2026-11-27&role=mentor&cohort=7&source=slack&breached=1");
    expect(f.kpis.csat.href).toBe("/satisfaction?school=s&from=2026-10-29&to=2026-11-27&role=mentor&cohort=7&source=slack");
    // The queue filters by role and channel only: its list drops the cohort and source it did not apply.
    expect(f.kpis.openNow.href).toBe("/episodes?school=s&from=2026-11-24&to=2026-11-27&status=open&role=mentor");
    expect(f.kpis.openNow.unfiltered).toEqual(["cohort", "source"]);
    expect(f.kpis.completion.href).toBe("/outcomes?school=s&from=2025-11-28&to=2026-11-27&cohort=c-7");
    expect(f.kpis.completion.unfiltered).toEqual(["role", "source"]);
    expect(f.kpis.slaCompliance.unfiltered).toEqual([]);
    expect(k.kpis.openNow.unfiltered).toEqual([]);
  });
});
