import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { percentilesOfSortedRuns } from "@/lib/metrics/sla";
import { countOpen, episodeGroupKey, float32Base64, fromFloat32Base64, sortedFloat4s, flagSets, inPeriod, labelsFor, num, numOrNull, openFlags, openIdsOf, responseMinutes, staffRoles, unjudgedSlaFlags, type GroupBy, type OpenFlags, type OpenFlagSets } from "./common";

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
  /** openIdsOf, when the statement ran without the open flags (their counts are added here). */
  open_ids?: unknown;
};

function stats(r: Raw, open?: OpenFlagSets): SlaStats {
  // Open episodes judged in Node: breaching now means breached and known too (slaFlags).
  const o = open ? countOpen(r.open_ids, open) : { breachingNow: 0, atRisk: 0 };
  return statsOf(
    { episodes: num(r.episodes), answered: num(r.answered), open: num(r.open), breachingNow: num(r.breaching_now), atRisk: num(r.at_risk), breached: num(r.breached), met: num(r.met), known: num(r.known) },
    o,
    numOrNull(r.median),
    numOrNull(r.p90),
  );
}

/** The counts of a group before its open episodes are judged (unjudgedSlaFlags' columns). */
type SlaCounts = Omit<SlaStats, "compliance" | "medianMinutes" | "p90Minutes">;

export function statsOf(c: SlaCounts, o: { breachingNow: number; atRisk: number }, medianMinutes: number | null, p90Minutes: number | null): SlaStats {
  const known = c.known + o.breachingNow;
  return {
    episodes: c.episodes,
    answered: c.answered,
    open: c.open,
    breachingNow: c.breachingNow + o.breachingNow,
    atRisk: c.atRisk + o.atRisk,
    breached: c.breached + o.breachingNow,
    met: c.met,
    known,
    compliance: known === 0 ? null : c.met / known,
    medianMinutes,
    p90Minutes,
  };
}

export const emptySlaStats: SlaStats = { episodes: 0, answered: 0, open: 0, breachingNow: 0, atRisk: 0, breached: 0, met: 0, known: 0, compliance: null, medianMinutes: null, p90Minutes: null };

export async function slaSummary(db: Db, schoolId: number, tz: string, period: Period, groupBy: GroupBy, now: Date): Promise<SlaSummary> {
  const [one] = await slaSummaries(db, schoolId, tz, [period], groupBy, now);
  return one ?? { groupBy, total: emptySlaStats, groups: [] };
}

/**
 * The summary of several periods (the overview's period and the one before it) in one statement: one
 * open-flags pass over the span they cover, a sargable opened_at range per period, one label lookup. Each
 * period's figures equal `slaSummary` of that period alone (overlapping periods count an episode in each).
 */
