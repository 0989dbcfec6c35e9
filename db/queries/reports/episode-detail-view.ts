import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { episodeGroupKey, labelsFor, num, numOrNull, openFlags, slaFlags } from "./common";

/**
 * One episode as the episode view shows it, and its message timeline. Privacy (METRICS.md): DM text is
 * never returned, even if a row somehow holds it; group text only where it was stored.
 */

export interface EpisodeView {
  id: number;
  /** The student's first message (lib/episode-href.ts). */
  openedMessageId: number;
  student: string;
  studentId: number;
  channel: string;
  channelKind: string;
  channelId: number;
  thread: string | null;
  source: string;
  cohort: string | null;
  kind: string;
  status: string;
  priority: string;
  category: string | null;
  messageCount: number;
  openedAt: string;
  lastStudentMessageAt: string;
  answeredAt: string | null;
  responder: string | null;
  ownerRole: string | null;
  role: string | null;
  roleLabel: string;
  owner: string | null;
  firstBotReplyAt: string | null;
  firstPeerReplyAt: string | null;
  policy: string | null;
  targetMinutes: number | null;
  clock: string | null;
  calendar: string | null;
  calendarMinutes: number | null;
  businessMinutes: number | null;
  breached: boolean;
  breachingNow: boolean;
  atRisk: boolean;
}

export interface TimelineMessage {
  id: number;
  externalId: string;
  sentAt: string;
  author: string;
  authorRole: string;
  authorRoleLabel: string;
  isEpisodeStudent: boolean;
  contentKind: string;
  /** Null for DMs (never stored or shown) and where the source's policy dropped it. */
  text: string | null;
  textLength: number;
  deleted: boolean;
  replyToExternalId: string | null;
  /** The quoted message's id when it is in this timeline (for an in-page link). */
  replyToId: number | null;
  mentions: string[];
  isOpening: boolean;
  isAnswer: boolean;
  negative: boolean;
  hasQuestion: boolean;
}

const iso = (col: SQL) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** The episode with id `id` at this school, or null (another school's id is simply not found). */
export async function getEpisodeView(db: Db, schoolId: number, tz: string, id: number, now: Date): Promise<EpisodeView | null> {
  const f = slaFlags(await openFlags(db, schoolId, tz, null, now));
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`select e.id, e.opened_message_id, st.display_name as student, e.student_person_id, coalesce(ch.title, ch.external_id) as channel, ch.kind::text as channel_kind, ch.id as channel_id,
          coalesce(th.title, th.external_id) as thread, src.kind::text as source, co.title as cohort, e.kind::text as kind, e.status::text as status,
          e.priority::text as priority, e.category::text as category, e.message_count, ${iso(sql`e.opened_at`)} as opened_at,
          ${iso(sql`e.last_student_message_at`)} as last_student_message_at, ${iso(sql`e.answered_at`)} as answered_at, rp.display_name as responder,
          e.owner_role::text as owner_role, ${episodeGroupKey("role")} as role, op.display_name as owner, ${iso(sql`e.first_bot_reply_at`)} as first_bot_reply_at,
          ${iso(sql`e.first_peer_reply_at`)} as first_peer_reply_at, p.name as policy, e.target_minutes, e.clock::text as clock,
          coalesce(pc.name, dc.name) as calendar, e.response_calendar_minutes, e.response_business_minutes,
          ${f.breached} as breached, ${f.breachingNow} as breaching_now, ${f.atRisk} as at_risk
        from episodes e join channels ch on ch.id = e.channel_id join sources src on src.id = ch.source_id join people st on st.id = e.student_person_id
          left join threads th on th.id = e.thread_id left join cohorts co on co.id = e.cohort_id
          left join people rp on rp.id = e.responder_person_id left join people op on op.id = e.owner_person_id
          left join sla_policies p on p.id = e.policy_id left join calendars pc on pc.id = p.calendar_id
          left join calendars dc on dc.school_id = e.school_id and dc.is_default
        where e.school_id = ${schoolId} and e.id = ${id}
        limit 1`,
  );
  if (!r) return null;
  const role = str(r.role);
  const labels = await labelsFor(db, schoolId, "role", [role]);
  return {
    id: num(r.id),
    openedMessageId: num(r.opened_message_id),
    student: String(r.student),
    studentId: num(r.student_person_id),
    channel: String(r.channel),
    channelKind: String(r.channel_kind),
    channelId: num(r.channel_id),
    thread: str(r.thread),
    source: String(r.source),
    cohort: str(r.cohort),
    kind: String(r.kind),
    status: String(r.status),
    priority: String(r.priority),
    category: str(r.category),
    messageCount: num(r.message_count),
    openedAt: String(r.opened_at),
    lastStudentMessageAt: String(r.last_student_message_at),
    answeredAt: str(r.answered_at),
    responder: str(r.responder),
    ownerRole: str(r.owner_role),
    role,
    roleLabel: labels.get(role) ?? String(role),
    owner: str(r.owner),
    firstBotReplyAt: str(r.first_bot_reply_at),
    firstPeerReplyAt: str(r.first_peer_reply_at),
    policy: str(r.policy),
    targetMinutes: numOrNull(r.target_minutes),
    clock: str(r.clock),
    calendar: str(r.calendar),
    calendarMinutes: numOrNull(r.response_calendar_minutes),
    businessMinutes: numOrNull(r.response_business_minutes),
    breached: r.breached === true,
    breachingNow: r.breaching_now === true,
    atRisk: r.at_risk === true,
  };
}

