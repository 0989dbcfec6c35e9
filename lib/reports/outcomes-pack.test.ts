import { describe, expect, it } from "vitest";
import type { OutcomeRow } from "../../db/queries/reports/outcomes";
import { outcomeRowsIn, outcomeStartDay, packOutcomeRows, unpackOutcomeRows, withStartDays } from "./outcomes-pack";

const row = (enrollmentId: number, over: Partial<OutcomeRow> = {}): OutcomeRow => ({
  enrollmentId, personId: 100 + enrollmentId, cohortId: 7, cohort: "Поток «7»", tier: "standard", status: "active", enrolledAt: "2026-01-05T09:00:00.000Z", cohortStartsOn: "2026-01-12", endedAt: null,
  episodes: 0, medianResponseMinutes: null, breachedShare: null, staffContacts: 0, ...over,
});

describe("outcomeStartDay: the day outcomeRows selects a period's enrollments by", () => {
  const cases: Array<[string, Partial<OutcomeRow>, string, string | null]> = [
    ["the cohort's start when it has one", { cohortStartsOn: "2026-01-12", enrolledAt: "2025-12-01T00:00:00.000Z" }, "Europe/Moscow", "2026-01-12"],
    ["else the enrolment's local day (Moscow, after local midnight)", { cohortStartsOn: null, enrolledAt: "2026-01-31T22:30:00.000Z" }, "Europe/Moscow", "2026-02-01"],
    ["the same instant in New York (the day before)", { cohortStartsOn: null, enrolledAt: "2026-01-31T22:30:00.000Z" }, "America/New_York", "2026-01-31"],
    ["the night DST begins (Berlin: 23:30 UTC on the 28th is 00:30 CET on the 29th)", { cohortStartsOn: null, enrolledAt: "2026-03-28T23:30:00.000Z" }, "Europe/Berlin", "2026-03-29"],
    ["neither: in no period", { cohortStartsOn: null, enrolledAt: null }, "Europe/Moscow", null],
  ];
  for (const [name, over, tz, day] of cases) it(name, () => expect(outcomeStartDay(row(1, over), tz)).toBe(day));
});

describe("packOutcomeRows / unpackOutcomeRows", () => {
  const rows: OutcomeRow[] = [
    row(1),
    row(2, { tier: "premium", status: "completed", endedAt: "2026-03-29T00:00:00.000Z", episodes: 4, medianResponseMinutes: 12.5, breachedShare: 0.25, staffContacts: 3 }),
    row(3, { cohortId: 8, cohort: "Поток 8", cohortStartsOn: null, enrolledAt: "2026-01-31T22:30:00.000Z", status: "withdrawn" }),
    row(4, { cohortId: 8, cohort: "Поток 8", cohortStartsOn: null, enrolledAt: null }),
    row(5, { medianResponseMinutes: 1 / 3, breachedShare: 2 / 3 }),
  ];
  it("round-trips every field and each row's start day", () => {
    const stored = withStartDays(rows, "Europe/Moscow");
    const back = unpackOutcomeRows(packOutcomeRows(stored));
    expect(back).toEqual(stored);
    expect(back?.startDays).toEqual(["2026-01-12", "2026-01-12", "2026-02-01", null, "2026-01-12"]);
  });
  it("an empty school", () => expect(unpackOutcomeRows(packOutcomeRows({ rows: [], startDays: [] }))).toEqual({ rows: [], startDays: [] }));
  it("a text of another version is no run", () => expect(unpackOutcomeRows(packOutcomeRows(withStartDays(rows, "UTC")).replace('"v":1', '"v":0'))).toBeNull());
  it("a period keeps the rows whose start day is in [from, to), in order", () => {
    const stored = withStartDays(rows, "Europe/Moscow");
    const ids = (from: string, to: string) => outcomeRowsIn(stored, { from, to }).map((r) => r.enrollmentId);
    expect(ids("2026-01-12", "2026-02-01")).toEqual([1, 2, 5]);
    expect(ids("2026-01-13", "2026-02-02")).toEqual([3]);
    expect(ids("2026-02-01", "2026-02-02")).toEqual([3]);
    expect(ids("2025-01-01", "2026-01-12")).toEqual([]);
    expect(ids("0001-01-01", "9999-12-31")).toEqual([1, 2, 3, 5]);
  });
});
