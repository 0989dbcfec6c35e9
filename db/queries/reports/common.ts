import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { sharedReads } from "../shared-read";
import { loadCalendars, type ReportCalendars } from "../episodes/context";
import { judgeOpenAt, judgePrepared, prepareOpenJudgement, type OpenToJudge, type PreparedJudgement } from "@/lib/metrics/sla";
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
  const key = `${schoolId}|${tz}|${p === null ? "" : `${p.from}..${p.to}`}|${now.getTime()}`;
  return openFlagsRunning(db, key, () => judgeOpen(db, schoolId, tz, p, now));
}

/** openFlags running per database handle, by school, time zone, period and instant. */
const openFlagsRunning = sharedReads<string, OpenFlags>("__sqdOpenFlagsRunning");

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

type OpenRow = Record<string, unknown>;

/**
 * An open episode as the queue reads it. Kept between polls by id (openEpisodes): an episode row is never
 * changed in place; derivation replaces a changed episode by a new row under a new id (replaceEpisodes, the
 * only writer of episodes), so an id names the same values for as long as it exists.
 */
export interface OpenEpisode {
  id: number;
  openedMs: number;
  /** Microseconds since 1970 (exact: below 2^53 until the year 2255), the queue's order. */
  openedUs: number;
  /** ISO instants as toISOString formats them. */
  openedAt: string;
  lastStudentMessageAt: string;
  messageCount: number;
  priority: string;
  category: string | null;
  channelId: number;
  threadId: number | null;
  studentPersonId: number;
  ownerRole: string | null;
  ownerPersonId: number | null;
  responderPersonId: number | null;
  targetMinutes: number | null;
  clock: string | null;
  policyId: number | null;
}

/**
 * The open episodes each process has read, per database handle and school, by id. A poll reads only the
 * open episodes' ids (index-only) and the values of the ids it has not seen: at 10 M
 * messages ~6 k open episodes were read whole every second a queue page was open, their rows decoded by
 * node-postgres field by field (~12 of the poll's ~60 ms of Node CPU, and the garbage they left; round 24
 * of docs/performance.md). Ids that left the open set are dropped at each read, so a school keeps as many
 * entries as it has open episodes.
 */
const keptHolder = globalThis as unknown as { __sqdOpenEpisodes?: WeakMap<Db, Map<number, KeptOpen>> };
const kept = (keptHolder.__sqdOpenEpisodes ??= new WeakMap());
/**
 * A school's kept open episodes by id, and the last read's list with the ids text it was built from: a
 * read whose ids are that text returns that list as it is (round 26: rebuilding a list and a map of ~6 k
 * episodes per read was ~2.5 ms of Node at 10 M messages, at every poll and every view that judges them).
 */
interface KeptOpen {
  byId: Map<number, OpenEpisode>;
  ids: string | null;
  list: readonly OpenEpisode[];
}
/** Schools kept per handle; past it the handle's schools are read anew (a server serves a few). */
export const KEPT_SCHOOLS = 256;

/** Forget the kept open episodes (tests and benchmarks that time a first read). */
export function forgetOpenEpisodes(db: Db): void {
  kept.delete(db);
}

/**
 * The school's open episodes in queue order (opening instant, then id). Shared between readers: not to be
 * changed. Reads of one handle and school asked while one is running share it, as loadCalendars' do (the
 * team page's load and its rebalancing items each ask at the same moment; round 28).
 */
export function openEpisodes(db: Db, schoolId: number): Promise<readonly OpenEpisode[]> {
  return openRunning(db, schoolId, () => readOpenEpisodes(db, schoolId));
}

const openRunning = sharedReads<number, readonly OpenEpisode[]>("__sqdOpenRunning");

