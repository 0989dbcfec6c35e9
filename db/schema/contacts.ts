import { check, index, pgTable, text } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { ref, schoolId, ts } from "./columns";

/**
 * Staff-initiated DM contacts, derived from messages by recompute (db/queries/episodes/staff-contacts.ts)
 * so the team, outcomes and at-risk pages read them instead of re-deriving them from every DM message on
 * each view (docs/performance.md). Derived data, like `episodes`: replaced per recomputed DM scope, no
 * message text, and no foreign keys (every id comes from rows that exist when it is written, and checking
 * them would cost recompute more than the table itself).
 *
 * Three rules, kept apart by `rule` because the pages that existed before this table define them
 * differently and their figures must not change:
 * - `initiated`: lib/metrics/episodes `staffInitiatedContacts` (a staff DM message that answered no open
 *   episode, after 1 h without human messages): check-in coverage on the team page and check-ins due.
 *   `student_replied_at` = the DM student's first later message in the scope (any kind but service).
 * - `silence`: the outcomes and at-risk rule (db/queries/reports/outcomes.ts): a staff member's, not a bot's,
 *   message in a student's DM (`channels.dm_student_person_id`) after at least 1 h without any undeleted
 *   message in that DM, or the DM's first. `student_replied_at` = the student's first undeleted message in
 *   the DM after it.
 * - `addressed`: "staff wrote to the student" of the unreachable list (db/queries/reports/contacts.ts): a
 *   message, not a bot's, service or deleted within 60 s, by a person holding a staff role, in the student's
 *   DM, or elsewhere replying to or mentioning them: one row per message and student it addresses (a
 *   person mentioned twice counts twice, as the query it replaces counted). `student_replied_at` is null.
 * Readers bound all by their as-of instant (`sent_at <= asOf`, a reply only if `<= asOf`): no rule looks
 * at later messages, so the stored rows give the figures the on-the-fly queries gave. No primary key: a
 * message can address several students (and one twice); recompute replaces rows per scope.
 */
export const staffContacts = pgTable("staff_contacts", {
  schoolId: schoolId(),
  rule: text("rule").notNull(),
  messageId: ref("message_id").notNull(),
  channelId: ref("channel_id").notNull(),
  /** 0 = the channel's main timeline (as in dirty_scopes), so a scope is an equality match. */
  threadId: ref("thread_id").notNull().default(0),
  staffPersonId: ref("staff_person_id").notNull(),
  /** The student; null when the DM names none and no student wrote there (`initiated` only). */
  studentPersonId: ref("student_person_id"),
  sentAt: ts("sent_at").notNull(),
  studentRepliedAt: ts("student_replied_at"),
}, (t) => [
  check("staff_contacts_rule_ck", sql`${t.rule} in ('initiated', 'silence', 'addressed')`),
  // Per student (outcomes' enrollment windows, at-risk outreach, check-ins of an assignment).
  index("staff_contacts_student_idx").on(t.schoolId, t.rule, t.studentPersonId, t.sentAt),
  // The team page's check-ins (first DMs in the 30 days before now): an index-only range of the window,
  // not every first contact of the school (~190 k at 10 M messages, ~20 ms a view). Partial: the other
  // rules hold ~90 % of the rows and are never read by time.
  index("staff_contacts_initiated_idx").on(t.schoolId, t.sentAt, t.staffPersonId, t.studentPersonId).where(sql`rule = 'initiated'`),
  // Replacement per recomputed scope.
  index("staff_contacts_scope_idx").on(t.schoolId, t.channelId, t.threadId),
]);

/**
 * Schools whose staff_contacts hold every DM scope: set by a backfill over all DM scopes or by
 * `recompute --all`. A school without a row (a database migrated from before the table, or one whose
 * rows were inserted without recompute) is backfilled on first read (`ensureStaffContacts`).
 */
export const staffContactsComplete = pgTable("staff_contacts_complete", {
  schoolId: schoolId().primaryKey(),
  completedAt: ts("completed_at").notNull().defaultNow(),
});
