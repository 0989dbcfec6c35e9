import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";

/** A period in the school's time zone: [from, to) as local dates 'YYYY-MM-DD'. */
export interface Period {
  from: string;
  to: string;
}

export interface VolumeRow {
  day: string;
  source: string;
  messages: number;
}

/**
 * Messages per local day per source kind, from the message_volume rollup (db/schema/rollups.ts): 15-minute
 * UTC buckets, and every zone's local midnight falls on a bucket boundary, so a bucket belongs wholly to
 * one local day and the sums equal a count over the messages. Days are cut in the school's time zone (a
 * parameter, never interpolated). A bucket emptied by deletions is not a day with data.
 */
export async function messageVolumeByDay(db: Db, schoolId: number, tz: string, p: Period): Promise<VolumeRow[]> {
  const r = await rows<{ day: string; source: string; messages: number }>(
    db,
    // Summed per day and source id first, then per source kind (two sources may share a kind).
    sql`select to_char(d.day, 'YYYY-MM-DD') as day, s.kind::text as source, sum(d.n)::int as messages
        from (select (v.bucket at time zone ${tz})::date as day, v.source_id, sum(v.messages) as n
              from message_volume v
              where v.school_id = ${schoolId}
                and v.bucket >= (${p.from}::date)::timestamp at time zone ${tz}
                and v.bucket < (${p.to}::date)::timestamp at time zone ${tz}
              group by 1, 2) d
          join sources s on s.id = d.source_id
        group by 1, 2 having sum(d.n) > 0 order by 1, 2`,
  );
  return r;
}

export interface SchoolCounts {
  students: number;
  staff: number;
  cohorts: number;
  activeEnrollments: number;
  messages: number;
  dmMessages: number;
  channels: number;
}

/** Head-counts for the school, and message counts within the period (from the message_volume rollup). Students = people with no staff or bot role. */
export async function schoolCounts(db: Db, schoolId: number, tz: string, p: Period): Promise<SchoolCounts> {
  const [r] = await rows<{ [K in keyof SchoolCounts]: number }>(
    db,
    sql`select
      (select count(*)::int from people p where p.school_id = ${schoolId} and not p.is_bot
         and not exists (select 1 from person_roles r where r.school_id = p.school_id and r.person_id = p.id)) as "students",
      (select count(distinct r.person_id)::int from person_roles r where r.school_id = ${schoolId} and r.role <> 'bot' and r.role <> 'student') as "staff",
      (select count(*)::int from cohorts c where c.school_id = ${schoolId}) as "cohorts",
      (select count(*)::int from enrollments e where e.school_id = ${schoolId} and e.status = 'active') as "activeEnrollments",
      (select count(*)::int from channels c where c.school_id = ${schoolId}) as "channels",
      (select coalesce(sum(v.messages), 0)::int from message_volume v where v.school_id = ${schoolId}
         and v.bucket >= (${p.from}::date)::timestamp at time zone ${tz} and v.bucket < (${p.to}::date)::timestamp at time zone ${tz}) as "messages",
      (select coalesce(sum(v.messages), 0)::int from message_volume v where v.school_id = ${schoolId} and v.dm
         and v.bucket >= (${p.from}::date)::timestamp at time zone ${tz} and v.bucket < (${p.to}::date)::timestamp at time zone ${tz}) as "dmMessages"`
  );
  if (!r) throw new Error("counts query returned nothing");
  return r;
}

/**
 * The first and last message day of a school, to choose a default period that has data. Read from
 * message_volume's first and last non-empty bucket (its key is school, bucket): a 15-minute UTC bucket
 * lies within one local day in every zone in use (offsets are multiples of 15 minutes), so its start's
 * local day is the day of every message in it. An index on messages (school_id, sent_at) answered this
 * and nothing else, and cost the import every message insert (migration 0024, docs/performance.md round 16).
 * A bucket emptied by deletions keeps its row at 0, hence `messages > 0`.
 */
export async function messageSpan(db: Db, schoolId: number, tz: string): Promise<{ first: string | null; last: string | null }> {
  const [r] = await rows<{ first: string | null; last: string | null }>(
    db,
    sql`select to_char((min(bucket) at time zone ${tz})::date, 'YYYY-MM-DD') as first, to_char((max(bucket) at time zone ${tz})::date, 'YYYY-MM-DD') as last
        from message_volume where school_id = ${schoolId} and messages > 0`,
  );
  return r ?? { first: null, last: null };
}
