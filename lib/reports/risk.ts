import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { judgeOpenEpisodes } from "../../db/queries/reports/common";
import { activeEnrollments, cohortItems, itemEvents, lastActivity, lmsStudentIds, supportSignals, type ActiveEnrollmentRow, type ItemEventRow, type ItemRow } from "../../db/queries/reports/risk";
import { groupBy } from "../group-by";
import { packRiskReport, unpackRiskReport } from "./risk-pack";
import { currentReport, type RunInfo, type RunOptions } from "./report-runs";
import { defaultRiskModel, extractRiskFeatures, scoreEnrollment, type RiskFeatures, type RiskItem, type RiskModel, type RiskSubmission, type RiskReason, type RiskSnapshot } from "../metrics/risk";

/**
 * The at-risk list (METRICS.md, "At-risk students"; docs/model-card-risk.md): one row per enrollment
 * active at the as-of date, scored by the default model from a RiskSnapshot built from the database with
 * only data dated on or before the as-of date. A ranking for a mentor's attention, not a decision tool.
 */

export interface RiskRow {
  enrollmentId: number;
  /** The student's person id, for the link to their timeline (/students/[id]). */
  personId: number;
  student: string;
  lmsStudentId: string | null;
  courseExternalId: string;
  cohortExternalId: string;
  cohort: string;
  tier: string;
  score: number;
  reasons: RiskReason[];
  features: RiskFeatures;
}

export interface RiskReport {
  school: string;
  asOf: string;
  model: string;
  rows: RiskRow[];
}

/** `YYYY-MM-DD` (end of that local day in the school's zone) or an ISO instant; default now. */
export function parseAsOf(value: string | undefined, tz: string, now: Date): Date {
  if (value === undefined || value === "") return now;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = DateTime.fromISO(value, { zone: tz });
    if (!d.isValid) throw new RangeError(`invalid as-of date ${JSON.stringify(value)}`);
    return new Date(d.plus({ days: 1 }).toMillis() - 1);
  }
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new RangeError(`as-of must be YYYY-MM-DD, not ${JSON.stringify(value)}`);
  return new Date(t);
}

const d = (s: string) => new Date(s);

export async function riskReport(db: Db, school: SchoolRow, asOf: Date, model: RiskModel = defaultRiskModel): Promise<RiskReport> {
  const enr = await activeEnrollments(db, school.id, school.timezone, asOf);
  // Independent reads of the listed enrollments, sent together (separate pooled connections on PostgreSQL).
  const ids = enr.map((e) => e.enrollmentId);
  const students = [...new Set(enr.map((e) => e.personId))];
  const [items, events, lastActive, support, lmsIds] = await Promise.all([
    cohortItems(db, school.id, [...new Set(enr.map((e) => e.cohortId))]),
    itemEvents(db, school.id, ids, asOf),
    lastActivity(db, school.id, ids, asOf),
    supportSignals(db, school.id, students, asOf),
    lmsStudentIds(db, school.id, students),
  ]);
  const breached = await breachedAt(db, school.id, support.openEpisodes, asOf);

  // Grouped once by cohort, enrollment and person: filtering every list inside the loop was
  // O(enrollments × rows), quadratic at 100 k students. Grouping keeps each list's order, so every
  // snapshot gets the same items and events in the same order as before.
  // A cohort's items (and its webinars' dates) are parsed once per cohort, not once per enrollment: the
  // snapshots of one cohort share them read-only (extractRiskFeatures only reads a snapshot).
  const cohortsBy = new Map([...groupBy(items, (i) => i.cohortId)].map(([id, list]) => [id, cohortShape(list, asOf)]));
  const noItems = cohortShape([], asOf);
  const eventsBy = groupBy(events, (x) => x.enrollmentId);
  const negativeBy = groupBy(support.negative, (n) => n.personId);
  const breachedBy = new Map<number, number>();
  for (const o of support.openEpisodes) if (breached.has(o.id)) breachedBy.set(o.personId, (breachedBy.get(o.personId) ?? 0) + 1);

  const rows = enr.map((e): RiskRow => {
    const snapshot = buildSnapshot(e, asOf, cohortsBy.get(e.cohortId) ?? noItems, eventsBy.get(e.enrollmentId) ?? [], lastActive.get(e.enrollmentId) ?? null, {
      // Counted in SQL (supportSignals): the one figure the model takes from the contacts.
      outreach: [],
      outreachUnanswered: support.outreachUnanswered.get(e.personId) ?? 0,
      openBreachedEpisodes: breachedBy.get(e.personId) ?? 0,
      negativeMessages: (negativeBy.get(e.personId) ?? []).map((n) => ({ at: d(n.at) })),
    });
    const features = extractRiskFeatures(snapshot);
    const s = scoreEnrollment(features, model);
    return {
      enrollmentId: e.enrollmentId,
      personId: e.personId,
      student: e.student,
      lmsStudentId: lmsIds.get(e.personId) ?? null,
      courseExternalId: e.courseExternalId,
      cohortExternalId: e.cohortExternalId,
      cohort: e.cohort,
      tier: e.tier,
      score: s.score,
      reasons: s.reasons,
      features,
    };
  });
  rows.sort((a, b) => b.score - a.score || a.enrollmentId - b.enrollmentId);
  return { school: school.slug, asOf: asOf.toISOString(), model: model.version, rows };
}


