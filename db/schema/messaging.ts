import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, ref, schoolId, ts } from "./columns";
import { attributionMode, channelKind, channelPurpose, contentKind, messageCategory, roleKind, sourceKind, threadKind } from "./enums";
import { cohorts, people } from "./org";

/** A connected workspace, bot or LMS of a school. Its settings carry the content policy. */
export const sources = pgTable("sources", {
  id: id(),
  schoolId: schoolId(),
  kind: sourceKind("kind").notNull(),
  /** The source's own id of the workspace / bot / LMS client ("T024BE7LD", bot id). */
  externalId: text("external_id").notNull(),
  name: text("name").notNull(),
  /** Store group-chat text? DMs never are (METRICS.md, Privacy). */
  storeGroupText: boolean("store_group_text").notNull().default(true),
  settings: jsonb("settings").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: ts("created_at").notNull().defaultNow(),
}, (t) => [uniqueIndex("sources_school_kind_ext_uq").on(t.schoolId, t.kind, t.externalId)]);

/** A person's account in one source. Unknown authors are kept (person created, no role = student). */
export const sourceIdentities = pgTable("source_identities", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  externalId: text("external_id").notNull(),
  personId: ref("person_id").notNull().references(() => people.id),
  displayName: text("display_name"),
  username: text("username"),
  isBot: boolean("is_bot").notNull().default(false),
  /** True once a roster row or an email match has linked it to a known person. */
  mapped: boolean("mapped").notNull().default(false),
  firstSeenAt: ts("first_seen_at").notNull().defaultNow(),
}, (t) => [
  uniqueIndex("identities_school_source_ext_uq").on(t.schoolId, t.sourceId, t.externalId),
  index("identities_person_idx").on(t.schoolId, t.personId),
]);

export const channels = pgTable("channels", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  externalId: text("external_id").notNull(),
  kind: channelKind("kind").notNull(),
  title: text("title"),
  purpose: channelPurpose("purpose").notNull().default("support"),
  ownerRole: roleKind("owner_role"),
  ownerPersonId: ref("owner_person_id").references(() => people.id),
  cohortId: ref("cohort_id").references(() => cohorts.id),
  attribution: attributionMode("attribution").notNull().default("strict"),
  /** For DMs: the non-staff participant, so the DM can be attributed without reading text. */
  dmStudentPersonId: ref("dm_student_person_id").references(() => people.id),
  createdAt: ts("created_at").notNull().defaultNow(),
}, (t) => [
  uniqueIndex("channels_school_source_ext_uq").on(t.schoolId, t.sourceId, t.externalId),
  index("channels_cohort_idx").on(t.schoolId, t.cohortId),
  // The channels a few people own (the team page's rebalancing reads the overloaded people's): a scan of every
  // channel of the school was ~11 ms of its ~60 at 10 M messages (~69 k channels, ~2 k owned by those asked).
  index("channels_owner_idx").on(t.schoolId, t.ownerPersonId).where(sql`${t.ownerPersonId} is not null`),
  // The filter options' channel list (group chats, channels, forums; DMs are not listed), read with the
  // satisfaction and KPI pages: ~1.5 k of ~69 k channels at 10 M messages, which a scan of every channel
  // made ~25 ms a view (index-only here; round 19 of docs/performance.md).
  index("channels_listed_idx").on(t.schoolId, t.id, t.title, t.externalId, t.sourceId).where(sql`${t.kind} <> 'dm'`),
]);

export const threads = pgTable("threads", {
  id: id(),
  schoolId: schoolId(),
  channelId: ref("channel_id").notNull().references(() => channels.id),
  externalId: text("external_id").notNull(),
  kind: threadKind("kind").notNull(),
  title: text("title"),
  createdAt: ts("created_at"),
}, (t) => [uniqueIndex("threads_school_channel_ext_uq").on(t.schoolId, t.channelId, t.externalId)]);

/**
 * Message metadata. `text` is nullable: DM text is never stored, group text only where the source allows.
 * The flags are decided at ingestion from the text, before the text is dropped.
 * The id columns that name other rows (source, channel, thread, author, identity, reply-to person) are
 * checked once per statement by triggers, not by foreign keys (migrations 0012–0013, ADR 0007).
 */
