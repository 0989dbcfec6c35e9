import { z } from "zod";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { csatByResponder, csatByResponderOf, csatCountsByResponder } from "../../db/queries/reports/csat";
import { movableItems, movableItemsWithStored, rebalanceSuggestions, type EarlyItems, type ReadItems, type RebalancePlan } from "../../db/queries/reports/rebalance";
import { loadUntil, type StaffLoad } from "../../db/queries/reports/load";
import { loadReportFor, settledStaffPart, type LoadOptions, type LoadReport } from "./load";
import { reportPeriod } from "./sla";
import type { Period } from "../period";

export type { RebalancePlan, StaffLoad };

export interface TeamQuery {
  school?: string;
  from?: string;
  to?: string;
  days?: string;
  team?: string;
  role?: string;
}

export interface TeamRow extends StaffLoad {
  /** CSAT of the ratings attributed to them (responder), with its n. */
  csatPercent: number | null;
  csatN: number;
}

export interface TeamReport {
  school: { slug: string; name: string; timezone: string };
  period: LoadReport["period"];
  asOf: string;
  workingHours: number;
  workingHoursBasis: LoadReport["workingHoursBasis"];
  checkInWindow: LoadReport["checkInWindow"];
  filters: { team?: string; role?: string };
  rows: TeamRow[];
  /** Staff before filters. */
  totalStaff: number;
  rebalance: RebalancePlan[];
  options: { teams: string[]; roles: string[] };
}

const filterSchema = z.object({
  team: z.string().min(1).max(200).optional().catch(undefined),
  role: z.enum(["coordinator", "mentor", "reviewer", "support", "team_lead"]).optional().catch(undefined),
});

/**
 * The team page and its CSV: the load report (the same numbers `cli report load` prints), CSAT per
 * responder over the same period, and rebalancing suggestions for the overloaded. Filters narrow the rows
 * shown; overload is still judged against the whole team (its median does not change with a filter).
 */
export async function teamReport(db: Db, school: SchoolRow, q: TeamQuery, now: Date, opts: LoadOptions = {}): Promise<TeamReport> {
  const filters = filterSchema.parse({ team: q.team || undefined, role: q.role || undefined });
  // The period first, then load and CSAT per responder together (independent reads of the same period).
  const period = await reportPeriod(db, school, { from: q.from, to: q.to, days: q.days }, now);
  // With the stored run, CSAT per responder too: its days before yesterday from the run, the rest live.
  const settled = opts.stored ? settledStaffPart(db, school, period, now, opts.stored) : undefined;
  const csat = settled
    ? Promise.all([settled, settled.then((s) => csatCountsByResponder(db, school.id, school.timezone, { from: s.upTo, to: period.to }))]).then(([s, live]) => csatByResponderOf([s.csat, live]))
    : csatByResponder(db, school.id, school.timezone, period);
  // The movable items of those overloaded at this period's previous view, read beside the load: the
  // statement (~20–27 ms at 10 M messages) ran after it, once the load said who is overloaded.
  // With the stored run, the answered episodes before yesterday weigh the items from it too.
  const readItems: ReadItems = settled ? (d, id, tz, p, until, only) => settled.then((st) => movableItemsWithStored(d, id, tz, p, until, only, st)) : movableItems;
  const early = earlyItems(db, school, period, now, readItems);
  const [load, byPerson] = await Promise.all([loadReportFor(db, school, period, now, { ...opts, settled }), csat]);
  const all: TeamRow[] = load.staff.map((s) => {
    const c = byPerson.get(String(s.personId));
    // Field by field, not `{ ...s, … }`: V8 copies a 20-field object by spread ~15× slower than it builds
    // one from a literal (~2.0 → ~0.2 ms for a school's 1 k staff; docs/performance.md, round 25). Typed as
    // Required so that a field added to StaffLoad, optional or not, fails to compile until it is copied here.
    const row: Required<TeamRow> = {
      personId: s.personId,
      name: s.name,
      role: s.role,
      team: s.team,
      messagesSent: s.messagesSent,
      episodesAnswered: s.episodesAnswered,
      studentsAnswered: s.studentsAnswered,
      openOwned: s.openOwned,
      medianMinutes: s.medianMinutes,
      p90Minutes: s.p90Minutes,
      breaches: s.breaches,
      assignedStudents: s.assignedStudents,
      checkedIn: s.checkedIn,
      checkInCoverage: s.checkInCoverage,
      capacityPerHour: s.capacityPerHour,
      maxStudents: s.maxStudents,
      loadPerHour: s.loadPerHour,
      teamMedianPerHour: s.teamMedianPerHour,
      overloaded: s.overloaded,
      overAssigned: s.overAssigned,
      csatPercent: c?.csatPercent ?? null,
      csatN: c?.n ?? 0,
    };
    return row;
  });
  const keep = (s: { team: string | null; role: string }) => (filters.team === undefined || s.team === filters.team) && (filters.role === undefined || s.role === filters.role);
  const plans = await rebalanceSuggestions(db, school.id, school.timezone, load.period, new Date(load.checkInWindow.to), load.staff, load.workingHours, early, readItems);
  rememberOverloaded(db, school, period, load.staff);
  const shown = new Set(all.filter(keep).map((s) => s.personId));
  return {
    school: { slug: school.slug, name: school.name, timezone: school.timezone },
    period: load.period,
    asOf: load.asOf,
    workingHours: load.workingHours,
    workingHoursBasis: load.workingHoursBasis,
    checkInWindow: load.checkInWindow,
    filters,
    rows: all.filter(keep),
    totalStaff: all.length,
    rebalance: plans.filter((p) => shown.has(p.personId)),
    options: {
      teams: [...new Set(all.flatMap((s) => (s.team === null ? [] : [s.team])))].sort(),
      roles: [...new Set(all.map((s) => s.role))].sort(),
    },
  };
}

/**
 * Who was overloaded at the last view of a school's period, per database handle: a hint of whose movable
 * items the next view will need, read beside its load (earlyItems). Only a hint: rebalanceSuggestions
 * reads the items of anyone overloaded now that it does not cover, and leaves out those no longer
 * overloaded, so the suggestions are the same with it or without it.
 */
const hintHolder = globalThis as unknown as { __sqdOverloadedHint?: WeakMap<Db, Map<string, readonly number[]>> };
const overloadedHint = (hintHolder.__sqdOverloadedHint ??= new WeakMap());
const hintKey = (school: SchoolRow, period: Period) => `${school.id}|${school.timezone}|${period.from}..${period.to}`;

function rememberOverloaded(db: Db, school: SchoolRow, period: Period, staff: readonly StaffLoad[]): void {
  let bySchool = overloadedHint.get(db);
  if (bySchool === undefined) overloadedHint.set(db, (bySchool = new Map()));
  const key = hintKey(school, period);
  // A few periods per school are viewed at a time; past that the hints start again.
  if (!bySchool.has(key) && bySchool.size >= 256) bySchool.clear();
  bySchool.set(key, staff.filter((s) => s.overloaded).map((s) => s.personId));
}

function earlyItems(db: Db, school: SchoolRow, period: Period, now: Date, readItems: ReadItems): EarlyItems | undefined {
  const ids = overloadedHint.get(db)?.get(hintKey(school, period));
  if (ids === undefined || ids.length === 0) return undefined;
  const read = loadUntil(db, school.timezone, period, now).then(async ({ until }) => ({ until, items: await readItems(db, school.id, school.timezone, period, until, ids) }));
  // Awaited by rebalanceSuggestions when somebody is overloaded; if nobody is, its failure is nobody's.
  read.catch(() => undefined);
  return { ids: new Set(ids), read };
}
