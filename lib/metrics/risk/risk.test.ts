import { describe, expect, it } from "vitest";
import { extractRiskFeatures, riskFeatureNames, type RiskSnapshot } from "./features";
import { fitRiskModel, scoreEnrollment, type RiskModel } from "./model";
import { defaultRiskModel } from "./default-model";
import { RISK_FEATURES } from "./config";

const day = (n: number): Date => new Date(Date.UTC(2025, 0, 1 + n, 12));
const base: RiskSnapshot = {
  asOf: day(60),
  startsAt: day(0),
  enrolledAt: day(-30),
  items: [
    { id: "a1", kind: "assignment", dueAt: day(20), weight: 10 },
    { id: "t1", kind: "test", dueAt: day(30), weight: 0 },
    { id: "a2", kind: "assignment", dueAt: day(50), weight: 30 },
    { id: "a3", kind: "assignment", dueAt: day(90), weight: 30 },
    { id: "ex", kind: "exam", dueAt: day(55), weight: 30 },
  ],
  submissions: [
    { itemId: "a1", submittedAt: day(18), scorePct: 80 },
    { itemId: "t1", submittedAt: day(33), scorePct: 30 },
  ],
  activityAt: [day(40)],
  preCourseActions: 0,
  previousAttempts: 1,
};

describe("extractRiskFeatures", () => {
  it("computes the documented values by hand", () => {
    const f = extractRiskFeatures(base);
    expect(f).toEqual({
      daysInactive: 20, // last action day 40
      unsubmittedShare: 1 / 3, // a1, t1, a2 due (the exam is not a progress item); a2 missing
      unsubmittedWeight: 30 / 40,
      lateShare: 1 / 2, // t1 three days late
      failedShare: 1 / 2,
      lowScore: 100 - 55,
      scoreDrop: 80 - 30,
      registrationLead: Math.log1p(30),
      preCourseActivity: 0,
      previousAttempts: 1,
    });
  });
  it("ignores everything dated after the as-of date (no leakage)", () => {
    const withFuture: RiskSnapshot = {
      ...base,
      submissions: [...base.submissions, { itemId: "a2", submittedAt: day(61), scorePct: 10 }, { itemId: "a3", submittedAt: day(70), scorePct: 99 }],
      activityAt: [...(base.activityAt ?? []), day(61), day(100)],
      webinars: [{ at: day(80), attended: false }],
      support: { outreach: [{ sentAt: day(70) }], openBreachedEpisodes: 0, negativeMessages: [{ at: day(65) }] },
    };
    const f = extractRiskFeatures(withFuture);
    const { outreachUnanswered, openBreachedEpisodes, negativeMessages, ...rest } = f;
    expect(rest).toEqual(extractRiskFeatures(base));
    expect([outreachUnanswered, openBreachedEpisodes, negativeMessages]).toEqual([0, 0, 0]);
  });
  it("support signals: outreach unanswered for 7+ days, negatives in the last 30 days", () => {
    const f = extractRiskFeatures({
      ...base,
      support: {
        outreach: [{ sentAt: day(50) }, { sentAt: day(55) }, { sentAt: day(40), repliedAt: day(42) }, { sentAt: day(30), repliedAt: day(70) }],
        openBreachedEpisodes: 2,
        negativeMessages: [{ at: day(10) }, { at: day(45) }, { at: day(60) }],
      },
      webinars: [{ at: day(10), attended: true }, { at: day(40), attended: false }],
    });
    expect(f.outreachUnanswered).toBe(2); // day 50 and day 30 (reply came after the as-of date)
    expect(f.openBreachedEpisodes).toBe(2);
    expect(f.negativeMessages).toBe(2);
    expect(f.missedWebinarShare).toBe(0.5);
  });
  it("takes a reader's own outreachUnanswered count (counted in SQL) instead of the list", () => {
    const support = { outreach: [{ sentAt: day(50) }], openBreachedEpisodes: 0, negativeMessages: [] };
    expect(extractRiskFeatures({ ...base, support }).outreachUnanswered).toBe(1);
    expect(extractRiskFeatures({ ...base, support: { ...support, outreach: [], outreachUnanswered: 3 } }).outreachUnanswered).toBe(3);
  });

  it("unknown stays unknown: nothing due, no score, no support data", () => {
    const f = extractRiskFeatures({ asOf: day(5), startsAt: day(0), items: base.items, submissions: [] });
    expect(f).toEqual({ daysInactive: 5 });
  });
});

