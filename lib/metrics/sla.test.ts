import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateSla, judgeOpenAt, judgePrepared, matchPolicy, prepareOpenJudgement, median, kthOfSortedRuns, kthOfTwo, percentilesOfSortedRuns, percentile, percentiles, percentilesOfSorted, slaCompliance, type OpenToJudge, type PolicyQuery, type SlaEvaluation, type SlaPolicy } from "./sla";
import { kathmandu, moscowOffice, nyNight, nyOffice } from "./__fixtures__/calendar/calendars";

const moscow = moscowOffice(readFileSync(path.join(import.meta.dirname, "__fixtures__/calendar/ru-production-2025-2026.csv"), "utf8"));
const at = (iso: string): Date => new Date(iso);

const policy = (id: number, fields: Partial<SlaPolicy>): SlaPolicy => ({
  id,
  ownerRole: null,
  channelKind: null,
  priority: null,
  targetMinutes: 60,
  clock: "calendar",
  calendarId: null,
  ...fields,
});

describe("matchPolicy", () => {
  const policies: SlaPolicy[] = [
    policy(8, { ownerRole: "mentor", targetMinutes: 999 }), // same combination as 2, higher id: never wins
    policy(1, { targetMinutes: 1440 }),
    policy(2, { ownerRole: "mentor", targetMinutes: 1440 }),
    policy(3, { ownerRole: "coordinator", targetMinutes: 120, clock: "business" }),
    policy(4, { priority: "urgent", targetMinutes: 15 }),
    policy(5, { ownerRole: "mentor", channelKind: "dm", targetMinutes: 30, clock: "business" }),
    policy(6, { ownerRole: "mentor", channelKind: "group", priority: "urgent", targetMinutes: 10 }),
    policy(7, { channelKind: "dm", targetMinutes: 240 }),
  ];
  const cases: Array<[string, PolicyQuery, number | null]> = [
    ["identical combinations: lowest id", { ownerRole: "mentor", channelKind: "group", priority: "normal" }, 2],
    ["two fields beat one", { ownerRole: "mentor", channelKind: "dm", priority: "normal" }, 5],
    ["three fields beat everything", { ownerRole: "mentor", channelKind: "group", priority: "urgent" }, 6],
    ["equal count: priority outranks owner role", { ownerRole: "mentor", channelKind: "forum", priority: "urgent" }, 4],
    ["equal count: owner role outranks channel kind", { ownerRole: "coordinator", channelKind: "dm", priority: "normal" }, 3],
    ["unknown owner role matches only policies without one", { ownerRole: null, channelKind: "dm", priority: "low" }, 7],
    ["nothing specific: the catch-all", { ownerRole: "support", channelKind: "group", priority: "low" }, 1],
  ];
  it.each(cases)("%s", (_name, query, expected) => {
    expect(matchPolicy(policies, query)?.id ?? null).toBe(expected);
  });

  it("returns null when nothing matches", () => {
    expect(matchPolicy([], { ownerRole: "mentor", channelKind: "dm", priority: "normal" })).toBeNull();
    expect(matchPolicy([policy(1, { ownerRole: "coordinator" })], { ownerRole: "mentor", channelKind: "dm", priority: "normal" })).toBeNull();
  });

  it("does not depend on the order of the list", () => {
    const query: PolicyQuery = { ownerRole: "mentor", channelKind: "group", priority: "normal" };
    expect(matchPolicy([...policies].reverse(), query)?.id).toBe(2);
  });
});

