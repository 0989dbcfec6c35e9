import { DateTime } from "luxon";
import type { Shift } from "./shifts";
import { zoneOrThrow } from "./week";

/**
 * Shift plan export as iCalendar (RFC 5545). One VEVENT per shift, times in the school's zone
 * (DTSTART;TZID=…), weekly shifts as RRULE:FREQ=WEEKLY with UNTIL (UTC, inclusive, RFC 5545 §3.3.10)
 * from `repeatUntil`. DTSTAMP is passed in (pure code has no clock). A VTIMEZONE is generated from the
 * tz database for the years the plan spans (open-ended weekly shifts: two more years; clients that
 * know the IANA TZID use their own rules beyond). Lines are folded at 75 octets (§3.1), never inside a
 * UTF-8 character, and end with CRLF.
 */

export interface IcalOptions {
  readonly timezone: string;
  /** DTSTAMP of every event: when the export was made. */
  readonly dtstamp: Date;
  /** Right-hand side of UIDs, e.g. the school's domain. */
  readonly uidDomain?: string;
  readonly calendarName?: string;
}

const CRLF = "\r\n";
const encoder = new TextEncoder();

/** RFC 5545 §3.1 folding: ≤ 75 octets a line; continuation lines start with one space. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > 75) {
      out.push(current);
      current = " ";
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** TEXT escaping (§3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

const utc = (d: Date): string => DateTime.fromJSDate(d, { zone: "utc" }).toFormat("yyyyMMdd'T'HHmmss'Z'");
const localStamp = (d: DateTime): string => d.toFormat("yyyyMMdd'T'HHmmss");

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}${String(abs % 60).padStart(2, "0")}`;
}

/** Offset changes of `tz` within [from, to), found by daily steps and bisection to the minute. */
function transitions(tz: string, from: number, to: number): Array<{ at: number; before: number; after: number }> {
  const zone = zoneOrThrow(tz);
  const out: Array<{ at: number; before: number; after: number }> = [];
  const DAY = 86_400_000;
  for (let t = from; t < to; t += DAY) {
    const a = zone.offset(t);
    const b = zone.offset(t + DAY);
    if (a === b) continue;
    let lo = t;
    let hi = t + DAY;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (zone.offset(mid) === a) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: a, after: b });
  }
  return out;
}

function vtimezone(tz: string, fromYear: number, toYear: number): string[] {
  const start = DateTime.fromObject({ year: fromYear, month: 1, day: 1 }, { zone: tz });
  const end = DateTime.fromObject({ year: toYear + 1, month: 1, day: 1 }, { zone: tz });
  const observance = (at: DateTime, before: number, after: number, wall: DateTime): string[] => {
    const kind = at.isInDST ? "DAYLIGHT" : "STANDARD";
    return [
      `BEGIN:${kind}`,
      `DTSTART:${localStamp(wall)}`,
      `TZOFFSETFROM:${offsetText(before)}`,
      `TZOFFSETTO:${offsetText(after)}`,
      `TZNAME:${escapeText(at.offsetNameShort ?? offsetText(after))}`,
      `END:${kind}`,
    ];
  };
  const lines = ["BEGIN:VTIMEZONE", `TZID:${tz}`, ...observance(start, start.offset, start.offset, start)];
  for (const t of transitions(tz, start.toMillis(), end.toMillis())) {
    const at = DateTime.fromMillis(t.at, { zone: tz });
    // DTSTART of an observance is the local time in the offset *before* the change (§3.6.5).
    const wall = DateTime.fromMillis(t.at + t.before * 60_000, { zone: "utc" });
    lines.push(...observance(at, t.before, t.after, wall));
  }
  lines.push("END:VTIMEZONE");
  return lines;
}

export function shiftsToIcal(shifts: readonly Shift[], opts: IcalOptions): string {
  const tz = opts.timezone;
  zoneOrThrow(tz);
  if (!Number.isFinite(opts.dtstamp.getTime())) throw new RangeError("dtstamp is an invalid Date");
  const domain = opts.uidDomain ?? "staffing.invalid";
  const years = shifts.flatMap((s) => {
    const y = DateTime.fromJSDate(s.startsAt, { zone: tz }).year;
    const last = s.weekly ? (s.repeatUntil ? DateTime.fromJSDate(s.repeatUntil, { zone: tz }).year : y + 2) : DateTime.fromJSDate(s.endsAt, { zone: tz }).year;
    return [y, last];
  });
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//support-quality-dashboard//staffing//EN",
    "CALSCALE:GREGORIAN",
    ...(opts.calendarName ? [`X-WR-CALNAME:${escapeText(opts.calendarName)}`] : []),
    `X-WR-TIMEZONE:${tz}`,
  ];
  if (years.length > 0) lines.push(...vtimezone(tz, Math.min(...years), Math.max(...years)));
  for (const s of shifts) {
    if (s.endsAt.getTime() <= s.startsAt.getTime()) throw new RangeError(`shift ${s.id}: ends at or before it starts`);
    lines.push(
      "BEGIN:VEVENT",
      `UID:${escapeText(`shift-${s.id}@${domain}`)}`,
      `DTSTAMP:${utc(opts.dtstamp)}`,
      `DTSTART;TZID=${tz}:${localStamp(DateTime.fromJSDate(s.startsAt, { zone: tz }))}`,
      `DTEND;TZID=${tz}:${localStamp(DateTime.fromJSDate(s.endsAt, { zone: tz }))}`,
      ...(s.weekly ? [`RRULE:FREQ=WEEKLY${s.repeatUntil ? `;UNTIL=${utc(s.repeatUntil)}` : ""}`] : []),
      `SUMMARY:${escapeText(`${s.role} on duty: ${s.person}`)}`,
      `CATEGORIES:${escapeText(s.role)}`,
      "END:VEVENT",
    );
  }
  lines.push("END:VCALENDAR");
  return lines.map(foldLine).join(CRLF) + CRLF;
}
