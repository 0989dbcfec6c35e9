import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { outcomeRows, type OutcomeRow } from "../../db/queries/reports/outcomes";
import { cohortCourses, type CohortCourseRow } from "../../db/queries/reports/outcomes-filter";
import { completionBy, completionByQuartile, completionRate, retentionCurvesByTier, OUTCOMES_INTERPRETATION, type GroupCompletion, type OutcomeEnrollment, type QuartileCompletion, type RetentionCurve } from "../metrics/outcomes";
import type { QuartileCuts } from "../metrics/stats/quartiles";
import type { Proportion } from "../metrics/stats/wilson";
import type { Period } from "../period";
import { reportPeriod, type ReportQuery } from "./sla";
import { outcomeRowsIn, packOutcomeRows, unpackOutcomeRows, withStartDays, type StoredOutcomeRows } from "./outcomes-pack";
import { currentRun, freezeDeep, type RunInfo, type RunOptions } from "./report-runs";

/**
 * The outcomes report (METRICS.md, "Completion and outcomes"): completion by support tier and by
 * quartile of support exposure, with 95 % Wilson intervals, and Kaplan–Meier retention by tier.
 * Enrollments are those whose cohort starts in the period (default: the 365 days ending on the school's
 * last message day); everything is read as of the end of the period (or now, if earlier).
 * Every figure is a CORRELATION, not an effect (OUTCOMES_INTERPRETATION).
 */

export interface QuartileReport {
  cuts: QuartileCuts | null;
  quartiles: QuartileCompletion[];
  withoutExposure: number;
}

export interface OutcomesReport {
  school: string;
  timezone: string;
  period: Period;
  asOf: string;
  interpretation: typeof OUTCOMES_INTERPRETATION;
  enrollments: number;
  total: Proportion & { notEnded: number };
  byTier: GroupCompletion[];
  byResponseTime: QuartileReport;
  byStaffContacts: QuartileReport;
  byBreachedShare: QuartileReport;
  retention: { curves: RetentionCurve[]; skipped: number };
  rows: OutcomeRow[];
  /** The course and cohort filter applied (external ids; unknown ids are dropped, not guessed). */
  filter: OutcomesFilter;
  /** Courses and cohorts with enrollments in the period (before the filter), for the filter's choices. */
  options: { courses: Array<{ value: string; label: string }>; cohorts: Array<{ value: string; label: string; course: string }> };
  /** Enrollments in the period before the course/cohort filter: "shown n of N". */
  unfiltered: number;
}

/** A course and/or cohort, by external id (the URL's ?course=&cohort=). */
export interface OutcomesFilter {
  course?: string;
  cohort?: string;
}

/**
 * Keeps the outcome rows of the chosen course and cohort. A cohort of another course than the chosen one
 * leaves nothing, which is what the two choices together mean. Filtering happens here, over the rows the
 * period query returns, so every section (tiers, quartile cuts, retention) is recomputed on the subset.
 */
export function filterOutcomeRows(rows: readonly OutcomeRow[], cohorts: readonly CohortCourseRow[], f: OutcomesFilter): OutcomeRow[] {
  if (!f.course && !f.cohort) return [...rows];
  const keep = new Set(cohorts.filter((c) => (!f.course || c.courseExternalId === f.course) && (!f.cohort || c.cohortExternalId === f.cohort)).map((c) => c.cohortId));
  return rows.filter((r) => keep.has(r.cohortId));
}

