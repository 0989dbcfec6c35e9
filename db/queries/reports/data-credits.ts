import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";

/**
 * Which public data sets a school's data came from (sources of kind `oulad`), and the span of its
 * cohorts: a historical data set (OULAD is 2013) is shown over its own years, not the last 365 days.
 */
export interface SchoolDataCredits {
  oulad: boolean;
  /** First cohort start and last enrollment end or cohort end, local dates; null without cohorts. */
  cohortSpan: { from: string; to: string } | null;
}

export async function schoolDataCredits(db: Db, schoolId: number, tz: string): Promise<SchoolDataCredits> {
  const [r] = await rows<{ oulad: boolean; first: string | null; last: string | null }>(
    db,
    sql`select exists (select 1 from sources s where s.school_id = ${schoolId} and s.kind::text = 'oulad') as oulad,
               (select to_char(min(c.starts_on), 'YYYY-MM-DD') from cohorts c where c.school_id = ${schoolId}) as first,
               (select to_char(greatest(max(c.ends_on), (select max((e.ended_at at time zone ${tz})::date) from enrollments e where e.school_id = ${schoolId})), 'YYYY-MM-DD')
                  from cohorts c where c.school_id = ${schoolId}) as last`,
  );
  return { oulad: r?.oulad === true, cohortSpan: r?.first && r.last ? { from: r.first, to: r.last } : null };
}
