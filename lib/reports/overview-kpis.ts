import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import { messageSpan } from "../../db/queries/overview";
import type { SchoolRow } from "../../db/queries/schools";
import { cohortCourses } from "../../db/queries/reports/outcomes-filter";
import { slaBreakdown } from "../../db/queries/reports/episode-detail-sla";
import { combineSlaRoleParts, emptySlaStats, packSlaRolePart, slaRolePart, slaSummaries, unpackSlaRolePart, type SlaSummary, type StoredSlaRolePart } from "../../db/queries/reports/sla";
import { completionCounts } from "../../db/queries/reports/kpi-completion";
import { NO_TREND, trendOf, type Better, type Trend } from "../metrics/kpi-trend";
import { parsePeriod, previousPeriod, settledUpTo, type Period } from "../period";
import { csatTotalReport, parseReportFilter, type CsatFilter, type CsatReport, type FilterQuery } from "./csat";
import { lastDayOf } from "./episode-detail";
import { periodAsOf } from "./outcomes";
import { wilsonInterval, type Proportion } from "../metrics/stats/wilson";
import { queueCounts, type QueueCounts } from "./queue";
import { openEpisodeStates, openFlagsOf } from "../../db/queries/reports/queue";
import { flagSets, labelsFor, type OpenFlags } from "../../db/queries/reports/common";
import { currentRun, type RunOptions, type RunSpec } from "./report-runs";

/**
 * The overview's KPI cards, as the page and `cli report kpis` read them: a composition of the existing
 * reports (SLA, CSAT, queue, outcomes) for the period and for the previous period of equal length, so
 * every figure equals what those reports (and their pages and CLI commands) say for the same dates.
 * Authorisation is the caller's (lib/dal/overview-kpis.ts).
 *
 * Choices a head of student service would expect (docs for the KPI cards):
 * - Response times are the SLA report's median and p90 over answered episodes opened in the period
 *   (first and next responses alike, as the SLA page shows them).
 * - Open and breaching now come from the live queue at `now`: a snapshot has no previous period the
 *   queue can replay, so they carry no trend. "Breaches in the period" (SLA report) carries the trend.
 * - Completion is the outcomes report's own window: cohorts that started in the 365 days ending on the
 *   period's last day, read as of that day; the previous value is the same window ending one period
 *   earlier. A 30-day window of cohort starts would hold almost no ended enrollment.
 * - Filters (issue #5: role, cohort, channel, source, the SLA page's URL keys) apply where the source
 *   report supports them: SLA figures and breaches all four (the SLA page's filtered breakdown); CSAT all
 *   four (the CSAT report's keys); open and breaching now role and channel (the queue has no cohort or
 *   source filter); completion the cohort only (enrollments have no role, channel or source). A figure
 *   lists the active filters it ignores in `unfiltered`, and the page greys it out saying so.
 */

export const KPI_KEYS = ["slaCompliance", "medianResponse", "p90Response", "openNow", "breachingNow", "breached", "csat", "completion"] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

/** share: 0..1; percent: 0..100 (CSAT as the CSAT report gives it); minutes; count. */
export type KpiUnit = "share" | "percent" | "minutes" | "count";

export interface KpiFigure {
  key: KpiKey;
  unit: KpiUnit;
  better: Better;
  /** null = nothing to measure (shown as "—", never 0). */
  value: number | null;
  /** How many episodes, ratings or enrollments the value stands on. */
  n: number;
  /** Live figures (queue now) have no previous value. */
  live: boolean;
  previous: number | null;
  previousN: number | null;
  trend: Trend;
  /** Where the episodes (or the report) behind the figure are; the DAL drops links the viewer may not open. */
  href: string | null;
  /** Active filters this figure does not apply (its report has no such key); empty when all apply. */
  unfiltered: FilterName[];
}

export const FILTER_NAMES = ["role", "cohort", "channel", "source"] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

export interface RoleCompliance {
  /** Role key; null = episodes with no role (linked as role=none). */
  key: string | null;
  label: string;
  episodes: number;
  met: number;
  known: number;
  breached: number;
  compliance: number | null;
  previous: number | null;
  previousKnown: number;
  trend: Trend;
  href: string;
  breachedHref: string;
}

