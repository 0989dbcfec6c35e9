import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DateTime } from "luxon";
import { rows, sql, type Db } from "../db/client";
import type { SchoolRow } from "../db/queries/schools";
import { parsePeriod } from "../lib/period";
import { median, percentile, round, timed } from "./stats";

/**
 * The columnar reference (issue #9): DuckDB computes each page's main aggregate from the same raw rows —
 * messages, episodes, ratings, enrollments, LMS events — exported from PostgreSQL once and loaded into
 * DuckDB's own in-memory columnar tables. It answers "what would a full columnar scan cost on this
 * machine", so ours/DuckDB ≤ 1 means the page is no slower than scanning. The SQL mirrors the aggregate
 * each page's query computes (same filters and groupings), not every label and join of the page.
 */

export interface DuckQuery {
  page: string;
  p50: number;
  p95: number;
  rows: number;
}

export interface DuckResult {
  exportMs: number;
  loadMs: number;
  queries: DuckQuery[];
}

/** Columns each exported table carries (all the reference queries read). Timestamps go out as UTC text. */
const EXPORTS: Record<string, string> = {
  messages: `select id, school_id, source_id, channel_id, thread_id, author_person_id, sent_at, deleted_at, is_bot from messages`,
  sources: `select id, school_id, kind::text as kind from sources`,
  channels: `select id, school_id, kind::text as kind, dm_student_person_id from channels`,
  episodes: `select id, school_id, channel_id, student_person_id, cohort_id, opened_at, status::text as status, owner_role::text as owner_role,
                    owner_person_id, responder_person_id, answered_at, target_minutes, clock::text as clock,
                    response_calendar_minutes, response_business_minutes, breached from episodes`,
  ratings: `select id, school_id, kind::text as kind, person_id, score, from_dm, comment is not null as has_comment, given_at, episode_id from ratings`,
  enrollments: `select id, school_id, person_id, cohort_id, tier, status::text as status, enrolled_at, ended_at from enrollments`,
  cohorts: `select id, school_id, starts_on, ends_on from cohorts`,
  lms_events: `select id, school_id, person_id, enrollment_id, cohort_id, verb, score, max_score, occurred_at, voided_at from lms_events`,
  person_roles: `select school_id, person_id, role::text as role from person_roles`,
};

/** One reference query per page; $tz, $from, $to, $now are substituted as literals (our own values, not user input). */
const QUERIES: Record<string, string> = {
  overview: `select strftime(timezone($tz, m.sent_at)::date, '%Y-%m-%d') as day, s.kind, count(*) as n,
                    count(*) filter (where c.kind = 'dm') as dm
             from messages m join sources s on s.id = m.source_id join channels c on c.id = m.channel_id
             where m.school_id = $school and m.sent_at >= $fromTs and m.sent_at < $toTs group by all order by 1, 2`,
  sla: `select coalesce(e.owner_role, r.role) as key, count(*) as episodes, count(*) filter (where e.status = 'answered') as answered,
               count(*) filter (where e.breached) as breached,
               quantile_cont(case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end, 0.5) as median,
               quantile_cont(case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end, 0.9) as p90
        from episodes e left join (select person_id, min(role) as role from person_roles where school_id = $school and role not in ('student', 'bot') group by 1) r on r.person_id = e.responder_person_id
        where e.school_id = $school and e.opened_at >= $fromTs and e.opened_at < $toTs group by rollup(1)`,
  heatmap: `select isodow(timezone($tz, e.opened_at)) as dow, hour(timezone($tz, e.opened_at)) as hour, count(*) as opened,
                   quantile_cont(case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end, 0.5) as median,
                   count(*) filter (where e.target_minutes is not null and not e.breached and e.status = 'answered') as met,
                   count(*) filter (where e.target_minutes is not null) as known
            from episodes e where e.school_id = $school and e.opened_at >= $fromTs and e.opened_at < $toTs group by all`,
  queue: `select e.*, c.kind from episodes e join channels c on c.id = e.channel_id
          where e.school_id = $school and e.status = 'open' and e.opened_at <= $nowTs order by e.opened_at`,
  team: `select coalesce(e.responder_person_id, e.owner_person_id) as person, count(*) as episodes, count(*) filter (where e.status = 'answered') as answered,
                quantile_cont(case when e.status = 'answered' then e.response_business_minutes end, 0.5) as median,
                count(distinct e.student_person_id) as students,
                (select count(*) from ratings g where g.school_id = $school and g.kind = 'csat' and g.episode_id is not null) as rated
         from episodes e where e.school_id = $school and e.opened_at >= $fromTs and e.opened_at < $toTs group by all`,
  satisfaction: `select date_trunc('week', timezone($tz, g.given_at)) as week, g.kind, count(*) as n, avg(g.score) as mean,
                        count(*) filter (where g.kind = 'csat' and g.score >= 4) as satisfied, count(*) filter (where g.has_comment and not g.from_dm) as comments
                 from ratings g where g.school_id = $school and g.given_at >= $fromTs and g.given_at < $toTs group by all`,
  outcomes: `with en as (
               select en.id, en.person_id, coalesce(timezone($tz, c.starts_on::timestamp), en.enrolled_at) as win_from,
                      least($nowTs, coalesce(en.ended_at, timezone($tz, (c.ends_on + 1)::timestamp), $nowTs)) as win_to
               from enrollments en join cohorts c on c.id = en.cohort_id where en.school_id = $school),
             dm as (
               select ch.dm_student_person_id as student, m.sent_at, m.author_person_id, m.is_bot,
                      lag(m.sent_at) over (partition by m.channel_id order by m.sent_at, m.id) as prev_at
               from messages m join channels ch on ch.id = m.channel_id
               where m.school_id = $school and ch.kind = 'dm' and ch.dm_student_person_id is not null and m.deleted_at is null and m.sent_at <= $nowTs),
             contacts as (select student, sent_at as at from dm where not is_bot and author_person_id <> student and (prev_at is null or sent_at - prev_at >= interval 1 hour))
             select en.id, count(e.id) as episodes,
                    quantile_cont(case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end, 0.5) as median,
                    avg(case when e.breached then 1.0 else 0.0 end) filter (where e.target_minutes is not null) as breached_share,
                    (select count(*) from contacts k where k.student = en.person_id and k.at between en.win_from and en.win_to) as contacts
             from en left join episodes e on e.school_id = $school and e.student_person_id = en.person_id and e.opened_at between en.win_from and en.win_to
             group by en.id, en.person_id, en.win_from, en.win_to`,
  risk: `with act as (select * from enrollments where school_id = $school and status = 'active')
         select act.id, count(l.id) as events, max(l.occurred_at) as last_at, avg(l.score / nullif(l.max_score, 0)) as score,
                (select count(*) from episodes e where e.school_id = $school and e.student_person_id = act.person_id and e.status = 'open') as open_eps
         from act left join lms_events l on l.school_id = $school and l.enrollment_id = act.id and l.occurred_at <= $nowTs and l.voided_at is null
         group by act.id, act.person_id`,
};

