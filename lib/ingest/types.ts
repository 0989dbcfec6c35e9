import { z } from "zod";

/**
 * The normalized event every adapter produces and the one store path (db/queries/ingest.ts) writes.
 * Adapters are pure: they parse a source's payload into these; ids stay exactly as the source gives them
 * (as strings), so a re-import of the same data hits the same unique keys and counts once.
 */

export const sourceKinds = ["telegram", "slack", "discord", "mattermost", "pachca", "xapi", "openedx", "lms_csv", "oulad", "demo"] as const;
export type SourceKind = (typeof sourceKinds)[number];

export const roles = ["student", "coordinator", "mentor", "reviewer", "support", "team_lead", "bot"] as const;
export type Role = (typeof roles)[number];
export const staffRoles: readonly Role[] = ["coordinator", "mentor", "reviewer", "support", "team_lead"];

export const sourceRefSchema = z.object({
  kind: z.enum(sourceKinds),
  /** Workspace / team / bot / LMS-client id as the source gives it. */
  externalId: z.string().min(1),
  name: z.string().optional(),
});
export type SourceRef = z.infer<typeof sourceRefSchema>;

export const identityRefSchema = z.object({
  externalId: z.string().min(1),
  name: z.string().optional(),
  username: z.string().optional(),
  email: z.string().optional(),
  isBot: z.boolean().optional(),
});
export type IdentityRef = z.infer<typeof identityRefSchema>;

export const channelRefSchema = z.object({
  externalId: z.string().min(1),
  kind: z.enum(["group", "channel", "forum", "dm"]),
  title: z.string().optional(),
});
export type ChannelRef = z.infer<typeof channelRefSchema>;

export const threadRefSchema = z.object({
  externalId: z.string().min(1),
  kind: z.enum(["thread", "forum_topic", "reply_chain"]),
  title: z.string().optional(),
});
export type ThreadRef = z.infer<typeof threadRefSchema>;

const date = z.date();
const utf8 = new TextEncoder();

/**
 * A string of at most `max` bytes in UTF-8. LMS verbs and object ids are keys of a btree index
 * (lms_events_person_cover_idx), whose entries must stay under ~2.7 kB: a longer one would fail the
 * insert of its whole batch, so it is refused here, by itself, with a clear reason.
 */
const bytesAtMost = (max: number, what: string) =>
  // A UTF-16 code unit is at most 3 bytes in UTF-8: short strings (nearly all) are passed without encoding
  // them (encoding every verb and object id cost ~10 s of validation over the 10 M bench's 4 M LMS events).
  z.string().refine((s) => s.length * 3 <= max || utf8.encode(s).length <= max, { message: `${what} longer than ${max} bytes` });

export const messageEventSchema = z.object({
  type: z.literal("message"),
  /** create = a new message (an existing id is a duplicate), edit = update text/flags, delete = mark deleted. */
  action: z.enum(["create", "edit", "delete"]),
  source: sourceRefSchema,
  channel: channelRefSchema,
  thread: threadRefSchema.optional(),
  externalId: z.string().min(1),
  author: identityRefSchema,
  sentAt: date,
  editedAt: date.optional(),
  deletedAt: date.optional(),
  /** Text as sent; the store path classifies it, then drops it where the privacy policy says so. */
  text: z.string().nullable().optional(),
  contentKind: z.enum(["text", "sticker", "media", "service"]).default("text"),
  /** The quoted message's id, and its author where the payload tells (Telegram reply_to_message.from). */
  replyTo: z.object({ externalId: z.string().min(1), author: identityRefSchema.optional() }).optional(),
  mentions: z.array(identityRefSchema).default([]),
});
export type MessageEvent = z.input<typeof messageEventSchema>;

