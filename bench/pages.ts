import { DateTime } from "luxon";
import type { Db } from "../db/client";
import type { SchoolRow } from "../db/queries/schools";
import { overviewReport } from "../lib/reports/overview";
import { overviewKpis } from "../lib/reports/overview-kpis";
import { heatmapReport, slaReport } from "../lib/reports/sla";
import { queueReport } from "../lib/reports/queue";
import { forgetOpenEpisodes } from "../db/queries/reports/common";
import { forgetQueueKept } from "../db/queries/reports/queue";
import { slaPageReport } from "../lib/reports/episode-detail";
import { slaExtraReport } from "../lib/reports/sla-extra";
import { filterOptions, forgetFilterOptions } from "../db/queries/reports/episode-detail";
import { DEFAULTS, shiftsPlan } from "../lib/reports/shifts";
import { teamReport } from "../lib/reports/team";
import { satisfactionReport } from "../lib/reports/satisfaction";
import { outcomesReport } from "../lib/reports/outcomes";
import { currentRiskReport, riskReport } from "../lib/reports/risk";
import { forgetReportRuns, type ReportRunKind } from "../db/queries/reports/report-runs";
import { forgetDecodedRuns } from "../lib/reports/report-runs";
import { checkInsReport, currentCheckInsReport, currentUnreachableReport, staffOutcomesReport, unreachableReport } from "../lib/reports/contacts";
import { median, percentile, round, timed } from "./stats";

/**
 * Every page's data as the page reads it: the lib/reports function (not lib/dal, which only adds the
 * session check). Default periods, as a head of service first opens each page.
 */
