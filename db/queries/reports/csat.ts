import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { ratingComments, type RatingComment } from "./comments";
import { inPeriod, labelsFor, num, staffRoleOf, studentCohort, type GroupBy } from "./common";

/**
 * Satisfaction (METRICS.md "Satisfaction"): CSAT on the 1–5 scale (other scales were normalised at
 * import, so a 4.5 from a 1–10 scale counts as satisfied: the threshold is score ≥ 4), NPS on 0–10,
 * response rate = ratings / surveys sent. Ratings count in the period they were given; surveys in the
 * period they were sent.
 */

export type CsatGroupBy = GroupBy | "week";
export const csatGroupBys: readonly CsatGroupBy[] = ["role", "person", "cohort", "channel", "week"];

export interface CsatStats {
  /** CSAT answers. */
  n: number;
  /** Share of CSAT answers of 4 or 5, in percent; null without answers. */
  csatPercent: number | null;
  mean: number | null;
  npsN: number;
  promoters: number;
  detractors: number;
  /** % promoters (9–10) − % detractors (0–6); null without answers. */
  nps: number | null;
  surveysSent: number;
  /** (CSAT + NPS answers) / surveys sent, when surveys can be attributed to the group; else null. */
  responseRate: number | null;
}

export interface CsatGroup extends CsatStats {
  key: string | null;
  label: string;
}

export interface CsatReport {
  groupBy: CsatGroupBy;
  total: CsatStats;
  groups: CsatGroup[];
}

/**
 * Ratings' group keys. A rating is attributed through the episode it was linked to (recompute sets the
 * responder and the scope's cohort on the rating); a rating with no episode counts in the total and in
 * the "—" group, and by cohort falls back to the rater's latest enrollment like episodes do.
 */
function ratingKey(g: CsatGroupBy, tz: string): SQL {
  switch (g) {
    case "person":
      return sql`r.responder_person_id::text`;
    case "cohort":
      return sql`coalesce(r.cohort_id, ${studentCohort(sql`r.school_id`, sql`r.person_id`)})::text`;
    case "channel":
      return sql`e.channel_id::text`;
    case "role":
      return sql`coalesce(e.owner_role::text, ${staffRoleOf(sql`e.responder_person_id`)})`;
    case "week":
      // The week's start; formatted per group, not per row (keyOut).
      return sql`date_trunc('week', r.given_at at time zone ${tz})`;
  }
}

/**
 * Surveys know their episode only when the sender recorded it; without one they count in the total and by week.
 * By week they are counted over each week's range of instants (weeksOf), so there is no per-row week key.
 */
function surveyKey(g: Exclude<CsatGroupBy, "week">): SQL {
  switch (g) {
    case "person":
      return sql`e.responder_person_id::text`;
    case "cohort":
      return sql`coalesce(e.cohort_id, ${studentCohort(sql`s.school_id`, sql`s.person_id`)})::text`;
    case "channel":
      return sql`e.channel_id::text`;
    case "role":
      return sql`coalesce(e.owner_role::text, ${staffRoleOf(sql`e.responder_person_id`)})`;
  }
}

/**
 * The report filters (issue #5), with the SLA page's keys: role and cohort by the same keys the report
 * groups by (so a filtered total equals that group's row), channel and source through the linked episode.
 * A rating or survey with no episode has no channel or source, so those filters leave it out.
 */
export interface CsatFilter {
  /** Role key; "none" = ratings whose episode has no role (or that have no episode). */
  role?: string;
  cohortId?: number;
  channelId?: number;
  source?: string;
}

function filterWhere(f: CsatFilter, key: (g: "role" | "cohort") => SQL): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.role === "none") parts.push(sql`${key("role")} is null`);
  else if (f.role) parts.push(sql`${key("role")} = ${f.role}`);
  if (f.cohortId !== undefined) parts.push(sql`${key("cohort")} = ${String(f.cohortId)}`);
  if (f.channelId !== undefined) parts.push(sql`e.channel_id = ${f.channelId}`);
  if (f.source) parts.push(sql`exists (select 1 from channels fc join sources fs on fs.id = fc.source_id where fc.id = e.channel_id and fs.kind::text = ${f.source})`);
  return sql.join(parts, sql` and `);
}

/**
 * The linked episode of a rating or survey, as `e` (a left join: none when the id is null). A lookup by
 * primary key per row: as a plain join PostgreSQL hashed every episode of every school to match a
 * period's surveys (41 ms at 45 k episodes, growing with all episodes rather than with the period);
 * `limit 1` keeps the subquery from being flattened back into that join. The id is unique, so the rows
 * are the join's.
 */
