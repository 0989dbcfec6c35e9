import { createHash } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { rows, sql, type Db } from "../../client";
import { sharedReads } from "../shared-read";
import * as t from "../../schema";
import { calendarFromRows, type BusinessCalendar, type CalendarDayRow, type CalendarIntervalRow } from "@/lib/metrics/calendar";
import type { RoleLookup } from "@/lib/metrics/episodes";
import type { SlaPolicy } from "@/lib/metrics/sla";
import type { Role } from "@/lib/ingest/types";

/**
 * Everything a recompute needs about a school besides its messages, loaded once per run: who holds
 * which role (and when), which people are bots, the active SLA policies and the calendars they run on.
 * These tables are small (staff, not students), so holding them in memory is cheap.
 */

/**
 * A person may hold several roles (a team lead who also mentors). One role must speak for them in a
 * message: a bot is a bot; otherwise the operational staff roles come first, in the order of the enum
 * (coordinator, mentor, reviewer, support, team_lead), so a mentoring team lead answers as a mentor and
 * gets the mentor's SLA policy. `student` loses to any staff role (a former student now on staff).
 */
export const ROLE_PRECEDENCE: readonly Role[] = ["bot", "coordinator", "mentor", "reviewer", "support", "team_lead", "student"];

interface RoleSpan {
  role: Role;
  from: number;
  to: number;
}

export interface SchoolContext {
  schoolId: number;
  timezone: string;
  /** The role a person held when they wrote at `at` (validity bounds inclusive of from, exclusive of to). */
  roleAt(personId: number, at: Date): Role | undefined;
  /** The role of a referenced person (reply target, mention): as held at `now`; bots by `people.is_bot`. */
  roleOf: RoleLookup;
  isBotPerson(personId: number): boolean;
  policies: SlaPolicy[];
  policyNames: Map<number, string>;
  calendars: Map<number, BusinessCalendar>;
  defaultCalendarId: number | null;
  /**
   * Everything above that derivation and SLA evaluation read, hashed (with the roles as held at `now`, which
   * references are judged by): a scope checkpoint taken under another fingerprint is not resumed from.
   */
  fingerprint: string;
  /**
   * derivation_inputs.version read before everything above: a batch that reads a larger one knows the
   * context may be older than the marks it is about to clear and reloads it (recompute.ts).
   */
  inputsVersion: number;
}

/** Bump when the derivation or evaluation rules change: stored checkpoints then no longer apply. */
export const DERIVATION_VERSION = 1;

function pick(spans: readonly RoleSpan[] | undefined, at: number): Role | undefined {
  if (!spans) return undefined;
  let best: Role | undefined;
  for (const s of spans) {
    if (at < s.from || at >= s.to) continue;
    if (best === undefined || ROLE_PRECEDENCE.indexOf(s.role) < ROLE_PRECEDENCE.indexOf(best)) best = s.role;
  }
  return best;
}

/** The school's derivation_inputs counter (0 before its first change): see db/schema/messaging.ts. */
export async function readInputsVersion(db: Db, schoolId: number): Promise<number> {
  const [row] = await db.select({ v: t.derivationInputs.version }).from(t.derivationInputs).where(eq(t.derivationInputs.schoolId, schoolId));
  return row?.v ?? 0;
}

