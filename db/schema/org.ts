import { sql } from "drizzle-orm";
import { bigint, boolean, date, index, integer, jsonb, pgTable, primaryKey, real, text, uniqueIndex } from "drizzle-orm/pg-core";
import { id, schoolId, ts } from "./columns";
import { roleKind, enrollmentStatus, userRole } from "./enums";


export const organisations = pgTable("organisations", {
  id: id(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** A school is one brand of an organisation; every other row carries its school_id (the Citus distribution key). */
export const schools = pgTable("schools", {
  id: id(),
  organisationId: bigint("organisation_id", { mode: "number" }).notNull().references(() => organisations.id),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  timezone: text("timezone").notNull().default("Europe/Moscow"),
  locale: text("locale").notNull().default("ru"),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** A human or bot, resolved across sources within one school. */
export const people = pgTable("people", {
  id: id(),
  schoolId: schoolId(),
  displayName: text("display_name").notNull(),
  email: text("email"),
  isBot: boolean("is_bot").notNull().default(false),
  createdAt: ts("created_at").notNull().defaultNow(),
}, (t) => [
  index("people_school_idx").on(t.schoolId),
  uniqueIndex("people_school_email_uq").on(t.schoolId, t.email),
  // Every derivation run reads the school's bots (episodes/context.ts): a few among ~100 k people, which
  // was a scan of the table (~15 ms a run at 10 M messages, a run every second under webhooks).
  index("people_bots_idx").on(t.schoolId).where(sql`${t.isBot}`),
]);

/** Roles a person holds at a school. No row = student (METRICS.md: authors no roster names count as students). */
export const personRoles = pgTable("person_roles", {
  schoolId: schoolId(),
  personId: bigint("person_id", { mode: "number" }).notNull().references(() => people.id),
  role: roleKind("role").notNull(),
  validFrom: ts("valid_from"),
  validTo: ts("valid_to"),
}, (t) => [primaryKey({ columns: [t.schoolId, t.personId, t.role] })]);

/** Schools name roles differently ("куратор" for coordinator): one label per role and locale. */
export const roleLabels = pgTable("role_labels", {
  schoolId: schoolId(),
  role: roleKind("role").notNull(),
  locale: text("locale").notNull(),
  label: text("label").notNull(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.role, t.locale] })]);

export const teams = pgTable("teams", {
  id: id(),
  schoolId: schoolId(),
  name: text("name").notNull(),
  leadPersonId: bigint("lead_person_id", { mode: "number" }).references(() => people.id),
}, (t) => [uniqueIndex("teams_school_name_uq").on(t.schoolId, t.name)]);

export const teamMembers = pgTable("team_members", {
  schoolId: schoolId(),
  teamId: bigint("team_id", { mode: "number" }).notNull().references(() => teams.id),
  personId: bigint("person_id", { mode: "number" }).notNull().references(() => people.id),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.teamId, t.personId] }),
  // A person's teams: the load report looks them up per staff member (1 k at 10 M messages), and the key
  // (school, team, person) cannot find a person: each look-up read the whole table (~50 ms a report).
  index("team_members_person_idx").on(t.schoolId, t.personId),
]);

/** Capacity per staff member (METRICS.md, Load). Null = use 1.5 x team median. */
export const staffCapacity = pgTable("staff_capacity", {
  schoolId: schoolId(),
  personId: bigint("person_id", { mode: "number" }).notNull().references(() => people.id),
  episodesPerHour: real("episodes_per_hour"),
  maxStudents: integer("max_students"),
}, (t) => [primaryKey({ columns: [t.schoolId, t.personId] })]);

/** Coordinator (or mentor) <-> student assignments from the roster. */
export const assignments = pgTable("assignments", {
  schoolId: schoolId(),
  staffPersonId: bigint("staff_person_id", { mode: "number" }).notNull().references(() => people.id),
  studentPersonId: bigint("student_person_id", { mode: "number" }).notNull().references(() => people.id),
  role: roleKind("role").notNull(),
  validFrom: ts("valid_from"),
  validTo: ts("valid_to"),
}, (t) => [
  primaryKey({ columns: [t.schoolId, t.staffPersonId, t.studentPersonId, t.role] }),
  index("assignments_student_idx").on(t.schoolId, t.studentPersonId),
]);