export async function slaSummaries(
  db: Db,
  schoolId: number,
  tz: string,
  periods: readonly Period[],
  groupBy: GroupBy,
  now: Date,
  /** The open episodes' flags at `now` when the caller judged them already (openFlagsOf the live queue). */
  flags?: Promise<OpenFlags>,
): Promise<SlaSummary[]> {
  if (periods.length === 0) return [];
  // The open episodes of the whole span: the id lists only ever match episodes of a period's own range.
  const span = { from: periods.map((p) => p.from).sort()[0]!, to: periods.map((p) => p.to).sort().at(-1)! };
  // The open episodes are judged while the statement runs (it used to wait for them, ~20–60 ms): it
  // aggregates each group's open ids, and their flags are counted in Node (countOpen).
  const judged = flags ?? openFlags(db, schoolId, tz, span, now);
  const f = unjudgedSlaFlags;
  const bounds = sql.join(
    periods.map((p, i) => sql`(${i}::int, (${p.from}::date)::timestamp at time zone ${tz}, (${p.to}::date)::timestamp at time zone ${tz})`),
    sql`, `,
  );
  // Keys are grouped in the "C" collation: a byte comparison per sort step instead of strcoll (a libc
  // C.UTF-8 database collation is not C to PostgreSQL 15); the output keeps the default collation's order.
  // Role: the owner role, else the responder's role looked up in staff_role (staffRoleOf's precedence,
  // computed once per statement) only for the episodes without an owner role, as coalesce runs it. Roles
  // are grouped as the enum they are, cheaper still to sort than text (~15 % of the statement at 10 M).
  const key =
    groupBy === "role"
      ? sql`coalesce(e.owner_role, (select sr.role::role_kind from staff_role sr where sr.person_id = e.responder_person_id))`
      : sql`(${episodeGroupKey(groupBy)}) collate "C"`;
  const [found, judgedFlags] = await Promise.all([
    rows<Raw & { pi: number }>(
      db,
      sql`with staff_role as (${staffRoles(schoolId)}),
          base as (
            select p.i as pi, ${key} as key, e.status, ${responseMinutes} as rm,
              ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk, ${f.breached} as breached, ${f.known} as known, ${f.met} as met,
              e.id, e.target_minutes
            from (values ${bounds}) p(i, lo, hi)
            join episodes e on e.school_id = ${schoolId} and e.opened_at >= p.lo and e.opened_at < p.hi)
          select pi, key::text as key, grouping(key) as is_total, count(*)::int as episodes,
            count(*) filter (where status = 'answered')::int as answered, count(*) filter (where status = 'open')::int as open,
            count(*) filter (where breaching_now)::int as breaching_now, count(*) filter (where at_risk)::int as at_risk,
            count(*) filter (where breached)::int as breached, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known,
            percentile_cont(0.5) within group (order by rm) as median, percentile_cont(0.9) within group (order by rm) as p90,
            ${openIdsOf} as open_ids
          from base e group by grouping sets ((pi, e.key), (pi)) order by pi, is_total desc, episodes desc, e.key::text collate "default"`,
    ),
    judged,
  ]);
  const open = flagSets(judgedFlags);
  const labels = await labelsFor(db, schoolId, groupBy, [...new Set(found.filter((r) => num(r.is_total) === 0).map((r) => r.key))]);
  return periods.map((_, i) => {
    const mine = found.filter((r) => num(r.pi) === i);
    const totalRow = mine.find((r) => num(r.is_total) === 1);
    return {
      groupBy,
      total: totalRow ? stats(totalRow, open) : emptySlaStats,
      groups: mine.filter((r) => num(r.is_total) === 0).map((r) => ({ key: r.key, label: labels.get(r.key) ?? String(r.key), ...stats(r, open) })),
    };
  });
}

/**
 * One part of a period's SLA figures by role: the episodes opened in a range of local days [from, to),
 * counted before their open episodes are judged, with each group's open ids and its response times in
 * full. Parts of disjoint ranges add up to the period's `slaSummaries` by role exactly
 * (`combineSlaRoleParts`): counts sum, open episodes are judged once at view time, and the percentiles
 * are taken over the merged response times, the same values in the same order percentile_cont sorts.
 * The overview's KPI cards store the part of the days before yesterday (docs/adr/0011-settled-days-stored.md)
 * and read only the recent days live.
 */
export interface SlaRolePart {
  groups: SlaPartGroup[];
}

export interface SlaPartGroup extends SlaCounts {
  key: string | null;
  /** openIdsOf: the group's open episodes with a target, comma-separated, judged when the part is read. */
  openIds: string;
  /** The answered episodes' response minutes (float4 values as stored, so exact as doubles), ascending. */
  responses: Float64Array;
}

export async function slaRolePart(db: Db, schoolId: number, tz: string, range: Period): Promise<SlaRolePart> {
  if (range.from >= range.to) return { groups: [] };
  const f = unjudgedSlaFlags;
  // slaSummaries' role key and columns; grouped by hashing (no ordered aggregate), the response times
  // travel as float4 text, which PostgreSQL prints as the shortest string that reads back to the same float4.
  const found = await rows<Record<string, unknown>>(
    db,
    sql`with staff_role as (${staffRoles(schoolId)}),
        base as (
          select coalesce(e.owner_role, (select sr.role::role_kind from staff_role sr where sr.person_id = e.responder_person_id)) as key,
            e.status, ${responseMinutes} as rm,
            ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk, ${f.breached} as breached, ${f.known} as known, ${f.met} as met,
            e.id, e.target_minutes
          from episodes e
          where e.school_id = ${schoolId} and e.opened_at >= (${range.from}::date)::timestamp at time zone ${tz}
            and e.opened_at < (${range.to}::date)::timestamp at time zone ${tz})
        select key::text as key, count(*)::int as episodes,
          count(*) filter (where status = 'answered')::int as answered, count(*) filter (where status = 'open')::int as open,
          count(*) filter (where breaching_now)::int as breaching_now, count(*) filter (where at_risk)::int as at_risk,
          count(*) filter (where breached)::int as breached, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known,
          ${openIdsOf} as open_ids, string_agg(rm::text, ',') filter (where rm is not null) as responses
        from base e group by e.key`,
  );
  return {
    groups: found.map((r) => ({
      key: r.key === null ? null : String(r.key),
      episodes: num(r.episodes),
      answered: num(r.answered),
      open: num(r.open),
      breachingNow: num(r.breaching_now),
      atRisk: num(r.at_risk),
      breached: num(r.breached),
      met: num(r.met),
      known: num(r.known),
      openIds: typeof r.open_ids === "string" ? r.open_ids : "",
      responses: sortedFloat4s(r.responses),
    })),
  };
}

