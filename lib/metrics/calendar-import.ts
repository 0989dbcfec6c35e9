import Papa from "papaparse";
import { isDayKey, type IsoWeekday } from "./calendar";

/**
 * Importers for holidays and transferred working days, pure (text in, rows out), producing rows
 * shaped like `calendar_days`. Either every line is good and the result has the days, or the result
 * lists every bad line: a half-imported production calendar would silently skew a year of SLAs.
 */

export interface ImportedCalendarDay {
  readonly day: string;
  readonly kind: "holiday" | "workday";
  readonly asWeekday: IsoWeekday | null;
  readonly note: string | null;
}

export interface ImportIssue {
  /** 1-based line number in the given text. */
  readonly line: number;
  readonly message: string;
}

export type CalendarImportResult =
  | {
      readonly ok: true;
      readonly days: readonly ImportedCalendarDay[];
      readonly holidays: ReadonlySet<string>;
      readonly workdays: ReadonlyMap<string, IsoWeekday | null>;
    }
  | { readonly ok: false; readonly errors: readonly ImportIssue[] };

/** One message for logs and the CLI: "line 4: …; line 9: …". */
export function formatImportIssues(errors: readonly ImportIssue[]): string {
  return errors.map((e) => `line ${e.line}: ${e.message}`).join("\n");
}

function result(days: ImportedCalendarDay[], errors: ImportIssue[]): CalendarImportResult {
  if (errors.length > 0) return { ok: false, errors: [...errors].sort((a, b) => a.line - b.line) };
  const sorted = [...days].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  return {
    ok: true,
    days: sorted,
    holidays: new Set(sorted.filter((d) => d.kind === "holiday").map((d) => d.day)),
    workdays: new Map(sorted.filter((d) => d.kind === "workday").map((d) => [d.day, d.asWeekday] as const)),
  };
}

/** Remembers which line gave each date, so a duplicate names both lines. */
class DayCollector {
  readonly days: ImportedCalendarDay[] = [];
  readonly errors: ImportIssue[] = [];
  private readonly seen = new Map<string, { line: number; kind: ImportedCalendarDay["kind"] }>();

  add(line: number, day: ImportedCalendarDay, duplicates: "error" | "keep-first"): void {
    const first = this.seen.get(day.day);
    if (first) {
      if (duplicates === "error" || first.kind !== day.kind) {
        this.errors.push({ line, message: `${day.day} already given on line ${first.line} (${first.kind})` });
      }
      return;
    }
    this.seen.set(day.day, { line, kind: day.kind });
    this.days.push(day);
  }
}

// ---------------------------------------------------------------- CSV

const COLUMN_ALIASES: Record<string, "date" | "kind" | "as_weekday" | "note"> = {
  date: "date", day: "date", дата: "date",
  kind: "kind", type: "kind",
  as_weekday: "as_weekday", asweekday: "as_weekday", weekday: "as_weekday",
  note: "note", comment: "note", description: "note",
};

function parseCsvDate(raw: string): string | null {
  const dotted = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(raw);
  const key = dotted ? `${dotted[3]}-${dotted[2]}-${dotted[1]}` : raw;
  return isDayKey(key) ? key : null;
}

/**
 * A production-calendar CSV: `date,kind,as_weekday,note` where date is YYYY-MM-DD or DD.MM.YYYY,
 * kind is `holiday` or `workday`, as_weekday (1 = Monday … 7 = Sunday) only on workdays.
 * A header row is optional and may reorder columns; `,` or `;` (Russian spreadsheet exports)
 * separate fields; blank lines and lines starting with `#` are skipped. A date given twice is an error.
 */
