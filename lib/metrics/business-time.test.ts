import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addBusinessMinutes, businessMinutesBetween, businessMinutesUntil, isWorkingInstant } from "./business-time";
import { alwaysOpenCalendar, createCalendar, type BusinessCalendar } from "./calendar";
import { hours, kathmandu, moscowOffice, nyDuty, nyNight, nyOffice } from "./__fixtures__/calendar/calendars";

// Instants are written with the offset the zone really has at that moment, so each expectation can
// be checked by hand: e.g. New York is -05:00 before 2025-03-09 02:00 and -04:00 after.
const at = (iso: string): Date => new Date(iso);
const ruCsv = readFileSync(path.join(import.meta.dirname, "__fixtures__/calendar/ru-production-2025-2026.csv"), "utf8");
const moscow = moscowOffice(ruCsv);
const nyAllDay = alwaysOpenCalendar("America/New_York");
const moscowAllDay = alwaysOpenCalendar("Europe/Moscow");

describe("businessMinutesBetween", () => {
  const cases: Array<[string, BusinessCalendar, string, string, number]> = [
    // New York, spring forward (Sun 2025-03-09 02:00 -> 03:00)
    ["NY weekend across spring-forward: Fri 17-18 + Mon 9-10", nyOffice, "2025-03-07T17:00-05:00", "2025-03-10T10:00-04:00", 120],
    ["NY 9-21 on spring-forward day: change is outside the interval", nyDuty, "2025-03-09T00:00-05:00", "2025-03-10T00:00-04:00", 720],
    ["NY 24h on spring-forward day: the skipped hour never happens", nyAllDay, "2025-03-09T00:00-05:00", "2025-03-10T00:00-04:00", 1380],
    ["NY night desk on spring-forward day: 0-1:30 EST (90) + 3:00-6:00 EDT (180)", nyNight, "2025-03-09T00:00-05:00", "2025-03-10T00:00-04:00", 270],
    ["NY night desk across the jump: 1:30 EST to 3:30 EDT is 3:00-3:30 only", nyNight, "2025-03-09T01:30-05:00", "2025-03-09T03:30-04:00", 30],
    // New York, fall back (Sun 2025-11-02 02:00 -> 01:00)
    ["NY weekend across fall-back: Fri 17-18 + Mon 9-10", nyOffice, "2025-10-31T17:00-04:00", "2025-11-03T10:00-05:00", 120],
    ["NY 9-21 on fall-back day", nyDuty, "2025-11-02T00:00-04:00", "2025-11-03T00:00-05:00", 720],
    ["NY 24h on fall-back day: the repeated hour counts twice", nyAllDay, "2025-11-02T00:00-04:00", "2025-11-03T00:00-05:00", 1500],
    ["NY night desk on fall-back day: 0-1:30 EDT (90) + 1:00-1:30 EST again (30) + 3-6 EST (180)", nyNight, "2025-11-02T00:00-04:00", "2025-11-03T00:00-05:00", 300],
    ["NY night desk: the second 1:00-2:00 (EST) has 1:00-1:30 working", nyNight, "2025-11-02T01:00-05:00", "2025-11-02T02:00-05:00", 30],
    ["NY 24h clock equals real minutes over March 2025", nyAllDay, "2025-03-01T00:00Z", "2025-04-01T00:00Z", 31 * 1440],
    // Moscow: +03:00 all year since 2014-10-26; the EU change on 2025-03-30 must not matter
    ["Moscow weekend across EU spring change: Fri 17-18 + Mon 9-10", moscow, "2025-03-28T17:00+03:00", "2025-03-31T10:00+03:00", 120],
    ["Moscow's last change (2014-10-26, +04 -> +03): a 25-hour day", moscowAllDay, "2014-10-26T00:00+04:00", "2014-10-27T00:00+03:00", 1500],
    // Kathmandu +05:45
    ["Kathmandu: 8:45 to 9:45 local is 45 minutes", kathmandu, "2025-06-02T03:00Z", "2025-06-02T04:00Z", 45],
    ["Kathmandu: a whole working day", kathmandu, "2025-06-02T09:00+05:45", "2025-06-02T18:00+05:45", 540],
    // Holidays and transfers (Russian production calendar fixture)
    ["holiday: Wed 17:30-18:00, Thu 12 Jun + Fri 13 Jun off, weekend, Mon 9:00-9:30", moscow, "2025-06-11T17:30+03:00", "2025-06-16T09:30+03:00", 60],
    ["transferred Saturday 2025-11-01 works like Monday; Nov 3-4 off", moscow, "2025-10-31T17:00+03:00", "2025-11-05T10:00+03:00", 60 + 480 + 60],
    ["New Year break 2026 runs to Jan 11", moscow, "2025-12-30T17:00+03:00", "2026-01-12T10:00+03:00", 60 + 60],
    // Split shift 9-13, 14-18
    ["split shift: 12:30-13:00 + 14:00-14:30", moscow, "2025-06-02T12:30+03:00", "2025-06-02T14:30+03:00", 60],
    ["split shift: inside the lunch break", moscow, "2025-06-02T13:10+03:00", "2025-06-02T13:50+03:00", 0],
    ["start and end outside hours: 7:00-20:00 is the working day", moscow, "2025-06-03T07:00+03:00", "2025-06-03T20:00+03:00", 480],
    ["span across a weekend, both ends outside hours", moscow, "2025-06-06T19:00+03:00", "2025-06-09T08:00+03:00", 0],
    ["fractional: 30 seconds", moscow, "2025-06-02T09:00:30+03:00", "2025-06-02T09:01:00+03:00", 0.5],
    ["end before start", moscow, "2025-06-03T12:00+03:00", "2025-06-03T10:00+03:00", 0],
    ["end equals start", moscow, "2025-06-03T12:00+03:00", "2025-06-03T12:00+03:00", 0],
    // Long spans: the whole production year, 247 working days of 8 h in both years
    ["all of 2025", moscow, "2025-01-01T00:00+03:00", "2026-01-01T00:00+03:00", 247 * 480],
    ["all of 2026", moscow, "2026-01-01T00:00+03:00", "2027-01-01T00:00+03:00", 247 * 480],
  ];
  it.each(cases)("%s", (_name, cal, start, end, expected) => {
    expect(businessMinutesBetween(cal, at(start), at(end))).toBeCloseTo(expected, 9);
  });

  it("is fast on a six-month span (iterates days, not minutes)", () => {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) businessMinutesBetween(nyOffice, at("2025-01-01T00:00Z"), at("2025-07-01T00:00Z"));
    expect((performance.now() - t0) / 20).toBeLessThan(50);
  });

  it("rejects an invalid Date", () => {
    expect(() => businessMinutesBetween(nyOffice, new Date(Number.NaN), at("2025-01-01T00:00Z"))).toThrow(RangeError);
  });
});

