import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { loadCalendars } from "../episodes/context";
import { evaluateSla } from "@/lib/metrics/sla";
import { num, numOrNull } from "./common";

/**
 * One student's history on one time axis (issue #7): their messages (metadata; text only outside DMs
 * and only where the source kept it), their waiting episodes with response time and SLA status, LMS
 * events, ratings, and enrollment status changes. Every read filters by school first (the scope key).
 * Each kind is capped at the newest `limit` rows so a very active student cannot blow up the page; the
 * caps are reported so the page can say the list is cut.
 */

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

export interface StudentHead {
  personId: number;
  name: string;
  email: string | null;
}

export interface StudentEnrollment {
  id: number;
  course: string;
  cohort: string;
  tier: string;
  status: string;
  enrolledAt: string | null;
  endedAt: string | null;
  finalResult: string | null;
}

export interface TimelineMessage {
  id: number;
  at: string;
  channel: string;
  channelKind: string;
  dm: boolean;
  /** Null in DMs (never stored) and where the source's policy dropped it. */
  text: string | null;
  textLength: number;
  hasQuestion: boolean;
  negative: boolean;
  deleted: boolean;
}

export type SlaState = "met" | "breached" | "breaching" | "open" | "no_target" | "bot" | "abandoned";

export interface TimelineEpisode {
  id: number;
  /** The student's first message (episodeHref). */
  openedMessageId: number;
  at: string;
  answeredAt: string | null;
  channel: string;
  dm: boolean;
  status: string;
  ownerRole: string | null;
  responder: string | null;
  /** In the policy's clock; null while unanswered. */
  responseMinutes: number | null;
  targetMinutes: number | null;
  clock: string | null;
  sla: SlaState;
}

export interface TimelineLms {
  id: number;
  at: string;
  verb: string;
  object: string | null;
  objectKind: string | null;
  score: number | null;
  maxScore: number | null;
  course: string | null;
}

export interface TimelineRating {
  id: number;
  at: string;
  kind: string;
  score: number;
  /** Never from DMs. */
  comment: string | null;
  episodeId: number | null;
}

export interface TimelineEnrollmentChange {
  id: number;
  at: string;
  status: string;
  cohort: string;
  course: string;
}

export interface StudentTimelineRows {
  student: StudentHead;
  enrollments: StudentEnrollment[];
  messages: TimelineMessage[];
  episodes: TimelineEpisode[];
  lms: TimelineLms[];
  ratings: TimelineRating[];
  changes: TimelineEnrollmentChange[];
  /** Kinds whose list hit the cap (only the newest rows are shown). */
  truncated: string[];
}

/** A person of the school that is not staff or a bot (a student), or null. */
export async function studentHead(db: Db, schoolId: number, personId: number): Promise<StudentHead | null> {
  const [r] = await rows<{ id: unknown; name: string; email: string | null }>(
    db,
    sql`select p.id, p.display_name as name, p.email from people p
        where p.school_id = ${schoolId} and p.id = ${personId} and not p.is_bot
          and not exists (select 1 from person_roles r where r.school_id = ${schoolId} and r.person_id = p.id and r.role::text <> 'student')`,
  );
  return r ? { personId: num(r.id), name: r.name, email: r.email } : null;
}

