import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { KEPT_SCHOOLS, episodeGroupKey, inPeriod, labelsFor, num, numOrNull, openFlags, slaFlags, type OpenFlags } from "./common";

/**
 * The episodes behind a figure of the SLA page (a heatmap cell, a group row, the breached list) and one
 * episode with its message timeline. Filters compose as SQL over `e` (episodes), with the same keys the
 * reports group by (common.ts episodeGroupKey), so a drill-down lists exactly the episodes a figure counts.
 */

export interface EpisodeFilter {
  /** The role key (owner role, else the responder's staff role); "none" = episodes with no role key. */
  role?: string;
  /** Cohort id by the report's cohort rule (scope's cohort, else the student's latest enrollment). */
  cohortId?: number;
  channelId?: number;
  /** Source kind (telegram, slack, …). */
  source?: string;
  /** ISO weekday (1 = Monday) and hour the episode opened, in the school's time zone. */
  weekday?: number;
  hour?: number;
  /** A policy id; "none" = episodes no policy matched. */
  policy?: number | "none";
  /** Breached as judged at `now` (answered late, abandoned with a target, open past target). */
  breached?: boolean;
  status?: "open" | "answered" | "resolved_by_bot" | "abandoned";
  /** The staff member an episode counts for on the team page: its responder, else its owner (load.ts). */
  responderId?: number;
}

type Flags = ReturnType<typeof slaFlags>;

/** The filter as one SQL condition over `e` (`true` when empty). Every value is a bound parameter. */
export function filterSql(f: EpisodeFilter, tz: string, flags: Flags): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.role === "none") parts.push(sql`${episodeGroupKey("role")} is null`);
  else if (f.role) parts.push(sql`${episodeGroupKey("role")} = ${f.role}`);
  if (f.cohortId !== undefined) parts.push(sql`${episodeGroupKey("cohort")} = ${String(f.cohortId)}`);
  if (f.channelId !== undefined) parts.push(sql`e.channel_id = ${f.channelId}`);
  if (f.source) parts.push(sql`exists (select 1 from channels fc join sources fs on fs.id = fc.source_id where fc.id = e.channel_id and fs.kind::text = ${f.source})`);
  if (f.weekday !== undefined) parts.push(sql`extract(isodow from e.opened_at at time zone ${tz})::int = ${f.weekday}`);
  if (f.hour !== undefined) parts.push(sql`extract(hour from e.opened_at at time zone ${tz})::int = ${f.hour}`);
  if (f.policy === "none") parts.push(sql`e.policy_id is null`);
  else if (f.policy !== undefined) parts.push(sql`e.policy_id = ${f.policy}`);
  if (f.breached !== undefined) parts.push(f.breached ? flags.breached : sql`not ${flags.breached}`);
  if (f.status) parts.push(sql`e.status::text = ${f.status}`);
  if (f.responderId !== undefined) parts.push(sql`coalesce(e.responder_person_id, e.owner_person_id) = ${f.responderId}`);
  return sql.join(parts, sql` and `);
}

const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export interface EpisodeListRow {
  id: number;
  /** The student's first message: it stays when a changed episode is stored anew with another id (episodeHref). */
  openedMessageId: number;
  openedAt: string;
  answeredAt: string | null;
  status: string;
  kind: string;
  priority: string;
  student: string;
  responder: string | null;
  channel: string;
  channelKind: string;
  source: string;
  role: string | null;
  roleLabel: string;
  policy: string | null;
  targetMinutes: number | null;
  clock: string | null;
  /** In the policy's clock (calendar minutes without a policy), as the reports count them. */
  responseMinutes: number | null;
  breached: boolean;
  breachingNow: boolean;
  atRisk: boolean;
}

export interface EpisodePage {
  total: number;
  rows: EpisodeListRow[];
}

/** Episodes opened in the period that match the filter, newest first, one page. */
export async function episodeList(
  db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, page: { limit: number; offset: number },
  /** The open episodes' flags when the caller judged them already (a page's reads share one judgement). */
  judged?: Promise<OpenFlags>,
  /** How many episodes match, when the caller counts them anyway (the SLA page's breakdown counts the breached). */
  knownTotal?: Promise<number>,
): Promise<EpisodePage> {
  const f = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
  const where = sql`e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, f)}`;
  const [total, found] = await Promise.all([
    knownTotal ?? rows<{ n: unknown }>(db, sql`select count(*)::int as n from episodes e where ${where}`).then(([c]) => num(c?.n ?? 0)),
    rows<Record<string, unknown>>(
    db,
    sql`select e.id, e.opened_message_id, ${iso(sql`e.opened_at`)} as opened_at, ${iso(sql`e.answered_at`)} as answered_at, e.status::text as status, e.kind::text as kind,
          e.priority::text as priority, st.display_name as student, rp.display_name as responder, coalesce(ch.title, ch.external_id) as channel,
          ch.kind::text as channel_kind, src.kind::text as source, ${episodeGroupKey("role")} as role, p.name as policy, e.target_minutes, e.clock::text as clock,
          (case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end) as rm,
          ${f.breached} as breached, ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk
        from episodes e join channels ch on ch.id = e.channel_id join sources src on src.id = ch.source_id
          join people st on st.id = e.student_person_id left join people rp on rp.id = e.responder_person_id
          left join sla_policies p on p.id = e.policy_id
        where ${where}
        order by e.opened_at desc, e.id desc limit ${page.limit} offset ${page.offset}`,
    ),
  ]);
  const labels = await labelsFor(db, schoolId, "role", [...new Set(found.map((r) => (r.role === null ? null : String(r.role))))]);
  return {
    total,
    rows: found.map((r) => {
      const role = r.role === null ? null : String(r.role);
      return {
        id: num(r.id),
        openedMessageId: num(r.opened_message_id),
        openedAt: String(r.opened_at),
        answeredAt: r.answered_at === null ? null : String(r.answered_at),
        status: String(r.status),
        kind: String(r.kind),
        priority: String(r.priority),
        student: String(r.student),
        responder: r.responder === null ? null : String(r.responder),
        channel: String(r.channel),
        channelKind: String(r.channel_kind),
        source: String(r.source),
        role,
        roleLabel: labels.get(role) ?? String(role),
        policy: r.policy === null ? null : String(r.policy),
        targetMinutes: numOrNull(r.target_minutes),
        clock: r.clock === null ? null : String(r.clock),
        responseMinutes: numOrNull(r.rm),
        breached: r.breached === true,
        breachingNow: r.breaching_now === true,
        atRisk: r.at_risk === true,
      };
    }),
  };
}