describe("evaluateSla, calendar clock, 60-minute target", () => {
  const hourly = policy(1, { targetMinutes: 60 });
  const opened = at("2025-06-02T10:00Z");
  const plus = (minutes: number): Date => new Date(opened.getTime() + minutes * 60_000);
  const late = at("2025-06-10T00:00Z");

  type Row = [string, Date | null, Date, Partial<SlaEvaluation>];
  const cases: Row[] = [
    ["answered in 45", plus(45), late, { elapsedMinutes: 45, responseCalendarMinutes: 45, breached: false, met: true, outcomeKnown: true, atRisk: false }],
    ["answered exactly on target is met", plus(60), late, { breached: false, met: true, outcomeKnown: true }],
    ["answered in 61 is breached", plus(61), late, { breached: true, breachingNow: false, met: false, outcomeKnown: true }],
    ["open at 30: not known, not at risk", null, plus(30), { elapsedMinutes: 30, responseCalendarMinutes: null, outcomeKnown: false, atRisk: false, breached: false }],
    ["open at exactly 80 %: not yet past it", null, plus(48), { atRisk: false, outcomeKnown: false }],
    ["open just past 80 %: at risk", null, plus(48.5), { atRisk: true, breached: false, outcomeKnown: false }],
    ["open exactly at target: at risk, not breached", null, plus(60), { atRisk: true, breached: false, breachingNow: false, outcomeKnown: false }],
    ["open past target: breaching now, known, no longer 'at risk'", null, plus(61), { atRisk: false, breached: true, breachingNow: true, met: false, outcomeKnown: true }],
    ["answer stamped before the question (clock skew) counts as 0", plus(-2), late, { responseCalendarMinutes: 0, elapsedMinutes: 0, met: true }],
  ];
  it.each(cases)("%s", (_name, answeredAt, now, expected) => {
    const result = evaluateSla({ openedAt: opened, answeredAt, policy: hourly, calendar: null, now });
    expect(result).toMatchObject(expected);
    expect(result.deadline.toISOString()).toBe(plus(60).toISOString());
    expect(result.responseBusinessMinutes).toBeNull();
  });
});

describe("evaluateSla, business clock (Moscow 9-13, 14-18), 120-minute target", () => {
  const coordinator = policy(3, { ownerRole: "coordinator", targetMinutes: 120, clock: "business", calendarId: 1 });
  const opened = at("2025-06-06T17:00+03:00"); // Friday, one working hour left

  it("answered Monday 10:30: 150 business minutes, 3930 calendar minutes, breached", () => {
    const r = evaluateSla({ openedAt: opened, answeredAt: at("2025-06-09T10:30+03:00"), policy: coordinator, calendar: moscow, now: at("2025-06-20T00:00Z") });
    expect(r).toMatchObject({ responseBusinessMinutes: 150, responseCalendarMinutes: 3930, elapsedMinutes: 150, breached: true, met: false, outcomeKnown: true });
    expect(r.deadline.toISOString()).toBe(at("2025-06-09T10:00+03:00").toISOString());
  });

  it.each([
    ["Sunday noon: 60 business minutes after 43 hours, not at risk", "2025-06-08T12:00+03:00", { elapsedMinutes: 60, atRisk: false, outcomeKnown: false }],
    ["Monday 9:36: exactly 80 %", "2025-06-09T09:36+03:00", { elapsedMinutes: 96, atRisk: false }],
    ["Monday 9:37: past 80 %, at risk", "2025-06-09T09:37+03:00", { elapsedMinutes: 97, atRisk: true, breachingNow: false }],
    ["Monday 10:01: breaching now", "2025-06-09T10:01+03:00", { elapsedMinutes: 121, atRisk: false, breachingNow: true, outcomeKnown: true }],
  ] as const)("open, now %s", (_name, now, expected) => {
    const r = evaluateSla({ openedAt: opened, answeredAt: null, policy: coordinator, calendar: moscow, now: at(now) });
    expect(r).toMatchObject(expected);
    expect(r.responseBusinessMinutes).toBeNull();
  });

  it("a calendar-clock policy still reports business minutes when a calendar is given", () => {
    const r = evaluateSla({ openedAt: opened, answeredAt: at("2025-06-09T10:30+03:00"), policy: policy(2, { targetMinutes: 1440 }), calendar: moscow, now: opened });
    expect(r).toMatchObject({ elapsedMinutes: 3930, responseBusinessMinutes: 150, breached: true, clock: "calendar" });
  });

  it("refuses a business clock without a calendar", () => {
    expect(() => evaluateSla({ openedAt: opened, answeredAt: null, policy: coordinator, calendar: null, now: opened })).toThrow(/no calendar/);
  });
});

