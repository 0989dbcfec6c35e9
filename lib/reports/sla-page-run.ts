import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { flagSets, type OpenFlags } from "../../db/queries/reports/common";
import type { EpisodeFilter } from "../../db/queries/reports/episode-detail";
import { combineSlaPageParts, packSlaPagePart, slaPagePart, unpackSlaPagePart, type SlaPageFigures, type SlaPagePart, type StoredSlaPagePart } from "../../db/queries/reports/sla-page-part";
import { settledUpTo, type Period } from "../period";
import { currentRun, type RunOptions, type RunSpec } from "./report-runs";

/**
 * The SLA page's aggregates as the page reads them (ADR 0011): the part of the days before yesterday from
 * the school's stored run (report_runs kind `sla`, one per school: its version names the period, the time
 * zone and the filters), the days since read live, and the open episodes judged at `now` for both. The
 * breakdown and the extra report (categories, bot and peer counts) read the same run.
 */
export async function slaPageFigures(db: Db, school: SchoolRow, period: Period, filter: EpisodeFilter, now: Date, stored: RunOptions, judged: Promise<OpenFlags>): Promise<SlaPageFigures> {
  const { upTo, part } = (await currentRun(db, school.id, partSpec(db, school, period, filter), now, now, stored)).value;
  const [live, flags] = await Promise.all([slaPagePart(db, school.id, school.timezone, { from: upTo, to: period.to }, filter), judged]);
  return combineSlaPageParts(db, school.id, [part, live], flagSets(flags));
}

/** Bumped when the stored part changes shape. */
const PART_FORMAT = 1;

function partSpec(db: Db, school: SchoolRow, period: Period, filter: EpisodeFilter): RunSpec<{ upTo: string; part: SlaPagePart }> {
  const f = Object.entries(filter).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${String(v)}`).join("&");
  return {
    kind: "sla",
    version: `sla-${PART_FORMAT}|${school.timezone}|${period.from}..${period.to}|${f}`,
    compute: async (asOf) => {
      const upTo = settledUpTo(period, school.timezone, asOf);
      return { upTo, part: await slaPagePart(db, school.id, school.timezone, { from: period.from, to: upTo }, filter) };
    },
    rows: (v) => v.part.policy.length,
    pack: (v) => JSON.stringify({ upTo: v.upTo, part: packSlaPagePart(v.part) }),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => {
      const v = JSON.parse(text) as { upTo: string; part: StoredSlaPagePart };
      return { upTo: v.upTo, part: unpackSlaPagePart(v.part) };
    },
  };
}