export const messages = pgTable("messages", {
  id: id(),
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull(),
  channelId: ref("channel_id").notNull(),
  threadId: ref("thread_id"),
  externalId: text("external_id").notNull(),
  authorPersonId: ref("author_person_id").notNull(),
  authorIdentityId: ref("author_identity_id").notNull(),
  sentAt: ts("sent_at").notNull(),
  editedAt: ts("edited_at"),
  deletedAt: ts("deleted_at"),
  /** The quoted message's id as the source gives it (may be outside the data). */
  replyToExternalId: text("reply_to_external_id"),
  /** Author of the quoted message, when the source tells it (Telegram reply_to_message.from). */
  replyToPersonId: ref("reply_to_person_id"),
  mentionPersonIds: bigint("mention_person_ids", { mode: "number" }).array().notNull().default([]),
  contentKind: contentKind("content_kind").notNull().default("text"),
  isBot: boolean("is_bot").notNull().default(false),
  text: text("text"),
  textLength: integer("text_length").notNull().default(0),
  /** Text-derived: false for acknowledgements, stickers, service messages. */
  isAck: boolean("is_ack").notNull().default(false),
  hasQuestion: boolean("has_question").notNull().default(false),
  negative: boolean("negative").notNull().default(false),
  category: messageCategory("category"),
  ingestedAt: ts("ingested_at").notNull().defaultNow(),
}, (t) => [
  uniqueIndex("messages_school_channel_ext_uq").on(t.schoolId, t.channelId, t.externalId),
  // No (school_id, sent_at) index: its one reader, a school's first and last message day, reads
  // message_volume (db/queries/overview.ts messageSpan; migration 0024, docs/performance.md round 16).
  // A person's messages by time, with what the team page's "messages sent" count filters on (content kind,
  // deletion): counted index-only (db/queries/reports/load.ts). The prefix serves every lookup by author
  // the narrow index it replaced served; the two columns cost ~5 % of its size (alignment padding).
  index("messages_author_cover_idx").on(t.schoolId, t.authorPersonId, t.sentAt, t.contentKind, t.deletedAt),
  // A scope (channel + thread, 0 = timeline) as recompute reads it: without it a batch of forum topics was
  // read by scanning each topic's whole channel once per topic (docs/performance.md, "Derive"). It also
  // serves an episode's messages (reports/episode-detail-view.ts), which made a separate index on (school,
  // channel, sent_at) redundant (migration 0023, docs/performance.md round 15). With sent_at (migration
  // 0029, round 21) a scope resumed from its checkpoint reads the messages after it, not the chat's every
  // message: ~8 ms → ~0.1 ms for a chat of 12 k messages at 10 M, a third less read time per derivation run
  // under webhooks; the keys no longer repeat, so it is ~4× larger (483 MB at 10 M) and the message insert
  // ~0–7 % slower (alternated inserts of 760 k rows).
  index("messages_scope_idx").on(t.schoolId, t.channelId, sql`coalesce(${t.threadId}, 0)`, t.sentAt),
  // A student's negative messages (the at-risk list's 30 days): partial, so it holds the few negative rows
  // only and costs the import next to nothing; without it the page read every message of the 30 days.
  index("messages_negative_idx").on(t.schoolId, t.authorPersonId, t.sentAt).where(sql`${t.negative}`),
]);