export interface CurrentRiskReport extends RiskReport, RunInfo {}

/**
 * The at-risk list as of `asOf` asked at `now`, for the outcomes page: the school's stored list when it
 * may stand for it, else scored now by riskReport and stored for the next reader (lib/reports/report-runs.ts,
 * docs/adr/0009-stored-report-runs.md). The list is the one riskReport scores, as of the run's own as-of
 * instant (at most RUN_REUSE_MS earlier than asked; the report says which).
 */
export async function currentRiskReport(db: Db, school: SchoolRow, asOf: Date, now: Date, opts: RunOptions & { model?: RiskModel } = {}): Promise<CurrentRiskReport> {
  const model = opts.model ?? defaultRiskModel;
  return currentReport(
    db,
    school.id,
    { kind: "risk", version: model.version, compute: (at) => riskReport(db, school, at, model), rows: (r) => r.rows.length, pack: packRiskReport, unpack: unpackRiskReport },
    asOf,
    now,
    opts,
  );
}

/** A cohort's part of every snapshot: its graded work as RiskItems and its webinars due by asOf, in the items' order. */
interface CohortShape {
  work: RiskItem[];
  webinars: Array<{ externalId: string; at: Date }>;
}

function cohortShape(items: readonly ItemRow[], asOf: Date): CohortShape {
  const kindOf = (k: string): RiskItem["kind"] => (k === "assignment" || k === "test" || k === "exam" ? k : "other");
  return {
    work: items
      .filter((i) => i.kind === "assignment" || i.kind === "test" || i.kind === "exam")
      .map((i) => ({ id: i.externalId, kind: kindOf(i.kind), ...(i.dueAt ? { dueAt: d(i.dueAt) } : {}), ...(i.weight !== null ? { weight: i.weight } : {}) })),
    webinars: items
      .filter((i) => i.kind === "webinar" && i.dueAt !== null && Date.parse(i.dueAt) <= asOf.getTime())
      .map((i) => ({ externalId: i.externalId, at: d(i.dueAt ?? "") })),
  };
}

function buildSnapshot(
  e: ActiveEnrollmentRow,
  asOf: Date,
  cohort: CohortShape,
  events: readonly ItemEventRow[],
  lastActivityMs: number | null,
  support: NonNullable<RiskSnapshot["support"]>,
): RiskSnapshot {
  // One pass, objects of one shape (absent score = undefined, as RiskSubmission's optional fields read):
  // ~186 k events at 10 M messages, where filter/map with conditional spreads made two temporaries each.
  const attended = new Set<string>();
  const submissions: RiskSubmission[] = [];
  for (const x of events) {
    if (x.kind === "attendance") attended.add(x.itemId);
    else submissions.push({ itemId: x.itemId, submittedAt: new Date(x.atMs), scorePct: x.scorePct ?? undefined, banked: x.banked });
  }
  const webinars = cohort.webinars.map((w) => ({ at: w.at, attended: attended.has(w.externalId) }));
  const startsAt = e.startsAt ? d(e.startsAt) : e.enrolledAt ? d(e.enrolledAt) : asOf;
  return {
    asOf,
    startsAt,
    ...(e.enrolledAt ? { enrolledAt: d(e.enrolledAt) } : {}),
    items: cohort.work,
    submissions,
    ...(lastActivityMs !== null ? { activityAt: [new Date(lastActivityMs)] } : {}),
    ...(webinars.length > 0 ? { webinars } : {}),
    support,
  };
}

/** Open episodes already past their target at asOf, judged in their policy's clock (lib/metrics/sla). */
async function breachedAt(db: Db, schoolId: number, open: ReadonlyArray<{ id: number; openedAt: string; target: number; clock: "business" | "calendar"; calendarId: number | null }>, asOf: Date): Promise<Set<number>> {
  const judged = await judgeOpenEpisodes(db, schoolId, open.map((o) => ({ ...o, openedAt: d(o.openedAt) })), asOf);
  return new Set([...judged].filter(([, j]) => j.breachingNow).map(([id]) => id));
}