describe("addBusinessMinutes", () => {
  const cases: Array<[string, BusinessCalendar, string, number, string]> = [
    ["NY: Fri 17:30 EST + 60 -> Mon 9:30 EDT", nyOffice, "2025-03-07T17:30-05:00", 60, "2025-03-10T09:30-04:00"],
    ["NY: met exactly at closing time stays at closing time", nyOffice, "2025-03-07T17:00-05:00", 60, "2025-03-07T18:00-05:00"],
    ["NY 24h: + 120 across the spring-forward gap is 120 real minutes", nyAllDay, "2025-03-09T01:00-05:00", 120, "2025-03-09T04:00-04:00"],
    ["NY night desk: + 60 from 1:00 EDT on fall-back day ends in the repeated 1:00-1:30", nyNight, "2025-11-02T01:00-04:00", 60, "2025-11-02T01:30-05:00"],
    ["NY night desk: + 30 from 1:30 EST on spring-forward day opens at 3:00 EDT", nyNight, "2025-03-09T01:30-05:00", 30, "2025-03-09T03:30-04:00"],
    ["zero minutes is the start itself, even outside hours", nyOffice, "2025-03-08T12:00-05:00", 0, "2025-03-08T12:00-05:00"],
    ["outside hours: starts counting at the next opening", nyOffice, "2025-03-10T07:00-04:00", 30, "2025-03-10T09:30-04:00"],
    ["split shift: 12:30 + 60 -> 14:30", moscow, "2025-06-02T12:30+03:00", 60, "2025-06-02T14:30+03:00"],
    ["transferred Saturday: Fri 17:00 + 120 -> Sat 10:00", moscow, "2025-10-31T17:00+03:00", 120, "2025-11-01T10:00+03:00"],
    ["holiday start: 2025-01-01 + 30 -> first working day, Jan 9", moscow, "2025-01-01T10:00+03:00", 30, "2025-01-09T09:30+03:00"],
    ["Kathmandu: Fri 17:30 + 60 -> Mon 9:30", kathmandu, "2025-06-06T17:30+05:45", 60, "2025-06-09T09:30+05:45"],
    ["fractional minutes", moscow, "2025-06-02T09:00+03:00", 0.5, "2025-06-02T09:00:30+03:00"],
  ];
  it.each(cases)("%s", (_name, cal, start, minutes, expected) => {
    expect(addBusinessMinutes(cal, at(start), minutes).toISOString()).toBe(at(expected).toISOString());
  });

  it("rejects negative or non-finite minutes", () => {
    expect(() => addBusinessMinutes(nyOffice, at("2025-03-10T12:00Z"), -1)).toThrow(RangeError);
    expect(() => addBusinessMinutes(nyOffice, at("2025-03-10T12:00Z"), Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("stops with an error instead of looping when working time never comes", () => {
    const everyDayOff = Array.from({ length: 366 * 31 }, (_, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
    const cal = createCalendar({ timezone: "UTC", weekly: { 1: [hours("9:00", "10:00")] }, holidays: everyDayOff });
    expect(() => addBusinessMinutes(cal, at("2025-01-01T00:00Z"), 1)).toThrow(/No 1 business minutes within/);
  });
});

describe("isWorkingInstant", () => {
  const cases: Array<[string, BusinessCalendar, string, boolean]> = [
    ["NY Monday after spring-forward, 9:00 EDT", nyOffice, "2025-03-10T13:00Z", true],
    ["NY Monday after spring-forward, 8:59 EDT (a fixed -05:00 offset would call it 7:59)", nyOffice, "2025-03-10T12:59Z", false],
    ["closing minute is not working (half-open)", nyOffice, "2025-03-10T18:00-04:00", false],
    ["last millisecond before closing is working", nyOffice, "2025-03-10T17:59:59.999-04:00", true],
    ["NY night desk: the second 1:15 on fall-back day", nyNight, "2025-11-02T01:15-05:00", true],
    ["NY night desk: the second 1:45 on fall-back day", nyNight, "2025-11-02T01:45-05:00", false],
    ["NY night desk: 3:15 EDT right after the jump", nyNight, "2025-03-09T03:15-04:00", true],
    ["Moscow holiday", moscow, "2025-01-02T10:00+03:00", false],
    ["Moscow transferred Saturday", moscow, "2025-11-01T10:00+03:00", true],
    ["Moscow ordinary Saturday", moscow, "2025-11-08T10:00+03:00", false],
    ["Moscow lunch break", moscow, "2025-06-02T13:30+03:00", false],
    ["Kathmandu 9:00 is 03:15Z", kathmandu, "2025-06-02T03:15Z", true],
    ["Kathmandu 8:59 is 03:14Z", kathmandu, "2025-06-02T03:14Z", false],
  ];
  it.each(cases)("%s", (_name, cal, instant, expected) => {
    expect(isWorkingInstant(cal, at(instant))).toBe(expected);
  });
});

/** mulberry32: a tiny seeded PRNG so a failing property run can be replayed exactly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("properties (seeded random instants)", () => {
  const calendars: Array<[string, BusinessCalendar]> = [
    ["nyOffice", nyOffice],
    ["nyNight", nyNight],
    ["nyAllDay", nyAllDay],
    ["moscow", moscow],
    ["kathmandu", kathmandu],
  ];
  // 2025-01-01 .. 2026-12-31, with every third draw near a New York DST change.
  const dstChanges = [Date.parse("2025-03-09T07:00Z"), Date.parse("2025-11-02T06:00Z"), Date.parse("2026-03-08T07:00Z"), Date.parse("2026-11-01T06:00Z")];
  const randomInstant = (rand: () => number, i: number): Date => {
    if (i % 3 === 0) {
      const change = dstChanges[Math.floor(rand() * dstChanges.length)] ?? 0;
      return new Date(change + Math.round((rand() - 0.5) * 2 * 86_400_000));
    }
    return new Date(Date.parse("2025-01-01T00:00Z") + Math.round(rand() * 730 * 86_400_000));
  };
  const MS = 1 / 60_000; // one millisecond, in minutes: Dates hold whole milliseconds

  it.each(calendars)("%s: addBusinessMinutes inverts businessMinutesBetween", (_name, cal) => {
    const rand = prng(20250309);
    for (let i = 0; i < 300; i++) {
      const start = randomInstant(rand, i);
      const minutes = Math.round(rand() * 5000 * 1000) / 1000;
      const deadline = addBusinessMinutes(cal, start, minutes);
      expect(businessMinutesBetween(cal, start, deadline)).toBeCloseTo(minutes, 4);
      if (minutes > MS) expect(isWorkingInstant(cal, new Date(deadline.getTime() - 1))).toBe(true);

      const end = new Date(start.getTime() + Math.round(rand() * 10 * 86_400_000));
      const between = businessMinutesBetween(cal, start, end);
      const back = addBusinessMinutes(cal, start, between);
      expect(back.getTime()).toBeLessThanOrEqual(end.getTime());
      expect(Math.abs(businessMinutesBetween(cal, start, back) - between)).toBeLessThanOrEqual(MS);

      const mid = new Date(start.getTime() + Math.round(rand() * (end.getTime() - start.getTime())));
      expect(businessMinutesBetween(cal, start, mid) + businessMinutesBetween(cal, mid, end)).toBeCloseTo(between, 6);
    }
  });

  it.each(calendars)("%s: businessMinutesUntil equals businessMinutesBetween for each start, to the millisecond", (_name, cal) => {
    const rand = prng(4242);
    for (let round = 0; round < 20; round++) {
      const end = randomInstant(rand, round);
      // Starts up to 40 days before the end (some after it, some equal, some at piece edges), in any order.
      const starts = Array.from({ length: 60 }, (_, i) =>
        i === 0 ? end : i === 1 ? new Date(end.getTime() + 3_600_000) : i % 7 === 0 ? new Date(Math.floor((end.getTime() - rand() * 40 * 86_400_000) / 3_600_000) * 3_600_000) : new Date(end.getTime() - Math.round(rand() * 40 * 86_400_000)),
      );
      expect(businessMinutesUntil(cal, starts, end)).toEqual(starts.map((s) => businessMinutesBetween(cal, s, end)));
    }
    expect(businessMinutesUntil(cal, [], new Date())).toEqual([]);
  });

  it.each(calendars)("%s: agrees with minute-by-minute sampling of isWorkingInstant", (_name, cal) => {
    // Every boundary (intervals, offsets, Kathmandu's :45) falls on a whole minute, so sampling
    // each minute at its midpoint is an exact, independent oracle for minute-aligned spans.
    const rand = prng(7);
    for (let i = 0; i < 25; i++) {
      const start = Math.floor(randomInstant(rand, i).getTime() / 60_000) * 60_000;
      const end = start + Math.floor(rand() * 36 * 60) * 60_000;
      let sampled = 0;
      for (let t = start; t < end; t += 60_000) if (isWorkingInstant(cal, new Date(t + 30_000))) sampled += 1;
      expect(businessMinutesBetween(cal, new Date(start), new Date(end))).toBe(sampled);
    }
  });
});
