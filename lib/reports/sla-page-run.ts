import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { flagSets, type OpenFlags } from "../../db/queries/reports/common";
import type { EpisodeFilter } from "../../db/queries/reports/episode-detail";
import { combineSlaPageParts, packSlaPagePart, slaPagePart, unpackSlaPagePart, type PartKind, type SlaPageFigures, type SlaPagePart, type StoredSlaPagePart } from "../../db/queries/reports/sla-page-part";
import { staffOnShift } from "../../db/queries/reports/episode-detail-sla";
import { settledUpTo, type Period } from "../period";
import { currentRun, filterVersion, type RunOptions, type RunSpec } from "./report-runs";

/**
 * The SLA page's aggregates as the page reads them (ADR 0011): the part of the days before yesterday from
 * the school's stored run (report_runs kind `sla`, one per school: its version names the period, the time
 * zone and the filters), the days since read live, and the open episodes judged at `now` for both. The
 * breakdown and the extra report (categories, bot and peer counts) read the same run.
 */
export async function slaPageFigures(
  db: Db,
  school: SchoolRow,
  period: Period,
  filter: EpisodeFilter,
  now: Date,
  stored: RunOptions,
  judged: Promise<OpenFlags>,
  kinds: readonly PartKind[],
): Promise<SlaPageFigures & { onShift: Map<string, number> | null }> {
  const run = (await currentRun(db, school.id, partSpec(db, school, period, filter), now, now, stored)).value;
  const [live, flags] = await Promise.all([slaPagePart(db, school.id, school.timezone, { from: run.upTo, to: period.to }, filter, kinds), judged]);
  const figures = await combineSlaPageParts(db, school.id, [run.part, live], flagSets(flags), kinds);
  return { ...figures, onShift: run.onShift === null ? null : new Map(run.onShift) };
}

interface StoredRun {
  upTo: string;
  part: SlaPagePart;
  /**
   * Staff on shift per hour of the week over the whole period (staffOnShift): it depends on the shifts
   * alone, whose changes drop the run (migration 0020).
   */
  onShift: Array<[string, number]> | null;
}

/** Bumped when the stored part changes shape. */
const PART_FORMAT = 2;

function partSpec(db: Db, school: SchoolRow, period: Period, filter: EpisodeFilter): RunSpec<StoredRun> {
  return {
    kind: "sla",
    version: `sla-${PART_FORMAT}|${school.timezone}|${period.from}..${period.to}|${filterVersion(filter)}`,
    compute: async (asOf) => {
      const upTo = settledUpTo(period, school.timezone, asOf);
      const [part, onShift] = await Promise.all([
        slaPagePart(db, school.id, school.timezone, { from: period.from, to: upTo }, filter),
        staffOnShift(db, school.id, school.timezone, period, filter.role),
      ]);
      return { upTo, part, onShift: onShift === null ? null : [...onShift] };
    },
    rows: (v) => v.part.policy.length,
    pack: (v) => JSON.stringify({ ...v, part: packSlaPagePart(v.part) }),
    // Our own JSON, written by `pack` under this very version.
    unpack: (text) => {
      const v = JSON.parse(text) as Omit<StoredRun, "part"> & { part: StoredSlaPagePart };
      return { ...v, part: unpackSlaPagePart(v.part) };
    },
  };
}