describe("slaCompliance", () => {
  const e = (met: boolean, outcomeKnown: boolean) => ({ met, outcomeKnown });
  it.each([
    ["counts open-within-target as unknown", [e(true, true), e(true, true), e(true, true), e(false, true), e(false, true), e(false, false), e(false, false)], { met: 3, known: 5, rate: 0.6 }],
    ["nothing known yet: no rate", [e(false, false)], { met: 0, known: 0, rate: null }],
    ["no episodes", [], { met: 0, known: 0, rate: null }],
    ["all breached", [e(false, true), e(false, true)], { met: 0, known: 2, rate: 0 }],
  ] as const)("%s", (_name, evaluations, expected) => {
    expect(slaCompliance(evaluations)).toEqual(expected);
  });

  it("works on real evaluations", () => {
    const p = policy(1, { targetMinutes: 60 });
    const opened = at("2025-06-02T10:00Z");
    const now = at("2025-06-02T12:00Z");
    const evaluations = [
      evaluateSla({ openedAt: opened, answeredAt: at("2025-06-02T10:30Z"), policy: p, calendar: null, now }), // met
      evaluateSla({ openedAt: opened, answeredAt: at("2025-06-02T11:30Z"), policy: p, calendar: null, now }), // breached
      evaluateSla({ openedAt: opened, answeredAt: null, policy: p, calendar: null, now }), // open 120 > 60: breaching, known
      evaluateSla({ openedAt: at("2025-06-02T11:30Z"), answeredAt: null, policy: p, calendar: null, now }), // open 30: unknown
    ];
    expect(slaCompliance(evaluations)).toEqual({ met: 1, known: 3, rate: 1 / 3 });
  });
});