/** One row of the retention table / CSV: a tier's Kaplan–Meier estimate at the end of a week. */
export interface RetentionRow {
  tier: string;
  week: number;
  /** Enrollments still observed at the start of the week (not withdrawn, not censored before it). */
  atRisk: number;
  /** Withdrawals counted in this week. */
  events: number;
  censored: number;
  survival: number;
  /** 95 % interval, log-log transform of Greenwood's variance; null where undefined (S = 1 or S = 0). */
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * The retention curves as numbers, one row per tier and week (weeks are whole, see retentionObservation),
 * for the chart's data table and the CSV. The log-log interval stays inside [0, 1], unlike S ± 1.96·SE,
 * which matters at the small per-tier counts of a single cohort.
 */
export function retentionTable(curves: readonly RetentionCurve[]): RetentionRow[] {
  const out: RetentionRow[] = [];
  for (const c of curves) {
    let atRisk = c.enrollments;
    let se: number | null = null;
    for (const w of c.byWeek) {
      const step = c.steps.find((s) => s.time === w.week);
      if (step) se = step.stdError;
      const s = w.stillEnrolled;
      let ciLow: number | null = null;
      let ciHigh: number | null = null;
      if (se !== null && s > 0 && s < 1) {
        const v = (se * se) / (s * s * Math.log(s) ** 2);
        const k = 1.96 * Math.sqrt(v);
        ciLow = s ** Math.exp(k);
        ciHigh = s ** Math.exp(-k);
      }
      out.push({ tier: c.tier, week: w.week, atRisk, events: step?.events ?? 0, censored: step?.censored ?? 0, survival: s, ciLow, ciHigh });
      atRisk -= (step?.events ?? 0) + (step?.censored ?? 0);
    }
  }
  return out;
}

/** The as-of instant of a period: the local midnight ending it, or `now` when that is later than now. */
export function periodAsOf(period: Period, tz: string, now: Date): Date {
  const end = DateTime.fromISO(period.to, { zone: tz }).toJSDate();
  return end.getTime() < now.getTime() ? end : now;
}

export function toOutcomeEnrollment(r: OutcomeRow, tz: string, startOf: (date: string) => Date = (date) => DateTime.fromISO(date, { zone: tz }).toJSDate()): OutcomeEnrollment & { row: OutcomeRow } {
  // Retention is counted from enrolled_at (else the cohort's start).
  const start = r.enrolledAt ? new Date(r.enrolledAt) : r.cohortStartsOn ? startOf(r.cohortStartsOn) : undefined;
  // Every object gets the same properties in the same order (undefined where absent): ~80 k of them go
  // through completionRate and the quartiles several times, and objects of one shape keep those loops
  // monomorphic (with optional spreads they took ~120 ms of the page).
  return { id: String(r.enrollmentId), tier: r.tier, status: r.status, startsAt: start, endedAt: r.endedAt ? new Date(r.endedAt) : undefined, row: r };
}

/**
 * toOutcomeEnrollment, once per row object and zone: the rows of a stored run are the same (frozen)
 * objects on every read in this process (lib/reports/report-runs.ts), and converting ~79 k of them was
 * the largest part of the report's JS once the rows were stored. Rows computed for one call are simply
 * not found again. The result is frozen too: it is shared as the row is.
 */
const enrollmentOf = new WeakMap<OutcomeRow, { tz: string; e: OutcomeEnrollment & { row: OutcomeRow } }>();
function outcomeEnrollmentOf(r: OutcomeRow, tz: string, startOf: (date: string) => Date): OutcomeEnrollment & { row: OutcomeRow } {
  const hit = enrollmentOf.get(r);
  if (hit && hit.tz === tz) return hit.e;
  const e = toOutcomeEnrollment(r, tz, startOf);
  if (Object.isFrozen(r)) enrollmentOf.set(r, { tz, e: Object.freeze(e) });
  return e;
}

/** A cohort start date's local midnight, converted once per date (luxon per row cost ~25 ms at 80 k rows). */
function startsOfDays(tz: string): (date: string) => Date {
  const seen = new Map<string, Date>();
  return (date) => {
    let d = seen.get(date);
    if (!d) seen.set(date, (d = DateTime.fromISO(date, { zone: tz }).toJSDate()));
    return d;
  };
}

/** Every start day: the stored outcomes run holds every enrollment of the school, and a period filters them. */
const ALL_DAYS: Period = { from: "0001-01-01", to: "9999-12-31" };
/** The stored outcome rows' format (lib/reports/outcomes-pack.ts) and query: a run of another is computed again. */
export const OUTCOME_ROWS_VERSION = "outcome-rows-1";

/**
 * The outcome rows of `period` as of `asOf` asked at `now`, from the school's stored run of every
 * enrollment's row when it may stand for them, else computed now for every enrollment and stored
 * (lib/reports/report-runs.ts, docs/adr/0009-stored-report-runs.md). The rows are those outcomeRows reads
 * for the period, as of the run's own instant (`asOf` of the result).
 */
export async function currentOutcomeRows(db: Db, school: SchoolRow, period: Period, asOf: Date, now: Date, opts: RunOptions = {}): Promise<{ rows: OutcomeRow[]; asOf: Date; run: StoredOutcomeRows } & RunInfo> {
  const tz = school.timezone;
  const { value, asOf: at, computedAt, reused, computeMs } = await currentRun(
    db,
    school.id,
    {
      kind: "outcomes",
      version: OUTCOME_ROWS_VERSION,
      compute: async (a) => withStartDays(await outcomeRows(db, school.id, tz, ALL_DAYS, a), tz),
      rows: (v) => v.rows.length,
      pack: packOutcomeRows,
      unpack: unpackOutcomeRows,
    },
    asOf,
    now,
    opts,
  );
  return { rows: outcomeRowsIn(value, period), asOf: at, run: value, computedAt, reused, computeMs };
}

/**
 * Reports already built from a stored run in this process, per run value (the same frozen object while the
 * run stands: lib/reports/report-runs.ts) and query: the report is a function of the run's rows, the period,
 * the filter and the zone, so a view of the page that repeats one is the report built before (the
 * aggregates over ~79 k rows were ~100 ms of it). Course and cohort names come along from that first build.
 */
const builtFrom = new WeakMap<StoredOutcomeRows, Map<string, OutcomesReport>>();

/**
 * `opts.stored`: read the rows through currentOutcomeRows (the outcomes page) rather than compute them for
 * this call (the CLI, tests): the report is then as of the stored run's instant.
 */
export async function outcomesReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date, want: OutcomesFilter = {}, opts: { stored?: RunOptions } = {}): Promise<OutcomesReport> {
  const period = await reportPeriod(db, school, { ...q, days: q.days ?? "365" }, now);
  let asOf = periodAsOf(period, school.timezone, now);
  let all: OutcomeRow[];
  let built: Map<string, OutcomesReport> | undefined;
  const key = JSON.stringify([school.slug, school.timezone, period.from, period.to, want.course ?? null, want.cohort ?? null]);
  if (opts.stored) {
    let run: StoredOutcomeRows;
    ({ rows: all, asOf, run } = await currentOutcomeRows(db, school, period, asOf, now, opts.stored));
    built = builtFrom.get(run);
    if (!built) builtFrom.set(run, (built = new Map()));
    const hit = built.get(key);
    if (hit) return hit;
  } else all = await outcomeRows(db, school.id, school.timezone, period, asOf);
  const cc = await cohortCourses(db, school.id);
  // Only ids that exist at the school are applied: a stale or mistyped ?course= reads as "all", visibly
  // (the select shows "all"), instead of an empty page that looks like no data.
  const filter: OutcomesFilter = {
    ...(want.course && cc.some((c) => c.courseExternalId === want.course) ? { course: want.course } : {}),
    ...(want.cohort && cc.some((c) => c.cohortExternalId === want.cohort) ? { cohort: want.cohort } : {}),
  };
  const rows = filterOutcomeRows(all, cc, filter);
  const inPeriod = new Set(all.map((r) => r.cohortId));
  const present = cc.filter((c) => inPeriod.has(c.cohortId));
  const options = {
    courses: [...new Map(present.map((c) => [c.courseExternalId, { value: c.courseExternalId, label: c.course }])).values()],
    cohorts: present.map((c) => ({ value: c.cohortExternalId, label: c.cohort, course: c.courseExternalId })),
  };
  const startOf = startsOfDays(school.timezone);
  const enr = rows.map((r) => outcomeEnrollmentOf(r, school.timezone, startOf));
  const quart = (f: (r: OutcomeRow) => number | null): QuartileReport => {
    const { cuts, quartiles, withoutExposure } = completionByQuartile(enr, (e) => f(e.row));
    return { cuts, quartiles, withoutExposure };
  };
  const retention = retentionCurvesByTier(enr, asOf);
  const report: OutcomesReport = {
    school: school.slug,
    timezone: school.timezone,
    period,
    asOf: asOf.toISOString(),
    interpretation: OUTCOMES_INTERPRETATION,
    enrollments: rows.length,
    total: completionRate(enr),
    byTier: completionBy(enr, (e) => e.tier),
    byResponseTime: quart((r) => r.medianResponseMinutes),
    byStaffContacts: quart((r) => r.staffContacts),
    byBreachedShare: quart((r) => r.breachedShare),
    retention: { curves: retention.curves, skipped: retention.skipped },
    rows,
    filter,
    options,
    unfiltered: all.length,
  };
  // Shared by every later view of the same run and query: frozen, like the rows it holds.
  built?.set(key, freezeDeep(report));
  return report;
}