export async function loadSchoolContext(db: Db, schoolId: number, now: Date): Promise<SchoolContext> {
  // First: a change committed after this read may or may not be in what follows, and then the context
  // is reloaded needlessly once; one committed before it is in everything below.
  const inputsVersion = await readInputsVersion(db, schoolId);
  const [school] = await db.select({ timezone: t.schools.timezone }).from(t.schools).where(eq(t.schools.id, schoolId));
  if (!school) throw new Error(`no school ${schoolId}`);

  const roleRows = await db
    .select({ personId: t.personRoles.personId, role: t.personRoles.role, validFrom: t.personRoles.validFrom, validTo: t.personRoles.validTo })
    .from(t.personRoles)
    .where(eq(t.personRoles.schoolId, schoolId));
  const spans = new Map<number, RoleSpan[]>();
  for (const r of roleRows) {
    const list = spans.get(r.personId) ?? [];
    list.push({ role: r.role, from: r.validFrom?.getTime() ?? -Infinity, to: r.validTo?.getTime() ?? Infinity });
    spans.set(r.personId, list);
  }
  const bots = new Set(
    (await db.select({ id: t.people.id }).from(t.people).where(and(eq(t.people.schoolId, schoolId), eq(t.people.isBot, true)))).map((p) => p.id),
  );

  const policyRows = await db
    .select()
    .from(t.slaPolicies)
    .where(and(eq(t.slaPolicies.schoolId, schoolId), eq(t.slaPolicies.active, true)))
    .orderBy(asc(t.slaPolicies.id));
  const policies: SlaPolicy[] = policyRows.map((p) => ({
    id: p.id,
    ownerRole: p.ownerRole,
    channelKind: p.channelKind,
    priority: p.priority,
    targetMinutes: p.targetMinutes,
    clock: p.clock,
    calendarId: p.calendarId,
  }));

  const { calendars, defaultCalendarId, rows: calendarRows } = await loadCalendarsWithRows(db, schoolId);
  const nowMs = now.getTime();
  const hash = createHash("sha1");
  hash.update(`v${DERIVATION_VERSION}|${school.timezone}|`);
  const people = [...spans.keys()].sort((a, b) => a - b);
  for (const p of people) {
    const list = [...(spans.get(p) ?? [])].sort((a, b) => a.from - b.from || a.to - b.to || a.role.localeCompare(b.role));
    hash.update(`${p}:${pick(list, nowMs) ?? ""}:${list.map((x) => `${x.role}@${x.from}-${x.to}`).join(",")};`);
  }
  hash.update(`|bots:${[...bots].sort((a, b) => a - b).join(",")}|`);
  hash.update(JSON.stringify(policyRows));
  // Calendar rows come back in no set order: sorted for a stable fingerprint.
  for (const table of calendarRows) hash.update(JSON.stringify(table.map((r) => JSON.stringify(r)).sort()));
  const fingerprint = hash.digest("hex");
  return {
    fingerprint,
    inputsVersion,
    schoolId,
    timezone: school.timezone,
    roleAt: (personId, at) => (bots.has(personId) ? "bot" : pick(spans.get(personId), at.getTime())),
    roleOf: (personId) => (bots.has(personId) ? "bot" : pick(spans.get(personId), nowMs)),
    isBotPerson: (personId) => bots.has(personId),
    policies,
    policyNames: new Map(policyRows.map((p) => [p.id, p.name])),
    calendars,
    defaultCalendarId,
  };
}

/** A school's calendars as reports read them, and each SLA policy's calendar (null: the school's default). */
export interface ReportCalendars {
  calendars: Map<number, BusinessCalendar>;
  defaultCalendarId: number | null;
  /** Read with the calendars at every call: a policy's calendar can change while its episodes stay. */
  policyCalendars: Map<number, number | null>;
}

/**
 * All calendars of a school, built and validated by lib/metrics/calendar. A broken calendar throws
 * (CalendarError lists its problems): config apply validates calendars, so this means hand-edited rows,
 * and computing SLAs on a guessed calendar would be worse than stopping.
 */
export function loadCalendars(db: Db, schoolId: number): Promise<ReportCalendars> {
  // Reads of one handle and school asked while one is running share it, as openFlags' do: the team page's
  // load and its judgement of the open episodes each read them at the same moment (three statements and
  // the calendars built twice per view; docs/performance.md, round 26).
  return calendarsRunning(db, schoolId, () => readCalendars(db, schoolId));
}

const calendarsRunning = sharedReads<number, ReportCalendars>("__sqdCalendarsRunning");

const calendarsHolder = globalThis as unknown as {
  __sqdCalendarsBuilt?: WeakMap<Db, Map<number, { text: string; value: ReportCalendars }>>;
};
const calendarsBuilt = (calendarsHolder.__sqdCalendarsBuilt ??= new WeakMap());
/** Schools whose built calendars a handle keeps; past it they are built anew (a server serves a few). */
const CALENDAR_SCHOOLS = 256;

interface CalendarJson {
  id: number;
  timezone: string;
  isDefault: boolean;
}

