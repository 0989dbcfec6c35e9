import { describe, expect, it } from "vitest";
import { packRiskReport, unpackRiskReport } from "./risk-pack";
import type { RiskReport, RiskRow } from "./risk";
import { defaultRiskModel, scoreEnrollment, type RiskFeatures } from "../metrics/risk";

const row = (enrollmentId: number, over: Partial<RiskRow>, features: RiskFeatures): RiskRow => {
  const s = scoreEnrollment(features, defaultRiskModel);
  return {
    enrollmentId, personId: enrollmentId + 1000, student: `Студент «${enrollmentId}» "q"`, lmsStudentId: `u-${enrollmentId}`, courseExternalId: "c1", cohortExternalId: "c1:k1", cohort: "Поток 1",
    tier: "standard", score: s.score, reasons: s.reasons, features, ...over,
  };
};

describe("packRiskReport / unpackRiskReport", () => {
  const cases: Array<[string, RiskReport]> = [
    ["an empty list", { school: "s", asOf: "2026-06-01T00:00:00.000Z", model: defaultRiskModel.version, rows: [] }],
    [
      "rows across cohorts and tiers, absent features, no LMS id, no reasons, exact doubles",
      {
        school: "polaris", asOf: "2026-03-29T20:59:59.999Z", model: defaultRiskModel.version,
        rows: [
          row(1, {}, { daysInactive: 30.08, unsubmittedShare: 11 / 12, lowScore: 88, outreachUnanswered: 3, negativeMessages: 0, openBreachedEpisodes: 0 }),
          row(2, { lmsStudentId: null, tier: "premium", cohortExternalId: "c1:k2", cohort: "Поток 2" }, { daysInactive: 0 }),
          row(3, { courseExternalId: "c2", cohortExternalId: "c2:k1", cohort: "Поток 1" }, {}),
          row(4, {}, { registrationLead: Math.log1p(7.5), missedWebinarShare: 0.1 + 0.2, scoreDrop: -12.345678901234567, failedShare: 0 }),
        ],
      },
    ],
  ];
  for (const [name, r] of cases) {
    it(`round-trips ${name}`, () => {
      const back = unpackRiskReport(packRiskReport(r));
      expect(back).toEqual(r);
      // Absent features stay absent (not undefined keys, not zeros): what the page's "has a value" tests read.
      for (const [i, x] of (back?.rows ?? []).entries()) expect(Object.keys(x.features).sort()).toEqual(Object.keys(r.rows[i]!.features).sort());
    });
  }
  it("names each cohort once", () => {
    const r = cases[1]![1];
    const many: RiskReport = { ...r, rows: Array.from({ length: 50 }, (_, i) => row(i, {}, { daysInactive: i })) };
    expect(packRiskReport(many).split("Поток 1").length - 1).toBe(1);
  });
  it("a text of another version is no run (scored again), not a broken list", () => {
    expect(unpackRiskReport(JSON.stringify({ school: "s", asOf: "x", model: "m", rows: [] }))).toBeNull();
    expect(unpackRiskReport(packRiskReport(cases[0]![1]).replace('"v":1', '"v":2'))).toBeNull();
  });
  it("refuses a feature it cannot place", () => {
    const bad = { ...cases[1]![1], rows: [{ ...cases[1]![1].rows[0]!, features: { nope: 1 } as unknown as RiskFeatures }] };
    expect(() => packRiskReport(bad)).toThrow(/unknown risk feature nope/);
  });
});