const episodeOf = (id: SQL): SQL => sql`lateral (select * from episodes e0 where e0.id = ${id} limit 1) e on true`;

/**
 * Whether a ratings read needs the linked episode: its key (channel, role) or a filter (role, channel,
 * source) reads it; by person, cohort or week, with no such filter, the rating's own columns suffice, and
 * the look-up per rating (~14 k a month at 10 M messages, ~25 ms) is skipped.
 */
function ratingNeedsEpisode(groupBy: CsatReading, f: CsatFilter): boolean {
  return groupBy === "channel" || groupBy === "role" || f.role !== undefined || f.channelId !== undefined || f.source !== undefined;
}

/** Surveys know their responder, cohort, channel and role only through the episode; by week, unfiltered, they need none. */
function surveyNeedsEpisode(groupBy: CsatReading, f: CsatFilter): boolean {
  return (groupBy !== "week" && groupBy !== "total") || Object.keys(f).length > 0;
}

/** The grouped key as the report returns it: a week's start as YYYY-MM-DD (grouped as a timestamp, formatted once per group). */
const keyOut = (groupBy: CsatGroupBy): SQL => (groupBy === "week" ? sql`to_char(b.key, 'YYYY-MM-DD')` : sql`b.key`);

/**
 * By week, ratings and surveys are counted week by week over the index's range of each week's instants
 * (its local Monday midnights in UTC), so no row's time is converted to local time. At 10 M messages
 * (~40 k surveys a month, ~477 k a year) converting each took the surveys' statement 15.5 and 164 ms;
 * by range it takes 4.4 and 42 ms (medians of 15; round 19 of docs/performance.md). `d` is a week's
 * Monday as a date, `key` as the report prints it; weeks cut by the period are counted within it.
 */
const weeksOf = (p: Period): SQL =>
  sql`(select w0::date as d, to_char(w0, 'YYYY-MM-DD') as key
       from generate_series(date_trunc('week', (${p.from}::date)::timestamp), ((${p.to}::date) - 1)::timestamp, interval '1 week') w0)`;
const inWeek = (at: SQL, tz: string): SQL => sql`${at} >= (w.d::timestamp at time zone ${tz}) and ${at} < ((w.d + 7)::timestamp at time zone ${tz})`;

/**
 * A range of days' ratings and surveys per group key, before labels (ADR 0011): counts, and the CSAT
 * scores' sum rather than their mean, so that parts of a period add up to the period. The mean is the
 * sum over the count, which is what PostgreSQL's `avg(real)` computes (a float8 sum of the rows in
 * turn, divided by their count), and the sum is exact in any order: a CSAT score is a float4 in 1..5
 * (normaliseScore; out-of-scale answers are refused at ingest), so a multiple of 2^-23, and float8 holds
 * every such multiple below 2^30, a sum of ~200 M answers. A part's mean therefore equals the whole
 * period's `avg` bit for bit (tests/integration/report-runs.test.ts compares them).
 */
export interface CsatPart {
  rated: RatedRow[];
  sent: SentRow[];
}

/** A group's ratings; `total` marks the row over every rating of the part. */
export interface RatedRow {
  key: string | null;
  total: boolean;
  n: number;
  satisfied: number;
  /** The CSAT scores' sum (float8). */
  sum: number;
  npsN: number;
  promoters: number;
  detractors: number;
  rated: number;
}

export interface SentRow {
  key: string | null;
  total: boolean;
  sent: number;
}

type RatingRow = { key: string | null; is_total: unknown; n: unknown; satisfied: unknown; csat_sum: unknown; nps_n: unknown; promoters: unknown; detractors: unknown; rated: unknown };
type SurveyRow = { key: string | null; is_total: unknown; sent: unknown };

/** A grouping, or the total alone (the KPI cards' figure: no group key, so no per-row look-up unless a filter needs one). */
type CsatReading = CsatGroupBy | "total";

