import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { parseOulad } from "@/lib/ingest/oulad";
import type { EnrollmentEvent } from "@/lib/ingest/types";
import { readSharedData } from "@/lib/ingest/common/shared-data";
import { completionBy, completionByQuartile, completionRate, retentionCurvesByTier, retentionObservation, type OutcomeEnrollment } from "./outcomes";

const day = (n: number): Date => new Date(Date.UTC(2025, 0, 1 + n, 12));
const e = (id: string, status: OutcomeEnrollment["status"], tier = "standard", endDay?: number): OutcomeEnrollment => ({ id, tier, status, startsAt: day(0), ...(endDay !== undefined ? { endedAt: day(endDay) } : {}) });

describe("completionRate (METRICS.md: completed / (completed + withdrawn))", () => {
  it.each([
    [[], null, 0, 0],
    [["completed", "completed", "withdrawn"], 2 / 3, 3, 0],
    [["completed", "active", "paused", "frozen", "transferred"], 1, 1, 4],
    [["withdrawn", "withdrawn"], 0, 2, 0],
  ] as const)("%j → rate %s of n %i, not ended %i", (statuses, rate, n, notEnded) => {
    const r = completionRate(statuses.map((s) => ({ status: s })));
    expect(r.rate).toBe(rate);
    expect(r.n).toBe(n);
    expect(r.notEnded).toBe(notEnded);
  });
  it("carries the Wilson interval (81 of 263 → 0.2553–0.3662)", () => {
    const r = completionRate([...Array.from({ length: 81 }, () => ({ status: "completed" as const })), ...Array.from({ length: 182 }, () => ({ status: "withdrawn" as const }))]);
    expect(r.low).toBeCloseTo(0.2553, 4);
    expect(r.high).toBeCloseTo(0.3662, 4);
  });
  it("groups by tier, sorted, skipping null groups", () => {
    const rows = [e("1", "completed", "premium"), e("2", "withdrawn", "none"), e("3", "completed", "none"), e("4", "completed", "x")];
    const g = completionBy(rows, (r) => (r.tier === "x" ? null : r.tier));
    expect(g.map((x) => [x.group, x.successes, x.n])).toEqual([["none", 1, 2], ["premium", 1, 1]]);
  });
});

describe("completionByQuartile", () => {
  it("splits by exposure quartile, keeps those without exposure apart, labels it a correlation", () => {
    const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((v) => ({ status: v % 2 === 0 ? ("completed" as const) : ("withdrawn" as const), v }));
    const r = completionByQuartile([...rows, { status: "completed" as const, v: null }], (x) => x.v);
    expect(r.interpretation).toBe("correlation");
    expect(r.withoutExposure).toBe(1);
    expect(r.quartiles.map((q) => [q.quartile, q.from, q.to, q.successes, q.n])).toEqual([
      [1, null, 2.75, 1, 2],
      [2, 2.75, 4.5, 1, 2],
      [3, 4.5, 6.25, 1, 2],
      [4, 6.25, null, 1, 2],
    ]);
  });
});

describe("retention (Kaplan–Meier by tier)", () => {
  const asOf = day(70);
  it.each([
    [e("w", "withdrawn", "t", 10), { time: 2, event: true }],
    [e("w0", "withdrawn", "t", -3), { time: 0, event: true }],
    [e("c", "completed", "t", 56), { time: 8, event: false }],
    [e("a", "active", "t"), { time: 10, event: false }],
    [e("later", "withdrawn", "t", 80), null],
    [{ id: "x", tier: "t", status: "active" as const }, null],
  ])("%j → %j", (row, obs) => expect(retentionObservation(row, asOf)).toEqual(obs));
  it("a curve per tier: share still enrolled by week", () => {
    const rows = [e("1", "withdrawn", "basic", 3), e("2", "completed", "basic", 14), e("3", "withdrawn", "basic", 10), e("4", "active", "premium"), e("5", "withdrawn", "premium", 12)];
    const r = retentionCurvesByTier(rows, day(21), 3);
    expect(r.interpretation).toBe("correlation");
    expect(r.curves.map((c) => [c.tier, c.enrollments, c.withdrawals])).toEqual([["basic", 3, 2], ["premium", 2, 1]]);
    expect(r.curves[0]?.byWeek.map((w) => Number(w.stillEnrolled.toFixed(4)))).toEqual([1, 0.6667, 0.3333, 0.3333]);
    expect(r.curves[1]?.byWeek.map((w) => w.stillEnrolled)).toEqual([1, 1, 0.5, 0.5]);
  });
});

describe("completion per OULAD presentation equals the counts straight from studentInfo.csv", { timeout: 60_000 }, () => {
  it("for each presentation and each module-presentation", () => {
    const read = (f: string) => readSharedData("oulad", f);
    const parsed = parseOulad({ courses: read("courses.csv"), assessments: read("assessments.csv"), studentInfo: read("studentInfo.csv"), studentRegistration: read("studentRegistration.csv"), studentAssessment: "id_assessment,id_student,date_submitted,is_banked,score\n", vle: read("vle.csv") });
    const rows = parsed.events.filter((x): x is EnrollmentEvent & { type: "enrollment" } => x.type === "enrollment").map((x) => ({ status: x.status, cohort: x.cohort.externalId }));
    const info = Papa.parse<Record<string, string>>(read("studentInfo.csv"), { header: true, skipEmptyLines: true }).data;
    for (const [groupOf, infoGroup] of [
      [(r: { cohort: string }) => r.cohort.split("-")[1] ?? "", (r: Record<string, string>) => r.code_presentation ?? ""],
      [(r: { cohort: string }) => r.cohort, (r: Record<string, string>) => `${r.code_module}-${r.code_presentation}`],
    ] as const) {
      const expected = new Map<string, { completed: number; ended: number }>();
      for (const r of info) {
        const k = infoGroup(r);
        const x = expected.get(k) ?? { completed: 0, ended: 0 };
        x.ended++;
        if (r.final_result !== "Withdrawn") x.completed++;
        expected.set(k, x);
      }
      const got = completionBy(rows, groupOf);
      expect(got.map((g) => [g.group, g.successes, g.n])).toEqual([...expected.keys()].sort().map((k) => [k, expected.get(k)?.completed, expected.get(k)?.ended]));
    }
    const pres = completionBy(rows, (r) => r.cohort.split("-")[1] ?? "");
    // 2013B: 4,684 enrollments, 1,348 withdrawn; 2013J: 8,845, 2,369 withdrawn (studentInfo.csv).
    expect(pres.map((p) => [p.group, p.n, p.n - p.successes])).toEqual([["2013B", 4684, 1348], ["2013J", 8845, 2369]]);
  });
});