export interface OverviewKpis {
  school: string;
  timezone: string;
  period: Period;
  previousPeriod: Period;
  /** Cohort-start windows of the completion figure (outcomes report). */
  completionWindow: { current: Period; previous: Period };
  /** The instant open episodes were judged at. */
  asOf: string;
  kpis: Record<KpiKey, KpiFigure>;
  byRole: RoleCompliance[];
  /** The filters applied (parsed; an unknown value is dropped, as on the SLA page). */
  filter: CsatFilter;
}

export interface KpiQuery extends FilterQuery {
  from?: string;
  to?: string;
  days?: string;
}

/** Which filters each figure's report supports (see the module comment). */
const APPLIES: Record<KpiKey, readonly FilterName[]> = {
  slaCompliance: FILTER_NAMES,
  medianResponse: FILTER_NAMES,
  p90Response: FILTER_NAMES,
  breached: FILTER_NAMES,
  csat: FILTER_NAMES,
  openNow: ["role", "channel"],
  breachingNow: ["role", "channel"],
  completion: ["cohort"],
};

/** The filter's URL keys and values, e.g. { role: "mentor", cohort: "12" }. */
export function filterParams(f: CsatFilter, only: readonly FilterName[] = FILTER_NAMES): Record<string, string> {
  const all: Record<FilterName, string | undefined> = {
    role: f.role,
    cohort: f.cohortId === undefined ? undefined : String(f.cohortId),
    channel: f.channelId === undefined ? undefined : String(f.channelId),
    source: f.source,
  };
  return Object.fromEntries(only.flatMap((k) => (all[k] === undefined ? [] : [[k, all[k]]])));
}

/** Display steps of each unit (half of them = "no change"): 0.1 % of a share, 0.1 pp of CSAT, 0.1 min, 1 episode. */
const FLAT: Record<KpiUnit, number> = { share: 0.0005, percent: 0.05, minutes: 0.05, count: 0.5 };

function figure(key: KpiKey, unit: KpiUnit, better: Better, cur: { value: number | null; n: number }, prev: { value: number | null; n: number } | null, href: string | null, active: readonly FilterName[] = []): KpiFigure {
  return {
    unfiltered: active.filter((k) => !APPLIES[key].includes(k)),
    key,
    unit,
    better,
    value: cur.value,
    n: cur.n,
    live: prev === null,
    previous: prev?.value ?? null,
    previousN: prev?.n ?? null,
    trend: prev === null ? NO_TREND : trendOf(cur.value, prev.value, better, FLAT[unit]),
    href,
  };
}

const query = (o: Record<string, string>) => new URLSearchParams(o).toString();

/**
 * Local date of an instant in the school's zone, memoised by zone and UTC minute (zone offsets change on
 * whole minutes): the cards ask it of every open episode on every view (~6 k at 10 M messages, ~50 ms
 * of luxon), and the same instants view after view. Bounded by clearing.
 */
const dayMemo = new Map<string, string>();
const localDay = (iso: string, tz: string) => {
  const key = `${tz}\u0000${iso.length === 24 && iso.endsWith("Z") ? iso.slice(0, 16) : iso}`;
  let day = dayMemo.get(key);
  if (day === undefined) {
    day = DateTime.fromISO(iso, { zone: "utc" }).setZone(tz).toISODate() ?? iso.slice(0, 10);
    if (dayMemo.size >= 100_000) dayMemo.clear();
    dayMemo.set(key, day);
  }
  return day;
};

export interface KpiParts {
  school: Pick<SchoolRow, "slug" | "timezone">;
  period: Period;
  previousPeriod: Period;
  completionWindow: { current: Period; previous: Period };
  now: Date;
  /** False when the school has no message at all: live counts are then unknown, not 0. */
  hasData: boolean;
  /** The SLA report (unfiltered) or the SLA page's filtered breakdown in its shape. */
  sla: SlaFigures;
  slaPrevious: SlaFigures;
  /** Only the totals are shown (csatTotalReport: no groups are read). */
  csat: Pick<CsatReport, "total">;
  csatPrevious: Pick<CsatReport, "total">;
  queue: QueueCounts;
  completion: { successes: number; n: number; rate: number | null };
  completionPrevious: { successes: number; n: number; rate: number | null };
  /** The filters applied; absent = none. */
  filter?: CsatFilter;
  /** The cohort's external id, as the outcomes page's URL takes it, when the completion figure is filtered. */
  completionCohort?: string;
}

export type SlaFigures = Pick<SlaSummary, "total" | "groups">;

