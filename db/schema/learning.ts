import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, real, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, schoolId, ts } from "./columns";
import { lmsItemKind, ratingKind } from "./enums";
import { cohorts, people } from "./org";
import { sources } from "./messaging";

/** What a cohort schedules: assignments and tests with due dates, webinars with start times. */
export const lmsItems = pgTable("lms_items", {
  id: id(),
  schoolId: schoolId(),
  cohortId: ref("cohort_id").notNull().references(() => cohorts.id),
  externalId: text("external_id").notNull(),
  kind: lmsItemKind("kind").notNull(),
  title: text("title"),
  dueAt: ts("due_at"),
  weight: real("weight"),
}, (t) => [uniqueIndex("lms_items_uq").on(t.schoolId, t.cohortId, t.externalId)]);

/**
 * A learning event (xAPI statement, OULAD row, CSV line), keyed on the source's own id. Its source, person,
 * course, cohort and enrollment ids are checked once per statement by triggers, not by foreign keys
 * (migrations 0012–0013, ADR 0007).
 */
export const lmsEvents = pgTable("lms_events", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull(),
  externalId: text("external_id").notNull(),
  personId: ref("person_id").notNull(),
  courseId: ref("course_id"),
  cohortId: ref("cohort_id"),
  enrollmentId: ref("enrollment_id"),
  /** ADL verb short name: registered, attended, experienced, progressed, completed, passed, failed, answered, submitted, voided. */
  verb: text("verb").notNull(),
  objectId: text("object_id"),
  objectKind: text("object_kind"),
  score: real("score"),
  maxScore: real("max_score"),
  /** Clicks / minutes where the LMS counts them (OULAD sum_click). */
  amount: integer("amount"),
  occurredAt: ts("occurred_at").notNull(),
  voidedAt: ts("voided_at"),
  extra: jsonb("extra").$type<Record<string, unknown>>(),
  /**
   * OULAD's is_banked (a result carried over from an earlier presentation), kept in `extra` by the
   * parsers; a stored generated column so that the person index below can hold it (an index-only scan
   * cannot read a jsonb expression). Written by PostgreSQL, never by the ingest paths.
   */
  banked: boolean("banked").generatedAlwaysAs(sql`coalesce(extra->>'banked', 'false') = 'true'`),
}, (t) => [
  uniqueIndex("lms_events_uq").on(t.schoolId, t.sourceId, t.externalId),
  // A student's events with every column the at-risk page reads (db/queries/reports/risk.ts itemEvents,
  // lastActivity): read index-only per active enrollment. Its (school, person, occurred_at) prefix serves
  // every lookup the narrow person index it replaced served. At 10 M messages the heap fetches of ~540 k
  // events cost ~0.6 s of the page. object_id and verb are in the key, so their size is bounded at
  // ingestion (lib/ingest/types.ts lmsEventSchema): a btree entry must stay under ~2.7 kB.
  index("lms_events_person_cover_idx").on(
    t.schoolId, t.personId, t.occurredAt, t.voidedAt, t.enrollmentId, t.cohortId, t.verb, t.objectId, t.score, t.maxScore, t.banked, t.id,
  ),
  // No (school, cohort, occurred_at) index: no statement reads a cohort's events without the person (issue #9
  // round 7 dropped it, migration 0015: 223 MB at 10 M messages, kept up on every LMS insert for nothing).
  // Voiding statements by target: a void may arrive before its target, which then finds it here.
  index("lms_events_voiding_idx").on(t.schoolId, t.sourceId, t.objectId).where(sql`verb = 'voided'`),
]);