async function readOpenEpisodes(db: Db, schoolId: number): Promise<readonly OpenEpisode[]> {
  let bySchool = kept.get(db);
  if (bySchool === undefined) kept.set(db, (bySchool = new Map()));
  const known = bySchool.get(schoolId);
  let open: OpenEpisode[];
  let idsText: string | null = null;
  if (known === undefined) {
    // Nothing kept (the process's first poll): every open episode read whole in one statement, as before
    // ids were kept (by an id array after the ids, the first poll took ~78 instead of ~65 ms at 10 M).
    open = (await rows<OpenRow>(db, sql`select ${OPEN_COLUMNS} from episodes e where e.school_id = ${schoolId} and e.status = 'open' order by e.opened_at, e.id`)).map(openEpisodeOf);
    // As the ids statement below writes them (bigint as text; ids are far below 2^53).
    idsText = open.map((e) => e.id).join(",");
  } else {
    // The set of open ids in the order the scan gives them (the open index's, which is queue order in
    // practice), not ordered by the aggregate: its sort was ~1 of the statement's ~2.5 ms at 10 M messages
    // (round 27). The same text is the same set, whose queue order is the kept list's; any other text is
    // put in queue order below, so the order the aggregate receives its input never matters.
    const [r] = await rows<{ ids: string | null }>(db, sql`select string_agg(e.id::text, ',') as ids from episodes e where e.school_id = ${schoolId} and e.status = 'open'`);
    idsText = r?.ids ?? "";
    if (idsText === known.ids) return known.list;
    const ids = idsText !== "" ? idsText.split(",").map(Number) : [];
    const missing = ids.filter((id) => !known.byId.has(id));
    const read = new Map<number, OpenEpisode>();
    if (missing.length > 0) {
      const got = await rows<OpenRow>(db, sql`select ${OPEN_COLUMNS} from episodes e where e.school_id = ${schoolId} and e.id = any(${idArray(missing)}) and e.status = 'open'`);
      for (const o of got) read.set(num(o.id), openEpisodeOf(o));
    }
    // An id gone between the two reads (derived anew meanwhile) is left out of this poll; the next reads its
    // successor (and this list is not kept as that text's: the next read builds it again).
    open = [];
    for (const id of ids) {
      const e = known.byId.get(id) ?? read.get(id);
      if (e !== undefined) open.push(e);
    }
    if (open.length !== ids.length) idsText = null;
    open.sort(inQueueOrder);
  }
  if (!bySchool.has(schoolId) && bySchool.size >= KEPT_SCHOOLS) bySchool.clear();
  Object.freeze(open);
  bySchool.set(schoolId, { byId: new Map(open.map((e) => [e.id, e])), ids: idsText, list: open });
  return open;
}

/** `order by e.opened_at, e.id`, to the microsecond PostgreSQL keeps (openedMs has lost it). */
export function inQueueOrder(a: Pick<OpenEpisode, "id" | "openedUs">, b: Pick<OpenEpisode, "id" | "openedUs">): number {
  return a.openedUs - b.openedUs || a.id - b.id;
}

const OPEN_COLUMNS = sql`e.id, to_char(e.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at,
  (extract(epoch from e.opened_at) * 1000000)::bigint as opened_us,
  to_char(e.last_student_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as last_at,
  e.message_count, e.priority::text as priority, e.category::text as category, e.channel_id, e.thread_id, e.student_person_id,
  e.owner_role::text as owner_role, e.owner_person_id, e.responder_person_id, e.target_minutes, e.clock::text as clock, e.policy_id`;

function openEpisodeOf(o: OpenRow): OpenEpisode {
  const openedAt = String(o.opened_at);
  return {
    id: num(o.id),
    openedMs: Date.parse(openedAt),
    openedUs: num(o.opened_us),
    openedAt,
    lastStudentMessageAt: String(o.last_at),
    messageCount: num(o.message_count),
    priority: String(o.priority),
    category: o.category === null ? null : String(o.category),
    channelId: num(o.channel_id),
    threadId: numOrNull(o.thread_id),
    studentPersonId: num(o.student_person_id),
    ownerRole: o.owner_role === null ? null : String(o.owner_role),
    ownerPersonId: numOrNull(o.owner_person_id),
    responderPersonId: numOrNull(o.responder_person_id),
    targetMinutes: numOrNull(o.target_minutes),
    clock: o.clock === null ? null : String(o.clock),
    policyId: numOrNull(o.policy_id),
  };
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
  // The open episodes the process keeps (openEpisodes, ADR 0016), not a statement of their own: ~6 k rows
  // at 10 M messages, read by the SLA page, the KPI cards and the team page at every view. The calendars
  // beside them, not after.
  const [all, bounds, cals] = await Promise.all([
    openEpisodes(db, schoolId),
    p ? periodBoundsMs(db, tz, p) : null,
    loadCalendars(db, schoolId),
  ]);
  const prepared = preparedOpen(all, bounds, withPeople, cals);
  const { breachingNow, atRisk } = judgePrepared(prepared.judgement, now);
  const out: JudgedOpenEpisode[] = new Array<JudgedOpenEpisode>(prepared.ids.length);
  for (let i = 0; i < out.length; i++) out[i] = { id: prepared.ids[i]!, ownerPersonId: prepared.owners[i]!, attributedTo: prepared.attributed[i]!, breachingNow: false, atRisk: false };
  for (let k = 0; k < prepared.judgedAt.length; k++) {
    const e = out[prepared.judgedAt[k]!]!;
    e.breachingNow = breachingNow[k] === 1;
    e.atRisk = atRisk[k] === 1;
  }
  return out;
}