export async function duckdbReference(db: Db, school: SchoolRow, now: Date, runs: number): Promise<DuckResult> {
  // The server writes the files itself (COPY … TO a path), so the PostgreSQL must be on this machine,
  // as the bench's throw-away one is; the folder is world-writable for its `postgres` user.
  const dir = mkdtempSync(path.join(os.tmpdir(), "sqd-duck-"));
  chmodSync(dir, 0o777);
  try {
    const exp = await timed(async () => {
      await db.execute(sql`set time zone 'UTC'`);
      for (const [table, query] of Object.entries(EXPORTS)) {
        const file = path.join(dir, `${table}.csv`);
        await db.execute(sql.raw(`copy (${query}) to '${file}' with (format csv, header true)`));
      }
    });
    const inst = await DuckDBInstance.create(":memory:");
    const con = await inst.connect();
    const load = await timed(async () => {
      for (const table of Object.keys(EXPORTS)) {
        await con.run(`create table ${table} as select * from read_csv('${path.join(dir, `${table}.csv`)}', header = true, auto_detect = true)`);
      }
    });
    // The pages' period (bench/pages.ts endingAt): 30 days ending on the anchor's local day.
    const period = parsePeriod({ to: DateTime.fromJSDate(now, { zone: school.timezone }).toISODate() ?? "" }, school.timezone, null, now);
    const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const bounds = await rows<{ from_ts: string; to_ts: string }>(
      db,
      sql`select to_char((${period.from}::date)::timestamp at time zone ${school.timezone} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' as from_ts,
                 to_char((${period.to}::date)::timestamp at time zone ${school.timezone} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' as to_ts`,
    );
    const b = bounds[0];
    if (!b) throw new Error("no period bounds");
    const queries: DuckQuery[] = [];
    for (const [page, template] of Object.entries(QUERIES)) {
      const q = template
        .replaceAll("$school", String(school.id))
        .replaceAll("$tz", lit(school.timezone))
        .replaceAll("$fromTs", `${lit(b.from_ts)}::timestamptz`)
        .replaceAll("$toTs", `${lit(b.to_ts)}::timestamptz`)
        .replaceAll("$nowTs", `${lit(now.toISOString())}::timestamptz`);
      let n = (await con.runAndReadAll(q)).currentRowCount;
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = await timed(() => con.runAndReadAll(q));
        n = t.value.currentRowCount;
        ms.push(t.ms);
      }
      queries.push({ page, p50: round(median(ms), 2), p95: round(percentile(ms, 95), 2), rows: n });
    }
    con.closeSync();
    return { exportMs: Math.round(exp.ms), loadMs: Math.round(load.ms), queries };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
