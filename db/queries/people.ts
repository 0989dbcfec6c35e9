import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";

/** A team with its lead and one of its members, to hand out demo logins for each role. */
export async function teamWithLeadAndMember(db: Db, schoolId: number): Promise<{ team: string; leadPersonId: number; memberPersonId: number; memberName: string } | null> {
  const [r] = await rows<{ team: string; lead_person_id: number; member_person_id: number; member_name: string }>(
    db,
    sql`select t.name as team, t.lead_person_id, p.id as member_person_id, p.display_name as member_name
        from teams t join team_members tm on tm.team_id = t.id and tm.school_id = t.school_id
        join people p on p.id = tm.person_id
        where t.school_id = ${schoolId} and t.lead_person_id is not null and p.id <> t.lead_person_id
        order by t.name, p.id limit 1`,
  );
  return r ? { team: r.team, leadPersonId: Number(r.lead_person_id), memberPersonId: Number(r.member_person_id), memberName: r.member_name } : null;
}