/** A part's two statements: its ratings per group (RatingRow) and its surveys sent per group (SurveyRow). */
function partStatements(schoolId: number, tz: string, period: Period, groupBy: CsatReading, filter: CsatFilter): { rated: SQL; sent: SQL } {
  const ratings = sql`ratings r ${ratingNeedsEpisode(groupBy, filter) ? sql`left join ${episodeOf(sql`r.episode_id`)}` : sql``}
        where r.school_id = ${schoolId} and ${inPeriod(sql`r.given_at`, tz, period)} and ${filterWhere(filter, (g) => ratingKey(g, tz))}`;
  const figures = sql`count(*) filter (where kind = 'csat')::int as n, count(*) filter (where kind = 'csat' and score >= 4)::int as satisfied,
          coalesce(sum(score::float8) filter (where kind = 'csat'), 0)::float8 as csat_sum, count(*) filter (where kind = 'nps')::int as nps_n,
          count(*) filter (where kind = 'nps' and score >= 9)::int as promoters, count(*) filter (where kind = 'nps' and score <= 6)::int as detractors,
          count(*)::int as rated`;
  const rated =
    groupBy === "total"
      ? sql`select null as key, 1 as is_total, ${figures} from (select r.kind, r.score from ${ratings}) b`
      : groupBy === "week" && Object.keys(filter).length === 0
        ? // Each week's figures over the index's range of its instants, and the total over the period (see
          // weeksOf): the period is read twice, which only an unfiltered read (no per-row look-up) affords.
          sql`select w.key, 0 as is_total, c.* from ${weeksOf(period)} w
              cross join lateral (select ${figures} from ${ratings} and ${inWeek(sql`r.given_at`, tz)}) c where c.rated > 0
            union all select null, 1 as is_total, ${figures} from ${ratings}`
        : sql`select ${keyOut(groupBy)} as key, grouping(b.key) as is_total, ${figures}
            from (select ${ratingKey(groupBy, tz)} as key, r.kind, r.score from ${ratings}) b
            group by grouping sets ((b.key), ())`;
  const surveys = sql`survey_requests s ${surveyNeedsEpisode(groupBy, filter) ? sql`left join ${episodeOf(sql`s.episode_id`)}` : sql``}
        where s.school_id = ${schoolId} and ${inPeriod(sql`s.sent_at`, tz, period)} and ${filterWhere(filter, surveyKey)}`;
  const sent =
    groupBy === "total"
      ? sql`select null as key, 1 as is_total, count(*)::int as sent from ${surveys}`
      : groupBy === "week"
        ? sql`select x.key, grouping(x.key) as is_total, coalesce(sum(x.n), 0)::int as sent
            from (select w.key, c.n from ${weeksOf(period)} w
                  cross join lateral (select count(*) as n from ${surveys} and ${inWeek(sql`s.sent_at`, tz)}) c where c.n > 0) x
            group by grouping sets ((x.key), ())`
        : sql`select ${keyOut(groupBy)} as key, grouping(b.key) as is_total, count(*)::int as sent
            from (select ${surveyKey(groupBy)} as key from ${surveys}) b
            group by grouping sets ((b.key), ())`;
  return { rated, sent };
}

const ratedRowOf = (r: RatingRow): RatedRow => ({
  key: r.key,
  total: num(r.is_total) === 1,
  n: num(r.n),
  satisfied: num(r.satisfied),
  sum: num(r.csat_sum),
  npsN: num(r.nps_n),
  promoters: num(r.promoters),
  detractors: num(r.detractors),
  rated: num(r.rated),
});
const sentRowOf = (s: SurveyRow): SentRow => ({ key: s.key, total: num(s.is_total) === 1, sent: num(s.sent) });

/**
 * A part's two statements, issued together (at 10 M messages ~8 and ~12 ms one after the other), as two
 * promises: csatFromParts reads the labels as soon as the ratings' keys are known.
 */
export function csatPartReads(db: Db, schoolId: number, tz: string, period: Period, groupBy: CsatReading, filter: CsatFilter): { rated: Promise<RatedRow[]>; sent: Promise<SentRow[]> } {
  const st = partStatements(schoolId, tz, period, groupBy, filter);
  return { rated: rows<RatingRow>(db, st.rated).then((list) => list.map(ratedRowOf)), sent: rows<SurveyRow>(db, st.sent).then((list) => list.map(sentRowOf)) };
}

/**
 * Several groupings' parts of one short range in one statement: the satisfaction page's live days
 * (yesterday and today, a few hundred ratings at 10 M messages). Each of its four statements took
 * ~0.1–0.3 ms of PostgreSQL, and ~0.3 ms of Node to send and decode (docs/performance.md, round 26).
 * One part per grouping, in the order asked.
 */
