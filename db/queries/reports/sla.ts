import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { episodeGroupKey, inPeriod, labelsFor, num, numOrNull, openFlags, responseMinutes, slaFlags, type GroupBy } from "./common";

/**
 * SLA summary (METRICS.md "Response time and SLA"): episodes opened in the period, grouped by role,
 * person, cohort or channel, with a total row. Response times are medians and p90s by
 * percentile_cont, the definition lib/metrics/sla `percentile` implements.
 */

export interface SlaStats {
  /** Episodes opened in the period. */
  episodes: number;
  answered: number;
  open: number;
  breachingNow: number;
  atRisk: number;
  /** All breaches: answered late, abandoned with a target, open past target. */
  breached: number;
  met: number;
  known: number;
  /** met / known; null when nothing is known yet (never shown as 0 % or 100 %). */
  compliance: number | null;
  /** Of answered episodes, in each policy's clock (calendar minutes without a policy). */
  medianMinutes: number | null;
  p90Minutes: number | null;
}

export interface SlaGroup extends SlaStats {
  key: string | null;
  label: string;
}

export interface SlaSummary {
  groupBy: GroupBy;
  total: SlaStats;
  groups: SlaGroup[];
}

type Raw = {
  key: string | null;
  is_total: number;
  episodes: number;
  answered: number;
  open: number;
  breaching_now: number;
  at_risk: number;
  breached: number;
  met: number;
  known: number;
  median: unknown;
  p90: unknown;
};

function stats(r: Raw): SlaStats {
  const known = num(r.known);
  const met = num(r.met);
  return {
    episodes: num(r.episodes),
    answered: num(r.answered),
    open: num(r.open),
    breachingNow: num(r.breaching_now),
    atRisk: num(r.at_risk),
    breached: num(r.breached),
    met,
    known,
    compliance: known === 0 ? null : met / known,
    medianMinutes: numOrNull(r.median),
    p90Minutes: numOrNull(r.p90),
  };
}

export const emptySlaStats: SlaStats = { episodes: 0, answered: 0, open: 0, breachingNow: 0, atRisk: 0, breached: 0, met: 0, known: 0, compliance: null, medianMinutes: null, p90Minutes: null };

export async function slaSummary(db: Db, schoolId: number, tz: string, period: Period, groupBy: GroupBy, now: Date): Promise<SlaSummary> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<Raw>(
    db,
    sql`with base as (
          select ${episodeGroupKey(groupBy)} as key, e.status, ${responseMinutes} as rm,
            ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk, ${f.breached} as breached, ${f.known} as known, ${f.met} as met
          from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)})
        select key, grouping(key) as is_total, count(*)::int as episodes,
          count(*) filter (where status = 'answered')::int as answered, count(*) filter (where status = 'open')::int as open,
          count(*) filter (where breaching_now)::int as breaching_now, count(*) filter (where at_risk)::int as at_risk,
          count(*) filter (where breached)::int as breached, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known,
          percentile_cont(0.5) within group (order by rm) as median, percentile_cont(0.9) within group (order by rm) as p90
        from base group by grouping sets ((key), ()) order by is_total desc, episodes desc, key`,
  );
  const totalRow = found.find((r) => num(r.is_total) === 1);
  const groupRows = found.filter((r) => num(r.is_total) === 0);
  const labels = await labelsFor(db, schoolId, groupBy, groupRows.map((r) => r.key));
  return {
    groupBy,
    total: totalRow ? stats(totalRow) : emptySlaStats,
    groups: groupRows.map((r) => ({ key: r.key, label: labels.get(r.key) ?? String(r.key), ...stats(r) })),
  };
}

export interface HeatCell {
  /** ISO weekday, 1 = Monday, in the school's time zone. */
  weekday: number;
  hour: number;
  opened: number;
  medianMinutes: number | null;
  met: number;
  known: number;
  compliance: number | null;
  /** Fewer than 5 episodes: shown, but not to be read as a pattern. */
  lowConfidence: boolean;
}

export const LOW_CONFIDENCE_BELOW = 5;

/** Hour-of-week grid (7 × 24, every cell present) of episodes by the local hour they opened. */
export async function slaHeatmap(db: Db, schoolId: number, tz: string, period: Period, now: Date): Promise<HeatCell[]> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<{ dow: number; hour: number; opened: number; median: unknown; met: number; known: number }>(
    db,
    sql`select extract(isodow from e.opened_at at time zone ${tz})::int as dow, extract(hour from e.opened_at at time zone ${tz})::int as hour,
          count(*)::int as opened, percentile_cont(0.5) within group (order by ${responseMinutes}) as median,
          count(*) filter (where ${f.met})::int as met, count(*) filter (where ${f.known})::int as known
        from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)}
        group by 1, 2`,
  );
  const byCell = new Map(found.map((r) => [`${num(r.dow)}:${num(r.hour)}`, r]));
  const cells: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const r = byCell.get(`${weekday}:${hour}`);
      const opened = r ? num(r.opened) : 0;
      const met = r ? num(r.met) : 0;
      const known = r ? num(r.known) : 0;
      cells.push({ weekday, hour, opened, medianMinutes: r ? numOrNull(r.median) : null, met, known, compliance: known === 0 ? null : met / known, lowConfidence: opened < LOW_CONFIDENCE_BELOW });
    }
  }
  return cells;
}
