import { z } from "zod";
import { dayKeySchema, timezoneSchema } from "@/lib/metrics/calendar";
import { roles, sourceKinds } from "@/lib/ingest/types";

/**
 * A school's configuration as code (docs/config.md): calendars, SLA policies, channel settings,
 * capacities and role labels, in one JSON document applied by `npm run cli -- config apply`.
 *
 * Sections are independent: a missing section leaves the database as it is. A present `slaPolicies`
 * section is the complete list (policies not in it are deactivated, not deleted: episodes refer to them).
 * In a channel entry an omitted field is left unchanged and `null` clears it, so a config can set the
 * purpose of a chat without knowing its owner.
 */

const DAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const HHMM = /^(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

function minuteOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm);
  if (!m) return null;
  return Number(m[1] ?? m[3]) * 60 + Number(m[2] ?? m[4]);
}

/** "09:00-21:00" → minutes from local midnight, half-open; "24:00" may end a day. */
export const intervalSchema = z.string().transform((s, ctx) => {
  const [a = "", b = "", ...rest] = s.split("-").map((x) => x.trim());
  const start = minuteOf(a);
  const end = minuteOf(b);
  if (rest.length > 0 || start === null || end === null || start >= 1440) {
    ctx.addIssue({ code: "custom", message: `expected "HH:MM-HH:MM" (e.g. "09:00-21:00"), got ${JSON.stringify(s)}` });
    return z.NEVER;
  }
  if (start >= end) {
    ctx.addIssue({ code: "custom", message: `interval ${s} ends before it starts (split a night shift at midnight)` });
    return z.NEVER;
  }
  return { startMinute: start, endMinute: end };
});

/** "mon" → [1]; "mon-fri" → [1..5]; ISO weekdays, 1 = Monday. */
export function weekdaysOf(key: string): number[] | null {
  const [a, b, ...rest] = key.toLowerCase().split("-");
  const from = DAY_NAMES.indexOf(a as (typeof DAY_NAMES)[number]);
  const to = b === undefined ? from : DAY_NAMES.indexOf(b as (typeof DAY_NAMES)[number]);
  if (rest.length > 0 || from < 0 || to < from) return null;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i + 1);
}

const dayKey = z.string().refine((k) => weekdaysOf(k) !== null, { message: 'unknown day: use mon…sun or a range like "mon-fri"' });
const weeklySchema = z.record(dayKey, z.array(intervalSchema)).superRefine((weekly, ctx) => {
  const seen = new Map<number, string>();
  for (const key of Object.keys(weekly)) {
    for (const d of weekdaysOf(key) ?? []) {
      const other = seen.get(d);
      if (other) ctx.addIssue({ code: "custom", path: [key], message: `${DAY_NAMES[d - 1]} is already given by "${other}"` });
      seen.set(d, key);
    }
  }
});

const holidaySchema = z.union([dayKeySchema, z.object({ date: dayKeySchema, note: z.string().optional() }).strict()]);
const workdaySchema = z
  .object({
    date: dayKeySchema,
    /** The weekday whose hours apply (1 = Monday … 7 = Sunday); default Monday, as calendar_days does. */
    asWeekday: z.number().int().min(1).max(7).optional(),
    note: z.string().optional(),
  })
  .strict();
const calendarFileSchema = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), format: z.enum(["csv", "ics"]).optional() }).strict(),
]);

export const calendarConfigSchema = z
  .object({
    name: z.string().min(1),
    timezone: timezoneSchema,
    /** The calendar business policies without one run on; at most one per school. */
    default: z.boolean().default(false),
    weekly: weeklySchema,
    /** Production-calendar files (CSV `date,kind,as_weekday,note` or iCal), relative to the config file. */
    files: z.array(calendarFileSchema).default([]),
    holidays: z.array(holidaySchema).default([]),
    workdays: z.array(workdaySchema).default([]),
  })
  .strict();

const role = z.enum(roles);
export const slaPolicyConfigSchema = z
  .object({
    name: z.string().min(1),
    /** Null or absent fields match anything; the most specific policy wins (docs/metrics.md). */
    ownerRole: role.nullable().default(null),
    channelKind: z.enum(["group", "channel", "forum", "dm"]).nullable().default(null),
    priority: z.enum(["urgent", "normal", "low"]).nullable().default(null),
    targetMinutes: z.number().int().positive(),
    clock: z.enum(["business", "calendar"]),
    /** A calendar name (in this document or already in the database); absent = the default calendar. */
    calendar: z.string().min(1).nullable().default(null),
    active: z.boolean().default(true),
  })
  .strict();

export const channelConfigSchema = z
  .object({
    /** The source kind and the channel's id as the source gives it (Telegram chat id, Slack C…). */
    source: z.enum(sourceKinds),
    externalId: z.string().min(1),
    /** Narrows the match to one workspace / bot when a school has several of the same kind. */
    sourceExternalId: z.string().min(1).optional(),
    purpose: z.enum(["support", "community", "announcements", "ignored"]).optional(),
    ownerRole: role.nullable().optional(),
    /** The one person who owns the channel (Load: their open episodes). */
    ownerEmail: z.email().nullable().optional(),
    cohort: z.string().min(1).nullable().optional(),
    attribution: z.enum(["strict", "fifo"]).optional(),
  })
  .strict();

export const capacityConfigSchema = z
  .object({
    email: z.email(),
    episodesPerHour: z.number().positive().nullable().default(null),
    maxStudents: z.number().int().positive().nullable().default(null),
  })
  .strict();

export const schoolConfigSchema = z
  .object({
    /** Editors' JSON-schema hint; ignored. */
    $schema: z.string().optional(),
    calendars: z.array(calendarConfigSchema).optional(),
    slaPolicies: z.array(slaPolicyConfigSchema).optional(),
    channels: z.array(channelConfigSchema).optional(),
    capacities: z.array(capacityConfigSchema).optional(),
    /** locale → role → label ("ru": { "coordinator": "куратор" }). */
    roleLabels: z.record(z.string().regex(/^[a-z]{2}(?:-[A-Za-z]{2})?$/, "expected a locale like ru or en-GB"), z.partialRecord(role, z.string().min(1))).optional(),
  })
  .strict();

export type SchoolConfigInput = z.input<typeof schoolConfigSchema>;
export type SchoolConfig = z.output<typeof schoolConfigSchema>;
export type CalendarConfig = z.output<typeof calendarConfigSchema>;
export type SlaPolicyConfig = z.output<typeof slaPolicyConfigSchema>;
export type ChannelConfig = z.output<typeof channelConfigSchema>;
export type CapacityConfig = z.output<typeof capacityConfigSchema>;