/** A survey sent after an episode (for the response rate). */
export const surveyRequests = pgTable("survey_requests", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  externalId: text("external_id").notNull(),
  kind: ratingKind("kind").notNull(),
  personId: ref("person_id").notNull().references(() => people.id),
  episodeId: ref("episode_id"),
  sentAt: ts("sent_at").notNull(),
}, (t) => [
  uniqueIndex("survey_requests_uq").on(t.schoolId, t.sourceId, t.externalId),
  // Surveys sent in a period (satisfaction, CSAT per responder on the team page). The episode id in the key
  // lets a period's count (by week, or by the episode's key) read the index alone (docs/adr/0006).
  index("survey_requests_school_sent_cover_idx").on(t.schoolId, t.sentAt, t.episodeId),
]);

/** CSAT (normalised to 1..5) and NPS (0..10) answers. */
export const ratings = pgTable("ratings", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  externalId: text("external_id").notNull(),
  kind: ratingKind("kind").notNull(),
  personId: ref("person_id").notNull().references(() => people.id),
  score: real("score").notNull(),
  rawScore: real("raw_score").notNull(),
  rawScaleMax: integer("raw_scale_max").notNull(),
  comment: text("comment"),
  fromDm: boolean("from_dm").notNull().default(false),
  episodeId: ref("episode_id"),
  /** The answer the rating was about, when the survey bot knows it; links the rating to its episode. */
  aboutMessageId: ref("about_message_id"),
  responderPersonId: ref("responder_person_id").references(() => people.id),
  cohortId: ref("cohort_id").references(() => cohorts.id),
  givenAt: ts("given_at").notNull(),
  /**
   * Recompute looked for this rating's episode after it was stored (episodes/ratings.ts `unlinked`). A
   * rating about a message that answered nothing stays unlinked; without the flag every derivation run
   * looked for all of them again (31 k at 10 M messages: ~130 ms a run). A later episode answered by the
   * message links it when that scope is derived, so one look after storing is enough.
   */
  linkChecked: boolean("link_checked").notNull().default(false),
}, (t) => [
  uniqueIndex("ratings_uq").on(t.schoolId, t.sourceId, t.externalId),
  // A period's ratings by responder or week (the satisfaction page, CSAT per person on the team page) read the
  // index alone: kind, score and responder are in its key (docs/adr/0006). 16.9 k CSAT answers of a month at
  // 10 M messages were ~1.7 k heap pages.
  index("ratings_school_at_cover_idx").on(t.schoolId, t.givenAt, t.kind, t.score, t.responderPersonId),
  index("ratings_about_msg_idx").on(t.schoolId, t.aboutMessageId),
  // A period's newest comments (the satisfaction page's 200) in the index's order: partial, so only the
  // rated-with-a-comment rows are in it. By the covering index above the page's read walked every rating of
  // the newest days to find them (2.6 k ratings and heap rows for 200 comments at 10 M messages, ~5 ms).
  index("ratings_comments_idx").on(t.schoolId, t.givenAt, t.id).where(sql`${t.comment} is not null and not ${t.fromDm}`),
  // The ratings still to look for an episode: few, so a partial index keeps finding them cheap. Only ratings
  // about a message are looked for (episodes/ratings.ts); the others are never checked and, in the index, were
  // read past by every derivation run (6.5 k at 10 M messages, ~10 ms a run under webhooks).
  index("ratings_link_pending_idx").on(t.schoolId).where(sql`${t.episodeId} is null and not ${t.linkChecked} and ${t.aboutMessageId} is not null`),
]);

/**
 * The LRS side of /api/xapi/statements: each statement as received (free-text `result.response`
 * replaced by its digest), so a re-sent id can be told identical (200/204) from conflicting (409).
 * The analytics read lms_events; this table only answers "do we have this statement, and is it the same".
 */
export const xapiStatements = pgTable("xapi_statements", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  statementId: text("statement_id").notNull(),
  statement: jsonb("statement").$type<Record<string, unknown>>().notNull(),
  /** The LMS client (sources.settings.clients[].key) that sent it; null for file imports. */
  clientKey: text("client_key"),
  storedAt: ts("stored_at").notNull().defaultNow(),
}, (t) => [uniqueIndex("xapi_statements_uq").on(t.schoolId, t.sourceId, t.statementId)]);
