import "server-only";
import { getDb } from "../../db/client";
import { schoolDataCredits, type SchoolDataCredits } from "../../db/queries/reports/data-credits";
import { requireAccess } from "./access";

export type { SchoolDataCredits };

/** Public data sets behind the school's outcomes (the page must credit OULAD, CC BY 4.0) and its cohort span. */
export async function getDataCredits(q: { school?: string }): Promise<SchoolDataCredits & { school: string; schoolName: string }> {
  const { school } = await requireAccess({ school: q.school, page: "outcomes" });
  const { db } = await getDb();
  return { ...(await schoolDataCredits(db, school.id, school.timezone)), school: school.slug, schoolName: school.name };
}