export const PAGES: Record<string, (db: Db, school: SchoolRow, now: Date) => Promise<unknown>> = {
  overview: (db, s, now) => overviewReport(db, s, endingAt(s, now), now),
  // The overview page's KPI cards (SLA, response times, CSAT, completion, each against the previous period).
  // As the page reads them: the previous period and completion from the stored run (docs/adr/0010-kpi-stored-figures.md) ...
  "overview kpis": (db, s, now) => overviewKpis(db, s, endingAt(s, now), now, { stored: {} }),
  // ... and every figure computed for the call, what the first view of a period (or after 15 quiet minutes) waits for.
  "overview kpis (computing)": (db, s, now) => overviewKpis(db, s, endingAt(s, now), now),
  // The SLA page as it loads (app/(dashboard)/sla/page.tsx: lib/dal/sla.ts and sla-extra.ts at once): the
  // breakdown by role and policy, weekly compliance, the heatmap with staff on shift, the breached list,
  // the filter options, categories, bot and peer counts.
  // The aggregates of the days before yesterday come from the stored run (docs/adr/0011-settled-days-stored.md) ...
  "sla page": (db, s, now) => Promise.all([slaPageReport(db, s, endingAt(s, now), now, { stored: {} }), slaExtraReport(db, s, endingAt(s, now), now, { stored: {} })]),
  // ... and every figure computed for the call, what the first view of a period (or after 15 quiet minutes) waits for.
  // (The filter choices too: a process keeps them for a minute, FILTER_OPTIONS_KEEP_MS.)
  "sla page (computing)": (db, s, now) => {
    forgetFilterOptions(db);
    return Promise.all([slaPageReport(db, s, endingAt(s, now), now), slaExtraReport(db, s, endingAt(s, now), now)]);
  },
  // The SLA report and heatmap as `cli report sla` / `cli report heatmap` print them: the aggregates the
  // DuckDB reference computes too. From the SLA page's stored run, as the CLI reads them (round 24) ...
  sla: (db, s, now) => slaReport(db, s, endingAt(s, now), now, { stored: {} }),
  heatmap: (db, s, now) => heatmapReport(db, s, endingAt(s, now), now, { stored: {} }),
  // ... and computed whole for the call, as they were until round 24.
  "sla (computing)": (db, s, now) => slaReport(db, s, endingAt(s, now), now),
  "heatmap (computing)": (db, s, now) => heatmapReport(db, s, endingAt(s, now), now),
  // As a poll reads it: the open episodes' ids, and the values of those the process has not kept (ADR 0016), the channels' labels and the roster kept for a minute ...
  queue: (db, s, now) => queueReport(db, s, {}, now),
  // ... and a process that has kept none (its first poll, or after a restart): every open episode, channel label and staff role read.
  "queue (first read)": (db, s, now) => {
    forgetOpenEpisodes(db);
    forgetQueueKept(db);
    return queueReport(db, s, {}, now);
  },
  // As the page reads it: the period's closed episodes before yesterday from the stored run (docs/adr/0011-settled-days-stored.md) ...
  team: (db, s, now) => teamReport(db, s, endingAt(s, now), now, { stored: {} }),
  // ... and computed for the call, what the first view of a period (or after 15 quiet minutes) waits for.
  "team (computing)": (db, s, now) => teamReport(db, s, endingAt(s, now), now),
  // With its filter choices, as lib/dal/satisfaction.ts reads them beside the report.
  // The ratings and surveys before yesterday from the stored run (docs/adr/0011-settled-days-stored.md) ...
  satisfaction: (db, s, now) => Promise.all([satisfactionReport(db, s, endingAt(s, now), now, { stored: {} }), filterOptions(db, s.id)]),
  // ... and computed whole for the call, as it was until round 25 (the first view of a period or filter).
  "satisfaction (computing)": (db, s, now) => {
    forgetFilterOptions(db);
    return Promise.all([satisfactionReport(db, s, endingAt(s, now), now), filterOptions(db, s.id)]);
  },
  // As the outcomes page reads it (lib/dal/outcomes.ts): every enrollment's row from the stored run,
  // computed by the warm-up call (docs/adr/0009-stored-report-runs.md); and computed for the call, what a
  // reader waits for when no run is stored or it has lapsed.
  outcomes: (db, s, now) => outcomesReport(db, s, endingAt(s, now), now, {}, { stored: {} }),
  "outcomes (run read)": (db, s, now) => {
    forgetDecodedRuns();
    return outcomesReport(db, s, endingAt(s, now), now, {}, { stored: {} });
  },
  "outcomes (computing)": (db, s, now) => outcomesReport(db, s, endingAt(s, now), now),
  // The at-risk list as the outcomes page reads it (lib/dal/outcomes.ts): the stored run, scored by the
  // warm-up call (docs/adr/0009-stored-report-runs.md); and scoring itself, what a reader waits for when no
  // run is stored or it has lapsed (the first view after a learning-data change or 15 minutes).
  risk: (db, s, now) => currentRiskReport(db, s, now, now),
  // A server process that has not decoded the stored run yet (another process stored it, or this one
  // restarted): the run's body is read and decoded.
  "risk (run read)": (db, s, now) => {
    forgetDecodedRuns();
    return currentRiskReport(db, s, now, now);
  },
  "risk (scoring)": (db, s, now) => riskReport(db, s, now),
  // The outcomes page's contact sections (loaded beside the outcomes report): students nobody reached,
  // check-ins of assigned students, completion by the staff who supported them.
  // As the page reads them (stored whole, docs/adr/0009-stored-report-runs.md), and computed for the call.
  unreachable: (db, s, now) => currentUnreachableReport(db, s, now, now),
  "unreachable (computing)": (db, s, now) => unreachableReport(db, s, now),
  "check-ins": (db, s, now) => currentCheckInsReport(db, s, now, now),
  "check-ins (computing)": (db, s, now) => checkInsReport(db, s, now),
  // As the page reads it: the outcome rows of the stored run (the outcomes rows above computed it) ...
  "staff outcomes": (db, s, now) => staffOutcomesReport(db, s, endingAt(s, now), now, { stored: {} }),
  // ... and computed for the call (its enrollments without their support exposure).
  "staff outcomes (computing)": (db, s, now) => staffOutcomesReport(db, s, endingAt(s, now), now),
  // The shift planner (app/(dashboard)/shifts), as a head of service opens it: the default role's forecast
  // from ~7 weeks of episodes, the staffing of every shift of the role, the what-if. The weeks' episodes
  // before yesterday from the stored run, as the page reads them ...
  shifts: (db, s, now) => shiftsPlan(db, s, {}, now, undefined, { stored: {} }),
  // ... and all read for the call, what the first view of a role (or after 15 quiet minutes) waits for.
  "shifts (computing)": (db, s, now) => shiftsPlan(db, s, {}, now),
  // The same pages over a whole year: the volume a 30-day period holds at ~12x this scale, a proxy for
  // how the period-bounded pages grow toward 10 M messages (docs/performance.md, "Extrapolation").
  "overview (365 d)": (db, s, now) => overviewReport(db, s, { ...endingAt(s, now), days: "365" }, now),
  // The SLA page over a year as a head of service opens it (the stored run; its first call computes it).
  "sla page (365 d)": (db, s, now) => {
    const p = { ...endingAt(s, now), days: "365" };
    return Promise.all([slaPageReport(db, s, p, now, { stored: {} }), slaExtraReport(db, s, p, now, { stored: {} })]);
  },
  // The CLI's SLA report and heatmap over a year, computed whole for every call (OPT_IN).
  "sla (365 d)": (db, s, now) => slaReport(db, s, { ...endingAt(s, now), days: "365" }, now),
  "heatmap (365 d)": (db, s, now) => heatmapReport(db, s, { ...endingAt(s, now), days: "365" }, now),
};