export async function csatPartsOfRange(db: Db, schoolId: number, tz: string, period: Period, groupings: readonly CsatGroupBy[], filter: CsatFilter): Promise<CsatPart[]> {
  const branches = groupings.flatMap((g, i) => {
    const st = partStatements(schoolId, tz, period, g, filter);
    return [
      sql`select ${i}::int as g, x.key::text as key, x.is_total::int as is_total, x.n, x.satisfied, x.csat_sum, x.nps_n, x.promoters, x.detractors, x.rated, null::int as sent from (${st.rated}) x`,
      sql`select ${i}::int, y.key::text, y.is_total::int, null::int, null::int, null::float8, null::int, null::int, null::int, null::int, y.sent from (${st.sent}) y`,
    ];
  });
  const parts: CsatPart[] = groupings.map(() => ({ rated: [], sent: [] }));
  for (const r of await rows<RatingRow & { g: unknown; sent: unknown }>(db, sql.join(branches, sql` union all `))) {
    const part = parts[num(r.g)]!;
    if (r.sent === null) part.rated.push(ratedRowOf(r));
    else part.sent.push(sentRowOf(r));
  }
  return parts;
}

/** A range of days' figures (`period`), to be stored and added to others' by csatFromParts. */
export async function csatPart(db: Db, schoolId: number, tz: string, period: Period, groupBy: CsatGroupBy, filter: CsatFilter = {}): Promise<CsatPart> {
  const { rated, sent } = csatPartReads(db, schoolId, tz, period, groupBy, filter);
  const [r, s] = await Promise.all([rated, sent]);
  return { rated: r, sent: s };
}

/** The row key parts add up by: the total, the "—" group, or a group's key. */
const rowKey = (r: { key: string | null; total: boolean }) => (r.total ? "\u0000total" : (r.key ?? "\u0000none"));

/** Rows of several parts added up by key (counts and sums), in first-seen order. */
function addUp<R extends { key: string | null; total: boolean }>(lists: R[][], add: (a: R, b: R) => R): R[] {
  if (lists.length === 1) return lists[0]!;
  const out = new Map<string, R>();
  for (const list of lists)
    for (const r of list) {
      const k = rowKey(r);
      const had = out.get(k);
      out.set(k, had ? add(had, r) : r);
    }
  return [...out.values()];
}

const addRated = (a: RatedRow, b: RatedRow): RatedRow => ({
  key: a.key,
  total: a.total,
  n: a.n + b.n,
  satisfied: a.satisfied + b.satisfied,
  sum: a.sum + b.sum,
  npsN: a.npsN + b.npsN,
  promoters: a.promoters + b.promoters,
  detractors: a.detractors + b.detractors,
  rated: a.rated + b.rated,
});
const addSent = (a: SentRow, b: SentRow): SentRow => ({ key: a.key, total: a.total, sent: a.sent + b.sent });

/**
 * The report of a period from its parts (the days it is made of, none counted twice): the ratings of
 * each part as they arrive, so the labels are read as soon as every part's keys are known, beside the
 * surveys still being counted.
 */
export async function csatFromParts(
  db: Db,
  schoolId: number,
  groupBy: CsatGroupBy,
  parts: ReadonlyArray<{ rated: Promise<RatedRow[]> | RatedRow[]; sent: Promise<SentRow[]> | SentRow[] }>,
  known?: ReadonlyMap<string, string>,
): Promise<CsatReport> {
  const ratedP = Promise.all(parts.map((p) => p.rated)).then((lists) => addUp(lists, addRated));
  const sentP = Promise.all(parts.map((p) => p.sent)).then((lists) => addUp(lists, addSent));
  // With `known` (labels read with a stored part), only the keys it lacks are read.
  const labelsP = ratedP.then(async (rated) => {
    const keys = rated.filter((r) => !r.total).map((r) => r.key);
    if (known === undefined) return labelsFor(db, schoolId, groupBy, keys);
    const read = await labelsFor(db, schoolId, groupBy, keys.filter((k) => k !== null && !known.has(k)));
    for (const [k, label] of known) if (!read.has(k)) read.set(k, label);
    return read;
  });
  const [rated, sent, labels] = await Promise.all([ratedP, sentP, labelsP]);
  const sentBy = new Map(sent.map((s) => [rowKey(s), s.sent]));
  const totalRow = rated.find((r) => r.total);
  const groups = rated
    .filter((r) => !r.total)
    .map((r) => {
      const st = statsOf(r, sentBy.get(rowKey(r)) ?? 0);
      // Field by field, not `{ key, label, ...st }`, as the team rows (docs/performance.md, round 25): V8
      // copies by spread several times slower. Required: a field added to CsatStats fails to compile here.
      const group: Required<CsatGroup> = {
        key: r.key,
        label: labels.get(r.key) ?? String(r.key),
        n: st.n,
        csatPercent: st.csatPercent,
        mean: st.mean,
        npsN: st.npsN,
        promoters: st.promoters,
        detractors: st.detractors,
        nps: st.nps,
        surveysSent: st.surveysSent,
        responseRate: st.responseRate,
      };
      return group;
    })
    .sort((a, b) => (groupBy === "week" ? String(a.key).localeCompare(String(b.key)) : b.n + b.npsN - (a.n + a.npsN) || String(a.key).localeCompare(String(b.key))));
  return { groupBy, total: statsOf(totalRow, sentBy.get(rowKey({ key: null, total: true })) ?? 0), groups };
}

