import path from "node:path";
import { readFileSync } from "node:fs";
import { CalendarError, calendarFromRows } from "@/lib/metrics/calendar";
import { formatImportIssues, parseCalendarCsv, parseHolidayIcs } from "@/lib/metrics/calendar-import";
import { formatPath, zodIssues, type ConfigIssue } from "./issues";
import { schoolConfigSchema, weekdaysOf, type CalendarConfig, type SchoolConfig } from "./schema";

/**
 * From a parsed document to the rows it means, checking everything that needs no database: calendar
 * files, overlapping hours, names given twice, policies naming unknown calendars. Pure apart from reading
 * the calendar files, which goes through `readFile` so tests can hand files in.
 */

export interface CalendarRows {
  name: string;
  timezone: string;
  isDefault: boolean;
  intervals: Array<{ weekday: number; startMinute: number; endMinute: number }>;
  days: Array<{ day: string; kind: "holiday" | "workday"; asWeekday: number | null; note: string | null }>;
}

export interface ResolvedConfig {
  config: SchoolConfig;
  calendars: CalendarRows[] | undefined;
}

export interface ResolveOptions {
  /** Calendar file paths are relative to this folder (the config file's). Default: the working directory. */
  baseDir?: string;
  readFile?: (absolutePath: string) => string;
}

export type ResolveResult = { ok: true; value: ResolvedConfig } | { ok: false; issues: ConfigIssue[] };

/** Parses and resolves a config document; `issues` locate every problem by JSON path. */
export function resolveConfig(input: unknown, opts: ResolveOptions = {}): ResolveResult {
  const parsed = schoolConfigSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const config = parsed.data;
  const issues: ConfigIssue[] = [];
  const calendars = config.calendars?.map((c, i) => calendarRows(c, ["calendars", i], opts, issues));

  duplicates(config.calendars?.map((c) => c.name) ?? [], "calendars", "calendar", issues);
  duplicates(config.slaPolicies?.map((p) => p.name) ?? [], "slaPolicies", "policy", issues);
  duplicates(config.channels?.map((c) => `${c.source}/${c.sourceExternalId ?? "*"}/${c.externalId}`) ?? [], "channels", "channel", issues);
  duplicates(config.capacities?.map((c) => c.email.toLowerCase()) ?? [], "capacities", "email", issues);
  const defaults = (config.calendars ?? []).flatMap((c, i) => (c.default ? [i] : []));
  for (const i of defaults.slice(1)) issues.push({ path: formatPath(["calendars", i, "default"]), message: "only one calendar can be the default" });

  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { config, calendars } };
}

function duplicates(keys: readonly string[], section: string, what: string, issues: ConfigIssue[]): void {
  const first = new Map<string, number>();
  keys.forEach((k, i) => {
    const at = first.get(k);
    if (at === undefined) first.set(k, i);
    else issues.push({ path: formatPath([section, i]), message: `${what} ${JSON.stringify(k)} is already given at ${formatPath([section, at])}` });
  });
}

/**
 * Days come from the files in order, then the inline lists; a later entry for the same date replaces an
 * earlier one, so a school can add its own day off on top of the national production calendar.
 */
function calendarRows(c: CalendarConfig, at: Array<string | number>, opts: ResolveOptions, issues: ConfigIssue[]): CalendarRows {
  const days = new Map<string, CalendarRows["days"][number]>();
  c.files.forEach((f, i) => {
    const file = typeof f === "string" ? { path: f } : f;
    const where = formatPath([...at, "files", i]);
    const full = path.resolve(opts.baseDir ?? process.cwd(), file.path);
    let text: string;
    try {
      text = (opts.readFile ?? ((p: string) => readFileSync(p, "utf8")))(full);
    } catch (err) {
      issues.push({ path: where, message: `cannot read ${full}: ${err instanceof Error ? err.message : String(err)}` });
      return;
    }
    const format = "format" in file && file.format ? file.format : file.path.toLowerCase().endsWith(".ics") ? "ics" : "csv";
    const imported = format === "ics" ? parseHolidayIcs(text) : parseCalendarCsv(text);
    if (!imported.ok) {
      issues.push({ path: where, message: `${file.path}:\n${formatImportIssues(imported.errors)}` });
      return;
    }
    for (const d of imported.days) days.set(d.day, { day: d.day, kind: d.kind, asWeekday: d.asWeekday, note: d.note });
  });
  for (const h of c.holidays) {
    const day = typeof h === "string" ? h : h.date;
    days.set(day, { day, kind: "holiday", asWeekday: null, note: typeof h === "string" ? null : (h.note ?? null) });
  }
  for (const w of c.workdays) days.set(w.date, { day: w.date, kind: "workday", asWeekday: w.asWeekday ?? null, note: w.note ?? null });

  const intervals: CalendarRows["intervals"] = [];
  for (const [key, list] of Object.entries(c.weekly)) {
    for (const weekday of weekdaysOf(key) ?? []) for (const iv of list) intervals.push({ weekday, ...iv });
  }
  intervals.sort((a, b) => a.weekday - b.weekday || a.startMinute - b.startMinute);
  const rows: CalendarRows = { name: c.name, timezone: c.timezone, isDefault: c.default, intervals, days: [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1)) };
  try {
    calendarFromRows({ timezone: rows.timezone }, rows.intervals, rows.days);
  } catch (err) {
    if (!(err instanceof CalendarError)) throw err;
    for (const message of err.issues) issues.push({ path: formatPath([...at, "weekly"]), message });
  }
  return rows;
}

/** Checks that need the database's calendar names too (a policy may name a calendar applied earlier). */
export function checkPolicyCalendars(resolved: ResolvedConfig, dbCalendars: ReadonlyArray<{ name: string; isDefault: boolean }>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Set([...dbCalendars.map((c) => c.name), ...(resolved.calendars ?? []).map((c) => c.name)]);
  // The default after this apply: the document's if it names one, else a database default the document leaves alone.
  const listed = new Set((resolved.calendars ?? []).map((c) => c.name));
  const hasDefault = resolved.calendars?.some((c) => c.isDefault) || dbCalendars.some((c) => c.isDefault && !listed.has(c.name));
  resolved.config.slaPolicies?.forEach((p, i) => {
    if (p.calendar !== null && !names.has(p.calendar)) {
      issues.push({ path: formatPath(["slaPolicies", i, "calendar"]), message: `no calendar named ${JSON.stringify(p.calendar)}` });
    }
    if (p.clock === "business" && p.calendar === null && !hasDefault) {
      issues.push({ path: formatPath(["slaPolicies", i, "calendar"]), message: "a business-time policy needs a calendar: name one, or mark a calendar as default" });
    }
  });
  return issues;
}
