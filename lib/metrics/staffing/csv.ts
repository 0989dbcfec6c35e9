import { DateTime } from "luxon";
import Papa from "papaparse";
import { z } from "zod";
import { staffRoles, type Role } from "@/lib/ingest/types";
import type { Shift } from "./shifts";
import { weekStartIn } from "./week";

/**
 * Shifts from CSV. Header (any order, case-insensitive; `,` `;` or tab):
 *   person (or email: an email, a messenger source id or a display name; the caller resolves it),
 *   role, start, end, weekly, repeat_until (optional), id (optional)
 * Times are the school's local wall clock (`timezone`):
 * - start: `2025-03-03 09:00` (a date) or `Mon 09:00` (a weekday of the week `weekStart`);
 * - end: the same forms, or just `21:00` = the start's day, or the next day when not after the start;
 *   a weekday end is the first such day on or after the start's day (so it must be after the start);
 * - weekly: yes/no (also true/false, 1/0, да/нет); empty = yes for a weekday start, no for a date;
 * - repeat_until: a local date (inclusive: an occurrence starting that day counts) or date and time.
 * Every bad row is reported with its line number (1 = header) and all its problems; good rows still load.
 */

export interface CsvOptions {
  readonly timezone: string;
  /** Monday 'YYYY-MM-DD' that weekday-form times refer to. */
  readonly weekStart: string;
}

export interface CsvRowError {
  readonly line: number;
  readonly message: string;
}