export function parseCalendarCsv(text: string): CalendarImportResult {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const out = new DayCollector();
  let columns: Array<"date" | "kind" | "as_weekday" | "note" | null> = ["date", "kind", "as_weekday", "note"];
  let delimiter: string | null = null;
  let first = true;

  lines.forEach((rawLine, index) => {
    const line = index + 1;
    if (rawLine.trim() === "" || rawLine.trimStart().startsWith("#")) return;
    delimiter ??= rawLine.includes(";") && !rawLine.includes(",") ? ";" : ",";
    const parsed = Papa.parse<string[]>(rawLine, { delimiter, header: false });
    const cells = (parsed.data[0] ?? []).map((c) => c.trim());
    if (parsed.errors.length > 0) return void out.errors.push({ line, message: parsed.errors.map((e) => e.message).join("; ") });

    if (first) {
      first = false;
      const header = cells.map((c) => COLUMN_ALIASES[c.toLowerCase()] ?? null);
      if (header.includes("date")) {
        if (!header.includes("kind")) out.errors.push({ line, message: "header has no kind column" });
        columns = header;
        return;
      }
    }

    const cell = (name: "date" | "kind" | "as_weekday" | "note"): string => {
      const at = columns.indexOf(name);
      return at < 0 ? "" : (cells[at] ?? "");
    };
    const problems: string[] = [];
    const day = parseCsvDate(cell("date"));
    if (day === null) problems.push(`bad date ${JSON.stringify(cell("date"))} (expected YYYY-MM-DD or DD.MM.YYYY)`);
    const kind = cell("kind").toLowerCase();
    if (kind !== "holiday" && kind !== "workday") problems.push(`bad kind ${JSON.stringify(cell("kind"))} (expected holiday or workday)`);
    const rawWeekday = cell("as_weekday");
    let asWeekday: IsoWeekday | null = null;
    if (rawWeekday !== "") {
      if (!/^[1-7]$/.test(rawWeekday)) problems.push(`bad as_weekday ${JSON.stringify(rawWeekday)} (expected 1–7, 1 = Monday)`);
      else if (kind === "holiday") problems.push("as_weekday is only meaningful on a workday");
      else asWeekday = Number(rawWeekday) as IsoWeekday;
    }
    if (problems.length > 0 || day === null || (kind !== "holiday" && kind !== "workday")) {
      return void out.errors.push({ line, message: problems.join("; ") });
    }
    out.add(line, { day, kind, asWeekday, note: cell("note") || null }, "error");
  });

  if (out.days.length === 0 && out.errors.length === 0) out.errors.push({ line: 1, message: "no calendar rows found" });
  return result(out.days, out.errors);
}

// ---------------------------------------------------------------- iCalendar

export interface IcsHolidayEvent {
  readonly summary: string;
  readonly description: string;
  /** First day, 'YYYY-MM-DD'. */
  readonly start: string;
  /** Day after the last one (DTEND of an all-day event is exclusive). */
  readonly endExclusive: string;
}

export interface IcsImportOptions {
  /**
   * Feeds mix days off with observances ("Cosmonautics Day") and some list transferred working days;
   * say which is which. Default: every event is a holiday.
   */
  readonly classify?: (event: IcsHolidayEvent) => "holiday" | "workday" | "skip";
}

const MAX_EVENT_DAYS = 366;

function unescapeText(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_m, c: string) => (c === "n" || c === "N" ? "\n" : c));
}

function icsDate(value: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const key = m ? `${m[1]}-${m[2]}-${m[3]}` : "";
  return isDayKey(key) ? key : null;
}

function nextDay(day: string, plus = 1): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + plus);
  return d.toISOString().slice(0, 10);
}

/** Unfolds RFC 5545 continuation lines, keeping the line number where each logical line starts. */
function logicalLines(text: string): Array<{ line: number; name: string; params: string[]; value: string }> {
  const out: Array<{ line: number; raw: string }> = [];
  text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).forEach((raw, i) => {
    const last = out[out.length - 1];
    if ((raw.startsWith(" ") || raw.startsWith("\t")) && last) last.raw += raw.slice(1);
    else if (raw.trim() !== "") out.push({ line: i + 1, raw });
  });
  return out.map(({ line, raw }) => {
    // The value starts at the first ':' outside a quoted parameter value.
    let quoted = false;
    let colon = -1;
    for (let i = 0; i < raw.length && colon < 0; i++) {
      if (raw[i] === '"') quoted = !quoted;
      else if (raw[i] === ":" && !quoted) colon = i;
    }
    const head = colon < 0 ? raw : raw.slice(0, colon);
    const [name = "", ...params] = head.split(";");
    return { line, name: name.toUpperCase(), params: params.map((p) => p.toUpperCase()), value: colon < 0 ? "" : raw.slice(colon + 1) };
  });
}

