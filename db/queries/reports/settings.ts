import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "../../client";
import * as t from "../../schema";
import { listIdentities, type IdentityRow } from "../identities";
import { ratingPolicyOf, type RatingPolicy } from "../../../lib/ratings/policy";

/** Rows the settings page lists; channels and unmapped identities are capped, with their full counts. */
export const CHANNEL_LIMIT = 200;
export const UNMAPPED_LIMIT = 100;

export interface SettingsSource {
  kind: string;
  externalId: string;
  name: string;
  storeGroupText: boolean;
  /** Whether a shared secret is stored; the secret itself never leaves the database layer. */
  secretSet: boolean;
  webhookUrl: string;
  /** The rating-request policy (docs/ratings.md), or why the stored one is unusable. */
  ratings: { ok: true; policy: RatingPolicy } | { ok: false; error: string };
}

export interface SettingsData {
  school: string;
  sources: SettingsSource[];
  calendars: Array<{
    name: string; timezone: string; isDefault: boolean; intervals: Array<{ weekday: number; startMinute: number; endMinute: number }>; holidays: number;
    /** Every holiday and transferred working day, by date: the page lists them and an upload restates them. */
    days: CalendarDayRow[];
  }>;
  policies: Array<{ name: string; ownerRole: string | null; channelKind: string | null; priority: string | null; targetMinutes: number; clock: string; calendar: string | null; active: boolean }>;
  channels: Array<{
    title: string | null; source: string; sourceExternalId: string; externalId: string; kind: string; purpose: string; ownerRole: string | null; owner: string | null;
    ownerEmail: string | null; cohort: string | null; cohortExternalId: string | null; attribution: string;
  }>;
  channelCount: number;
  /** For the channel form's cohort choice: the config document names cohorts by external id. */
  cohorts: Array<{ externalId: string; title: string }>;
  roleLabels: Array<{ role: string; locale: string; label: string }>;
  teams: Array<{ name: string; lead: string | null; members: Array<{ name: string; email: string | null; episodesPerHour: number | null; maxStudents: number | null }> }>;
  unmapped: IdentityRow[];
  unmappedCount: number;
}

export interface CalendarDayRow {
  day: string;
  kind: "holiday" | "workday";
  asWeekday: number | null;
  note: string | null;
}

export function webhookUrl(kind: string, schoolSlug: string, externalId: string): string {
  if (kind === "xapi") return "/api/xapi/statements";
  return `/api/ingest/${encodeURIComponent(kind)}?${new URLSearchParams({ school: schoolSlug, source: externalId }).toString()}`;
}

