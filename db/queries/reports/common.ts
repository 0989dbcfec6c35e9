import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { loadCalendars } from "../episodes/context";
import { judgeOpenAt } from "@/lib/metrics/sla";
import type { Period } from "@/lib/period";

/**
 * Pieces every report query shares. Periods are local dates of the school's time zone, `to` exclusive
 * (lib/period.ts); the zone is a bound parameter, never interpolated.
 */

export type GroupBy = "role" | "person" | "cohort" | "channel";
export const groupBys: readonly GroupBy[] = ["role", "person", "cohort", "channel"];

/** `col` within the period, cut at local midnights of `tz`. */
export function inPeriod(col: SQL, tz: string, p: Period): SQL {
  return sql`${col} >= (${p.from}::date)::timestamp at time zone ${tz} and ${col} < (${p.to}::date)::timestamp at time zone ${tz}`;
}

/** An instant as epoch milliseconds, truncated as isoTs's `.MS` truncates (a number costs less than text to format and parse). */
export const epochMs = (t: SQL): SQL => sql`round(date_part('epoch', date_trunc('milliseconds', ${t})) * 1000)`;

/** A bigint[] as one bound parameter (a list of ids can be long). */
export function idArray(ids: readonly number[]): SQL {
  return sql`${`{${ids.map((n) => Math.trunc(n)).join(",")}}`}::bigint[]`;
}

/** node-postgres returns bigint and numeric as strings, PGlite as numbers: one place to read them. */
export function num(v: unknown): number {
  return typeof v === "number" ? v : Number(v);
}
export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : num(v);
}

/**
 * Response time in the policy's clock: business minutes for `business` policies, calendar minutes for
 * `calendar` policies and for episodes with no policy (nothing else to count them in).
 */
export const responseMinutes = sql`(case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end)`;

/**
 * The role a person answers as when a report needs one role per person: the same precedence recompute
 * uses (db/queries/episodes/context.ts ROLE_PRECEDENCE, staff roles only).
 */
export function staffRoleOf(personId: SQL): SQL {
  return sql`(select r.role::text from person_roles r where r.school_id = e.school_id and r.person_id = ${personId}
    and r.role in ('coordinator', 'mentor', 'reviewer', 'support', 'team_lead')
    order by array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text) limit 1)`;
}

/**
 * Each staff member's role by the same precedence as staffRoleOf, one row per person: a report that needs
 * the role of many episodes' responders joins this once instead of running staffRoleOf per row.
 */
export function staffRoles(schoolId: number): SQL {
  return sql`select distinct on (r.person_id) r.person_id, r.role::text as role from person_roles r
    where r.school_id = ${schoolId} and r.role in ('coordinator', 'mentor', 'reviewer', 'support', 'team_lead')
    order by r.person_id, array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text)`;
}

/**
 * A student's cohort when the scope has none (DMs): their latest enrollment. Read at report time, so a
 * roster import needs no recompute.
 */
export function studentCohort(schoolId: SQL, personId: SQL): SQL {
  return sql`(select en.cohort_id from enrollments en where en.school_id = ${schoolId} and en.person_id = ${personId}
    order by en.enrolled_at desc nulls last, en.id desc limit 1)`;
}

/** Episode group keys (as text, null = none): who/what an episode is attributed to. */
export function episodeGroupKey(groupBy: GroupBy): SQL {
  switch (groupBy) {
    // The role that owns the answer; in a channel without an owner role, the role of whoever answered.
    case "role":
      return sql`coalesce(e.owner_role::text, ${staffRoleOf(sql`e.responder_person_id`)})`;
    // The responder; an unanswered episode belongs to its owner (DM counterpart or the channel's person).
    case "person":
      return sql`coalesce(e.responder_person_id, e.owner_person_id)::text`;
    case "cohort":
      return sql`coalesce(e.cohort_id, ${studentCohort(sql`e.school_id`, sql`e.student_person_id`)})::text`;
    case "channel":
      return sql`e.channel_id::text`;
  }
}

