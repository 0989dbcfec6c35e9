import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { episodeGroupKey, inPeriod, labelsFor, num, numOrNull, openFlags, responseMinutes, slaFlags } from "./common";
import { LOW_CONFIDENCE_BELOW, type HeatCell, type SlaStats } from "./sla";
import { filterSql, type EpisodeFilter } from "./episode-detail";

/**
 * The SLA page's figures with its filters (role, cohort, channel, source): the same measures as
 * reports/sla.ts (slaSummary, slaHeatmap), which the CLI prints; with no filter they are equal
 * (tests/integration/episode-detail.test.ts checks it).
 */

type Raw = Record<string, unknown>;

function stats(r: Raw): SlaStats {
  const known = num(r.known);
  const met = num(r.met);
  return {
    episodes: num(r.episodes), answered: num(r.answered), open: num(r.open), breachingNow: num(r.breaching_now), atRisk: num(r.at_risk),
    breached: num(r.breached), met, known, compliance: known === 0 ? null : met / known, medianMinutes: numOrNull(r.median), p90Minutes: numOrNull(r.p90),
  };
}

const EMPTY: SlaStats = { episodes: 0, answered: 0, open: 0, breachingNow: 0, atRisk: 0, breached: 0, met: 0, known: 0, compliance: null, medianMinutes: null, p90Minutes: null };

export interface SlaRoleGroup extends SlaStats {
  role: string | null;
  roleLabel: string;
}
export interface SlaPolicyGroup extends SlaRoleGroup {
  policyId: number | null;
  policy: string | null;
  targetMinutes: number | null;
  clock: string | null;
}

export interface SlaBreakdown {
  total: SlaStats;
  byRole: SlaRoleGroup[];
  byPolicy: SlaPolicyGroup[];
}

/** Totals, by role (the CLI's `--group-by role`) and by policy × role, for the filtered episodes. */
export async function slaBreakdown(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date): Promise<SlaBreakdown> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<Raw>(
    db,
    sql`with base as (
          select ${episodeGroupKey("role")} as role, e.policy_id, e.status, ${responseMinutes} as rm,
            ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk, ${f.breached} as breached, ${f.known} as known, ${f.met} as met
          from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, f)})
        select role, policy_id, grouping(role) as no_role, grouping(policy_id) as no_policy, count(*)::int as episodes,
          count(*) filter (where status = 'answered')::int as answered, count(*) filter (where status = 'open')::int as open,
          count(*) filter (where breaching_now)::int as breaching_now, count(*) filter (where at_risk)::int as at_risk,
          count(*) filter (where breached)::int as breached, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known,
          percentile_cont(0.5) within group (order by rm) as median, percentile_cont(0.9) within group (order by rm) as p90
        from base group by grouping sets ((role), (role, policy_id), ())
        order by no_role desc, episodes desc, role, policy_id`,
  );
  const policies = await rows<Raw>(db, sql`select id, name, target_minutes, clock::text as clock from sla_policies where school_id = ${schoolId}`);
  const byId = new Map(policies.map((p) => [num(p.id), p]));
  const roleOf = (r: Raw) => (r.role === null || r.role === undefined ? null : String(r.role));
  const labels = await labelsFor(db, schoolId, "role", [...new Set(found.map(roleOf))]);
  const total = found.find((r) => num(r.no_role) === 1);
  const byRole = found.filter((r) => num(r.no_role) === 0 && num(r.no_policy) === 1).map((r) => ({ role: roleOf(r), roleLabel: labels.get(roleOf(r)) ?? String(roleOf(r)), ...stats(r) }));
  const byPolicy = found
    .filter((r) => num(r.no_role) === 0 && num(r.no_policy) === 0)
    .map((r) => {
      const policyId = numOrNull(r.policy_id);
      const p = policyId === null ? undefined : byId.get(policyId);
      return {
        role: roleOf(r), roleLabel: labels.get(roleOf(r)) ?? String(roleOf(r)), policyId, policy: p ? String(p.name) : null,
        targetMinutes: p ? numOrNull(p.target_minutes) : null, clock: p ? String(p.clock) : null, ...stats(r),
      };
    });
  return { total: total ? stats(total) : EMPTY, byRole, byPolicy };
}

export interface WeekPoint {
  /** Monday of the ISO week, local date. */
  week: string;
  /** Role key ("total" for all roles; "none" for episodes with no role key). */
  role: string;
  episodes: number;
  met: number;
  known: number;
  compliance: number | null;
}

/** Compliance per local ISO week and role (and in total), for the trend chart. */
export async function slaWeekly(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date): Promise<WeekPoint[]> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<Raw>(
    db,
    sql`with base as (
          select to_char(date_trunc('week', e.opened_at at time zone ${tz}), 'YYYY-MM-DD') as week, ${episodeGroupKey("role")} as role, ${f.known} as known, ${f.met} as met
          from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, f)})
        select week, role, grouping(role) as is_total, count(*)::int as episodes, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known
        from base group by grouping sets ((week, role), (week)) order by week, is_total desc, role`,
  );
  return found.map((r) => {
    const known = num(r.known);
    const met = num(r.met);
    return { week: String(r.week), role: num(r.is_total) === 1 ? "total" : r.role === null ? "none" : String(r.role), episodes: num(r.episodes), met, known, compliance: known === 0 ? null : met / known };
  });
}