/** A part as JSON can hold it: the response times as the base64 of their float4 bytes (exact, ~4× smaller than text). */
export interface StoredSlaRolePart {
  groups: Array<Omit<SlaPartGroup, "responses"> & { responses: string }>;
}

export function packSlaRolePart(part: SlaRolePart): StoredSlaRolePart {
  return { groups: part.groups.map((g) => ({ ...g, responses: float32Base64(g.responses) })) };
}

export function unpackSlaRolePart(stored: StoredSlaRolePart): SlaRolePart {
  return { groups: stored.groups.map((g) => ({ ...g, responses: fromFloat32Base64(g.responses) })) };
}

/**
 * Disjoint parts of one period as `slaSummaries` by role would give the whole period: groups ordered
 * as its rows (most episodes first, then by key, no role last), labels from `labels`.
 */
export function combineSlaRoleParts(parts: readonly SlaRolePart[], open: OpenFlagSets, labels: ReadonlyMap<string | null, string>): Pick<SlaSummary, "total" | "groups"> {
  // Response times as the parts' sorted runs, not merged (percentilesOfSortedRuns).
  type Acc = { c: SlaCounts; o: { breachingNow: number; atRisk: number }; responses: Float64Array[] };
  const byKey = new Map<string | null, Acc>();
  for (const part of parts) {
    for (const g of part.groups) {
      let acc = byKey.get(g.key);
      if (acc === undefined) {
        acc = { c: { ...ZERO_COUNTS }, o: { breachingNow: 0, atRisk: 0 }, responses: [] };
        byKey.set(g.key, acc);
      }
      addCounts(acc.c, g);
      const o = countOpen(g.openIds, open);
      acc.o.breachingNow += o.breachingNow;
      acc.o.atRisk += o.atRisk;
      acc.responses.push(g.responses);
    }
  }
  if (byKey.size === 0) return { total: emptySlaStats, groups: [] };
  const total: Acc = { c: { ...ZERO_COUNTS }, o: { breachingNow: 0, atRisk: 0 }, responses: [] };
  const groups: SlaGroup[] = [];
  for (const [key, acc] of byKey) {
    addCounts(total.c, acc.c);
    total.o.breachingNow += acc.o.breachingNow;
    total.o.atRisk += acc.o.atRisk;
    total.responses.push(...acc.responses);
    const [median = null, p90 = null] = percentilesOfSortedRuns(acc.responses, [0.5, 0.9]);
    groups.push({ key, label: labels.get(key) ?? String(key), ...statsOf(acc.c, acc.o, median, p90) });
  }
  // slaSummaries' "order by episodes desc, key": keys are role names; null sorts last, as in PostgreSQL.
  groups.sort((a, b) => b.episodes - a.episodes || (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1));
  const [median = null, p90 = null] = percentilesOfSortedRuns(total.responses, [0.5, 0.9]);
  return { total: statsOf(total.c, total.o, median, p90), groups };
}

const ZERO_COUNTS: SlaCounts = { episodes: 0, answered: 0, open: 0, breachingNow: 0, atRisk: 0, breached: 0, met: 0, known: 0 };