export interface GroupLabel {
  key: string | null;
  label: string;
}

/** Display labels for group keys: role labels in the school's locale, names, cohort and channel titles. */
export async function labelsFor(db: Db, schoolId: number, groupBy: GroupBy | "week", keys: ReadonlyArray<string | null>): Promise<Map<string | null, string>> {
  const out = new Map<string | null, string>([[null, "—"]]);
  const ids = keys.filter((k): k is string => k !== null);
  if (ids.length === 0) return out;
  if (groupBy === "week") {
    for (const k of ids) out.set(k, k);
    return out;
  }
  const q =
    groupBy === "role"
      ? sql`select r.role as key, coalesce(l.label, r.role) as label from json_array_elements_text(${JSON.stringify(ids)}::json) r(role)
          left join role_labels l on l.school_id = ${schoolId} and l.role::text = r.role and l.locale = (select locale from schools where id = ${schoolId})`
      : groupBy === "person"
        ? sql`select id::text as key, display_name as label from people where school_id = ${schoolId} and id = any(${idArray(ids.map(Number))})`
        : groupBy === "cohort"
          ? sql`select id::text as key, title as label from cohorts where school_id = ${schoolId} and id = any(${idArray(ids.map(Number))})`
          : sql`select c.id::text as key, coalesce(c.title, c.external_id) as label from channels c where c.school_id = ${schoolId} and c.id = any(${idArray(ids.map(Number))})`;
  for (const r of await rows<{ key: string; label: string }>(db, q)) out.set(r.key, r.label);
  for (const k of ids) if (!out.has(k)) out.set(k, k);
  return out;
}

export interface OpenFlags {
  breachingNow: readonly number[];
  atRisk: readonly number[];
}

/**
 * Open episodes judged at `now`, not at the last recompute: "breaching now" and "at risk" need the clock
 * of the episode's policy (business minutes), which SQL cannot count. Open episodes are few (none is
 * older than 7 days once recomputed), so they are evaluated here with lib/metrics/sla and handed back to
 * SQL as id lists. docs/metrics.md proposes deadline columns that would make this a plain comparison.
 *
 * Calls for the same school, period and instant made while one is running share it: the answer is the
 * same by definition. The SLA page renders its two reports with one `now`, and each judged the period's
 * open episodes (~6 k rows, ~10 ms of statement and ~10 ms of Node per read at 10 M messages).
 */
export function openFlags(db: Db, schoolId: number, tz: string, p: Period | null, now: Date): Promise<OpenFlags> {
  let running = openFlagsRunning.get(db);
  if (running === undefined) {
    running = new Map();
    openFlagsRunning.set(db, running);
  }
  const key = `${schoolId}|${tz}|${p === null ? "" : `${p.from}..${p.to}`}|${now.getTime()}`;
  const shared = running.get(key);
  if (shared !== undefined) return shared;
  const own = running;
  const read = judgeOpen(db, schoolId, tz, p, now).finally(() => own.delete(key));
  own.set(key, read);
  return read;
}

/** openFlags running per database handle, by school, time zone, period and instant. */
const openFlagsRunning = new WeakMap<Db, Map<string, Promise<OpenFlags>>>();

async function judgeOpen(db: Db, schoolId: number, tz: string, p: Period | null, now: Date): Promise<OpenFlags> {
  const breachingNow: number[] = [];
  const atRisk: number[] = [];
  for (const e of await judgedOpenEpisodes(db, schoolId, tz, p, now, false)) {
    if (e.breachingNow) breachingNow.push(e.id);
    else if (e.atRisk) atRisk.push(e.id);
  }
  // Shared between callers (above): nobody may change it.
  return Object.freeze({ breachingNow: Object.freeze(breachingNow), atRisk: Object.freeze(atRisk) });
}