/** Pure: the KPI object from the reports' results (unit-tested without a database). */
export function composeOverviewKpis(x: KpiParts): OverviewKpis {
  const slug = x.school.slug;
  const filter = x.filter ?? {};
  const fp = filterParams(filter);
  const active = Object.keys(fp) as FilterName[];
  // Every link carries the filters its figure applied, so the list behind it counts the same episodes.
  const base = { school: slug, from: x.period.from, to: lastDayOf(x.period), ...fp };
  const episodes = (extra: Record<string, string> = {}) => `/episodes?${query({ ...base, ...extra })}`;
  const s = x.sla.total;
  const sp = x.slaPrevious.total;
  // The open list spans the days the open episodes were opened on (none is older than 7 days), not the period.
  let firstDay: string | null = null;
  let lastDay: string | null = null;
  for (const it of x.queue.items) {
    const d = localDay(it.openedAt, x.school.timezone);
    if (firstDay === null || d < firstDay) firstDay = d;
    if (lastDay === null || d > lastDay) lastDay = d;
  }
  const queueParams = filterParams(filter, APPLIES.openNow);
  const openQuery = firstDay === null || lastDay === null ? null : { school: slug, from: firstDay, to: lastDay, status: "open", ...queueParams };
  const queueHref = `/queue?${query({ school: slug, ...queueParams })}`;
  const liveCount = (v: number) => ({ value: x.hasData ? v : null, n: x.hasData ? x.queue.totalOpen : 0 });
  const csatCur = x.csat.total;
  const csatPrev = x.csatPrevious.total;
  const windowLink = (w: Period) => `/outcomes?${query({ school: slug, from: w.from, to: lastDayOf(w), ...(x.completionCohort ? { cohort: x.completionCohort } : {}) })}`;
  const kpis: Record<KpiKey, KpiFigure> = {
    slaCompliance: figure("slaCompliance", "share", "higher", { value: s.compliance, n: s.known }, { value: sp.compliance, n: sp.known }, `/sla?${query(base)}`, active),
    medianResponse: figure("medianResponse", "minutes", "lower", { value: s.medianMinutes, n: s.answered }, { value: sp.medianMinutes, n: sp.answered }, episodes({ status: "answered" }), active),
    p90Response: figure("p90Response", "minutes", "lower", { value: s.p90Minutes, n: s.answered }, { value: sp.p90Minutes, n: sp.answered }, episodes({ status: "answered" }), active),
    openNow: figure("openNow", "count", "lower", liveCount(x.queue.totalOpen), null, openQuery ? `/episodes?${query(openQuery)}` : queueHref, active),
    breachingNow: figure("breachingNow", "count", "lower", liveCount(x.queue.counts.breaching), null, openQuery ? `/episodes?${query({ ...openQuery, breached: "1" })}` : queueHref, active),
    // Breaches of episodes opened in the period: unknown (not 0) when no episode opened.
    breached: figure("breached", "count", "lower", { value: s.episodes === 0 ? null : s.breached, n: s.episodes }, { value: sp.episodes === 0 ? null : sp.breached, n: sp.episodes }, episodes({ breached: "1" }), active),
    csat: figure("csat", "percent", "higher", { value: csatCur.csatPercent, n: csatCur.n }, { value: csatPrev.csatPercent, n: csatPrev.n }, `/satisfaction?${query(base)}`, active),
    completion: figure("completion", "share", "higher", { value: x.completion.rate, n: x.completion.n }, { value: x.completionPrevious.rate, n: x.completionPrevious.n }, windowLink(x.completionWindow.current), active),
  };
  const prevByRole = new Map(x.slaPrevious.groups.map((g) => [g.key, g]));
  const byRole: RoleCompliance[] = x.sla.groups.map((g) => {
    const p = prevByRole.get(g.key);
    const role = g.key ?? "none";
    return {
      key: g.key,
      label: g.label,
      episodes: g.episodes,
      met: g.met,
      known: g.known,
      breached: g.breached,
      compliance: g.compliance,
      previous: p?.compliance ?? null,
      previousKnown: p?.known ?? 0,
      trend: trendOf(g.compliance, p?.compliance ?? null, "higher", FLAT.share),
      href: episodes({ role }),
      breachedHref: episodes({ role, breached: "1" }),
    };
  });
  return {
    school: slug,
    timezone: x.school.timezone,
    period: x.period,
    previousPeriod: x.previousPeriod,
    completionWindow: x.completionWindow,
    asOf: x.now.toISOString(),
    kpis,
    byRole,
    filter,
  };
}