describe("percentile (linear interpolation, = PostgreSQL percentile_cont)", () => {
  it.each([
    ["single value", [5], 0.9, 5],
    ["median of even count averages the middle two", [4, 1, 3, 2], 0.5, 2.5],
    ["p90 of 1..4: h = 2.7 -> 3 + 0.7", [1, 2, 3, 4], 0.9, 3.7],
    ["p90 of 10..50: h = 3.6 -> 40 + 0.6 * 10", [50, 10, 40, 30, 20], 0.9, 46],
    ["p0 is the minimum", [7, 3, 9], 0, 3],
    ["p1 is the maximum", [7, 3, 9], 1, 9],
    ["ties", [2, 2, 2, 10], 0.5, 2],
  ] as const)("%s", (_name, values, p, expected) => {
    expect(percentile(values, p)).toBeCloseTo(expected, 12);
  });

  it("is null for no values and leaves the input unsorted", () => {
    expect(percentile([], 0.9)).toBeNull();
    const values = [3, 1, 2];
    percentile(values, 0.5);
    expect(values).toEqual([3, 1, 2]);
  });

  it("rejects p outside [0, 1] (p90 is 0.9, not 90) and non-finite values", () => {
    expect(() => percentile([1, 2], 90)).toThrow(RangeError);
    expect(() => percentile([1, 2], -0.1)).toThrow(RangeError);
    expect(() => percentile([1, 2], Number.NaN)).toThrow(RangeError);
    expect(() => percentile([1, Number.NaN], 0.5)).toThrow(RangeError);
  });

  it("percentiles: several cuts from one sort equal each percentile alone, negatives and -0 included", () => {
    const values = [5, -3.5, 0, -0, 12, 7.25, 7.25, -40, 3, 1e6, 0.001];
    const ps = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    // The reference: a comparator sort of a copy, then the same interpolation.
    const sorted = [...values].sort((a, b) => a - b);
    const ref = (p: number) => {
      const h = (sorted.length - 1) * p;
      const lo = Math.floor(h);
      return sorted[lo]! + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!);
    };
    const got = percentiles(values, ps);
    ps.forEach((p, i) => {
      expect(got[i]).toBeCloseTo(ref(p), 12);
      expect(percentile(values, p)).toBe(got[i]);
    });
    expect(Object.is(percentile([-0, -0], 0.5), 0)).toBe(true);
    expect(percentiles([], [0.25, 0.75])).toEqual([null, null]);
    expect(() => percentiles([1], [0.5, 2])).toThrow(RangeError);
  });

  it.each([
    { name: "disjoint", runs: [[1, 2, 3], [4, 5]] },
    { name: "interleaved, with ties", runs: [[0, 2, 2, 9], [1, 2, 3, 10, 11]] },
    { name: "one empty", runs: [[], [-1, 0.5]] },
    { name: "all empty", runs: [[], []] },
    { name: "none", runs: [] },
    { name: "one value", runs: [[], [7], []] },
    { name: "all equal across runs", runs: [[4, 4], [4], [4, 4, 4]] },
    { name: "zero and minus zero", runs: [[-0, 0, 1], [-0], [0, 2]] },
    { name: "negatives, five runs", runs: [[-9, -1], [-5, -5, 3], [0.25], [-100, 100], [1, 1, 1, 2]] },
    { name: "float4 values", runs: [[Math.fround(0.1), Math.fround(7.3)], [Math.fround(1e-3), Math.fround(0.2)]] },
    { name: "a large run and a small one", runs: [Array.from({ length: 1001 }, (_, i) => Math.fround(i / 7)), [Math.fround(50.5), Math.fround(50.5), 1e9]] },
  ])("percentilesOfSortedRuns: ascending runs give the percentiles of their union ($name)", ({ runs }) => {
    const ps = [0, 0.1, 0.5, 0.9, 0.99, 1];
    const all = runs.flat();
    const got = percentilesOfSortedRuns(runs.map((r) => Float64Array.from(r)), ps);
    expect(got).toEqual(percentiles(all, ps));
    // The same doubles as the merged list's (no -0 either way).
    got.forEach((v, i) => expect(Object.is(v, percentilesOfSorted(Float64Array.from(all).sort(), ps)[i])).toBe(true));
    // Each rank's value (0 and -0 compare equal: either may be returned for a rank they share).
    all.sort((x, y) => x - y).forEach((v, k) => expect(kthOfSortedRuns(runs.map((r) => Float64Array.from(r)), k) + 0).toBe(v + 0));
  });

  it("percentilesOfSortedRuns: random runs against one sort (1,000 cases)", () => {
    // A fixed linear congruential sequence: the same cases every run, ties and float4 values among them.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let c = 0; c < 1000; c++) {
      const runs = Array.from({ length: 1 + Math.floor(next() * 5) }, () =>
        Float64Array.from({ length: Math.floor(next() * 12) }, () => Math.fround(Math.floor(next() * 20) / 4)).sort(),
      );
      const ps = [next(), 0.5, 0.9];
      expect(percentilesOfSortedRuns(runs, ps)).toEqual(percentiles(runs.flatMap((r) => [...r]), ps));
    }
  });

  it("kthOfTwo: every rank of two ascending lists equals the merged list's (fixed and 500 random pairs)", () => {
    let seed = 777;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pairs: Array<[number[], number[]]> = [
      [[], [1]],
      [[1], []],
      [[1, 2, 3], [4, 5, 6]],
      [[4, 5, 6], [1, 2, 3]],
      [[2, 2, 2], [2, 2]],
      [[-0, 0], [0, -0, 1]],
      [Array.from({ length: 300 }, (_, i) => i / 3), [50, 50, 1e6]],
    ];
    for (let c = 0; c < 500; c++) {
      const len = () => Math.floor(next() * (next() < 0.2 ? 200 : 10));
      pairs.push([Array.from({ length: len() }, () => Math.floor(next() * 30) / 2).sort((x, y) => x - y), Array.from({ length: len() }, () => Math.floor(next() * 30) / 2).sort((x, y) => x - y)]);
    }
    for (const [a, b] of pairs) {
      const all = [...a, ...b].sort((x, y) => x - y);
      all.forEach((v, k) => expect(kthOfTwo(Float64Array.from(a), Float64Array.from(b), k) + 0).toBe(v + 0));
      expect(() => kthOfTwo(Float64Array.from(a), Float64Array.from(b), all.length)).toThrow(RangeError);
    }
  });

  it("percentilesOfSortedRuns and kthOfSortedRuns refuse what has no answer", () => {
    expect(() => percentilesOfSortedRuns([Float64Array.from([1])], [1.5])).toThrow(RangeError);
    expect(() => kthOfSortedRuns([Float64Array.from([1, 2])], 2)).toThrow(RangeError);
  });

  it("median", () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([1, 2])).toBe(1.5);
    expect(median([])).toBeNull();
  });
});