export interface FilterOptions {
  /** Staff roles, labelled as the school names them. */
  roles: Array<{ key: string; label: string }>;
  sources: string[];
  cohorts: Array<{ id: number; title: string }>;
  /** Group chats, channels and forums (DMs are too many and too personal to list). */
  channels: Array<{ id: number; title: string; source: string }>;
  policies: Array<{ id: number; name: string }>;
}

/**
 * How long a process keeps a school's filter choices (filterOptions): a new channel, cohort or policy, or a
 * role's new label, shows in the filters at most this late, as the queue's channel labels (ADR 0016).
 * Every view of the SLA page, the KPI cards, the episode list and the satisfaction page read them: ~2.5 k
 * rows in five statements at 10 M messages (~3 ms of PostgreSQL and ~4 ms of Node; docs/performance.md,
 * round 26), for choices that change when a chat or a cohort is added.
 */
export const FILTER_OPTIONS_KEEP_MS = 60_000;

const optionsHolder = globalThis as unknown as { __sqdFilterOptions?: WeakMap<Db, Map<number, { readAt: number; options: Promise<FilterOptions> }>> };
const keptOptions = (optionsHolder.__sqdFilterOptions ??= new WeakMap());

/** Forget the filter choices a process keeps for a handle (tests, benchmarks). */
export function forgetFilterOptions(db: Db): void {
  keptOptions.delete(db);
}

/**
 * The filters' choices of a school: those this process read less than FILTER_OPTIONS_KEEP_MS ago (`at`,
 * the process's clock, performance.now()), else read now. Readers share the value and must not change it.
 */
export function filterOptions(db: Db, schoolId: number, at = performance.now()): Promise<FilterOptions> {
  let bySchool = keptOptions.get(db);
  if (bySchool === undefined) keptOptions.set(db, (bySchool = new Map()));
  const kept = bySchool.get(schoolId);
  if (kept !== undefined && at - kept.readAt < FILTER_OPTIONS_KEEP_MS) return kept.options;
  // A process serving more schools than that reads them anew (as the kept open episodes).
  if (!bySchool.has(schoolId) && bySchool.size >= KEPT_SCHOOLS) bySchool.clear();
  const options = readFilterOptions(db, schoolId);
  const mine = { readAt: at, options };
  bySchool.set(schoolId, mine);
  // A failed read is not kept: the next view reads again.
  options.catch(() => {
    if (bySchool.get(schoolId) === mine) bySchool.delete(schoolId);
  });
  return options;
}

async function readFilterOptions(db: Db, schoolId: number): Promise<FilterOptions> {
  const [sources, cohorts, channels, policies] = await Promise.all([
    // Source kinds that have a channel: one probe of the channels' unique key per source (a school has a
    // few), where joining every channel hashed all of them (~69 k at 10 M messages, ~55 ms a page).
    rows<{ kind: string }>(
      db,
      sql`select s.kind::text as kind from sources s
          where s.school_id = ${schoolId} and exists (select 1 from channels c where c.school_id = s.school_id and c.source_id = s.id)
          group by 1 order by 1`,
    ),
    rows<{ id: unknown; title: string }>(db, sql`select id, title from cohorts where school_id = ${schoolId} order by title, id`),
    rows<{ id: unknown; title: string; source: string }>(
      db,
      sql`select c.id, coalesce(c.title, c.external_id) as title, s.kind::text as source from channels c join sources s on s.id = c.source_id
          where c.school_id = ${schoolId} and c.kind <> 'dm' order by 2, 1`,
    ),
    rows<{ id: unknown; name: string }>(db, sql`select id, name from sla_policies where school_id = ${schoolId} order by name, id`),
  ]);
  const roleKeys = ["coordinator", "mentor", "reviewer", "support", "team_lead"];
  const labels = await labelsFor(db, schoolId, "role", roleKeys);
  return {
    roles: roleKeys.map((key) => ({ key, label: labels.get(key) ?? key })),
    sources: sources.map((r) => r.kind),
    cohorts: cohorts.map((r) => ({ id: num(r.id), title: r.title })),
    channels: channels.map((r) => ({ id: num(r.id), title: r.title, source: r.source })),
    policies: policies.map((r) => ({ id: num(r.id), name: r.name })),
  };
}