/**
 * The default period (30 days) ending on the bench's "today" (the anchor's local day), as the pages
 * default to after an import. Pinned rather than "the school's last message day" because the webhook
 * test stores messages at the real clock's time, which would move a reused database's default period to
 * an almost empty month and make later page timings meaningless.
 */
function endingAt(s: SchoolRow, now: Date): { to: string } {
  return { to: DateTime.fromJSDate(now, { zone: s.timezone }).toISODate() ?? "" };
}

export interface PageTiming {
  page: string;
  runs: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
  /** The first (warm-up) call: what a page costs on connections that have not read its data yet. */
  first: number;
  /** Warm-up calls before the timed runs. */
  warmUps: number;
}

/**
 * Warm-up calls before a page's timed runs: up to WARM_UPS, while they have taken less than WARM_UP_MS.
 * The product's pool keeps up to ten connections for the life of the process (ADR 0012), and a connection
 * pays its first reads of a page's data once (its caches, its first touches of shared buffers): after a
 * single warm-up the next four or so calls of a page were 2–4× its steady time. The timed runs measure the
 * steady state of a server that has been up; the first call is reported beside them (`first`).
 */
const WARM_UPS = 5;
const WARM_UP_MS = 3000;

/**
 * Rows that are not what a served page reads but references for the row above them: the same data computed
 * for the call, or a stored run (or the open episodes) read by a process that has not decoded (kept) it. Their data was just read by that
 * row's calls, so they get one warm-up and at most REFERENCE_RUNS timed calls: with the full count they
 * took ~85 of the ~150 s the pages took at `full` (issue #9: the whole bench within 15 minutes).
 */
const REFERENCE = /\((computing|run read|scoring|first read)\)$/;
const REFERENCE_RUNS = 5;

/**
 * Timed only when `--pages` names them: the CLI's SLA report and heatmap over a year, computed whole for
 * every call (1.5–1.8 s each at `full`, ~40 s of the run). The SLA page over a year, as the page reads it,
 * is timed by default ("sla page (365 d)").
 */
export const OPT_IN: ReadonlySet<string> = new Set(["sla (365 d)", "heatmap (365 d)"]);

/** The stored run each page reads (forgotten before its warm-up, so the warm-up computes it with this code). */
const RUN_OF: Partial<Record<string, ReportRunKind>> = { "overview kpis": "kpi", team: "team", "sla page": "sla", sla: "sla", heatmap: "sla", "sla page (365 d)": "sla", risk: "risk", outcomes: "outcomes", unreachable: "unreachable", "check-ins": "checkins", shifts: `shifts-${DEFAULTS.role}` };

/**
 * Untimed warm-ups (plans and buffers cached, as on a server that has been up), then `runs` timed calls;
 * REFERENCE rows one warm-up and at most REFERENCE_RUNS calls, OPT_IN rows only when `only` names them.
 */
export async function timePages(db: Db, school: SchoolRow, now: Date, runs: number, only?: readonly string[], log?: (m: string) => void): Promise<PageTiming[]> {
  const out: PageTiming[] = [];
  for (const [page, f] of Object.entries(PAGES)) {
    if (only ? !only.includes(page) : OPT_IN.has(page)) continue;
    // A run stored by an earlier bench on a reused database (other code, other settings) is not this one's.
    const kind = RUN_OF[page];
    if (kind) await forgetReportRuns(db, school.id, kind);
    const reference = REFERENCE.test(page);
    const first = (await timed(() => f(db, school, now))).ms;
    let warmUps = 1;
    for (let spent = first; warmUps < (reference ? 2 : WARM_UPS) && spent < WARM_UP_MS; warmUps++) spent += (await timed(() => f(db, school, now))).ms;
    const ms: number[] = [];
    const n = reference ? Math.min(runs, REFERENCE_RUNS) : runs;
    for (let i = 0; i < n; i++) ms.push((await timed(() => f(db, school, now))).ms);
    const t: PageTiming = { page, runs: n, p50: round(median(ms)), p95: round(percentile(ms, 95)), min: round(Math.min(...ms)), max: round(Math.max(...ms)), first: round(first), warmUps };
    log?.(`  ${page}: p50 ${t.p50} ms, p95 ${t.p95} ms (first call ${t.first} ms, ${warmUps} warm-up${warmUps === 1 ? "" : "s"})`);
    out.push(t);
  }
  return out;
}