export async function studentTimelineRows(db: Db, schoolId: number, student: StudentHead, now: Date, limit = 2000): Promise<StudentTimelineRows> {
  const pid = student.personId;
  const truncated: string[] = [];
  const cap = <T>(kind: string, list: T[]): T[] => {
    if (list.length > limit) {
      truncated.push(kind);
      return list.slice(0, limit);
    }
    return list;
  };

  const enrollments = await rows<{ id: unknown; course: string; cohort: string; tier: string; status: string; enrolled_at: string | null; ended_at: string | null; final_result: string | null }>(
    db,
    sql`select en.id, co.title as course, c.title as cohort, en.tier, en.status::text as status,
               ${iso("en.enrolled_at")} as enrolled_at, ${iso("en.ended_at")} as ended_at, en.final_result
        from enrollments en join cohorts c on c.id = en.cohort_id join courses co on co.id = c.course_id
        where en.school_id = ${schoolId} and en.person_id = ${pid}
        order by en.enrolled_at nulls last, en.id`,
  );

  const messages = await rows<{ id: unknown; at: string; channel: string | null; kind: string; text: string | null; len: unknown; q: boolean; neg: boolean; deleted: boolean }>(
    db,
    sql`select m.id, ${iso("m.sent_at")} as at, ch.title as channel, ch.kind::text as kind,
               case when ch.kind = 'dm' then null else m.text end as text, m.text_length as len, m.has_question as q, m.negative as neg, m.deleted_at is not null as deleted
        from messages m join channels ch on ch.id = m.channel_id
        where m.school_id = ${schoolId} and m.author_person_id = ${pid}
        order by m.sent_at desc, m.id desc limit ${limit + 1}`,
  );

  const eps = await rows<{
    id: unknown; opened_message_id: unknown; at: string; answered_at: string | null; channel: string | null; kind: string; status: string; owner_role: string | null; responder: string | null;
    minutes: unknown; target: unknown; clock: string | null; breached: boolean; calendar_id: unknown; opened_ts: string;
  }>(
    db,
    sql`select e.id, e.opened_message_id, ${iso("e.opened_at")} as at, ${iso("e.answered_at")} as answered_at, ch.title as channel, ch.kind::text as kind, e.status::text as status,
               e.owner_role::text as owner_role, rp.display_name as responder,
               case when e.status = 'answered' then (case when e.clock = 'business' then e.response_business_minutes else e.response_calendar_minutes end) end as minutes,
               e.target_minutes as target, e.clock::text as clock, e.breached, pol.calendar_id, ${iso("e.opened_at")} as opened_ts
        from episodes e join channels ch on ch.id = e.channel_id
          left join people rp on rp.id = e.responder_person_id
          left join sla_policies pol on pol.id = e.policy_id
        where e.school_id = ${schoolId} and e.student_person_id = ${pid}
        order by e.opened_at desc, e.id desc limit ${limit + 1}`,
  );
  // Open episodes: breached now or not is a matter of `now` and the policy's clock (METRICS.md), as the SLA page decides it.
  const needCalendars = eps.some((e) => e.status === "open" && e.target !== null);
  const cals = needCalendars ? await loadCalendars(db, schoolId) : null;
  const slaOf = (e: (typeof eps)[number]): SlaState => {
    if (e.status === "resolved_by_bot") return "bot";
    if (e.target === null || e.clock === null) return "no_target";
    if (e.status === "abandoned") return "abandoned";
    if (e.status === "answered") return e.breached ? "breached" : "met";
    const calendarId = numOrNull(e.calendar_id) ?? cals?.defaultCalendarId ?? null;
    const calendar = calendarId !== null ? (cals?.calendars.get(calendarId) ?? null) : null;
    if (e.clock === "business" && calendar === null) return "open";
    const ev = evaluateSla({
      openedAt: new Date(e.opened_ts), answeredAt: null, now, calendar,
      policy: { id: 0, ownerRole: null, channelKind: null, priority: null, targetMinutes: num(e.target), clock: e.clock === "business" ? "business" : "calendar", calendarId },
    });
    return ev.breachingNow ? "breaching" : "open";
  };

  const lms = await rows<{ id: unknown; at: string; verb: string; object: string | null; kind: string | null; score: unknown; max: unknown; course: string | null }>(
    db,
    sql`select l.id, ${iso("l.occurred_at")} as at, l.verb, coalesce(i.title, l.object_id) as object, l.object_kind as kind, l.score, l.max_score as max, co.title as course
        from lms_events l left join courses co on co.id = l.course_id
          left join lms_items i on i.school_id = l.school_id and i.cohort_id = l.cohort_id and i.external_id = l.object_id
        where l.school_id = ${schoolId} and l.person_id = ${pid} and l.voided_at is null and l.verb <> 'voided'
        order by l.occurred_at desc, l.id desc limit ${limit + 1}`,
  );

  const ratings = await rows<{ id: unknown; at: string; kind: string; score: unknown; comment: string | null; episode_id: unknown }>(
    db,
    sql`select r.id, ${iso("r.given_at")} as at, r.kind::text as kind, r.score, case when r.from_dm then null else r.comment end as comment, r.episode_id
        from ratings r where r.school_id = ${schoolId} and r.person_id = ${pid}
        order by r.given_at desc, r.id desc limit ${limit + 1}`,
  );

  const changes = await rows<{ id: unknown; at: string; status: string; cohort: string; course: string }>(
    db,
    sql`select ev.id, ${iso("ev.at")} as at, ev.status::text as status, c.title as cohort, co.title as course
        from enrollment_events ev join enrollments en on en.id = ev.enrollment_id
          join cohorts c on c.id = en.cohort_id join courses co on co.id = c.course_id
        where ev.school_id = ${schoolId} and en.person_id = ${pid}
        order by ev.at desc, ev.id desc limit ${limit + 1}`,
  );

  return {
    student,
    enrollments: enrollments.map((e) => ({ id: num(e.id), course: e.course, cohort: e.cohort, tier: e.tier, status: e.status, enrolledAt: e.enrolled_at, endedAt: e.ended_at, finalResult: e.final_result })),
    messages: cap("messages", messages).map((m) => ({
      id: num(m.id), at: m.at, channel: m.channel ?? "", channelKind: m.kind, dm: m.kind === "dm", text: m.text, textLength: num(m.len), hasQuestion: m.q, negative: m.neg, deleted: m.deleted,
    })),
    episodes: cap("episodes", eps).map((e) => ({
      id: num(e.id), openedMessageId: num(e.opened_message_id), at: e.at, answeredAt: e.answered_at, channel: e.channel ?? "", dm: e.kind === "dm", status: e.status, ownerRole: e.owner_role, responder: e.responder,
      responseMinutes: numOrNull(e.minutes), targetMinutes: numOrNull(e.target), clock: e.clock, sla: slaOf(e),
    })),
    lms: cap("lms", lms).map((l) => ({ id: num(l.id), at: l.at, verb: l.verb, object: l.object, objectKind: l.kind, score: numOrNull(l.score), maxScore: numOrNull(l.max), course: l.course })),
    ratings: cap("ratings", ratings).map((r) => ({ id: num(r.id), at: r.at, kind: r.kind, score: num(r.score), comment: r.comment, episodeId: numOrNull(r.episode_id) })),
    changes: cap("changes", changes).map((c) => ({ id: num(c.id), at: c.at, status: c.status, cohort: c.cohort, course: c.course })),
    truncated,
  };
}