export const lmsEventSchema = z.object({
  type: z.literal("lms"),
  source: sourceRefSchema,
  externalId: z.string().min(1),
  actor: identityRefSchema,
  courseExternalId: z.string().optional(),
  cohortExternalId: z.string().optional(),
  verb: bytesAtMost(256, "verb").pipe(z.string().min(1)),
  objectId: bytesAtMost(1024, "object id").optional(),
  objectKind: z.string().optional(),
  score: z.number().optional(),
  maxScore: z.number().optional(),
  amount: z.number().int().optional(),
  occurredAt: date,
  voided: z.boolean().optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type LmsEvent = z.input<typeof lmsEventSchema>;

export const ratingEventSchema = z.object({
  type: z.literal("rating"),
  source: sourceRefSchema,
  externalId: z.string().min(1),
  kind: z.enum(["csat", "nps"]),
  rater: identityRefSchema,
  /** As given, with its scale: CSAT is normalised to 1..5 by the store path. */
  rawScore: z.number(),
  scaleMax: z.number().int().positive(),
  comment: z.string().optional(),
  fromDm: z.boolean().default(false),
  /** The message the rating was about (the answer that closed the episode), when the bot knows it. */
  channelExternalId: z.string().optional(),
  aboutMessageExternalId: z.string().optional(),
  givenAt: date,
}).superRefine((e, ctx) => {
  // An answer outside its scale would be normalised outside 1..5 (CSAT) or 0..10 (NPS) and skew every mean
  // and share it enters; the CSAT sums of a report's parts are also exact only within 1..5 (CsatPart in
  // db/queries/reports/csat.ts). The same bounds as the rating hook's: 0..10 on a 10-point scale, else 1..N.
  const min = e.kind === "nps" || e.scaleMax === 10 ? 0 : 1;
  const max = e.kind === "nps" ? 10 : e.scaleMax;
  if (!Number.isFinite(e.rawScore) || e.rawScore < min || e.rawScore > max) ctx.addIssue({ code: "custom", path: ["rawScore"], message: `must be within ${min}..${max} (${e.kind}, scale ${e.scaleMax})` });
});
export type RatingEvent = z.input<typeof ratingEventSchema>;

export const surveyEventSchema = z.object({
  type: z.literal("survey"),
  source: sourceRefSchema,
  externalId: z.string().min(1),
  kind: z.enum(["csat", "nps"]),
  recipient: identityRefSchema,
  sentAt: date,
});
export type SurveyEvent = z.input<typeof surveyEventSchema>;

/** A roster line: links a source identity to a person (by email) and gives roles and a team. */
export const rosterEventSchema = z.object({
  type: z.literal("roster"),
  source: sourceRefSchema,
  identity: identityRefSchema,
  role: z.enum(roles),
  team: z.string().optional(),
  /** For staff: the students (source external ids, same source) assigned to them. */
  assignedStudentExternalIds: z.array(z.string()).optional(),
  capacity: z.object({ episodesPerHour: z.number().positive().optional(), maxStudents: z.number().int().positive().optional() }).optional(),
  isTeamLead: z.boolean().optional(),
});
export type RosterEvent = z.input<typeof rosterEventSchema>;

export const enrollmentEventSchema = z.object({
  type: z.literal("enrollment"),
  source: sourceRefSchema,
  student: identityRefSchema,
  course: z.object({ externalId: z.string().min(1), title: z.string().optional() }),
  cohort: z.object({ externalId: z.string().min(1), title: z.string().optional(), startsOn: z.string().optional(), endsOn: z.string().optional() }),
  tier: z.string().default("standard"),
  status: z.enum(["active", "completed", "withdrawn", "paused", "frozen", "transferred"]),
  enrolledAt: date.optional(),
  endedAt: date.optional(),
  finalResult: z.string().optional(),
});
export type EnrollmentEvent = z.input<typeof enrollmentEventSchema>;

/**
 * A deletion whose author is unknown (Discord bulk deletes, a moderator removing an Open edX post): it
 * only marks a stored message deleted. `channelExternalId` may also name the thread the message is in
 * (a Discord thread is a channel of its own). Nothing is created for it: no person, no message.
 */
export const messageDeletionSchema = z.object({
  type: z.literal("message_deletion"),
  source: sourceRefSchema,
  channelExternalId: z.string().min(1),
  externalId: z.string().min(1),
  deletedAt: date,
  /** When the source tells it; never used to create a person. */
  author: identityRefSchema.optional(),
});
export type MessageDeletionEvent = z.input<typeof messageDeletionSchema>;

/** What a cohort schedules (an assignment or test with a due date, a webinar): lms_items. */
export const lmsItemSchema = z.object({
  type: z.literal("lms_item"),
  source: sourceRefSchema,
  courseExternalId: z.string().min(1),
  cohortExternalId: z.string().min(1),
  externalId: z.string().min(1),
  kind: z.enum(["assignment", "test", "webinar", "exam", "lesson", "other"]),
  title: z.string().optional(),
  dueAt: date.optional(),
  weight: z.number().optional(),
});
export type LmsItemEvent = z.input<typeof lmsItemSchema>;

export const ingestEventSchema = z.discriminatedUnion("type", [
  messageEventSchema,
  lmsEventSchema,
  ratingEventSchema,
  surveyEventSchema,
  rosterEventSchema,
  enrollmentEventSchema,
  messageDeletionSchema,
  lmsItemSchema,
]);
export type IngestEvent = z.input<typeof ingestEventSchema>;
export type ParsedIngestEvent = z.output<typeof ingestEventSchema>;
