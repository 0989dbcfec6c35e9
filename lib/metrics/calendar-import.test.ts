import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { calendarFromRows } from "./calendar";
import { formatImportIssues, parseCalendarCsv, parseHolidayIcs, type CalendarImportResult } from "./calendar-import";

const fixture = (name: string): string => readFileSync(path.join(import.meta.dirname, "__fixtures__/calendar", name), "utf8");

function ok(r: CalendarImportResult) {
  if (!r.ok) throw new Error(`expected success, got:\n${formatImportIssues(r.errors)}`);
  return r;
}
function errors(r: CalendarImportResult): string[] {
  if (r.ok) throw new Error("expected errors");
  return r.errors.map((e) => `line ${e.line}: ${e.message}`);
}

describe("parseCalendarCsv: the Russian production calendar fixture", () => {
  const r = ok(parseCalendarCsv(fixture("ru-production-2025-2026.csv")));

  it("has every holiday and transfer of 2025 and 2026", () => {
    const of = (year: string) => [...r.holidays].filter((d) => d.startsWith(year));
    expect(of("2025")).toEqual([
      "2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07", "2025-01-08",
      "2025-02-23", "2025-03-08", "2025-05-01", "2025-05-02", "2025-05-08", "2025-05-09", "2025-06-12", "2025-06-13",
      "2025-11-03", "2025-11-04", "2025-12-31",
    ]);
    expect(of("2026")).toEqual([
      "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
      "2026-02-23", "2026-03-08", "2026-03-09", "2026-05-01", "2026-05-09", "2026-05-11", "2026-06-12", "2026-11-04", "2026-12-31",
    ]);
    expect([...r.workdays]).toEqual([["2025-11-01", 1]]);
  });

  it("gives rows that load into a calendar as they would from the DB", () => {
    const cal = calendarFromRows({ timezone: "Europe/Moscow" }, [{ weekday: 1, startMinute: 540, endMinute: 1080 }], r.days);
    expect(cal.holidays.size).toBe(37);
    expect(cal.workdays.get("2025-11-01")).toBe(1);
    expect(r.days.find((d) => d.day === "2025-06-12")?.note).toBe("День России");
  });
});

describe("parseCalendarCsv: formats", () => {
  it.each([
    ["headerless, comma", "2025-06-12,holiday,,День России\n2025-11-01,workday,1,\n", 2],
    ["header reordered, semicolons, DD.MM.YYYY, CRLF, BOM", "\uFEFFkind;note;date;as_weekday\r\nholiday;День России;12.06.2025;\r\nworkday;;01.11.2025;1\r\n", 2],
    ["quoted note with a comma, blank lines and comments", '# comment\n\ndate,kind,as_weekday,note\n2025-06-12,holiday,,"День России, выходной"\n', 1],
    ["kind is case-insensitive; note column optional", "date,kind\n2025-06-12,Holiday\n", 1],
  ] as const)("%s", (_name, text, count) => {
    const r = ok(parseCalendarCsv(text));
    expect(r.days).toHaveLength(count);
    expect(r.holidays.has("2025-06-12")).toBe(true);
  });

  it("keeps a quoted note intact", () => {
    const r = ok(parseCalendarCsv('2025-06-12,holiday,,"День России, выходной"\n'));
    expect(r.days[0]?.note).toBe("День России, выходной");
  });

  it("reads a workday's weekday", () => {
    const r = ok(parseCalendarCsv("2025-11-01,workday,5,Суббота как пятница\n2025-12-27,workday\n"));
    expect([...r.workdays]).toEqual([["2025-11-01", 5], ["2025-12-27", null]]);
  });
});