/** An open episode judged at an instant, with its owner and the person its breach is attributed to. */
export interface JudgedOpenEpisode {
  id: number;
  /** Read with `withPeople` only; else null. */
  ownerPersonId: number | null;
  /** The responder, else the owner (as every breach is attributed); read with `withPeople` only. */
  attributedTo: number | null;
  breachingNow: boolean;
  atRisk: boolean;
}

/**
 * The open episodes opened in `p` (all of them when null) judged at `now` (judgeOpenEpisodes), openFlags'
 * one read. Without `withPeople`, only those with a target (the only ones that can be flagged); with it,
 * every open episode with its people (the team page counts owned ones without a target too), read once
 * for both its owned counts and its breaches.
 */
export async function judgedOpenEpisodes(db: Db, schoolId: number, tz: string, p: Period | null, now: Date, withPeople: boolean): Promise<JudgedOpenEpisode[]> {
  const open = await rows<{ id: unknown; owner?: unknown; who?: unknown; opened_at: string; target: number | null; clock: "business" | "calendar"; calendar_id: unknown }>(
    db,
    sql`select e.id, ${withPeople ? sql`e.owner_person_id as owner, coalesce(e.responder_person_id, e.owner_person_id) as who,` : sql``}
          to_char(e.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at, e.target_minutes as target, e.clock::text as clock, p.calendar_id
        from episodes e left join sla_policies p on p.id = e.policy_id
        where e.school_id = ${schoolId} and e.status = 'open' ${withPeople ? sql`` : sql`and e.target_minutes is not null`} ${p ? sql`and ${inPeriod(sql`e.opened_at`, tz, p)}` : sql``}`,
  );
  const judged = await judgeOpenEpisodes(
    db,
    schoolId,
    open.flatMap((o) => (o.target === null ? [] : [{ id: num(o.id), openedAt: new Date(o.opened_at), target: o.target, clock: o.clock, calendarId: numOrNull(o.calendar_id) }])),
    now,
  );
  return open.map((o) => {
    const id = num(o.id);
    const j = judged.get(id);
    return { id, ownerPersonId: numOrNull(o.owner ?? null), attributedTo: numOrNull(o.who ?? null), breachingNow: j?.breachingNow === true, atRisk: j?.atRisk === true };
  });
}

/**
 * Unanswered episodes judged at `at` in their policy's clock and calendar (the school's default when the
 * policy names none), by id (lib/metrics/sla judgeOpenAt). Business-time episodes without a calendar are
 * not judged: there is nothing to count them in.
 */
export async function judgeOpenEpisodes(
  db: Db,
  schoolId: number,
  open: ReadonlyArray<{ id: number; openedAt: Date; target: number; clock: "business" | "calendar"; calendarId: number | null }>,
  at: Date,
): Promise<Map<number, { breachingNow: boolean; atRisk: boolean }>> {
  if (open.length === 0) return new Map();
  const { calendars, defaultCalendarId } = await loadCalendars(db, schoolId);
  const list = open.flatMap((o) => {
    const calendarId = o.calendarId ?? defaultCalendarId;
    const calendar = calendarId !== null ? (calendars.get(calendarId) ?? null) : null;
    return o.clock === "business" && calendar === null ? [] : [{ id: o.id, openedAt: o.openedAt, targetMinutes: o.target, clock: o.clock, calendar }];
  });
  const judged = judgeOpenAt(list, at);
  return new Map(list.map((o, i) => [o.id, judged[i] ?? { breachingNow: false, atRisk: false }]));
}

/**
 * SLA columns of each episode at report time, as SQL over `e` (needs the open flags):
 * breached = answered late, abandoned with a target, or open and breaching now;
 * known = has a target and is answered, abandoned, or open past target (METRICS.md: open within target
 * is not yet known; resolved-by-bot episodes are deflections, outside compliance);
 * met = answered within target.
 */