describe("judgeOpenAt (many open episodes at one moment) = evaluateSla of each", () => {
  // Calendars with holidays (Moscow), DST (New York office and night desk) and a :45 offset (Kathmandu).
  const calendars = [moscow, nyOffice, nyNight, kathmandu];
  const cases: Array<[string, string]> = [
    ["Moscow: after the May holidays", "2025-05-12T12:00:00+03:00"],
    ["New York: the Monday after spring-forward", "2025-03-10T10:30:00-04:00"],
    ["New York: the fall-back night", "2025-11-02T01:30:00-05:00"],
    ["a Sunday noon UTC", "2026-01-11T12:00:00Z"],
  ];
  it.each(cases)("%s", (_name, nowIso) => {
    const now = at(nowIso);
    // Opened up to 5 days before now (some after it), targets from 5 minutes to 2 days, both clocks.
    const list: OpenToJudge[] = [];
    for (let i = 0; i < 400; i++) {
      const openedAt = new Date(now.getTime() - ((i * 7_919_000) % (5 * 86_400_000)) + (i % 23 === 0 ? 3_600_000 : 0));
      const targetMinutes = [5, 30, 60, 240, 480, 2880][i % 6]!;
      const clock = i % 5 === 0 ? "calendar" : "business";
      list.push({ openedAt, targetMinutes, clock, calendar: clock === "business" ? calendars[i % calendars.length]! : null });
    }
    const got = judgeOpenAt(list, now);
    const expected = list.map((o) => {
      const ev = evaluateSla({ openedAt: o.openedAt, answeredAt: null, policy: policy(1, { targetMinutes: o.targetMinutes, clock: o.clock }), calendar: o.calendar, now });
      return { breachingNow: ev.breachingNow, atRisk: ev.atRisk };
    });
    expect(got).toEqual(expected);
    // The cases are not trivial: each state occurs.
    expect(got.some((j) => j.breachingNow) && got.some((j) => j.atRisk) && got.some((j) => !j.breachingNow && !j.atRisk)).toBe(true);
  });

  it("prepared once, judged at many moments: each moment's judgement is evaluateSla's (the views of one kept open set)", () => {
    // One set of open episodes (both clocks, every calendar) prepared once, as judgedOpenEpisodes keeps it,
    // then judged at moments across a holiday, a DST change and closing times, in no particular order.
    const start = at("2025-03-07T08:00:00-05:00");
    const list: OpenToJudge[] = [];
    for (let i = 0; i < 300; i++) {
      const clock = i % 4 === 0 ? "calendar" : "business";
      list.push({ openedAt: new Date(start.getTime() + ((i * 5_003_000) % (3 * 86_400_000))), targetMinutes: [5, 45, 120, 600][i % 4]!, clock, calendar: clock === "business" ? calendars[i % calendars.length]! : null });
    }
    const prepared = prepareOpenJudgement(list);
    const moments = ["2025-03-10T10:30:00-04:00", "2025-03-08T12:00:00-05:00", "2025-03-09T03:30:00-04:00", "2025-03-07T18:00:00-05:00", "2025-03-12T00:00:00Z", "2025-03-07T07:00:00-05:00"];
    let states = 0;
    for (const m of moments) {
      const now = at(m);
      const { breachingNow, atRisk } = judgePrepared(prepared, now);
      const got = list.map((_, i) => ({ breachingNow: breachingNow[i] === 1, atRisk: atRisk[i] === 1 }));
      const expected = list.map((o) => {
        const ev = evaluateSla({ openedAt: o.openedAt, answeredAt: null, policy: policy(1, { targetMinutes: o.targetMinutes, clock: o.clock }), calendar: o.calendar, now });
        return { breachingNow: ev.breachingNow, atRisk: ev.atRisk };
      });
      expect(got, m).toEqual(expected);
      expect(got, m).toEqual(judgeOpenAt(list, now));
      states += Number(got.some((j) => j.breachingNow)) + Number(got.some((j) => j.atRisk));
    }
    // Not trivial: breaches and at-risk episodes occur at several of the moments.
    expect(states).toBeGreaterThanOrEqual(6);
  });

  it("rejects business time without a calendar, as evaluateSla does; nothing to judge is nothing", () => {
    expect(() => judgeOpenAt([{ openedAt: at("2026-01-12T09:00:00Z"), targetMinutes: 60, clock: "business", calendar: null }], at("2026-01-12T12:00:00Z"))).toThrow();
    expect(judgeOpenAt([], at("2026-01-12T12:00:00Z"))).toEqual([]);
  });
});