export interface ParsedShifts {
  readonly shifts: Shift[];
  /** The file line of each shift (same order), for errors found later (an unknown person). */
  readonly lines: number[];
  readonly errors: CsvRowError[];
}

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
  пн: 1, понедельник: 1, вт: 2, вторник: 2, ср: 3, среда: 3, чт: 4, четверг: 4, пт: 5, пятница: 5, сб: 6, суббота: 6, вс: 7, воскресенье: 7,
};
const YES = new Set(["yes", "y", "true", "1", "да", "д"]);
const NO = new Set(["no", "n", "false", "0", "нет", "н"]);
const TIME = /^(\d{1,2}):(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const emailSchema = z.email();
const roleSchema = z.enum(staffRoles as [Role, ...Role[]]);

type Local = { readonly at: DateTime; readonly form: "date" | "weekday" };

function hm(h: string, m: string): { hour: number; minute: number } | null {
  const hour = Number(h);
  const minute = Number(m);
  return hour <= 23 && minute <= 59 ? { hour, minute } : null;
}

/** Validates the wall-clock time exists (a spring-forward gap does not). */
function exists(at: DateTime, hour: number, minute: number): DateTime | null {
  return at.isValid && at.hour === hour && at.minute === minute ? at : null;
}

function parseLocal(value: string, week: DateTime): Local | null {
  const v = value.trim().toLowerCase();
  const dt = DATE_TIME.exec(v);
  if (dt) {
    const t = hm(dt[2] ?? "", dt[3] ?? "");
    const at = t && DateTime.fromISO(dt[1] ?? "", { zone: week.zone }).set(t);
    return at ? (exists(at, t.hour, t.minute) ? { at, form: "date" } : null) : null;
  }
  const parts = v.split(/\s+/);
  const day = WEEKDAYS[parts[0] ?? ""];
  const tm = TIME.exec(parts[1] ?? "");
  if (parts.length !== 2 || day === undefined || !tm) return null;
  const t = hm(tm[1] ?? "", tm[2] ?? "");
  const at = t && week.plus({ days: day - 1 }).set(t);
  return at && t && exists(at, t.hour, t.minute) ? { at, form: "weekday" } : null;
}

function parseEnd(value: string, start: DateTime, week: DateTime): DateTime | null {
  const tm = TIME.exec(value.trim());
  if (tm) {
    const t = hm(tm[1] ?? "", tm[2] ?? "");
    if (!t) return null;
    const same = start.set(t);
    const at = same > start ? same : start.plus({ days: 1 }).set(t);
    return exists(at, t.hour, t.minute);
  }
  const local = parseLocal(value, week);
  if (!local || local.form === "date") return local?.at ?? null;
  let at = local.at;
  // The first such day on or after the start's day: "Mon 22:00 → Mon 06:00" is an error, not a week.
  while (at < start.startOf("day")) at = at.plus({ weeks: 1 });
  return at;
}

function parseUntil(value: string, week: DateTime): DateTime | null {
  const v = value.trim();
  if (DATE.test(v)) {
    const d = DateTime.fromISO(v, { zone: week.zone });
    return d.isValid ? d.endOf("day") : null;
  }
  const local = parseLocal(v, week);
  return local?.form === "date" ? local.at : null;
}

const COLUMNS = { person: ["person", "email"], role: ["role"], start: ["start", "starts_at"], end: ["end", "ends_at"], weekly: ["weekly", "repeat"], until: ["repeat_until", "until"], id: ["id"] } as const;
type Column = keyof typeof COLUMNS;

function rowToShift(cell: (c: Column) => string, line: number, week: DateTime): Shift | string[] {
  const issues: string[] = [];
  // Emails compare case-insensitively; a source id or a name is kept as written for the caller to resolve.
  const raw = cell("person").trim();
  const person = emailSchema.safeParse(raw.toLowerCase()).success ? raw.toLowerCase() : raw;
  if (person === "") issues.push("person is empty");
  const role = roleSchema.safeParse(cell("role").trim().toLowerCase());
  if (!role.success) issues.push(`role "${cell("role")}" is not one of ${staffRoles.join(", ")}`);
  const start = parseLocal(cell("start"), week);
  if (!start) issues.push(`start "${cell("start")}" is not a local time like "2025-03-03 09:00" or "Mon 09:00" (or does not exist that day)`);
  const end = start ? parseEnd(cell("end"), start.at, week) : null;
  if (start && !end) issues.push(`end "${cell("end")}" is not a local time like "21:00", "Tue 02:00" or "2025-03-03 21:00"`);
  if (start && end && end <= start.at) issues.push("end is not after start");
  if (start && end && end.diff(start.at, "days").days > 7) issues.push("shift is longer than a week");
  const w = cell("weekly").trim().toLowerCase();
  const weekly = w === "" ? start?.form === "weekday" : YES.has(w) ? true : NO.has(w) ? false : null;
  if (weekly === null) issues.push(`weekly "${cell("weekly")}" is not yes or no`);
  const u = cell("until").trim();
  const until = u === "" ? null : parseUntil(u, week);
  if (u !== "" && !until) issues.push(`repeat_until "${u}" is not a date YYYY-MM-DD`);
  if (until && start && until < start.at) issues.push("repeat_until is before start");
  if (issues.length > 0 || !start || !end || !role.success || weekly === null) return issues;
  return {
    id: cell("id").trim() || `line-${line}`,
    person,
    role: role.data,
    startsAt: start.at.toJSDate(),
    endsAt: end.toJSDate(),
    weekly,
    repeatUntil: weekly && until ? until.toJSDate() : null,
  };
}

export function parseShiftsCsv(text: string, opts: CsvOptions): ParsedShifts {
  const week = weekStartIn(opts.weekStart, opts.timezone);
  const src = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const rows: Array<{ line: number; data: string[] }> = [];
  let offset = 0;
  let lines = 1;
  Papa.parse<string[]>(src, {
    newline: "\n",
    delimitersToGuess: [",", ";", "\t"],
    step: (r) => {
      const cursor = r.meta.cursor;
      rows.push({ line: lines, data: r.data });
      for (let i = offset; i < cursor; i++) if (src[i] === "\n") lines += 1;
      offset = cursor;
    },
  });
  const [header, ...body] = rows;
  const names = (header?.data ?? []).map((h) => h.trim().toLowerCase());
  const index = {} as Record<Column, number>;
  const missing: string[] = [];
  for (const [col, aliases] of Object.entries(COLUMNS) as Array<[Column, readonly string[]]>) {
    index[col] = names.findIndex((n) => aliases.includes(n));
    if (index[col] < 0 && col !== "until" && col !== "id" && col !== "weekly") missing.push(aliases[0] ?? col);
  }
  if (missing.length > 0) return { shifts: [], lines: [], errors: [{ line: 1, message: `missing columns: ${missing.join(", ")}` }] };
  const shifts: Shift[] = [];
  const shiftLines: number[] = [];
  const errors: CsvRowError[] = [];
  const ids = new Set<string>();
  for (const row of body) {
    if (row.data.every((c) => c.trim() === "")) continue;
    const result = rowToShift((c) => row.data[index[c]] ?? "", row.line, week);
    if (Array.isArray(result)) errors.push({ line: row.line, message: result.join("; ") });
    else if (ids.has(result.id)) errors.push({ line: row.line, message: `id "${result.id}" repeats an earlier row` });
    else {
      ids.add(result.id);
      shifts.push(result);
      shiftLines.push(row.line);
    }
  }
  return { shifts, lines: shiftLines, errors };
}