/**
 * Holidays from an iCalendar feed: all-day VEVENTs (DTSTART;VALUE=DATE), several days each when
 * DTEND (exclusive) or DURATION:PnD/PnW says so. Timed events and RRULEs are rejected rather than
 * guessed at; cancelled events are skipped. Overlapping events naming the same day count once.
 */
export function parseHolidayIcs(text: string, options: IcsImportOptions = {}): CalendarImportResult {
  const classify = options.classify ?? (() => "holiday" as const);
  const out = new DayCollector();
  const lines = logicalLines(text);
  if (!lines.some((l) => l.name === "BEGIN" && l.value.trim().toUpperCase() === "VCALENDAR")) {
    return result([], [{ line: 1, message: "not an iCalendar file (no BEGIN:VCALENDAR)" }]);
  }

  let event: Map<string, { line: number; params: string[]; value: string }> | null = null;
  let eventLine = 0;
  let nested = 0; // VALARM and the like inside a VEVENT have their own DESCRIPTION; not the event's.
  for (const l of lines) {
    const value = l.value.trim();
    if (event && l.name === "BEGIN" && value.toUpperCase() !== "VEVENT") nested += 1;
    else if (event && nested > 0) {
      if (l.name === "END") nested -= 1;
    } else if (l.name === "BEGIN" && value.toUpperCase() === "VEVENT") {
      if (event) out.errors.push({ line: eventLine, message: "VEVENT without END:VEVENT" });
      event = new Map();
      eventLine = l.line;
    } else if (l.name === "END" && value.toUpperCase() === "VEVENT") {
      if (event) readEvent(event, eventLine, classify, out);
      event = null;
    } else if (event && !event.has(l.name)) {
      event.set(l.name, { line: l.line, params: l.params, value });
    }
  }
  if (event) out.errors.push({ line: eventLine, message: "VEVENT without END:VEVENT" });
  return result(out.days, out.errors);
}

function readEvent(
  props: ReadonlyMap<string, { line: number; params: string[]; value: string }>,
  eventLine: number,
  classify: NonNullable<IcsImportOptions["classify"]>,
  out: DayCollector,
): void {
  if (props.get("STATUS")?.value.toUpperCase() === "CANCELLED") return;
  const dtstart = props.get("DTSTART");
  if (!dtstart) return void out.errors.push({ line: eventLine, message: "VEVENT has no DTSTART" });
  if (props.has("RRULE")) {
    return void out.errors.push({ line: props.get("RRULE")?.line ?? eventLine, message: "recurring events (RRULE) are not supported; list each year's days" });
  }
  const start = icsDate(dtstart.value);
  if (start === null) {
    return void out.errors.push({ line: dtstart.line, message: `DTSTART ${dtstart.value} is not an all-day date (expected DTSTART;VALUE=DATE:YYYYMMDD)` });
  }

  let endExclusive = nextDay(start);
  const dtend = props.get("DTEND");
  const duration = props.get("DURATION");
  if (dtend) {
    const end = icsDate(dtend.value);
    if (end === null) return void out.errors.push({ line: dtend.line, message: `DTEND ${dtend.value} is not an all-day date` });
    if (end <= start) return void out.errors.push({ line: dtend.line, message: `DTEND ${dtend.value} is not after DTSTART` });
    endExclusive = end;
  } else if (duration) {
    const m = /^P(?:(\d+)W|(\d+)D)$/.exec(duration.value.toUpperCase());
    const days = m ? (m[1] ? Number(m[1]) * 7 : Number(m[2])) : 0;
    if (days < 1) return void out.errors.push({ line: duration.line, message: `DURATION ${duration.value} is not a whole number of days or weeks` });
    endExclusive = nextDay(start, days);
  }
  if (endExclusive > nextDay(start, MAX_EVENT_DAYS)) {
    return void out.errors.push({ line: dtstart.line, message: `event spans more than ${MAX_EVENT_DAYS} days` });
  }

  const summary = unescapeText(props.get("SUMMARY")?.value ?? "");
  const description = unescapeText(props.get("DESCRIPTION")?.value ?? "");
  const kind = classify({ summary, description, start, endExclusive });
  if (kind === "skip") return;
  for (let day = start; day < endExclusive; day = nextDay(day)) {
    out.add(dtstart.line, { day, kind, asWeekday: null, note: summary || null }, "keep-first");
  }
}
