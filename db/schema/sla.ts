import { sql } from "drizzle-orm";
import { boolean, date, index, integer, pgTable, real, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, schoolId, ts } from "./columns";
import { calendarDayKind, channelKind, clockKind, episodeKind, episodeStatus, messageCategory, priorityKind, roleKind } from "./enums";
import { people, teams } from "./org";

export const calendars = pgTable("calendars", {
  id: id(),
  schoolId: schoolId(),
  name: text("name").notNull(),
  timezone: text("timezone").notNull(),
  isDefault: boolean("is_default").notNull().default(false),
}, (t) => [uniqueIndex("calendars_school_name_uq").on(t.schoolId, t.name)]);

/** Working intervals per ISO weekday (1 = Monday), minutes from local midnight; several per day allowed. */
export const calendarIntervals = pgTable("calendar_intervals", {
  id: id(),
  schoolId: schoolId(),
  calendarId: ref("calendar_id").notNull().references(() => calendars.id),
  weekday: smallint("weekday").notNull(),
  startMinute: integer("start_minute").notNull(),
  endMinute: integer("end_minute").notNull(),
}, (t) => [index("calendar_intervals_cal_idx").on(t.schoolId, t.calendarId)]);

/** Holidays, and transferred working days that work like `asWeekday` (a Saturday worked as a Monday). */
export const calendarDays = pgTable("calendar_days", {
  schoolId: schoolId(),
  calendarId: ref("calendar_id").notNull().references(() => calendars.id),
  day: date("day", { mode: "string" }).notNull(),
  kind: calendarDayKind("kind").notNull(),
  asWeekday: smallint("as_weekday"),
  note: text("note"),
}, (t) => [uniqueIndex("calendar_days_uq").on(t.schoolId, t.calendarId, t.day)]);

/** Target for a combination; null columns match anything, the most specific match wins. */
export const slaPolicies = pgTable("sla_policies", {
  id: id(),
  schoolId: schoolId(),
  name: text("name").notNull(),
  ownerRole: roleKind("owner_role"),
  channelKind: channelKind("channel_kind"),
  priority: priorityKind("priority"),
  targetMinutes: integer("target_minutes").notNull(),
  clock: clockKind("clock").notNull(),
  calendarId: ref("calendar_id").references(() => calendars.id),
  active: boolean("active").notNull().default(true),
}, (t) => [uniqueIndex("sla_policies_school_name_uq").on(t.schoolId, t.name)]);

/** A duty shift; `weekly` repeats every 7 days until `repeatUntil`. */
export const shifts = pgTable("shifts", {
  id: id(),
  schoolId: schoolId(),
  personId: ref("person_id").notNull().references(() => people.id),
  teamId: ref("team_id").references(() => teams.id),
  role: roleKind("role").notNull(),
  startsAt: ts("starts_at").notNull(),
  endsAt: ts("ends_at").notNull(),
  weekly: boolean("weekly").notNull().default(false),
  repeatUntil: ts("repeat_until"),
}, (t) => [index("shifts_school_start_idx").on(t.schoolId, t.startsAt)]);

/**
 * A waiting episode (METRICS.md), derived from messages; recomputed per dirty scope. The ids it holds
 * (channel, thread, people, cohort, messages, policy) are checked once per statement by triggers, not by
 * foreign keys (migrations 0012–0013, ADR 0007).
 */
export const episodes = pgTable("episodes", {
  id: id(),
  schoolId: schoolId(),
  channelId: ref("channel_id").notNull(),
  threadId: ref("thread_id"),
  studentPersonId: ref("student_person_id").notNull(),
  cohortId: ref("cohort_id"),
  openedMessageId: ref("opened_message_id").notNull(),
  openedAt: ts("opened_at").notNull(),
  lastStudentMessageAt: ts("last_student_message_at").notNull(),
  messageCount: integer("message_count").notNull(),
  kind: episodeKind("kind").notNull(),
  status: episodeStatus("status").notNull(),
  priority: priorityKind("priority").notNull().default("normal"),
  category: messageCategory("category"),
  ownerRole: roleKind("owner_role"),
  ownerPersonId: ref("owner_person_id"),
  answeredAt: ts("answered_at"),
  answerMessageId: ref("answer_message_id"),
  responderPersonId: ref("responder_person_id"),
  firstBotReplyAt: ts("first_bot_reply_at"),
  firstPeerReplyAt: ts("first_peer_reply_at"),
  policyId: ref("policy_id"),
  targetMinutes: integer("target_minutes"),
  clock: clockKind("clock"),
  responseCalendarMinutes: real("response_calendar_minutes"),
  responseBusinessMinutes: real("response_business_minutes"),
  breached: boolean("breached").notNull().default(false),
  computedAt: ts("computed_at").notNull().defaultNow(),
}, (t) => [
  uniqueIndex("episodes_opened_msg_uq").on(t.schoolId, t.openedMessageId),
  // Episodes of a period with every column the period reports read (SLA summary by any grouping, KPI
  // cards, heatmap, load): read index-only. Its (school, opened_at) prefix serves every range scan the
  // narrow index it replaced served. At 10 M messages a month's 136 k episodes were 136 k random heap
  // fetches (~110 ms of the SLA query, twice that for the KPI cards' two periods).
  index("episodes_period_idx").on(
    t.schoolId, t.openedAt, t.status, t.clock, t.responseBusinessMinutes, t.responseCalendarMinutes, t.targetMinutes, t.breached,
    t.ownerRole, t.responderPersonId, t.ownerPersonId, t.channelId, t.cohortId, t.studentPersonId, t.id,
  ),
  // The open episodes with every column their readers take (the live queue, the KPI cards' and the team
  // page's open flags, the SLA page, the shift planner, rebalancing): partial, so it holds the few
  // thousand open ones, not every episode as the (school, status, opened_at) index it replaces did, and is
  // read index-only. At 10 M messages the open read of a month went 37 → 7 ms (6 k rows on 6 k heap
  // pages before; docs/performance.md, round 23). Key columns, not INCLUDE: drizzle's index builder has none.
  index("episodes_open_idx")
    .on(
      t.schoolId, t.openedAt, t.id, t.ownerPersonId, t.responderPersonId, t.targetMinutes, t.clock, t.policyId, t.ownerRole,
      t.channelId, t.threadId, t.studentPersonId, t.lastStudentMessageAt, t.messageCount, t.priority, t.category,
    )
    .where(sql`${t.status} = 'open'`),
  index("episodes_responder_idx").on(t.schoolId, t.responderPersonId, t.openedAt),
  index("episodes_scope_idx").on(t.schoolId, t.channelId, t.threadId),
  // A student's episodes with every column the outcomes page aggregates (db/queries/reports/outcomes.ts):
  // read index-only, per enrollment window. Its prefix serves every lookup by student as before.
  index("episodes_student_idx").on(t.schoolId, t.studentPersonId, t.openedAt, t.status, t.clock, t.responseBusinessMinutes, t.responseCalendarMinutes, t.answeredAt, t.breached, t.targetMinutes),
  // Ratings are linked to the episode their answer closed.
  index("episodes_answer_msg_idx").on(t.schoolId, t.answerMessageId),
]);