const toy: RiskModel = {
  coefficients: { lowScore: 1, unsubmittedShare: 0.5, registrationLead: -0.4 },
  intercept: -2,
  featureNames: ["lowScore", "unsubmittedShare", "registrationLead"],
  version: "toy",
  center: { lowScore: 30, unsubmittedShare: 0.2, registrationLead: 3 },
  scale: { lowScore: 10, unsubmittedShare: 0.2, registrationLead: 1 },
};

describe("scoreEnrollment", () => {
  it.each([
    // features, expected logit, expected reason keys in order
    [{ lowScore: 50, unsubmittedShare: 0.6, registrationLead: 1 }, -2 + 2 + 1 + 0.8, ["lowScore", "unsubmittedShare", "registrationLead"]],
    [{ lowScore: 20, unsubmittedShare: 0.2, registrationLead: 4 }, -2 - 1 + 0 - 0.4, []],
    [{ unsubmittedShare: 1 }, -2 + 2, ["unsubmittedShare"]],
    [{}, -2, []],
  ] as const)("%j → logit %f, reasons %j", (features, logit, keys) => {
    const s = scoreEnrollment(features, toy);
    expect(s.score).toBeCloseTo(1 / (1 + Math.exp(-logit)), 12);
    expect(s.reasons.map((r) => r.key)).toEqual(keys);
    for (const r of s.reasons) expect(r.contribution).toBeGreaterThan(0);
  });
  it("reasons carry both labels, sorted by contribution, at most maxReasons", () => {
    const s = scoreEnrollment({ lowScore: 50, unsubmittedShare: 0.6, registrationLead: 1 }, toy, 2);
    expect(s.reasons).toEqual([
      { key: "lowScore", label_ru: "Низкие оценки", label_en: "Low scores", contribution: 2, value: 50 },
      { key: "unsubmittedShare", label_ru: "Не сданы задания, срок которых прошёл", label_en: "Assignments past due not submitted", contribution: 1, value: 0.6 },
    ]);
  });
});

describe("fitRiskModel", () => {
  const rows = Array.from({ length: 600 }, (_, i) => ({ lowScore: (i * 37) % 100, lateShare: ((i * 13) % 10) / 10, registrationLead: ((i * 7) % 50) / 10, previousAttempts: i % 3 === 0 ? 1 : 0 }));
  // Withdrawal driven by low scores and by… more registration lead (the "wrong" sign for that feature).
  const labels = rows.map((r, i) => r.lowScore / 100 + r.registrationLead / 10 + ((i * 31) % 17) / 40 > 0.9);
  const opts = { featureNames: ["lowScore", "lateShare", "registrationLead", "previousAttempts", "missedWebinarShare"] as const, version: "t", l2: 1 };
  it("is deterministic and drops unknown-everywhere and wrong-signed features", () => {
    const a = fitRiskModel(rows, labels, opts);
    expect(fitRiskModel(rows, labels, opts)).toEqual(a);
    expect(a.featureNames).not.toContain("missedWebinarShare");
    expect(a.featureNames).not.toContain("registrationLead");
    expect(a.coefficients.lowScore).toBeGreaterThan(0);
  });
  it("adds priors for features the data cannot inform, listed as unvalidated", () => {
    const m = fitRiskModel(rows, labels, { ...opts, priors: { outreachUnanswered: { coefficient: 0.5, center: 0, scale: 1 } } });
    expect(m.unvalidated).toEqual(["outreachUnanswered"]);
    expect(m.coefficients.outreachUnanswered).toBe(0.5);
  });
});

describe("the default model (lib/metrics/risk/default-model.json)", () => {
  it("is frozen, versioned and consistent", () => {
    expect(Object.isFrozen(defaultRiskModel)).toBe(true);
    expect(defaultRiskModel.version).toMatch(/^oulad-2013/);
    for (const n of defaultRiskModel.featureNames) {
      expect(riskFeatureNames).toContain(n);
      expect(defaultRiskModel.scale[n]).toBeGreaterThan(0);
      expect(Number.isFinite(defaultRiskModel.coefficients[n])).toBe(true);
    }
    const fitted = defaultRiskModel.featureNames.filter((n) => !(defaultRiskModel.unvalidated ?? []).includes(n));
    for (const n of fitted) expect(RISK_FEATURES).toContain(n);
  });
  it("scores an average enrollment near the base rate and a struggling one higher", () => {
    const avg = scoreEnrollment({}, defaultRiskModel).score;
    const bad = scoreEnrollment({ unsubmittedWeight: 1, lowScore: 70, lateShare: 1, outreachUnanswered: 2 }, defaultRiskModel);
    expect(avg).toBeGreaterThan(0.05);
    expect(avg).toBeLessThan(0.3);
    expect(bad.score).toBeGreaterThan(avg);
    expect(bad.reasons.length).toBeGreaterThan(0);
  });
});