/** A group's figures from its counts and sums, with the surveys sent that can be attributed to it. */
function statsOf(r: RatedRow | undefined, surveys: number): CsatStats {
  const n = r?.n ?? 0;
  const npsN = r?.npsN ?? 0;
  const promoters = r?.promoters ?? 0;
  const detractors = r?.detractors ?? 0;
  const answered = r?.rated ?? 0;
  return {
    n,
    csatPercent: n === 0 ? null : (100 * (r?.satisfied ?? 0)) / n,
    // avg(score) as PostgreSQL computes it: the float8 sum over the count (see CsatPart).
    mean: n === 0 ? null : (r?.sum ?? 0) / n,
    npsN,
    promoters,
    detractors,
    nps: npsN === 0 ? null : (100 * (promoters - detractors)) / npsN,
    surveysSent: surveys,
    responseRate: surveys === 0 ? null : answered / surveys,
  };
}

/**
 * A period's total alone (the KPI cards show no groups): the total row of any grouping, in two plain
 * counts. By responder, the default grouping, the surveys' statement looked each survey's episode up
 * (~19.5 of the cards' ~34 ms of CSAT statements at 10 M messages).
 */
export async function csatTotal(db: Db, schoolId: number, tz: string, period: Period, filter: CsatFilter = {}): Promise<CsatStats> {
  const reads = csatPartReads(db, schoolId, tz, period, "total", filter);
  const [rated, sent] = await Promise.all([reads.rated, reads.sent]);
  return statsOf(rated[0], sent[0]?.sent ?? 0);
}

/** A period's report, computed whole for the call (the CLI, the KPI cards, the tests' reference). */
export function csatReport(db: Db, schoolId: number, tz: string, period: Period, groupBy: CsatGroupBy, filter: CsatFilter = {}): Promise<CsatReport> {
  return csatFromParts(db, schoolId, groupBy, [csatPartReads(db, schoolId, tz, period, groupBy, filter)]);
}

/**
 * CSAT answers per responder, [responder id, answers, satisfied (4 or 5)], in one statement: the team page
 * shows only these, not NPS, surveys sent or labels (~40 → ~15 ms at 10 M messages). Counts, so the
 * stored part of a period's days before yesterday and the days since add up (ADR 0011).
 */
export async function csatCountsByResponder(db: Db, schoolId: number, tz: string, period: Period): Promise<Array<[number, number, number]>> {
  const list = await rows<{ key: unknown; n: unknown; satisfied: unknown }>(
    db,
    sql`select r.responder_person_id as key, count(*)::int as n, count(*) filter (where r.score >= 4)::int as satisfied
        from ratings r where r.school_id = ${schoolId} and r.kind = 'csat' and r.responder_person_id is not null and ${inPeriod(sql`r.given_at`, tz, period)} group by 1`,
  );
  return list.map((r) => [num(r.key), num(r.n), num(r.satisfied)]);
}

/** n and csatPercent of `csatReport(…, "person")`'s groups from the counts of one or more parts of a period. */
export function csatByResponderOf(parts: ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>): Map<string, { n: number; csatPercent: number | null }> {
  const sums = new Map<string, [number, number]>();
  for (const part of parts)
    for (const [id, n, satisfied] of part) {
      const had = sums.get(String(id));
      sums.set(String(id), had ? [had[0] + n, had[1] + satisfied] : [n, satisfied]);
    }
  return new Map([...sums].map(([k, [n, satisfied]]) => [k, { n, csatPercent: n === 0 ? null : (100 * satisfied) / n }]));
}

/** CSAT per responder over a whole period, computed for the call. */
export async function csatByResponder(db: Db, schoolId: number, tz: string, period: Period): Promise<Map<string, { n: number; csatPercent: number | null }>> {
  return csatByResponderOf([await csatCountsByResponder(db, schoolId, tz, period)]);
}

/** The satisfaction page's comments under its filters: ratingComments with the report's filter. */
export function csatComments(db: Db, schoolId: number, tz: string, period: Period, filter: CsatFilter, limit = 200): Promise<RatingComment[]> {
  return ratingComments(db, schoolId, tz, period, limit, filterWhere(filter, (g) => ratingKey(g, tz)));
}
