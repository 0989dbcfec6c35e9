import { describe, expect, it } from "vitest";
import { alwaysOpenCalendar, CalendarError, calendarFromRows, createCalendar, intervalsOn, isDayKey, type CalendarInput } from "./calendar";
import { hours } from "./__fixtures__/calendar/calendars";

const nine = hours("9:00", "18:00");

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalendarError) return e.issues;
    throw e;
  }
  throw new Error("expected a CalendarError");
}

describe("isDayKey", () => {
  it.each([
    ["2025-01-01", true],
    ["2024-02-29", true],
    ["2025-02-29", false],
    ["2025-13-01", false],
    ["2025-1-1", false],
    ["01.01.2025", false],
    ["2025-01-01T00:00", false],
  ])("%s -> %s", (value, expected) => expect(isDayKey(value)).toBe(expected));
});

describe("createCalendar", () => {
  it("sorts intervals, fills missing weekdays with days off and keeps holidays and transfers", () => {
    const cal = createCalendar({
      timezone: "Europe/Moscow",
      weekly: { 1: [hours("14:00", "18:00"), hours("9:00", "13:00")], 6: [hours("10:00", "24:00")] },
      holidays: ["2025-06-12"],
      workdays: { "2025-11-01": 1 },
    });
    expect(cal.weekly[1]).toEqual([hours("9:00", "13:00"), hours("14:00", "18:00")]);
    expect(cal.weekly[6]).toEqual([{ startMinute: 600, endMinute: 1440 }]);
    expect(cal.weekly[7]).toEqual([]);
    expect([...cal.holidays]).toEqual(["2025-06-12"]);
    expect(cal.workdays.get("2025-11-01")).toBe(1);
  });

  const invalid: Array<[string, CalendarInput, RegExp]> = [
    ["unknown zone", { timezone: "Europe/Atlantis", weekly: { 1: [nine] } }, /unknown IANA time zone/],
    ["fixed offset instead of a zone", { timezone: "+03:00", weekly: { 1: [nine] } }, /unknown IANA time zone/],
    ["end before start", { timezone: "UTC", weekly: { 1: [{ startMinute: 600, endMinute: 540 }] } }, /startMinute must be before endMinute/],
    ["end past midnight", { timezone: "UTC", weekly: { 1: [{ startMinute: 600, endMinute: 1441 }] } }, /endMinute/],
    ["non-integer minute", { timezone: "UTC", weekly: { 1: [{ startMinute: 540.5, endMinute: 600 }] } }, /startMinute/],
    ["overlapping intervals", { timezone: "UTC", weekly: { 2: [hours("9:00", "13:00"), hours("12:00", "18:00")] } }, /weekday 2: intervals 540-780 and 720-1080 overlap/],
    ["no working time at all", { timezone: "UTC", weekly: {} }, /no working intervals/],
    ["impossible holiday date", { timezone: "UTC", weekly: { 1: [nine] }, holidays: ["2025-02-30"] }, /holidays.0: expected a date/],
    ["transfer to weekday 8", { timezone: "UTC", weekly: { 1: [nine] }, workdays: { "2025-11-01": 8 } }, /workdays/],
    ["a day both holiday and workday", { timezone: "UTC", weekly: { 1: [nine] }, holidays: ["2025-11-01"], workdays: { "2025-11-01": 1 } }, /2025-11-01 is both a holiday and a working day/],
  ];
  it.each(invalid)("rejects %s", (_name, input, message) => {
    expect(issuesOf(() => createCalendar(input)).join("\n")).toMatch(message);
  });

  it("lists every problem, not only the first", () => {
    const issues = issuesOf(() =>
      createCalendar({ timezone: "UTC", weekly: { 1: [hours("9:00", "13:00"), hours("12:00", "18:00")], 3: [hours("9:00", "12:00"), hours("11:00", "12:30")] } }),
    );
    expect(issues).toHaveLength(2);
  });
});

describe("calendarFromRows", () => {
  it("builds a calendar from DB-shaped rows", () => {
    const cal = calendarFromRows(
      { timezone: "Asia/Kathmandu" },
      [
        { weekday: 1, startMinute: 840, endMinute: 1080 },
        { weekday: 1, startMinute: 540, endMinute: 780 },
        { weekday: 5, startMinute: 540, endMinute: 1080 },
      ],
      [
        { day: "2025-06-12", kind: "holiday", asWeekday: null, note: "День России" },
        { day: "2025-11-01", kind: "workday", asWeekday: 5, note: null },
        { day: "2025-12-27", kind: "workday", asWeekday: null },
        { day: "2025-05-09", kind: "holiday", asWeekday: 3 },
      ],
    );
    expect(cal.timezone).toBe("Asia/Kathmandu");
    expect(cal.weekly[1]).toEqual([hours("9:00", "13:00"), hours("14:00", "18:00")]);
    expect(cal.workdays.get("2025-11-01")).toBe(5);
    // No as_weekday on a transfer: a full ordinary day, i.e. Monday's hours.
    expect(cal.workdays.get("2025-12-27")).toBe(1);
    // as_weekday on a holiday is meaningless and ignored.
    expect(cal.holidays.has("2025-05-09")).toBe(true);
  });

  it("names every bad row", () => {
    const issues = issuesOf(() =>
      calendarFromRows(
        { timezone: "Moscow" },
        [
          { weekday: 0, startMinute: 540, endMinute: 600 },
          { weekday: 1, startMinute: 600, endMinute: 540 },
        ],
        [{ day: "2025-02-30", kind: "holiday" }],
      ),
    );
    expect(issues).toEqual([
      'timezone "Moscow": unknown IANA time zone',
      expect.stringMatching(/^interval #0: weekday/),
      expect.stringMatching(/^interval #1: startMinute must be before endMinute/),
      expect.stringMatching(/^day #0: day: expected a date/),
      "the weekly schedule has no working intervals",
    ]);
  });
});

describe("intervalsOn", () => {
  const cal = createCalendar({
    timezone: "Europe/Moscow",
    weekly: { 1: [nine], 2: [hours("10:00", "12:00")] },
    holidays: ["2025-06-09"],
    workdays: { "2025-06-14": 2 },
  });
  it.each([
    ["an ordinary Monday", "2025-06-02", 1, [nine]],
    ["a Monday holiday", "2025-06-09", 1, []],
    ["a Saturday worked as a Tuesday", "2025-06-14", 6, [hours("10:00", "12:00")]],
    ["an ordinary Saturday", "2025-06-21", 6, []],
  ] as const)("%s", (_name, day, weekday, expected) => {
    expect(intervalsOn(cal, day, weekday)).toEqual(expected);
  });
});

describe("alwaysOpenCalendar", () => {
  it("is open every minute of every day", () => {
    const cal = alwaysOpenCalendar("Asia/Kathmandu");
    for (const wd of [1, 2, 3, 4, 5, 6, 7] as const) expect(cal.weekly[wd]).toEqual([{ startMinute: 0, endMinute: 1440 }]);
  });
});