describe("parseCalendarCsv: bad input lists every bad line", () => {
  it("reports each problem with its line number", () => {
    const text = [
      "date,kind,as_weekday,note", // 1
      "2025-06-12,holiday,,ok", // 2
      "2025-02-30,holiday,,", // 3 impossible date
      "2025-06-13,vacation,,", // 4 bad kind
      "2025-11-01,workday,8,", // 5 bad weekday
      "2025-11-02,holiday,1,", // 6 weekday on a holiday
      "2025-06-12,holiday,,again", // 7 duplicate of line 2
      "12/06/2025,holiday,,", // 8 US date
    ].join("\n");
    expect(errors(parseCalendarCsv(text))).toEqual([
      'line 3: bad date "2025-02-30" (expected YYYY-MM-DD or DD.MM.YYYY)',
      'line 4: bad kind "vacation" (expected holiday or workday)',
      'line 5: bad as_weekday "8" (expected 1–7, 1 = Monday)',
      "line 6: as_weekday is only meaningful on a workday",
      "line 7: 2025-06-12 already given on line 2 (holiday)",
      'line 8: bad date "12/06/2025" (expected YYYY-MM-DD or DD.MM.YYYY)',
    ]);
  });

  it("rejects an empty file and a header without a kind column", () => {
    expect(errors(parseCalendarCsv("\n# nothing\n"))).toEqual(["line 1: no calendar rows found"]);
    expect(errors(parseCalendarCsv("date,note\n2025-06-12,x\n"))[0]).toBe("line 1: header has no kind column");
  });

  it("formats issues for the CLI", () => {
    expect(formatImportIssues([{ line: 3, message: "bad" }, { line: 9, message: "worse" }])).toBe("line 3: bad\nline 9: worse");
  });
});

describe("parseHolidayIcs", () => {
  const ics = fixture("holidays-sample.ics");

  it("expands multi-day events (DTEND exclusive), unfolds lines, skips cancelled events and duplicates", () => {
    const r = ok(parseHolidayIcs(ics));
    expect([...r.holidays]).toEqual([
      "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
      "2026-02-23", "2026-03-09", "2026-04-12",
    ]);
    expect(r.workdays.size).toBe(0);
    expect(r.days.find((d) => d.day === "2026-02-23")?.note).toBe("День защитника Отечества");
    expect(r.days.find((d) => d.day === "2026-01-07")?.note).toBe("Новогодние каникулы");
  });

  it("lets the caller drop observances and mark transferred working days", () => {
    const r = ok(
      parseHolidayIcs(ics, {
        classify: (e) => (e.description === "Observance" ? "skip" : e.summary.startsWith("Перенос") ? "workday" : "holiday"),
      }),
    );
    expect(r.holidays.has("2026-04-12")).toBe(false);
    expect(r.holidays.has("2026-02-23")).toBe(true);
    expect([...r.workdays]).toEqual([["2026-03-09", null]]);
  });

  const wrap = (body: string) => `BEGIN:VCALENDAR\nVERSION:2.0\n${body}\nEND:VCALENDAR\n`;
  it.each([
    ["a timed event", "BEGIN:VEVENT\nDTSTART:20260101T000000Z\nEND:VEVENT", "line 4: DTSTART 20260101T000000Z is not an all-day date (expected DTSTART;VALUE=DATE:YYYYMMDD)"],
    ["a recurring event", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nEND:VEVENT", "line 5: recurring events (RRULE) are not supported; list each year's days"],
    ["DTEND not after DTSTART", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105\nDTEND;VALUE=DATE:20260105\nEND:VEVENT", "line 5: DTEND 20260105 is not after DTSTART"],
    ["no DTSTART", "BEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT", "line 3: VEVENT has no DTSTART"],
    ["a bad DURATION", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105\nDURATION:PT8H\nEND:VEVENT", "line 5: DURATION PT8H is not a whole number of days or weeks"],
    ["an unterminated event", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260105", "line 3: VEVENT without END:VEVENT"],
    ["an impossible date", "BEGIN:VEVENT\nDTSTART;VALUE=DATE:20260230\nEND:VEVENT", "line 4: DTSTART 20260230 is not an all-day date (expected DTSTART;VALUE=DATE:YYYYMMDD)"],
  ] as const)("rejects %s", (_name, body, message) => {
    expect(errors(parseHolidayIcs(wrap(body)))).toEqual([message]);
  });

  it("reads DURATION in weeks", () => {
    const r = ok(parseHolidayIcs(wrap("BEGIN:VEVENT\nDTSTART;VALUE=DATE:20261228\nDURATION:P1W\nEND:VEVENT")));
    expect([...r.holidays]).toEqual(["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"]);
  });

  it("rejects text that is not iCalendar", () => {
    expect(errors(parseHolidayIcs("date,kind\n2025-01-01,holiday\n"))).toEqual(["line 1: not an iCalendar file (no BEGIN:VCALENDAR)"]);
  });
});