export function slaFlags(f: OpenFlags): { breached: SQL; breachingNow: SQL; atRisk: SQL; known: SQL; met: SQL } {
  const breachingNow = sql`(e.status = 'open' and e.id = any(${idArray(f.breachingNow)}))`;
  return {
    breachingNow,
    atRisk: sql`(e.status = 'open' and e.id = any(${idArray(f.atRisk)}))`,
    breached: sql`(case when e.status = 'open' then ${breachingNow} else e.breached end)`,
    known: sql`(e.target_minutes is not null and (e.status in ('answered', 'abandoned') or ${breachingNow}))`,
    met: sql`(e.target_minutes is not null and e.status = 'answered' and not e.breached)`,
  };
}

/**
 * slaFlags with no open episode judged: open episodes count as neither breaching, at risk, breached nor
 * known, and a statement aggregates `openIdsOf` beside them so that Node adds their flags per group
 * (`countOpen`). The statement then need not wait for the open episodes to be judged: both run at once.
 */
export const unjudgedSlaFlags = slaFlags({ breachingNow: [], atRisk: [] });

/** The ids of a group's open episodes with a target (the only ones openFlags may flag), comma-separated. */
export const openIdsOf = sql`string_agg(e.id::text, ',') filter (where e.status = 'open' and e.target_minutes is not null)`;

/**
 * How many of a group's open episodes (`openIdsOf`, as the statement saw them) are breaching now or at
 * risk. An episode answered after openFlags read it is not open in the statement and is not counted,
 * exactly as when the ids were sent to the statement.
 */
export function countOpen(ids: unknown, f: OpenFlagSets): { breachingNow: number; atRisk: number } {
  let breachingNow = 0;
  let atRisk = 0;
  if (typeof ids === "string" && ids !== "") {
    for (const part of ids.split(",")) {
      const id = Number(part);
      if (f.breachingNow.has(id)) breachingNow++;
      else if (f.atRisk.has(id)) atRisk++;
    }
  }
  return { breachingNow, atRisk };
}

export interface OpenFlagSets {
  breachingNow: ReadonlySet<number>;
  atRisk: ReadonlySet<number>;
}

export const flagSets = (f: OpenFlags): OpenFlagSets => ({ breachingNow: new Set(f.breachingNow), atRisk: new Set(f.atRisk) });

/**
 * A read run without parallel workers (in a transaction of its own, `set local`). For a statement of a
 * page whose other reads run at once on other connections: on a 2-core server, workers only take the
 * cores those reads need and add their own start-up and hand-over (the team page's episodes per person
 * took ~60 ms alone and ~230 ms beside the page's other reads with two workers, docs/performance.md).
 */
export async function serialRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return rows<T>(tx, query);
  });
}

/** Comma-separated float4 texts (`string_agg(real::text, ',')`) as ascending doubles: Math.fround gives back the float4 itself. */
export function sortedFloat4s(text: unknown): Float64Array {
  if (typeof text !== "string" || text === "") return new Float64Array(0);
  const parts = text.split(",");
  const out = new Float64Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = Math.fround(Number(parts[i]));
  return out.sort();
}

/** A typed array's bytes as base64 (native byte order: little-endian on every machine we run). */
function base64Of(view: Float32Array | Float64Array): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64");
}

/** base64 bytes as whole values of `width` bytes, copied into a buffer of their own (a Buffer's offset into its pool need not be aligned). */
function bytesFrom(text: string, width: 4 | 8): ArrayBuffer {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % width !== 0) throw new Error(`stored values are not whole ${width}-byte values`);
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

/** Values that are float4s (`sortedFloat4s`) as the base64 of their float4 bytes, for a stored run's JSON: exact, and about a quarter of their text. */
export const float32Base64 = (values: Float64Array): string => base64Of(Float32Array.from(values));
export const fromFloat32Base64 = (text: string): Float64Array => Float64Array.from(new Float32Array(bytesFrom(text, 4)));

/** Ids (integers below 2^53) as the base64 of their float8 bytes, for a stored run's JSON. */
export const float64Base64 = (values: Float64Array): string => base64Of(values);
export const fromFloat64Base64 = (text: string): Float64Array => new Float64Array(bytesFrom(text, 8));
