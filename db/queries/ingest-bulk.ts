import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";

/**
 * Bulk writes of the store path (db/queries/ingest.ts) as one `insert … select from unnest(arrays)`:
 * one bound parameter per column instead of one per value. Building a 1,000-row VALUES list through
 * the query builder cost more CPU than PostgreSQL spent inserting it (docs/performance.md, "Import"),
 * and the parameter count no longer grows with the batch. Same rows, same order, same ON CONFLICT.
 */

type Scalar = string | number | boolean | Date | null;

/** An element of a PostgreSQL array literal: quoted and escaped, NULL as the bare keyword. */
function element(v: Scalar): string {
  if (v === null) return "NULL";
  if (typeof v === "boolean") return v ? "t" : "f";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`not a finite number: ${v}`);
    return String(v);
  }
  const s = v instanceof Date ? v.toISOString() : v;
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A one-dimensional array literal, bound as one text parameter and cast in SQL. */
export function arrayLiteral(xs: readonly Scalar[]): string {
  return `{${xs.map(element).join(",")}}`;
}

export interface MessageInsert {
  schoolId: number;
  sourceId: number;
  channelId: number;
  threadId: number | null;
  externalId: string;
  authorPersonId: number;
  authorIdentityId: number;
  sentAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  replyToExternalId: string | null;
  replyToPersonId: number | null;
  mentionPersonIds: number[];
  contentKind: "text" | "sticker" | "media" | "service";
  isBot: boolean;
  text: string | null;
  textLength: number;
  isAck: boolean;
  hasQuestion: boolean;
  negative: boolean;
  category: string | null;
}

/** Inserts new messages of one school; a message already stored (same channel and external id) is skipped. Returns the ids inserted. */
export async function insertMessages(db: Db, schoolId: number, values: readonly MessageInsert[]): Promise<number[]> {
  if (values.length === 0) return [];
  const col = <K extends keyof MessageInsert>(k: K, f: (v: MessageInsert[K]) => Scalar = (v) => v as Scalar) => arrayLiteral(values.map((v) => f(v[k])));
  for (const v of values) if (v.schoolId !== schoolId) throw new Error(`message of school ${v.schoolId} in a batch of school ${schoolId}`);
  const inserted = await rows<{ id: number | string }>(
    db,
    sql`insert into messages (school_id, source_id, channel_id, thread_id, external_id, author_person_id, author_identity_id, sent_at, edited_at, deleted_at,
          reply_to_external_id, reply_to_person_id, mention_person_ids, content_kind, is_bot, text, text_length, is_ack, has_question, negative, category)
        select ${schoolId}::bigint, u.source_id, u.channel_id, u.thread_id, u.external_id, u.author_person_id, u.author_identity_id, u.sent_at, u.edited_at, u.deleted_at,
          u.reply_to_external_id, u.reply_to_person_id, u.mentions::bigint[], u.content_kind::content_kind, u.is_bot, u.text, u.text_length, u.is_ack, u.has_question, u.negative,
          u.category::message_category
        from unnest(${col("sourceId")}::bigint[], ${col("channelId")}::bigint[], ${col("threadId")}::bigint[], ${col("externalId")}::text[],
          ${col("authorPersonId")}::bigint[], ${col("authorIdentityId")}::bigint[], ${col("sentAt")}::timestamptz[], ${col("editedAt")}::timestamptz[],
          ${col("deletedAt")}::timestamptz[], ${col("replyToExternalId")}::text[], ${col("replyToPersonId")}::bigint[],
          ${col("mentionPersonIds", (m) => arrayLiteral(m))}::text[], ${col("contentKind")}::text[], ${col("isBot")}::boolean[], ${col("text")}::text[],
          ${col("textLength")}::int[], ${col("isAck")}::boolean[], ${col("hasQuestion")}::boolean[], ${col("negative")}::boolean[], ${col("category")}::text[])
          with ordinality as u(source_id, channel_id, thread_id, external_id, author_person_id, author_identity_id, sent_at, edited_at, deleted_at,
            reply_to_external_id, reply_to_person_id, mentions, content_kind, is_bot, text, text_length, is_ack, has_question, negative, category, ord)
        order by u.ord
        on conflict do nothing
        returning id`,
  );
  return inserted.map((r) => Number(r.id));
}

export interface LmsEventInsert {
  schoolId: number;
  sourceId: number;
  externalId: string;
  personId: number;
  courseId: number | null;
  cohortId: number | null;
  enrollmentId: number | null;
  verb: string;
  objectId: string | null;
  objectKind: string | null;
  score: number | null;
  maxScore: number | null;
  amount: number | null;
  occurredAt: Date;
  voidedAt: Date | null;
  extra: Record<string, unknown> | null;
}

/** Inserts new LMS events of one school; an event already stored (same source and external id) is skipped. Returns the ids inserted. */
export async function insertLmsEvents(db: Db, schoolId: number, values: readonly LmsEventInsert[]): Promise<number[]> {
  if (values.length === 0) return [];
  const col = <K extends keyof LmsEventInsert>(k: K, f: (v: LmsEventInsert[K]) => Scalar = (v) => v as Scalar) => arrayLiteral(values.map((v) => f(v[k])));
  for (const v of values) if (v.schoolId !== schoolId) throw new Error(`LMS event of school ${v.schoolId} in a batch of school ${schoolId}`);
  const inserted = await rows<{ id: number | string }>(
    db,
    sql`insert into lms_events (school_id, source_id, external_id, person_id, course_id, cohort_id, enrollment_id, verb, object_id, object_kind,
          score, max_score, amount, occurred_at, voided_at, extra)
        select ${schoolId}::bigint, u.source_id, u.external_id, u.person_id, u.course_id, u.cohort_id, u.enrollment_id, u.verb, u.object_id, u.object_kind,
          u.score, u.max_score, u.amount, u.occurred_at, u.voided_at, u.extra
        from unnest(${col("sourceId")}::bigint[], ${col("externalId")}::text[], ${col("personId")}::bigint[], ${col("courseId")}::bigint[],
          ${col("cohortId")}::bigint[], ${col("enrollmentId")}::bigint[], ${col("verb")}::text[], ${col("objectId")}::text[], ${col("objectKind")}::text[],
          ${col("score")}::real[], ${col("maxScore")}::real[], ${col("amount")}::int[], ${col("occurredAt")}::timestamptz[], ${col("voidedAt")}::timestamptz[],
          ${col("extra", (x) => (x === null ? null : JSON.stringify(x)))}::jsonb[])
          with ordinality as u(source_id, external_id, person_id, course_id, cohort_id, enrollment_id, verb, object_id, object_kind,
            score, max_score, amount, occurred_at, voided_at, extra, ord)
        order by u.ord
        on conflict do nothing
        returning id`,
  );
  return inserted.map((r) => Number(r.id));
}