export const courses = pgTable("courses", {
  id: id(),
  schoolId: schoolId(),
  externalId: text("external_id").notNull(),
  title: text("title").notNull(),
}, (t) => [uniqueIndex("courses_school_ext_uq").on(t.schoolId, t.externalId)]);

/** One stream of a course ("поток") starting on a date. */
export const cohorts = pgTable("cohorts", {
  id: id(),
  schoolId: schoolId(),
  courseId: bigint("course_id", { mode: "number" }).notNull().references(() => courses.id),
  externalId: text("external_id").notNull(),
  title: text("title").notNull(),
  startsOn: date("starts_on", { mode: "string" }),
  endsOn: date("ends_on", { mode: "string" }),
}, (t) => [uniqueIndex("cohorts_school_ext_uq").on(t.schoolId, t.externalId), index("cohorts_course_idx").on(t.schoolId, t.courseId)]);

export const enrollments = pgTable("enrollments", {
  id: id(),
  schoolId: schoolId(),
  cohortId: bigint("cohort_id", { mode: "number" }).notNull().references(() => cohorts.id),
  personId: bigint("person_id", { mode: "number" }).notNull().references(() => people.id),
  tier: text("tier").notNull().default("standard"),
  status: enrollmentStatus("status").notNull().default("active"),
  enrolledAt: ts("enrolled_at"),
  endedAt: ts("ended_at"),
  /** The LMS's own word for the outcome (OULAD final_result: Pass, Distinction, Fail, Withdrawn). */
  finalResult: text("final_result"),
}, (t) => [
  uniqueIndex("enrollments_school_cohort_person_uq").on(t.schoolId, t.cohortId, t.personId),
  index("enrollments_person_idx").on(t.schoolId, t.personId),
  index("enrollments_status_idx").on(t.schoolId, t.status),
]);

/** Status history of an enrollment, for the student timeline and survival curves. */
export const enrollmentEvents = pgTable("enrollment_events", {
  id: id(),
  schoolId: schoolId(),
  enrollmentId: bigint("enrollment_id", { mode: "number" }).notNull().references(() => enrollments.id),
  status: enrollmentStatus("status").notNull(),
  at: ts("at").notNull(),
}, (t) => [
  uniqueIndex("enrollment_events_uq").on(t.schoolId, t.enrollmentId, t.status, t.at),
  // An enrollment's events newest first: "status as of a date" before its latest event (enrollment_latest).
  index("enrollment_events_at_idx").on(t.schoolId, t.enrollmentId, t.at, t.id),
]);

export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  passwordHash: text("password_hash"),
  disabled: boolean("disabled").notNull().default(false),
  createdAt: ts("created_at").notNull().defaultNow(),
});

/** A user's role at one school (school_id set) or across the organisation (executive, school_id null). */
export const userRoles = pgTable("user_roles", {
  id: id(),
  userId: bigint("user_id", { mode: "number" }).notNull().references(() => users.id),
  organisationId: bigint("organisation_id", { mode: "number" }).notNull().references(() => organisations.id),
  schoolId: bigint("school_id", { mode: "number" }),
  role: userRole("role").notNull(),
  teamId: bigint("team_id", { mode: "number" }).references(() => teams.id),
  personId: bigint("person_id", { mode: "number" }).references(() => people.id),
}, (t) => [index("user_roles_user_idx").on(t.userId)]);

export const auditLog = pgTable("audit_log", {
  id: id(),
  schoolId: bigint("school_id", { mode: "number" }),
  userId: bigint("user_id", { mode: "number" }),
  action: text("action").notNull(),
  target: text("target"),
  details: jsonb("details").$type<Record<string, unknown>>(),
  ip: text("ip"),
  at: ts("at").notNull().defaultNow(),
}, (t) => [index("audit_school_at_idx").on(t.schoolId, t.at)]);
