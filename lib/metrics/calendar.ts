import { IANAZone } from "luxon";
import { z } from "zod";

/**
 * A school's working calendar (METRICS.md "Response time and SLA"), shaped like the tables in
 * db/schema/sla.ts: `calendars.timezone`, `calendar_intervals` (weekly hours) and `calendar_days`
 * (holidays and transferred working days). Business-time arithmetic lives in business-time.ts.
 */

export const isoWeekdays = [1, 2, 3, 4, 5, 6, 7] as const;
/** ISO weekday: 1 = Monday … 7 = Sunday (what `calendar_intervals.weekday` stores). */
export type IsoWeekday = (typeof isoWeekdays)[number];

/** Local wall-clock minutes from midnight, half-open [startMinute, endMinute); endMinute may be 1440. */
export interface WorkInterval {
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface BusinessCalendar {
  /** IANA zone; the working hours are read off this zone's wall clock. */
  readonly timezone: string;
  /** Sorted, non-overlapping intervals per ISO weekday; an empty list is a day off. */
  readonly weekly: Readonly<Record<IsoWeekday, readonly WorkInterval[]>>;
  /** Local dates 'YYYY-MM-DD' with no working time, whatever their weekday. */
  readonly holidays: ReadonlySet<string>;
  /** Transferred working days: local date -> the weekday whose intervals apply that day. */
  readonly workdays: ReadonlyMap<string, IsoWeekday>;
}

/** A calendar's configuration is wrong; `issues` lists every problem found, not just the first. */
export class CalendarError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid business calendar: ${issues.join("; ")}`);
    this.name = "CalendarError";
  }
}

const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' (rejects 2025-02-30, which a regex alone accepts). */
export function isDayKey(value: string): boolean {
  const m = DAY_KEY.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const dayKeySchema = z.string().refine(isDayKey, { message: "expected a date YYYY-MM-DD" });
export const isoWeekdaySchema = z.number().int().min(1).max(7).transform((n) => n as IsoWeekday);
export const timezoneSchema = z.string().refine((tz) => IANAZone.isValidZone(tz), { message: "unknown IANA time zone" });

export const workIntervalSchema = z
  .object({
    startMinute: z.number().int().min(0).max(1439),
    endMinute: z.number().int().min(1).max(1440),
  })
  .refine((i) => i.startMinute < i.endMinute, { message: "startMinute must be before endMinute" });

const weeklySchema = z.partialRecord(z.enum(["1", "2", "3", "4", "5", "6", "7"]), z.array(workIntervalSchema));

/** The JSON-friendly form of a calendar (settings forms, fixtures, tests). */
export const calendarInputSchema = z.object({
  timezone: timezoneSchema,
  weekly: weeklySchema,
  holidays: z.array(dayKeySchema).default([]),
  workdays: z.record(dayKeySchema, isoWeekdaySchema).default({}),
});
export type CalendarInput = z.input<typeof calendarInputSchema>;

/** Rows as drizzle returns them from calendars / calendar_intervals / calendar_days. */
export const calendarIntervalRowSchema = z.object({
  weekday: z.number().int().min(1).max(7),
  startMinute: z.number().int(),
  endMinute: z.number().int(),
});
export type CalendarIntervalRow = z.input<typeof calendarIntervalRowSchema>;

export const calendarDayRowSchema = z.object({
  day: dayKeySchema,
  kind: z.enum(["holiday", "workday"]),
  asWeekday: z.number().int().min(1).max(7).nullable().optional(),
  note: z.string().nullable().optional(),
});
export type CalendarDayRow = z.input<typeof calendarDayRowSchema>;

function issuesOf(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length > 0 ? i.path.join(".") + ": " : ""}${i.message}`);
}

/** Sorts each day's intervals and reports overlaps, which are always a data-entry mistake. */
function normaliseWeekly(byDay: ReadonlyMap<IsoWeekday, WorkInterval[]>, issues: string[]): Record<IsoWeekday, readonly WorkInterval[]> {
  const weekly = {} as Record<IsoWeekday, readonly WorkInterval[]>;
  for (const wd of isoWeekdays) {
    const list = [...(byDay.get(wd) ?? [])].sort((a, b) => a.startMinute - b.startMinute);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1];
      const cur = list[i];
      if (prev && cur && cur.startMinute < prev.endMinute) {
        issues.push(`weekday ${wd}: intervals ${prev.startMinute}-${prev.endMinute} and ${cur.startMinute}-${cur.endMinute} overlap`);
      }
    }
    weekly[wd] = Object.freeze(list.map((i) => Object.freeze({ startMinute: i.startMinute, endMinute: i.endMinute })));
  }
  // Without any weekly hours, "add N business minutes" never ends; such a calendar is a configuration error.
  if (isoWeekdays.every((wd) => weekly[wd].length === 0)) issues.push("the weekly schedule has no working intervals");
  return weekly;
}