/**
 * The school's episode of this id, else (an episode that changed is stored anew under another id) the
 * episode opened by `openedMessageId` now, or null. Both lookups are unique keys.
 */
export async function currentEpisodeId(db: Db, schoolId: number, id: number, openedMessageId: number | null): Promise<number | null> {
  const [r] = await rows<{ id: unknown }>(
    db,
    openedMessageId === null
      ? sql`select e.id from episodes e where e.school_id = ${schoolId} and e.id = ${id}`
      : sql`select x.id from (
              select e.id, 0 as o from episodes e where e.school_id = ${schoolId} and e.id = ${id}
              union all
              select e.id, 1 from episodes e where e.school_id = ${schoolId} and e.opened_message_id = ${openedMessageId}) x
            order by x.o limit 1`,
  );
  return r ? num(r.id) : null;
}

/** Timeline length cap: a busy group chat can hold hundreds of messages while one question waits. */
export const TIMELINE_LIMIT = 200;

const ROLE_ORDER = sql`array['bot', 'coordinator', 'mentor', 'reviewer', 'support', 'team_lead', 'student']`;

/**
 * Messages of the episode's scope (its thread, or the channel's main timeline) from its opening to its
 * answer (or, unanswered, to its last student message plus a day: the bot replies and peers around it).
 * The author's role is the one held when they wrote (recompute's precedence), bots by their flag.
 */
export async function episodeTimeline(db: Db, schoolId: number, episodeId: number): Promise<{ messages: TimelineMessage[]; truncated: boolean }> {
  const found = await rows<Record<string, unknown>>(
    db,
    sql`with ep as (select * from episodes where school_id = ${schoolId} and id = ${episodeId}),
        msgs as (
          select m.* from messages m, ep
          -- The scope as messages_scope_idx keys it (thread 0 = the channel's timeline).
          where m.school_id = ep.school_id and m.channel_id = ep.channel_id and coalesce(m.thread_id, 0) = coalesce(ep.thread_id, 0)
            and m.sent_at >= ep.opened_at and m.sent_at <= coalesce(ep.answered_at, ep.last_student_message_at + interval '1 day')
          order by m.sent_at, m.id limit ${TIMELINE_LIMIT + 1})
        select m.id, m.external_id, ${iso(sql`m.sent_at`)} as sent_at, a.display_name as author,
          (case when m.is_bot or a.is_bot then 'bot' else coalesce((select r.role::text from person_roles r where r.school_id = m.school_id and r.person_id = m.author_person_id
             and (r.valid_from is null or r.valid_from <= m.sent_at) and (r.valid_to is null or r.valid_to > m.sent_at)
             order by array_position(${ROLE_ORDER}, r.role::text) limit 1), 'student') end) as author_role,
          m.author_person_id = ep.student_person_id as is_student, m.content_kind::text as content_kind,
          (case when ch.kind = 'dm' then null else m.text end) as text, m.text_length, m.deleted_at is not null as deleted,
          m.reply_to_external_id, (select q.id from messages q where q.school_id = m.school_id and q.channel_id = m.channel_id and q.external_id = m.reply_to_external_id limit 1) as reply_to_id,
          (select coalesce(json_agg(pm.display_name order by pm.id), '[]'::json)::text from people pm where pm.school_id = m.school_id and pm.id = any(m.mention_person_ids)) as mentions,
          m.id = ep.opened_message_id as is_opening, m.id is not distinct from ep.answer_message_id as is_answer, m.negative, m.has_question
        from msgs m cross join ep join people a on a.id = m.author_person_id join channels ch on ch.id = m.channel_id
        order by m.sent_at, m.id`,
  );
  const truncated = found.length > TIMELINE_LIMIT;
  const list = found.slice(0, TIMELINE_LIMIT);
  const labels = await labelsFor(db, schoolId, "role", [...new Set(list.map((r) => String(r.author_role)))]);
  return {
    truncated,
    messages: list.map((r) => ({
      id: num(r.id),
      externalId: String(r.external_id),
      sentAt: String(r.sent_at),
      author: String(r.author),
      authorRole: String(r.author_role),
      authorRoleLabel: labels.get(String(r.author_role)) ?? String(r.author_role),
      isEpisodeStudent: r.is_student === true,
      contentKind: String(r.content_kind),
      text: str(r.text),
      textLength: num(r.text_length),
      deleted: r.deleted === true,
      replyToExternalId: str(r.reply_to_external_id),
      replyToId: numOrNull(r.reply_to_id),
      mentions: JSON.parse(String(r.mentions ?? "[]")) as string[],
      isOpening: r.is_opening === true,
      isAnswer: r.is_answer === true,
      negative: r.negative === true,
      hasQuestion: r.has_question === true,
    })),
  };
}
