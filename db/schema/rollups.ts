import { boolean, integer, json, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { ref, schoolId, ts } from "./columns";
import { enrollmentStatus } from "./enums";
import { sources } from "./messaging";

/**
 * Messages counted per 15-minute bucket (UTC), source and DM-or-not: the overview's volume and counts
 * read this instead of scanning every message of the period (docs/performance.md). Kept by statement
 * triggers on `messages` (migration 0003), so every writer — the store path, imports, tests' fixtures —
 * keeps it exact without knowing it exists. Every time zone in use today is offset from UTC by a
 * multiple of 15 minutes, so a local day is always a whole number of buckets and the sums are exact.
 */
export const messageVolume = pgTable("message_volume", {
  schoolId: schoolId(),
  bucket: ts("bucket").notNull(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  dm: boolean("dm").notNull(),
  messages: integer("messages").notNull(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.bucket, t.sourceId, t.dm] })]);

/**
 * Each enrollment's latest status event (greatest `at`, then greatest id: the order "status as of a date"
 * reads them in). Reports ask the status of every enrollment as of a date; when that date is on or after
 * the latest event, which is the default view (as of now), this row is the answer, and only enrollments
 * with a later event look back in enrollment_events (db/queries/reports/outcomes.ts statusesAt). Sorting
 * every event of the school instead cost ~65 ms per report at 100 k students. Kept by statement triggers
 * on enrollment_events (migration 0014), exact under any writer, out-of-order and concurrent inserts included.
 */
export const enrollmentLatest = pgTable("enrollment_latest", {
  schoolId: schoolId(),
  enrollmentId: ref("enrollment_id").notNull(),
  eventId: ref("event_id").notNull(),
  status: enrollmentStatus("status").notNull(),
  at: ts("at").notNull(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.enrollmentId] })]);

/**
 * Reports that read every enrollment of a school, as last computed, one per school and kind
 * (docs/adr/0009-stored-report-runs.md): `risk` (the at-risk list, ~1.2 s to score at 100 k students) and
 * `outcomes` (every enrollment's outcome and support exposure, ~0.9 s). The pages reuse a run that is
 * recent on both clocks (db/queries/reports/report-runs.ts) and compute again otherwise. Changes to
 * learning data drop the school's runs at once (statement triggers of migration 0017: enrollments,
 * enrollment_events and cohorts drop every kind, lms_events and lms_items the at-risk list); messages,
 * episodes and names may lag by the reuse window. `body` is kept as `json` (text, stored uncompressed):
 * it is only ever written and read whole, so no jsonb conversion on either side.
 */
export const reportRuns = pgTable("report_runs", {
  schoolId: schoolId(),
  kind: text("kind").notNull(),
  asOf: ts("as_of").notNull(),
  /** What computed it (the risk model's version; the outcome rows' format): a run of another is not reused. */
  version: text("version").notNull(),
  /** When computing started, in the caller's clock. */
  computedAt: ts("computed_at").notNull(),
  /** How long computing took. */
  ms: integer("ms").notNull(),
  rows: integer("rows").notNull(),
  body: json("body").notNull(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.kind] })]);
