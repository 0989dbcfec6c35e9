import { DateTime } from "luxon";
import type { OutcomeRow } from "../../db/queries/reports/outcomes";
import type { Period } from "../period";
import { indexer } from "./pack";

/**
 * The stored form of every enrollment's outcome row (report_runs kind `outcomes`,
 * docs/adr/0009-stored-report-runs.md): rows as arrays, cohorts, tiers and statuses named once, each row
 * with the local day it starts on (the cohort's start, else its enrolment's local date: the day
 * outcomeRows selects a period's enrollments by), so a period is a filter on the stored rows.
 * `unpackOutcomeRows` returns exactly the rows that were packed (tests compare them).
 */

const PACK_VERSION = 1;

type PackedRow = [
  enrollmentId: number,
  personId: number,
  cohortIndex: number,
  tierIndex: number,
  statusIndex: number,
  enrolledAt: string | null,
  endedAt: string | null,
  episodes: number,
  medianResponseMinutes: number | null,
  breachedShare: number | null,
  staffContacts: number,
  /** Only when the cohort has no start date: the enrolment's local day, or null. */
  startDay?: string | null,
];
interface PackedOutcomeRows {
  v: number;
  /** [cohortId, title, startsOn]. */
  cohorts: Array<[number, string, string | null]>;
  tiers: string[];
  statuses: string[];
  rows: PackedRow[];
}

export interface StoredOutcomeRows {
  rows: OutcomeRow[];
  /** Each row's local start day (what a period selects by), in the rows' order; null: in no period. */
  startDays: Array<string | null>;
}

/** The local day outcomeRows selects a row by: the cohort's start, else enrolled_at's local date in `tz`. */
export function outcomeStartDay(r: OutcomeRow, tz: string): string | null {
  if (r.cohortStartsOn !== null) return r.cohortStartsOn;
  return r.enrolledAt === null ? null : DateTime.fromISO(r.enrolledAt, { zone: tz }).toISODate();
}

/** The rows with their start days (outcomeStartDay). */
export function withStartDays(rows: OutcomeRow[], tz: string): StoredOutcomeRows {
  return { rows, startDays: rows.map((r) => outcomeStartDay(r, tz)) };
}

export function packOutcomeRows({ rows, startDays }: StoredOutcomeRows): string {
  const cohorts = indexer<PackedOutcomeRows["cohorts"][number]>((c) => c[0]);
  const tiers = indexer<string>((t) => t);
  const statuses = indexer<string>((t) => t);
  const packed = rows.map((r, i): PackedRow => {
    const row: PackedRow = [r.enrollmentId, r.personId, cohorts.at([r.cohortId, r.cohort, r.cohortStartsOn]), tiers.at(r.tier), statuses.at(r.status), r.enrolledAt, r.endedAt, r.episodes, r.medianResponseMinutes, r.breachedShare, r.staffContacts];
    if (r.cohortStartsOn === null) row.push(startDays[i] ?? null);
    return row;
  });
  return JSON.stringify({ v: PACK_VERSION, cohorts: cohorts.list, tiers: tiers.list, statuses: statuses.list, rows: packed } satisfies PackedOutcomeRows);
}

/** The rows `packOutcomeRows` packed, with their start days, or null when the text is of another version. */
export function unpackOutcomeRows(text: string): StoredOutcomeRows | null {
  // Our own JSON, written by packOutcomeRows; the version says which shape.
  const p = JSON.parse(text) as Partial<PackedOutcomeRows>;
  if (p.v !== PACK_VERSION || !p.rows || !p.cohorts || !p.tiers || !p.statuses) return null;
  const { cohorts, tiers, statuses } = p as PackedOutcomeRows;
  const startDays: Array<string | null> = [];
  const rows = p.rows.map(([enrollmentId, personId, ci, ti, si, enrolledAt, endedAt, episodes, medianResponseMinutes, breachedShare, staffContacts, startDay]): OutcomeRow => {
    const [cohortId, cohort, cohortStartsOn] = cohorts[ci]!;
    startDays.push(cohortStartsOn ?? startDay ?? null);
    return {
      enrollmentId,
      personId,
      cohortId,
      cohort,
      tier: tiers[ti]!,
      status: statuses[si] as OutcomeRow["status"],
      enrolledAt,
      cohortStartsOn,
      endedAt,
      episodes,
      medianResponseMinutes,
      breachedShare,
      staffContacts,
    };
  });
  return { rows, startDays };
}

/** The stored rows of the enrollments outcomeRows lists for `period` (start day in [from, to)), as OutcomeRows. */
export function outcomeRowsIn(stored: StoredOutcomeRows, period: Period): OutcomeRow[] {
  return stored.rows.filter((_, i) => {
    const d = stored.startDays[i];
    return d !== null && d !== undefined && d >= period.from && d < period.to;
  });
}
