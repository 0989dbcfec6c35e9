import { asc, eq } from "drizzle-orm";
import type { Db } from "../../client";
import * as t from "../../schema";

/**
 * The school's cohorts with their course, for the outcomes page's course and cohort filter. The outcome
 * rows (outcomes.ts) carry only the internal cohort id; the URL names courses and cohorts by external id,
 * which is stable across re-imports and is what the at-risk list and its CSV already use.
 */
export interface CohortCourseRow {
  cohortId: number;
  cohortExternalId: string;
  cohort: string;
  courseExternalId: string;
  course: string;
}

export async function cohortCourses(db: Db, schoolId: number): Promise<CohortCourseRow[]> {
  return db
    .select({ cohortId: t.cohorts.id, cohortExternalId: t.cohorts.externalId, cohort: t.cohorts.title, courseExternalId: t.courses.externalId, course: t.courses.title })
    .from(t.cohorts)
    .innerJoin(t.courses, eq(t.courses.id, t.cohorts.courseId))
    .where(eq(t.cohorts.schoolId, schoolId))
    .orderBy(asc(t.courses.title), asc(t.cohorts.title), asc(t.cohorts.id));
}