function finish(
  timezone: string,
  byDay: ReadonlyMap<IsoWeekday, WorkInterval[]>,
  holidays: Iterable<string>,
  workdays: Iterable<readonly [string, IsoWeekday]>,
  issues: string[],
): BusinessCalendar {
  const weekly = normaliseWeekly(byDay, issues);
  const holidaySet = new Set(holidays);
  const workdayMap = new Map<string, IsoWeekday>();
  for (const [day, wd] of workdays) {
    if (holidaySet.has(day)) issues.push(`${day} is both a holiday and a working day`);
    workdayMap.set(day, wd);
  }
  if (issues.length > 0) throw new CalendarError(issues);
  return Object.freeze({ timezone, weekly: Object.freeze(weekly), holidays: holidaySet, workdays: workdayMap });
}

/** Validates and builds a calendar; throws CalendarError listing every problem. */
export function createCalendar(input: CalendarInput): BusinessCalendar {
  const parsed = calendarInputSchema.safeParse(input);
  if (!parsed.success) throw new CalendarError(issuesOf(parsed.error, ""));
  const byDay = new Map<IsoWeekday, WorkInterval[]>();
  for (const wd of isoWeekdays) byDay.set(wd, parsed.data.weekly[String(wd) as `${IsoWeekday}`] ?? []);
  const workdays = Object.entries(parsed.data.workdays).map(([day, wd]) => [day, wd] as const);
  return finish(parsed.data.timezone, byDay, parsed.data.holidays, workdays, []);
}

/**
 * Builds a calendar from DB rows; throws CalendarError listing every bad row.
 * A transferred working day stored without `as_weekday` works like a Monday: in the production
 * calendars we import, a transferred day is always a full ordinary working day.
 * `as_weekday` on a holiday row means nothing and is ignored, so one stray value cannot take a
 * school's dashboards down; the importers reject it at the door instead.
 */
export function calendarFromRows(
  calendar: { readonly timezone: string },
  intervals: readonly CalendarIntervalRow[],
  days: readonly CalendarDayRow[],
): BusinessCalendar {
  const issues: string[] = [];
  const tz = timezoneSchema.safeParse(calendar.timezone);
  if (!tz.success) issues.push(`timezone ${JSON.stringify(calendar.timezone)}: unknown IANA time zone`);

  const byDay = new Map<IsoWeekday, WorkInterval[]>();
  intervals.forEach((row, i) => {
    const parsed = calendarIntervalRowSchema.safeParse(row);
    const interval = workIntervalSchema.safeParse(row);
    if (!parsed.success) return void issues.push(...issuesOf(parsed.error, `interval #${i}: `));
    if (!interval.success) return void issues.push(...issuesOf(interval.error, `interval #${i}: `));
    const wd = parsed.data.weekday as IsoWeekday;
    byDay.set(wd, [...(byDay.get(wd) ?? []), interval.data]);
  });

  const holidays: string[] = [];
  const workdays: Array<readonly [string, IsoWeekday]> = [];
  days.forEach((row, i) => {
    const parsed = calendarDayRowSchema.safeParse(row);
    if (!parsed.success) return void issues.push(...issuesOf(parsed.error, `day #${i}: `));
    if (parsed.data.kind === "holiday") holidays.push(parsed.data.day);
    else workdays.push([parsed.data.day, (parsed.data.asWeekday ?? 1) as IsoWeekday]);
  });

  return finish(calendar.timezone, byDay, holidays, workdays, issues);
}

/** Every minute of every day: what a `calendar` clock means, expressed as a business calendar. */
export function alwaysOpenCalendar(timezone: string): BusinessCalendar {
  const day = [{ startMinute: 0, endMinute: 1440 }];
  return createCalendar({ timezone, weekly: { 1: day, 2: day, 3: day, 4: day, 5: day, 6: day, 7: day } });
}

/** The intervals that apply on a local date; a holiday wins over its weekday, a transfer borrows another's. */
export function intervalsOn(cal: BusinessCalendar, dayKey: string, weekday: IsoWeekday): readonly WorkInterval[] {
  if (cal.holidays.has(dayKey)) return [];
  return cal.weekly[cal.workdays.get(dayKey) ?? weekday];
}