/** judgedOpenEpisodes' selection of the kept open episodes, ready to be judged at any moment. */
interface PreparedOpen {
  calendars: ReportCalendars;
  ids: number[];
  owners: Array<number | null>;
  attributed: Array<number | null>;
  judgement: PreparedJudgement;
  /** For each judged episode (judgement's index), its index in `ids`. */
  judgedAt: Int32Array;
}

/**
 * Prepared selections per kept list of open episodes (openEpisodes returns the same frozen list while the
 * open set is unchanged) and per period and `withPeople`, for the calendars they were prepared with: the
 * selection, each episode's calendar and its opening instant do not depend on the moment judged, only the
 * walk of each calendar up to it does (~6 k episodes at 10 M messages were selected and set up again at
 * every view of the SLA page, the KPI cards and the team page; docs/performance.md, round 28). A new list,
 * or calendars built anew after an edit, prepare again.
 */
const preparedHolder = globalThis as unknown as { __sqdPreparedOpen?: WeakMap<readonly OpenEpisode[], Map<string, PreparedOpen>> };
const preparedByList = (preparedHolder.__sqdPreparedOpen ??= new WeakMap());

function preparedOpen(all: readonly OpenEpisode[], bounds: { from: number; to: number } | null, withPeople: boolean, cals: ReportCalendars): PreparedOpen {
  let byKey = preparedByList.get(all);
  if (byKey === undefined) preparedByList.set(all, (byKey = new Map()));
  const key = `${bounds === null ? "" : `${bounds.from}..${bounds.to}`}|${withPeople ? 1 : 0}`;
  const kept = byKey.get(key);
  if (kept !== undefined && kept.calendars === cals) return kept;
  // One pass, as judgeOpenEpisodes judges them (the policy's calendar, else the school's default; business
  // time without a calendar is not judged), without its list and map of each episode (round 26).
  const { calendars, defaultCalendarId, policyCalendars: policies } = cals;
  const ids: number[] = [];
  const owners: Array<number | null> = [];
  const attributed: Array<number | null> = [];
  const toJudge: OpenToJudge[] = [];
  const judgedAt: number[] = [];
  for (const o of all) {
    if (!(withPeople || o.targetMinutes !== null) || (bounds !== null && !(o.openedMs >= bounds.from && o.openedMs < bounds.to))) continue;
    ids.push(o.id);
    owners.push(withPeople ? o.ownerPersonId : null);
    attributed.push(withPeople ? (o.responderPersonId ?? o.ownerPersonId) : null);
    if (o.targetMinutes === null || (o.clock !== "business" && o.clock !== "calendar")) continue;
    const calendarId = (o.policyId === null ? null : (policies.get(o.policyId) ?? null)) ?? defaultCalendarId;
    const calendar = calendarId !== null ? (calendars.get(calendarId) ?? null) : null;
    if (o.clock === "business" && calendar === null) continue;
    toJudge.push({ openedAt: new Date(o.openedMs), targetMinutes: o.targetMinutes, clock: o.clock, calendar });
    judgedAt.push(ids.length - 1);
  }
  const prepared: PreparedOpen = { calendars: cals, ids, owners, attributed, judgement: prepareOpenJudgement(toJudge), judgedAt: Int32Array.from(judgedAt) };
  // A few periods per school are viewed at a time; past that the list's selections start again.
  if (kept === undefined && byKey.size >= 64) byKey.clear();
  byKey.set(key, prepared);
  return prepared;
}

/**
 * A period's bounds as epoch milliseconds, as `inPeriod` bounds it (its local midnights in `tz`, computed by
 * PostgreSQL so that a day that starts at a DST change starts where SQL's filters start it). The bounds of
 * a period never change, so each is asked once per process (the last few kept).
 */
const boundsMemo = new Map<string, { from: number; to: number }>();
export async function periodBoundsMs(db: Db, tz: string, p: Period): Promise<{ from: number; to: number }> {
  const key = `${tz}|${p.from}|${p.to}`;
  const kept = boundsMemo.get(key);
  if (kept !== undefined) return kept;
  const [r] = await rows<{ f: unknown; t: unknown }>(
    db,
    sql`select ${epochMs(sql`(${p.from}::date)::timestamp at time zone ${tz}`)} as f, ${epochMs(sql`(${p.to}::date)::timestamp at time zone ${tz}`)} as t`,
  );
  const out = { from: num(r?.f), to: num(r?.t) };
  if (boundsMemo.size >= 256) boundsMemo.clear();
  boundsMemo.set(key, out);
  return out;
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