export async function settingsReport(db: Db, school: { id: number; slug: string }): Promise<SettingsData> {
  const schoolId = school.id;
  const srcRows = await db
    .select({ kind: t.sources.kind, externalId: t.sources.externalId, name: t.sources.name, storeGroupText: t.sources.storeGroupText, settings: t.sources.settings })
    .from(t.sources)
    .where(eq(t.sources.schoolId, schoolId))
    .orderBy(asc(t.sources.kind), asc(t.sources.externalId));
  const sources = srcRows.map((s) => ({
    kind: s.kind,
    externalId: s.externalId,
    name: s.name,
    storeGroupText: s.storeGroupText,
    secretSet: typeof s.settings.secret === "string" && s.settings.secret.length > 0,
    webhookUrl: webhookUrl(s.kind, school.slug, s.externalId),
    ratings: ratingPolicyOf(s.settings),
  }));

  const cals = await db.select({ id: t.calendars.id, name: t.calendars.name, timezone: t.calendars.timezone, isDefault: t.calendars.isDefault }).from(t.calendars).where(eq(t.calendars.schoolId, schoolId)).orderBy(asc(t.calendars.name));
  const intervals = await db
    .select({ calendarId: t.calendarIntervals.calendarId, weekday: t.calendarIntervals.weekday, startMinute: t.calendarIntervals.startMinute, endMinute: t.calendarIntervals.endMinute })
    .from(t.calendarIntervals)
    .where(eq(t.calendarIntervals.schoolId, schoolId))
    .orderBy(asc(t.calendarIntervals.weekday), asc(t.calendarIntervals.startMinute));
  const holidays = await db
    .select({ calendarId: t.calendarDays.calendarId, n: count() })
    .from(t.calendarDays)
    .where(and(eq(t.calendarDays.schoolId, schoolId), eq(t.calendarDays.kind, "holiday")))
    .groupBy(t.calendarDays.calendarId);
  const dayRows = await db
    .select({ calendarId: t.calendarDays.calendarId, day: t.calendarDays.day, kind: t.calendarDays.kind, asWeekday: t.calendarDays.asWeekday, note: t.calendarDays.note })
    .from(t.calendarDays)
    .where(eq(t.calendarDays.schoolId, schoolId))
    .orderBy(asc(t.calendarDays.day));
  const calendars = cals.map((c) => ({
    name: c.name,
    timezone: c.timezone,
    isDefault: c.isDefault,
    intervals: intervals.filter((i) => i.calendarId === c.id).map(({ weekday, startMinute, endMinute }) => ({ weekday, startMinute, endMinute })),
    holidays: Number(holidays.find((h) => h.calendarId === c.id)?.n ?? 0),
    days: dayRows.filter((d) => d.calendarId === c.id).map(({ day, kind, asWeekday, note }) => ({ day: String(day), kind, asWeekday, note })),
  }));
  const calName = new Map(cals.map((c) => [c.id, c.name]));

  const pol = await db.select().from(t.slaPolicies).where(eq(t.slaPolicies.schoolId, schoolId)).orderBy(asc(t.slaPolicies.name));
  const policies = pol.map((p) => ({
    name: p.name, ownerRole: p.ownerRole, channelKind: p.channelKind, priority: p.priority, targetMinutes: p.targetMinutes, clock: p.clock,
    calendar: p.calendarId === null ? null : (calName.get(p.calendarId) ?? null), active: p.active,
  }));

  const [chCount] = await db.select({ n: count() }).from(t.channels).where(eq(t.channels.schoolId, schoolId));
  const ch = await db
    .select({
      title: t.channels.title, source: t.sources.kind, sourceExternalId: t.sources.externalId, externalId: t.channels.externalId, kind: t.channels.kind, purpose: t.channels.purpose,
      ownerRole: t.channels.ownerRole, owner: t.people.displayName, ownerEmail: t.people.email, cohort: t.cohorts.title, cohortExternalId: t.cohorts.externalId, attribution: t.channels.attribution,
    })
    .from(t.channels)
    .innerJoin(t.sources, eq(t.sources.id, t.channels.sourceId))
    .leftJoin(t.people, eq(t.people.id, t.channels.ownerPersonId))
    .leftJoin(t.cohorts, eq(t.cohorts.id, t.channels.cohortId))
    .where(eq(t.channels.schoolId, schoolId))
    .orderBy(asc(t.channels.title), asc(t.channels.id))
    .limit(CHANNEL_LIMIT);

  const cohorts = await db.select({ externalId: t.cohorts.externalId, title: t.cohorts.title }).from(t.cohorts).where(eq(t.cohorts.schoolId, schoolId)).orderBy(asc(t.cohorts.title), asc(t.cohorts.externalId));

  const roleLabels = await db.select({ role: t.roleLabels.role, locale: t.roleLabels.locale, label: t.roleLabels.label }).from(t.roleLabels).where(eq(t.roleLabels.schoolId, schoolId)).orderBy(asc(t.roleLabels.locale), asc(t.roleLabels.role));

  const teamRows = await db
    .select({ id: t.teams.id, name: t.teams.name, lead: t.people.displayName })
    .from(t.teams)
    .leftJoin(t.people, eq(t.people.id, t.teams.leadPersonId))
    .where(eq(t.teams.schoolId, schoolId))
    .orderBy(asc(t.teams.name));
  const members = await db
    .select({ teamId: t.teamMembers.teamId, name: t.people.displayName, email: t.people.email, episodesPerHour: t.staffCapacity.episodesPerHour, maxStudents: t.staffCapacity.maxStudents })
    .from(t.teamMembers)
    .innerJoin(t.people, eq(t.people.id, t.teamMembers.personId))
    .leftJoin(t.staffCapacity, and(eq(t.staffCapacity.schoolId, t.teamMembers.schoolId), eq(t.staffCapacity.personId, t.teamMembers.personId)))
    .where(eq(t.teamMembers.schoolId, schoolId))
    .orderBy(asc(t.people.displayName));
  const teams = teamRows.map((tm) => ({ name: tm.name, lead: tm.lead, members: members.filter((m) => m.teamId === tm.id).map(({ name, email, episodesPerHour, maxStudents }) => ({ name, email, episodesPerHour, maxStudents })) }));

  const allUnmapped = await listIdentities(db, schoolId, { unmapped: true });
  return {
    school: school.slug,
    sources,
    calendars,
    policies,
    channels: ch,
    channelCount: Number(chCount?.n ?? 0),
    cohorts,
    roleLabels,
    teams,
    unmapped: allUnmapped.slice(0, UNMAPPED_LIMIT),
    unmappedCount: allUnmapped.length,
  };
}
