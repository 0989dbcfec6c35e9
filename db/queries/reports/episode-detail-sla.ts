import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { episodeGroupKey, inPeriod, labelsFor, num, numOrNull, openFlags, responseMinutes, slaFlags, type OpenFlags } from "./common";
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
export async function slaBreakdown(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, judged?: Promise<OpenFlags>): Promise<SlaBreakdown> {
  const f = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
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
export async function slaWeekly(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, judged?: Promise<OpenFlags>): Promise<WeekPoint[]> {
  const f = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
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
export async function slaHeatmapFiltered(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, judged?: Promise<OpenFlags>): Promise<{ cells: HeatCellOnShift[]; hasShifts: boolean }> {
  const f = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
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
  // Each occurrence as the range of hour instants it covers (h = start + n hours, st <= h < en), counted
  // here: a person's ranges merged (so overlapping shifts count them once), then +1 / −1 at each range's
  // ends. The join of every hour with every occurrence took ~38 s at 10 M messages (~5 k weekly shifts a
  // year old); listing each covered (person, hour) in SQL and counting them distinct ~180 ms.
  const hoursN = sql`(extract(epoch from (${end} - ${start})) / 3600)::int`;
  const [hours, ranges] = await Promise.all([
    rows<{ n: unknown; dow: unknown; hour: unknown }>(
      db,
      sql`select n, extract(isodow from (${start} + n * interval '1 hour') at time zone ${tz})::int as dow,
            extract(hour from (${start} + n * interval '1 hour') at time zone ${tz})::int as hour
          from generate_series(0, ${hoursN} - 1) n`,
    ),
    rows<{ p: unknown; a: unknown; b: unknown }>(
      db,
      sql`with occ as (
            select s.person_id, s.starts_at + k * interval '7 days' as st, s.ends_at + k * interval '7 days' as en
            -- From the first week that can reach the period (one before it at most, dropped below), not from
            -- the shift's first week: a weekly shift begun a year ago has ~50 occurrences before the period.
            from shifts s cross join lateral generate_series(
              case when s.weekly then greatest(0, floor(extract(epoch from (${start} - s.ends_at)) / 604800))::int else 0 end,
              case when s.weekly
              then greatest(0, ceil(extract(epoch from (least(coalesce(s.repeat_until, ${end}), ${end}) - s.starts_at)) / 604800))::int else 0 end) k
            where s.school_id = ${schoolId} ${roleCond} and (not s.weekly or s.repeat_until is null or s.starts_at + k * interval '7 days' <= s.repeat_until))
          select o.person_id as p, greatest(0, ceil(extract(epoch from (o.st - ${start})) / 3600))::int as a,
            least(${hoursN} - 1, ceil(extract(epoch from (o.en - ${start})) / 3600)::int - 1) as b
          from occ o where o.en > ${start} and o.st < ${end}`,
    ),
  ]);
  const byPerson = new Map<number, Array<[number, number]>>();
  for (const r of ranges) {
    const a = num(r.a);
    const b = num(r.b);
    if (b < a) continue;
    const list = byPerson.get(num(r.p));
    if (list) list.push([a, b]);
    else byPerson.set(num(r.p), [[a, b]]);
  }
  const diff = new Array<number>(hours.length + 1).fill(0);
  for (const list of byPerson.values()) {
    list.sort((x, y) => x[0] - y[0]);
    let [a, b] = list[0]!;
    for (const [x, y] of list.slice(1)) {
      if (x <= b + 1) b = Math.max(b, y);
      else {
        diff[a]! += 1;
        diff[b + 1]! -= 1;
        [a, b] = [x, y];
      }
    }
    diff[a]! += 1;
    diff[b + 1]! -= 1;
  }
  const cells = new Map<string, { sum: number; n: number }>();
  let running = 0;
  const byN = new Map(hours.map((h) => [num(h.n), `${num(h.dow)}:${num(h.hour)}`]));
  for (let n = 0; n < hours.length; n++) {
    running += diff[n]!;
    const key = byN.get(n)!;
    const c = cells.get(key);
    if (c) {
      c.sum += running;
      c.n += 1;
    } else cells.set(key, { sum: running, n: 1 });
  }
  return new Map([...cells].map(([k, c]) => [k, c.sum / c.n]));
}
