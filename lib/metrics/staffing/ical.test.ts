import { describe, expect, it } from "vitest";
import { escapeText, foldLine, shiftsToIcal } from "./ical";
import type { Shift } from "./shifts";

const octets = (s: string): number => new TextEncoder().encode(s).length;
const unfold = (ics: string): string => ics.replace(/\r\n /g, "");

const mentor: Shift = {
  id: "17",
  person: "anna@school.test",
  role: "mentor",
  startsAt: new Date("2025-03-03T06:00:00Z"), // 09:00 Moscow
  endsAt: new Date("2025-03-03T18:00:00Z"),
  weekly: true,
  repeatUntil: new Date("2025-06-30T20:59:59Z"),
};
const once: Shift = { ...mentor, id: "18", weekly: false, repeatUntil: null, person: "boris@school.test", role: "coordinator" };
const dtstamp = new Date("2025-03-01T12:00:00Z");

describe("shiftsToIcal", () => {
  it("writes RFC 5545 events with TZID, RRULE, UID and the given DTSTAMP", () => {
    const ics = shiftsToIcal([mentor, once], { timezone: "Europe/Moscow", dtstamp, uidDomain: "school.test" });
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(ics.split("\r\n").every((l) => !l.includes("\n"))).toBe(true);
    expect(ics).toContain("UID:shift-17@school.test\r\n");
    expect(ics).toContain("DTSTAMP:20250301T120000Z\r\n");
    expect(ics).toContain("DTSTART;TZID=Europe/Moscow:20250303T090000\r\n");
    expect(ics).toContain("DTEND;TZID=Europe/Moscow:20250303T210000\r\n");
    expect(ics).toContain("RRULE:FREQ=WEEKLY;UNTIL=20250630T205959Z\r\n");
    expect(ics.match(/RRULE/g)).toHaveLength(1); // the one-off shift does not repeat
    expect(ics).toContain("SUMMARY:coordinator on duty: boris@school.test\r\n");
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    // Moscow has had no DST since 2014: one observance at +0300.
    expect(ics).toContain("BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\nBEGIN:STANDARD\r\nDTSTART:20250101T000000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n");
  });

  it("describes DST changes in the VTIMEZONE", () => {
    const ics = shiftsToIcal([{ ...mentor, repeatUntil: null }], { timezone: "Europe/Berlin", dtstamp });
    expect(ics).toContain("BEGIN:DAYLIGHT\r\nDTSTART:20250330T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n");
    expect(ics).toContain("BEGIN:STANDARD\r\nDTSTART:20251026T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n");
    expect(ics).toContain("DTSTART;TZID=Europe/Berlin:20250303T070000\r\n");
    expect(ics).toContain("RRULE:FREQ=WEEKLY\r\n");
    expect(ics.match(/BEGIN:DAYLIGHT/g)).toHaveLength(3); // 2025, 2026, 2027
  });

  it("folds long lines at 75 octets without splitting UTF-8 characters", () => {
    const long = { ...mentor, person: "очень-длинное-имя-наставника-для-проверки-переноса@школа.example.test" };
    const ics = shiftsToIcal([long], { timezone: "Europe/Moscow", dtstamp, calendarName: "Дежурства наставников; весна, 2025" });
    for (const line of ics.split("\r\n")) expect(octets(line)).toBeLessThanOrEqual(75);
    const flat = unfold(ics);
    expect(flat).toContain(`SUMMARY:mentor on duty: ${long.person}\r\n`);
    expect(flat).toContain("X-WR-CALNAME:Дежурства наставников\\; весна\\, 2025\r\n");
    expect(ics).not.toContain("\uFFFD");
  });

  it("folding and escaping primitives", () => {
    const line = "X".repeat(200);
    const folded = foldLine(line).split("\r\n");
    expect(folded.map(octets)).toEqual([75, 75, 52]);
    expect(folded.slice(1).every((l) => l.startsWith(" "))).toBe(true);
    expect(foldLine("Ж".repeat(40)).split("\r\n").map(octets)).toEqual([74, 7]);
    expect(escapeText("a;b,c\\d\ne")).toBe("a\\;b\\,c\\\\d\\ne");
  });

  it("an empty plan is a valid empty calendar; a bad time zone throws", () => {
    expect(shiftsToIcal([], { timezone: "Europe/Moscow", dtstamp })).toBe(
      "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//support-quality-dashboard//staffing//EN\r\nCALSCALE:GREGORIAN\r\nX-WR-TIMEZONE:Europe/Moscow\r\nEND:VCALENDAR\r\n",
    );
    expect(() => shiftsToIcal([mentor], { timezone: "Mars/Olympus", dtstamp })).toThrow(/time zone/);
  });
});