function addCounts(to: SlaCounts, c: SlaCounts): void {
  to.episodes += c.episodes;
  to.answered += c.answered;
  to.open += c.open;
  to.breachingNow += c.breachingNow;
  to.atRisk += c.atRisk;
  to.breached += c.breached;
  to.met += c.met;
  to.known += c.known;
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

/**
 * The UTC offset of `tz` over [lo, hi) as segments of constant offset (seconds), computed by PostgreSQL's
 * own zone data: the offset at each day step from lo, and wherever it changes between two steps, at each
 * 15 minutes of that day (every transition in use falls on a quarter hour of UTC, the assumption
 * message_volume already makes). A year has at most a few segments, so an episode's local time is
 * `opened_at + offset`, the offset picked by a comparison or two, instead of a time-zone conversion per
 * episode (which cost ~40 % of the heatmap at 180 k episodes). tests/integration/sla-fast-paths.test.ts
 * checks it against the conversion in zones with daylight saving and :30 / :45 offsets.
 */
function offsetSegments(tz: string, lo: SQL, hi: SQL): SQL {
  const off = (t: SQL) => sql`date_part('epoch', (${t} at time zone ${tz}) - (${t} at time zone 'UTC'))`;
  return sql`with d as (select g, ${off(sql`g`)} as off from (select generate_series(${lo}, ${hi}, interval '1 day') as g union select ${hi}) x),
    steps as (select g, off, lag(g) over (order by g) as pg, lag(off) over (order by g) as poff from d),
    fine as (select f as g, ${off(sql`f`)} as off from steps, generate_series(steps.pg, steps.g, interval '15 minutes') f where steps.off <> steps.poff),
    pts as (select g, off from d union select g, off from fine),
    edges as (select g, off, lag(off) over (order by g) as prev from pts)
    select g as lo, coalesce(lead(g) over (order by g), 'infinity'::timestamptz) as hi, off from edges where prev is null or off <> prev`;
}

/**
 * `e.opened_at`'s UTC offset in `tz` (seconds, float8) for episodes opened in the period, as a CASE over
 * the period's offset segments (a comparison or two per row; segments end on whole seconds): local time
 * without converting each row (~1 µs a row at 10 M messages).
 */
export async function openedAtOffset(db: Db, tz: string, period: Period): Promise<SQL> {
  const lo = sql`((${period.from}::date)::timestamp at time zone ${tz})`;
  const hi = sql`((${period.to}::date)::timestamp at time zone ${tz})`;
  const segs = await rows<{ hi: string; off: unknown }>(db, sql`select to_char(hi at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as hi, off from (${offsetSegments(tz, lo, hi)}) s order by lo`);
  const last = segs.at(-1);
  return segs.length <= 1
    ? sql`${num(last?.off ?? 0)}::float8`
    : sql`(case ${sql.join(segs.slice(0, -1).map((g) => sql`when e.opened_at < ${g.hi}::timestamptz then ${num(g.off)}::float8`), sql` `)} else ${num(last?.off ?? 0)}::float8 end)`;
}

/** Hour-of-week grid (7 × 24, every cell present) of episodes by the local hour they opened. */
export async function slaHeatmap(db: Db, schoolId: number, tz: string, period: Period, now: Date): Promise<HeatCell[]> {
  // The statement does not wait for the open episodes to be judged (~20 ms at 10 M messages): it lists each
  // cell's open episodes with a target, and those breaching now are added to `known` here (countOpen).
  const f = unjudgedSlaFlags;
  const [flags, found] = await Promise.all([
    openFlags(db, schoolId, tz, period, now),
    openedAtOffset(db, tz, period).then((offset) =>
      // Local hour since 1970-01-01 (a Thursday, ISO weekday 4): hour of week from Monday 00:00 = (h + 72) % 168.
      // The same cell as extract(isodow / hour from opened_at at time zone tz), without converting each row.
      rows<{ cell: number; opened: number; median: unknown; met: number; known: number; open_ids: unknown }>(
        db,
        sql`select (((floor((date_part('epoch', e.opened_at) + ${offset}) / 3600))::bigint + 72) % 168 + 168) % 168 as cell,
              count(*)::int as opened, percentile_cont(0.5) within group (order by ${responseMinutes}) as median,
              count(*) filter (where ${f.met})::int as met, count(*) filter (where ${f.known})::int as known, ${openIdsOf} as open_ids
            from episodes e
            where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)}
            group by 1`,
      ),
    ),
  ]);
  const open = flagSets(flags);
  const byCellNo = new Map(found.map((r) => [num(r.cell), { ...r, known: num(r.known) + countOpen(r.open_ids, open).breachingNow }]));
  const cells: HeatCell[] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const r = byCellNo.get((weekday - 1) * 24 + hour);
      const opened = r ? num(r.opened) : 0;
      const met = r ? num(r.met) : 0;
      const known = r ? num(r.known) : 0;
      cells.push({ weekday, hour, opened, medianMinutes: r ? numOrNull(r.median) : null, met, known, compliance: known === 0 ? null : met / known, lowConfidence: opened < LOW_CONFIDENCE_BELOW });
    }
  }
  return cells;
}
