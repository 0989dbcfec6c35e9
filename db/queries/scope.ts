import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";

/**
 * The people, students and channels a team lead or a staff member may see (ADR 0003). Read once per
 * request by lib/dal/access.ts; the reports then filter by these id sets, so a scope is decided in one
 * place instead of in every query.
 */

export interface ScopeSets {
  teamIds: number[];
  staffPersonIds: number[];
  studentPersonIds: number[];
  channelIds: number[];
}

const ids = (r: Array<{ id: unknown }>) => [...new Set(r.map((x) => Number(x.id)))].filter((n) => Number.isSafeInteger(n)).sort((a, b) => a - b);

/** Teams a grant covers: its own team, else the teams the grant's person leads. */
export async function teamsOfGrant(db: Db, schoolId: number, teamId: number | null, personId: number | null): Promise<number[]> {
  if (teamId !== null) {
    return ids(await rows<{ id: number }>(db, sql`select id from teams where school_id = ${schoolId} and id = ${teamId}`));
  }
  if (personId === null) return [];
  return ids(await rows<{ id: number }>(db, sql`select id from teams where school_id = ${schoolId} and lead_person_id = ${personId}`));
}

/**
 * Staff = the teams' members and leads (plus `extraPersonIds`); students = those staff's current
 * assignments; channels = channels those staff own. Empty input gives empty sets (fail closed).
 */
export async function scopeSets(db: Db, schoolId: number, teamIds: number[], extraPersonIds: number[]): Promise<ScopeSets> {
  const teamArr = sql`array[${sql.join([...teamIds.map((t) => sql`${t}`), sql`-1`], sql`, `)}]::bigint[]`;
  const staff = ids(
    await rows<{ id: number }>(
      db,
      sql`select person_id as id from team_members where school_id = ${schoolId} and team_id = any(${teamArr})
          union select lead_person_id as id from teams where school_id = ${schoolId} and id = any(${teamArr}) and lead_person_id is not null`,
    ),
  );
  for (const p of extraPersonIds) if (!staff.includes(p)) staff.push(p);
  staff.sort((a, b) => a - b);
  if (staff.length === 0) return { teamIds, staffPersonIds: [], studentPersonIds: [], channelIds: [] };
  const staffArr = sql`array[${sql.join(staff.map((p) => sql`${p}`), sql`, `)}]::bigint[]`;
  const [students, channels] = await Promise.all([
    rows<{ id: number }>(
      db,
      sql`select distinct student_person_id as id from assignments where school_id = ${schoolId} and staff_person_id = any(${staffArr})
          and (valid_to is null or valid_to > now())`,
    ),
    rows<{ id: number }>(db, sql`select id from channels where school_id = ${schoolId} and owner_person_id = any(${staffArr})`),
  ]);
  return { teamIds, staffPersonIds: staff, studentPersonIds: ids(students), channelIds: ids(channels) };
}

/** Of the given episode ids, those a scope may open: owned or answered by its staff, or of its students or channels. */
export async function episodesInScope(db: Db, schoolId: number, episodeIds: number[], s: ScopeSets): Promise<Set<number>> {
  if (episodeIds.length === 0 || s.staffPersonIds.length === 0) return new Set();
  const arr = (xs: number[]) => sql`array[${sql.join([...xs.map((x) => sql`${x}`), sql`-1`], sql`, `)}]::bigint[]`;
  const r = await rows<{ id: number }>(
    db,
    sql`select id from episodes e where e.school_id = ${schoolId} and e.id = any(${arr(episodeIds)}) and (
          e.owner_person_id = any(${arr(s.staffPersonIds)}) or e.responder_person_id = any(${arr(s.staffPersonIds)})
          or e.student_person_id = any(${arr(s.studentPersonIds)}) or e.channel_id = any(${arr(s.channelIds)}))`,
  );
  return new Set(ids(r));
}

/** Episode ids of a queue or list that a scope may see, in one round trip (used before paging in memory). */
export async function episodeIdsInScope(db: Db, schoolId: number, s: ScopeSets, from: Date, to: Date): Promise<Set<number>> {
  if (s.staffPersonIds.length === 0) return new Set();
  const arr = (xs: number[]) => sql`array[${sql.join([...xs.map((x) => sql`${x}`), sql`-1`], sql`, `)}]::bigint[]`;
  const r = await rows<{ id: number }>(
    db,
    sql`select id from episodes e where e.school_id = ${schoolId} and e.opened_at >= ${from.toISOString()} and e.opened_at < ${to.toISOString()} and (
          e.owner_person_id = any(${arr(s.staffPersonIds)}) or e.responder_person_id = any(${arr(s.staffPersonIds)})
          or e.student_person_id = any(${arr(s.studentPersonIds)}) or e.channel_id = any(${arr(s.channelIds)}))`,
  );
  return new Set(ids(r));
}

/** The roster person with this e-mail at a school (to link a staff or team-lead login to their person). */
export async function personIdByEmail(db: Db, schoolSlug: string, email: string): Promise<number | null> {
  const r = await rows<{ id: number }>(
    db,
    sql`select p.id from people p join schools s on s.id = p.school_id where s.slug = ${schoolSlug} and lower(p.email) = ${email.toLowerCase()} limit 1`,
  );
  return r[0] ? Number(r[0].id) : null;
}

/** Of these channel ids, the direct messages (their titles are often the student's name). */
export async function dmChannelIds(db: Db, schoolId: number, channelIds: number[]): Promise<Set<number>> {
  if (channelIds.length === 0) return new Set();
  const arr = sql`array[${sql.join(channelIds.map((x) => sql`${x}`), sql`, `)}]::bigint[]`;
  return new Set(ids(await rows<{ id: number }>(db, sql`select id from channels where school_id = ${schoolId} and id = any(${arr}) and kind = 'dm'`)));
}