/** The report periods: the asked (or default) period, the one before it, and the completion windows. */
export function kpiPeriods(q: KpiQuery, tz: string, lastDataDay: string | null, now: Date) {
  const period = parsePeriod(q, tz, lastDataDay, now);
  const previous = previousPeriod(period);
  const window = (p: Period) => parsePeriod({ to: lastDayOf(p), days: "365" }, tz, null, now);
  return { period, previous, completionWindow: { current: window(period), previous: window(previous) } };
}

/** Each report is asked with explicit inclusive dates, exactly as its page or CLI would be. */
const dates = (p: Period) => ({ from: p.from, to: lastDayOf(p) });

export interface KpiOptions {
  /**
   * Read the figures support activity does not change (the previous period's, completion) from the
   * school's stored run (report_runs kind `kpi`, docs/adr/0010-kpi-stored-figures.md) when recent enough,
   * as the overview page does; absent = computed for the call (the CLI, the tests' reference).
   */
  stored?: RunOptions;
}

/**
 * What the cards compare with (the previous period's SLA, CSAT and completion) and the current
 * completion: none of it moves with the live support traffic (completion is learning data, whose changes
 * drop the stored run at once).
 */
export interface SettledFigures {
  previous: { sla: SlaFigures; csat: Pick<CsatReport, "total">; completion: Proportion };
  completion: Proportion;
  /**
   * Unfiltered views: the current period's SLA part of the days before `upTo` (ADR 0011), whose episodes
   * are settled but for the open ones, judged at view time, and late data, as the previous period's.
   */
  current: { upTo: string; part: StoredSlaRolePart } | null;
}

export async function overviewKpis(db: Db, school: SchoolRow, q: KpiQuery, now: Date, opts: KpiOptions = {}): Promise<OverviewKpis> {
  const span = await messageSpan(db, school.id, school.timezone);
  const { period, previous, completionWindow } = kpiPeriods(q, school.timezone, span.last, now);
  const filter = parseReportFilter(q);
  const fq = filterParams(filter);
  // Outcomes filter cohorts by external id (their URL's key); the overview's cohort is the SLA page's id.
  const cohorts = (async () => {
    const cc = filter.cohortId === undefined ? [] : await cohortCourses(db, school.id);
    const externalId = cc.find((c) => c.cohortId === filter.cohortId)?.cohortExternalId;
    // The outcomes report's cohort filter: every cohort with that external id.
    const ids = externalId === undefined ? null : cc.filter((c) => c.cohortExternalId === externalId).map((c) => c.cohortId);
    return { externalId, ids };
  })();
  const unfiltered = Object.keys(filter).length === 0;
  const settled = async (asOf: Date, withCurrent: boolean): Promise<SettledFigures> => {
    const { ids } = await cohorts;
    const upTo = settledUpTo(period, school.timezone, asOf);
    const [[sla = NO_SLA], csat, completionBefore, completion, part] = await Promise.all([
      slaFigures(db, school, [previous], filter, asOf),
      csatTotalReport(db, school, { ...dates(previous), ...fq }, asOf),
      completionFigure(db, school, completionWindow.previous, asOf, ids),
      completionFigure(db, school, completionWindow.current, asOf, ids),
      withCurrent ? slaRolePart(db, school.id, school.timezone, { from: period.from, to: upTo }) : null,
    ]);
    return { previous: { sla, csat: { total: csat.total }, completion: completionBefore }, completion, current: part === null ? null : { upTo, part: packSlaRolePart(part) } };
  };
  // Independent reads at once (SLA, CSAT, the open episodes, the settled figures): on PostgreSQL they hold
  // about four of the pool's ten connections when the settled figures are stored, up to nine when they are
  // computed; PGlite serves one query at a time and simply queues them.
  // The open episodes are read and judged once, for the queue's counts and the SLA figures' open flags.
  const open = openEpisodeStates(db, school.id, now);
  const flags = open.then(openFlagsOf);
  const csatChain = csatTotalReport(db, school, { ...dates(period), ...fq }, now);
  // The queue's counts only (not its names, staff and suggestions, which the cards do not show).
  const queueChain = queueCounts(db, school, filterParams(filter, APPLIES.openNow), now, open);
  // The settled figures are the same view after view: the page reads them from a stored run (about half
  // of the cards' statements' time at 10 M messages), and with them, unfiltered, most of the current
  // period's SLA figures (ADR 0011: the current period's SLA statement was ~110 ms of the cards' ~210).
  const settledChain = opts.stored
    ? currentRun(db, school.id, settledSpec(school, [period, previous, completionWindow.previous, completionWindow.current], fq, (asOf) => settled(asOf, unfiltered)), now, now, opts.stored).then((r) => r.value)
    : settled(now, false);
  const slaChain: Promise<SlaFigures[]> = opts.stored && unfiltered
    ? settledChain.then(async ({ current }) => {
        // A run stored without the part (none is, unfiltered; kept for the type) computes the whole period.
        if (current === null) return slaFigures(db, school, [period], filter, now, flags);
        const [live, f] = await Promise.all([slaRolePart(db, school.id, school.timezone, { from: current.upTo, to: period.to }), flags]);
        const parts = [unpackSlaRolePart(current.part), live];
        const labels = await labelsFor(db, school.id, "role", [...new Set(parts.flatMap((p) => p.groups.map((g) => g.key)))]);
        return [combineSlaRoleParts(parts, flagSets(f), labels)];
      })
    : slaFigures(db, school, [period], filter, now, flags);
  const [[sla = NO_SLA], csat, queue, fixed, { externalId: completionCohort }] = await Promise.all([slaChain, csatChain, queueChain, settledChain, cohorts]);
  return composeOverviewKpis({
    school,
    period,
    previousPeriod: previous,
    completionWindow,
    now,
    hasData: span.last !== null,
    sla,
    slaPrevious: fixed.previous.sla,
    csat,
    csatPrevious: fixed.previous.csat,
    queue,
    completion: fixed.completion,
    completionPrevious: fixed.previous.completion,
    filter,
    completionCohort,
  });
}

