import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { botAndPeerCounts, episodesByCategory, type BotPeerCounts } from "../../db/queries/reports/sla-extra";
import { openFlags } from "../../db/queries/reports/common";
import type { EpisodeFilter } from "../../db/queries/reports/episode-detail";
import type { Period } from "../period";
import { parseFilter, type SlaPageOptions, type UrlParams } from "./episode-detail";
import { slaPageFigures } from "./sla-page-run";
import { EXTRA_KINDS } from "../../db/queries/reports/sla-page-part";
import { reportPeriod } from "./sla";

/**
 * The SLA page's two extra tables (issue: field study): questions by category and bot/peer activity,
 * for the same period and filters (role, cohort, channel, source) as the rest of the page. The CLI
 * (`report categories`) and the CSV export read this one function, so their numbers are the page's.
 */

export interface CategoryStat {
  category: string | null;
  episodes: number;
  /** episodes / all episodes of the period (0..1); null with no episodes. */
  share: number | null;
  answered: number;
  medianMinutes: number | null;
  known: number;
  met: number;
  /** met / known (0..1); null when nothing is known yet. */
  compliance: number | null;
}

export interface SlaExtraReport {
  school: string;
  timezone: string;
  period: Period;
  filter: EpisodeFilter;
  total: number;
  categories: CategoryStat[];
  bot: BotPeerCounts & {
    /** resolvedByBot / episodes; handedOff / botReplied; peerBeforeStaff / episodes (0..1, null without a base). */
    deflectionShare: number | null;
    handoffShare: number | null;
    peerBeforeStaffShare: number | null;
  };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** The page-level filters only: drill-down keys (weekday, hour, status…) would make these tables a cell's. */
export function extraFilter(p: UrlParams): EpisodeFilter {
  const { role, cohortId, channelId, source } = parseFilter(p);
  return Object.fromEntries(Object.entries({ role, cohortId, channelId, source }).filter(([, v]) => v !== undefined)) as EpisodeFilter;
}

export async function slaExtraReport(db: Db, school: SchoolRow, p: UrlParams, now: Date, opts: SlaPageOptions = {}): Promise<SlaExtraReport> {
  const period = await reportPeriod(db, school, { from: one(p.from), to: one(p.to), days: one(p.days) }, now);
  const filter = extraFilter(p);
  const tz = school.timezone;
  const judged = openFlags(db, school.id, tz, period, now);
  // From the SLA page's stored run (the page reads both at once), or computed for the call.
  const [cats, bot] = opts.stored
    ? await slaPageFigures(db, school, period, filter, now, opts.stored, judged, EXTRA_KINDS).then((x) => [x.categories, x.bot] as const)
    : await Promise.all([episodesByCategory(db, school.id, tz, period, filter, now, judged), botAndPeerCounts(db, school.id, tz, period, filter, now, judged)]);
  const total = cats.reduce((a, c) => a + c.episodes, 0);
  return {
    school: school.slug,
    timezone: tz,
    period,
    filter,
    total,
    categories: cats.map((c) => ({ ...c, share: ratio(c.episodes, total), compliance: ratio(c.met, c.known) })),
    bot: {
      ...bot,
      deflectionShare: ratio(bot.resolvedByBot, bot.episodes),
      handoffShare: ratio(bot.handedOff, bot.botReplied),
      peerBeforeStaffShare: ratio(bot.peerBeforeStaff, bot.episodes),
    },
  };
}

const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
const min = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

export const slaExtraTables = ["categories", "bot"] as const;
export type SlaExtraTable = (typeof slaExtraTables)[number];

/** CSV header and rows of one table, the figures the page shows (percent with one decimal, minutes too). */
export function slaExtraCsvRows(r: SlaExtraReport, table: SlaExtraTable): { header: string[]; rows: Array<Array<string | number | null>> } {
  if (table === "categories") {
    return {
      header: ["category", "episodes", "share_pct", "answered", "median_first_response_minutes", "known", "met", "compliance_pct"],
      rows: r.categories.map((c) => [c.category ?? "none", c.episodes, pct(c.share), c.answered, min(c.medianMinutes), c.known, c.met, pct(c.compliance)]),
    };
  }
  const b = r.bot;
  return {
    header: ["episodes", "bot_replied", "resolved_by_bot", "deflection_pct", "handed_off", "handoff_pct_of_bot_replied", "median_handoff_minutes", "peer_replied", "peer_before_staff", "peer_before_staff_pct"],
    rows: [[b.episodes, b.botReplied, b.resolvedByBot, pct(b.deflectionShare), b.handedOff, pct(b.handoffShare), min(b.medianHandoffMinutes), b.peerReplied, b.peerBeforeStaff, pct(b.peerBeforeStaffShare)]],
  };
}