/** Webhook deliveries already processed (Telegram update_id, Slack event_id): a retry counts once. */
export const ingestReceipts = pgTable("ingest_receipts", {
  schoolId: schoolId(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  eventKey: text("event_key").notNull(),
  payloadHash: text("payload_hash").notNull(),
  receivedAt: ts("received_at").notNull().defaultNow(),
}, (t) => [uniqueIndex("ingest_receipts_uq").on(t.schoolId, t.sourceId, t.eventKey)]);

/** Rejected input, whole, with its reason: nothing is lost, nothing half-written. */
export const deadLetters = pgTable("dead_letters", {
  id: id(),
  schoolId: ref("school_id"),
  source: text("source").notNull(),
  reason: text("reason").notNull(),
  payload: text("payload").notNull(),
  headers: jsonb("headers").$type<Record<string, string>>(),
  receivedAt: ts("received_at").notNull().defaultNow(),
  resolvedAt: ts("resolved_at"),
}, (t) => [index("dead_letters_school_idx").on(t.schoolId, t.receivedAt)]);

/** One file import, so a killed import can be resumed and its summary read back. */
export const importRuns = pgTable("import_runs", {
  id: id(),
  schoolId: schoolId(),
  format: text("format").notNull(),
  path: text("path").notNull(),
  startedAt: ts("started_at").notNull().defaultNow(),
  finishedAt: ts("finished_at"),
  read: integer("read").notNull().default(0),
  stored: integer("stored").notNull().default(0),
  duplicates: integer("duplicates").notNull().default(0),
  rejected: integer("rejected").notNull().default(0),
  summary: jsonb("summary").$type<Record<string, unknown>>(),
});

/** Scopes whose episodes must be recomputed because a message arrived, changed or was deleted there. */
export const dirtyScopes = pgTable("dirty_scopes", {
  schoolId: schoolId(),
  channelId: ref("channel_id").notNull(),
  /** 0 = the channel's main timeline (a sentinel keeps the unique key simple on both engines). */
  threadId: ref("thread_id").notNull().default(0),
  markedAt: ts("marked_at").notNull().defaultNow(),
  /**
   * The earliest sent_at among the new or changed messages behind the mark; null = anything else changed
   * (settings, people, thread parents, a bulk load): the scope is derived whole. With a time after the
   * scope's checkpoint, recompute derives only the messages after the checkpoint.
   */
  fromSentAt: ts("from_sent_at"),
  /**
   * Marked again since a derivation run claimed the mark (episodes/write.ts claimMarks), and the earliest
   * message of those marks (null with `renewed` = the whole scope). A mark renewed while a run derives its
   * scope survives the run; its from_sent_at then becomes renewed_from, what the run may not have read.
   * Without it, the surviving mark kept its earliest message from before the run, and a chat written to
   * during every run never got past it: each run derived it from there, soon from before its checkpoint,
   * so whole (docs/performance.md, round 20).
   */
  renewed: boolean("renewed").notNull().default(true),
  renewedFrom: ts("renewed_from"),
}, (t) => [uniqueIndex("dirty_scopes_uq").on(t.schoolId, t.channelId, t.threadId)]);

/**
 * A counter per school of committed changes to what a recompute loads once per run (loadSchoolContext:
 * roles, bots, policies, calendars, the time zone). Kept by deferred triggers (migration 0025), whoever
 * writes those tables; each batch of a run compares it with its context's and reloads the context when
 * it moved, so a roster change committed during a run is never derived with the roles from before it.
 */
export const derivationInputs = pgTable("derivation_inputs", {
  schoolId: bigint("school_id", { mode: "number" }).primaryKey(),
  version: bigint("version", { mode: "number" }).notNull().default(0),
});

/**
 * Derivation state of a big scope after a point in its messages (lib/metrics/episodes ScopeCheckpoint),
 * written by recompute, so a run after a webhook derives the new messages only instead of the whole
 * year of a group chat. Valid while `fingerprint` (the school's roles, bots, policies and calendars, the
 * channel's settings, the derivation code's version) is unchanged.
 */
export const scopeCheckpoints = pgTable("scope_checkpoints", {
  schoolId: schoolId(),
  channelId: ref("channel_id").notNull(),
  /** 0 = the channel's main timeline, as in dirty_scopes. */
  threadId: ref("thread_id").notNull().default(0),
  afterSentAt: ts("after_sent_at").notNull(),
  afterMessageId: ref("after_message_id").notNull(),
  fingerprint: text("fingerprint").notNull(),
  state: jsonb("state").notNull(),
  writtenAt: ts("written_at").notNull().defaultNow(),
}, (t) => [uniqueIndex("scope_checkpoints_uq").on(t.schoolId, t.channelId, t.threadId)]);
