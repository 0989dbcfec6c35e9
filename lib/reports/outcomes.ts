import { DateTime } from "luxon";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { outcomeRows, type OutcomeRow } from "../../db/queries/reports/outcomes";
import { completionBy, completionByQuartile, completionRate, retentionCurvesByTier, OUTCOMES_INTERPRETATION, type GroupCompletion, type OutcomeEnrollment, type QuartileCompletion, type RetentionCurve } from "../metrics/outcomes";
import type { QuartileCuts } from "../metrics/stats/quartiles";
import type { Proportion } from "../metrics/stats/wilson";
import type { Period } from "../period";
import { reportPeriod, type ReportQuery } from "./sla";

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
}

/** The as-of instant of a period: the local midnight ending it, or `now` when that is later than now. */
export function periodAsOf(period: Period, tz: string, now: Date): Date {
  const end = DateTime.fromISO(period.to, { zone: tz }).toJSDate();
  return end.getTime() < now.getTime() ? end : now;
}

export function toOutcomeEnrollment(r: OutcomeRow, tz: string): OutcomeEnrollment {
  // Retention is counted from enrolled_at (else the cohort's start).
  const start = r.enrolledAt ? new Date(r.enrolledAt) : r.cohortStartsOn ? DateTime.fromISO(r.cohortStartsOn, { zone: tz }).toJSDate() : undefined;
  return {
    id: String(r.enrollmentId),
    tier: r.tier,
    status: r.status,
    ...(start ? { startsAt: start } : {}),
    ...(r.endedAt ? { endedAt: new Date(r.endedAt) } : {}),
  };
}

export async function outcomesReport(db: Db, school: SchoolRow, q: ReportQuery, now: Date): Promise<OutcomesReport> {
  const period = await reportPeriod(db, school, { ...q, days: q.days ?? "365" }, now);
  const asOf = periodAsOf(period, school.timezone, now);
  const rows = await outcomeRows(db, school.id, school.timezone, period, asOf);
  const enr = rows.map((r) => ({ ...toOutcomeEnrollment(r, school.timezone), row: r }));
  const quart = (f: (r: OutcomeRow) => number | null): QuartileReport => {
    const { cuts, quartiles, withoutExposure } = completionByQuartile(enr, (e) => f(e.row));
    return { cuts, quartiles, withoutExposure };
  };
  const retention = retentionCurvesByTier(enr, asOf);
  return {
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
  };
}