export interface HeatCellOnShift extends HeatCell {
  /** Mean number of staff on shift at the start of this hour over the period (null: no shifts recorded). */
  staffOnShift: number | null;
}

/** slaHeatmap with the page's filters, and staff on shift when the school records shifts. */
export async function slaHeatmapFiltered(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date): Promise<{ cells: HeatCellOnShift[]; hasShifts: boolean }> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<Raw>(
    db,
    sql`select extract(isodow from e.opened_at at time zone ${tz})::int as dow, extract(hour from e.opened_at at time zone ${tz})::int as hour,
          count(*)::int as opened, percentile_cont(0.5) within group (order by ${responseMinutes}) as median,
          count(*) filter (where ${f.met})::int as met, count(*) filter (where ${f.known})::int as known
        from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, f)}
        group by 1, 2`,
  );
  const onShift = await staffOnShift(db, schoolId, tz, period, filter.role);
  const byCell = new Map(found.map((r) => [`${num(r.dow)}:${num(r.hour)}`, r]));
  const cells: HeatCellOnShift[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const r = byCell.get(`${weekday}:${hour}`);
      const opened = r ? num(r.opened) : 0;
      const met = r ? num(r.met) : 0;
      const known = r ? num(r.known) : 0;
      cells.push({
        weekday, hour, opened, medianMinutes: r ? numOrNull(r.median) : null, met, known, compliance: known === 0 ? null : met / known,
        lowConfidence: opened < LOW_CONFIDENCE_BELOW, staffOnShift: onShift ? (onShift.get(`${weekday}:${hour}`) ?? 0) : null,
      });
    }
  }
  return { cells, hasShifts: onShift !== null };
}

/**
 * Staff on shift per hour of the week: for every local hour of the period, the distinct people whose shift
 * covers its start (weekly shifts repeat every 7 days until repeat_until), averaged per weekday × hour.
 * Null when the school records no shifts at all (the page then offers no such view).
 */
export async function staffOnShift(db: Db, schoolId: number, tz: string, period: Period, role?: string): Promise<Map<string, number> | null> {
  const [recorded] = await rows<{ n: unknown }>(db, sql`select count(*)::int as n from shifts where school_id = ${schoolId}`);
  if (num(recorded?.n ?? 0) === 0) return null;
  const start = sql`(${period.from}::date)::timestamp at time zone ${tz}`;
  const end = sql`(${period.to}::date)::timestamp at time zone ${tz}`;
  const roleCond = role && role !== "none" ? sql`and s.role::text = ${role}` : sql``;
  // Each occurrence lists the hour instants it covers (h = start + n hours, st <= h < en), and people are
  // counted per hour from those: a join of every hour with every occurrence compared ~700 hours with every
  // weekly occurrence since each shift began (~30 k for ~600 shifts a year old), ~38 s at 10 M messages.
  // Occurrences outside the period cover no hour and are dropped before their hours are listed.
  const found = await rows<Raw>(
    db,
    sql`with hours as (select n, ${start} + n * interval '1 hour' as h
          from generate_series(0, (extract(epoch from (${end} - ${start})) / 3600)::int - 1) n),
        occ as (
          select s.person_id, s.starts_at + k * interval '7 days' as st, s.ends_at + k * interval '7 days' as en
          from shifts s cross join lateral generate_series(0, case when s.weekly
            then greatest(0, ceil(extract(epoch from (least(coalesce(s.repeat_until, ${end}), ${end}) - s.starts_at)) / 604800))::int else 0 end) k
          where s.school_id = ${schoolId} ${roleCond} and (not s.weekly or s.repeat_until is null or s.starts_at + k * interval '7 days' <= s.repeat_until)),
        covered as (
          select distinct o.person_id, n
          from occ o cross join lateral generate_series(
            greatest(0, ceil(extract(epoch from (o.st - ${start})) / 3600))::int,
            least((extract(epoch from (${end} - ${start})) / 3600)::int - 1, ceil(extract(epoch from (o.en - ${start})) / 3600)::int - 1)) n
          where o.en > ${start} and o.st < ${end}),
        per_hour as (
          select hours.h, count(c.person_id) as n from hours left join covered c on c.n = hours.n group by hours.h)
        select extract(isodow from h at time zone ${tz})::int as dow, extract(hour from h at time zone ${tz})::int as hour, avg(n)::float8 as staff
        from per_hour group by 1, 2`,
  );
  return new Map(found.map((r) => [`${num(r.dow)}:${num(r.hour)}`, num(r.staff)]));
}