/** Bumped when SettledFigures changes shape: a run of another format is computed again. */
const SETTLED_FORMAT = 3;

/**
 * The stored run of the settled figures. One per school (report_runs' key): its version names the
 * periods, the time zone and the filters, so a run stands only for the view it was computed for, and a
 * view of other dates or filters computes and replaces it.
 */
function settledSpec(school: SchoolRow, periods: readonly Period[], filter: Record<string, string>, compute: (asOf: Date) => Promise<SettledFigures>): RunSpec<SettledFigures> {
  const key = [school.timezone, ...periods.map((p) => `${p.from}..${p.to}`), new URLSearchParams(filter).toString()].join("|");
  return {
    kind: "kpi",
    version: `kpi-${SETTLED_FORMAT}|${key}`,
    compute,
    rows: (v) => v.previous.sla.groups.length,
    pack: (v) => JSON.stringify(v),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => JSON.parse(text) as SettledFigures,
  };
}

/**
 * The outcomes report's `total` (completionRate over its enrollments) for a cohort-start window, read as
 * of the window's end as that report reads it, from counts alone (db/queries/reports/kpi-completion.ts).
 */
async function completionFigure(db: Db, school: SchoolRow, window: Period, now: Date, cohortIds: number[] | null): Promise<Proportion> {
  const c = await completionCounts(db, school.id, school.timezone, window, periodAsOf(window, school.timezone, now), cohortIds);
  return wilsonInterval(c.completed, c.completed + c.withdrawn);
}

const NO_SLA: SlaFigures = { total: emptySlaStats, groups: [] };

/**
 * SLA figures by role for each period: unfiltered, the SLA report itself (what `cli report sla` prints,
 * all periods in one statement); filtered, the SLA page's breakdown with the same filter (equal to the
 * report when unfiltered, episode-detail test).
 */
async function slaFigures(db: Db, school: SchoolRow, periods: readonly Period[], filter: CsatFilter, now: Date, flags?: Promise<OpenFlags>): Promise<SlaFigures[]> {
  if (Object.keys(filter).length === 0) return slaSummaries(db, school.id, school.timezone, periods, "role", now, flags);
  const out: SlaFigures[] = [];
  for (const period of periods) {
    const b = await slaBreakdown(db, school.id, school.timezone, period, filter, now);
    out.push({ total: b.total, groups: b.byRole.map(({ role, roleLabel, ...stats }) => ({ key: role, label: roleLabel, ...stats })) });
  }
  return out;
}