/**
 * The school's calendar rows and its policies' calendars as one text, read at every call (an edit shows at
 * the next view), and the calendars built from the last text each handle and school read: the same text
 * returns them as they were built. Four statements and a build per view (its rows validated, its time zone
 * checked) were ~0.7 ms of Node and three round trips on every report view and queue poll at 10 M messages
 * (round 27). The derivation reads the rows themselves (loadCalendarsWithRows): they enter its fingerprint
 * as read.
 */
async function readCalendars(db: Db, schoolId: number): Promise<ReportCalendars> {
  const [r] = await rows<{ t: string }>(
    db,
    sql`select json_build_array(
          (select coalesce(json_agg(json_build_object('id', c.id, 'timezone', c.timezone, 'isDefault', c.is_default) order by c.id), '[]'::json)
           from calendars c where c.school_id = ${schoolId}),
          (select coalesce(json_agg(json_build_object('calendarId', i.calendar_id, 'weekday', i.weekday, 'startMinute', i.start_minute, 'endMinute', i.end_minute) order by i.id), '[]'::json)
           from calendar_intervals i where i.school_id = ${schoolId}),
          (select coalesce(json_agg(json_build_object('calendarId', d.calendar_id, 'day', d.day, 'kind', d.kind, 'asWeekday', d.as_weekday, 'note', d.note) order by d.calendar_id, d.day), '[]'::json)
           from calendar_days d where d.school_id = ${schoolId}),
          (select coalesce(json_agg(json_build_array(p.id, p.calendar_id) order by p.id), '[]'::json)
           from sla_policies p where p.school_id = ${schoolId}))::text as t`,
  );
  const text = r?.t ?? "[[],[],[],[]]";
  let bySchool = calendarsBuilt.get(db);
  if (bySchool === undefined) calendarsBuilt.set(db, (bySchool = new Map()));
  const known = bySchool.get(schoolId);
  if (known !== undefined && known.text === text) return known.value;
  // Our own statement's JSON, in the shape it builds.
  const [cals, intervals, days, policies] = JSON.parse(text) as [
    CalendarJson[],
    Array<CalendarIntervalRow & { calendarId: number }>,
    Array<CalendarDayRow & { calendarId: number }>,
    Array<[number, number | null]>,
  ];
  const value: ReportCalendars = { ...buildCalendars(cals, intervals, days), policyCalendars: new Map(policies) };
  if (!bySchool.has(schoolId) && bySchool.size >= CALENDAR_SCHOOLS) bySchool.clear();
  bySchool.set(schoolId, { text, value });
  return value;
}

/** Each calendar built from its rows (calendarFromRows, which throws for a broken one); the default's id. */
function buildCalendars(
  cals: ReadonlyArray<CalendarJson>,
  intervals: ReadonlyArray<CalendarIntervalRow & { calendarId: number }>,
  days: ReadonlyArray<CalendarDayRow & { calendarId: number }>,
): { calendars: Map<number, BusinessCalendar>; defaultCalendarId: number | null } {
  const calendars = new Map<number, BusinessCalendar>();
  for (const c of cals) {
    calendars.set(
      c.id,
      calendarFromRows(
        c,
        intervals.filter((i) => i.calendarId === c.id),
        days.filter((d) => d.calendarId === c.id),
      ),
    );
  }
  // The lowest id wins if rows say two calendars are default (config apply never writes that).
  return { calendars, defaultCalendarId: cals.find((c) => c.isDefault)?.id ?? null };
}

async function loadCalendarsWithRows(db: Db, schoolId: number): Promise<{ calendars: Map<number, BusinessCalendar>; defaultCalendarId: number | null; rows: ReadonlyArray<readonly unknown[]> }> {
  const cals = await db.select().from(t.calendars).where(eq(t.calendars.schoolId, schoolId)).orderBy(asc(t.calendars.id));
  const intervals = await db.select().from(t.calendarIntervals).where(eq(t.calendarIntervals.schoolId, schoolId));
  const days = await db.select().from(t.calendarDays).where(eq(t.calendarDays.schoolId, schoolId));
  const { calendars, defaultCalendarId } = buildCalendars(cals, intervals, days);
  return { calendars, defaultCalendarId, rows: [cals, intervals, days] };
}
