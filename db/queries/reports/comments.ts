import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { inPeriod } from "./common";

export interface RatingComment {
  givenAt: string;
  kind: "csat" | "nps";
  score: number;
  comment: string;
  responder: string | null;
  cohort: string | null;
}

/**
 * Rating comments of the period, newest first. Comments given in DMs are never stored (the store path
 * drops them), and the `from_dm` guard here keeps that true even for data written before that rule.
 * `filter` (the satisfaction page's, csat.ts) is a condition on the rating `r` and its episode `e`, so the
 * comments shown are those of the ratings the filtered figures count.
 */
export async function ratingComments(db: Db, schoolId: number, tz: string, period: Period, limit = 200, filter?: SQL): Promise<RatingComment[]> {
  const r = await rows<{ given_at: string; kind: "csat" | "nps"; score: number; comment: string; responder: string | null; cohort: string | null }>(
    db,
    sql`select to_char(r.given_at at time zone ${tz}, 'YYYY-MM-DD HH24:MI') as given_at, r.kind::text as kind, r.score::float8 as score, r.comment,
               p.display_name as responder, c.title as cohort
        from ratings r
        ${filter ? sql`left join episodes e on e.id = r.episode_id` : sql``}
        left join people p on p.id = r.responder_person_id
        left join cohorts c on c.id = r.cohort_id
        where r.school_id = ${schoolId} and r.comment is not null and not r.from_dm and ${inPeriod(sql`r.given_at`, tz, period)}
          ${filter ? sql`and ${filter}` : sql``}
        order by r.given_at desc, r.id desc
        limit ${limit}`,
  );
  return r.map((x) => ({ givenAt: x.given_at, kind: x.kind, score: Number(x.score), comment: x.comment, responder: x.responder, cohort: x.cohort }));
}
