CREATE TYPE "public"."attribution_mode" AS ENUM('strict', 'fifo');--> statement-breakpoint
CREATE TYPE "public"."calendar_day_kind" AS ENUM('holiday', 'workday');--> statement-breakpoint
CREATE TYPE "public"."channel_kind" AS ENUM('group', 'channel', 'forum', 'dm');--> statement-breakpoint
CREATE TYPE "public"."channel_purpose" AS ENUM('support', 'community', 'announcements', 'ignored');--> statement-breakpoint
CREATE TYPE "public"."clock_kind" AS ENUM('business', 'calendar');--> statement-breakpoint
CREATE TYPE "public"."content_kind" AS ENUM('text', 'sticker', 'media', 'service');--> statement-breakpoint
CREATE TYPE "public"."enrollment_status" AS ENUM('active', 'completed', 'withdrawn', 'paused', 'frozen', 'transferred');--> statement-breakpoint
CREATE TYPE "public"."episode_kind" AS ENUM('first', 'next');--> statement-breakpoint
CREATE TYPE "public"."episode_status" AS ENUM('open', 'answered', 'resolved_by_bot', 'abandoned');--> statement-breakpoint
CREATE TYPE "public"."lms_item_kind" AS ENUM('assignment', 'test', 'webinar', 'exam', 'lesson', 'other');--> statement-breakpoint
CREATE TYPE "public"."message_category" AS ENUM('organisational', 'content', 'technical', 'emotional', 'other');--> statement-breakpoint
CREATE TYPE "public"."priority_kind" AS ENUM('urgent', 'normal', 'low');--> statement-breakpoint
CREATE TYPE "public"."rating_kind" AS ENUM('csat', 'nps');--> statement-breakpoint
CREATE TYPE "public"."role_kind" AS ENUM('student', 'coordinator', 'mentor', 'reviewer', 'support', 'team_lead', 'bot');--> statement-breakpoint
CREATE TYPE "public"."source_kind" AS ENUM('telegram', 'slack', 'discord', 'mattermost', 'pachca', 'xapi', 'openedx', 'lms_csv', 'oulad', 'demo');--> statement-breakpoint
CREATE TYPE "public"."thread_kind" AS ENUM('thread', 'forum_topic', 'reply_chain');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('admin', 'head', 'team_lead', 'executive', 'staff');--> statement-breakpoint
CREATE TABLE "assignments" (
	"school_id" bigint NOT NULL,
	"staff_person_id" bigint NOT NULL,
	"student_person_id" bigint NOT NULL,
	"role" "role_kind" NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	CONSTRAINT "assignments_school_id_staff_person_id_student_person_id_role_pk" PRIMARY KEY("school_id","staff_person_id","student_person_id","role")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint,
	"user_id" bigint,
	"action" text NOT NULL,
	"target" text,
	"details" jsonb,
	"ip" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cohorts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "cohorts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"course_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"title" text NOT NULL,
	"starts_on" date,
	"ends_on" date
);
--> statement-breakpoint
CREATE TABLE "courses" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "courses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"title" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrollment_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "enrollment_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"enrollment_id" bigint NOT NULL,
	"status" "enrollment_status" NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "enrollments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "enrollments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"cohort_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	"tier" text DEFAULT 'standard' NOT NULL,
	"status" "enrollment_status" DEFAULT 'active' NOT NULL,
	"enrolled_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"final_result" text
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "organisations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "people_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"display_name" text NOT NULL,
	"email" text,
	"is_bot" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "person_roles" (
	"school_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	"role" "role_kind" NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	CONSTRAINT "person_roles_school_id_person_id_role_pk" PRIMARY KEY("school_id","person_id","role")
);
--> statement-breakpoint
CREATE TABLE "role_labels" (
	"school_id" bigint NOT NULL,
	"role" "role_kind" NOT NULL,
	"locale" text NOT NULL,
	"label" text NOT NULL,
	CONSTRAINT "role_labels_school_id_role_locale_pk" PRIMARY KEY("school_id","role","locale")
);
--> statement-breakpoint
CREATE TABLE "schools" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "schools_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organisation_id" bigint NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'Europe/Moscow' NOT NULL,
	"locale" text DEFAULT 'ru' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schools_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "staff_capacity" (
	"school_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	"episodes_per_hour" real,
	"max_students" integer,
	CONSTRAINT "staff_capacity_school_id_person_id_pk" PRIMARY KEY("school_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "team_members" (
	"school_id" bigint NOT NULL,
	"team_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	CONSTRAINT "team_members_school_id_team_id_person_id_pk" PRIMARY KEY("school_id","team_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "teams" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "teams_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"name" text NOT NULL,
	"lead_person_id" bigint
);
--> statement-breakpoint
CREATE TABLE "user_roles" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "user_roles_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" bigint NOT NULL,
	"organisation_id" bigint NOT NULL,
	"school_id" bigint,
	"role" "user_role" NOT NULL,
	"team_id" bigint,
	"person_id" bigint
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "channels" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "channels_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"kind" "channel_kind" NOT NULL,
	"title" text,
	"purpose" "channel_purpose" DEFAULT 'support' NOT NULL,
	"owner_role" "role_kind",
	"owner_person_id" bigint,
	"cohort_id" bigint,
	"attribution" "attribution_mode" DEFAULT 'strict' NOT NULL,
	"dm_student_person_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dead_letters" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dead_letters_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint,
	"source" text NOT NULL,
	"reason" text NOT NULL,
	"payload" text NOT NULL,
	"headers" jsonb,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dirty_scopes" (
	"school_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"thread_id" bigint DEFAULT 0 NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "import_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "import_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"format" text NOT NULL,
	"path" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"read" integer DEFAULT 0 NOT NULL,
	"stored" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "ingest_receipts" (
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"event_key" text NOT NULL,
	"payload_hash" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"thread_id" bigint,
	"external_id" text NOT NULL,
	"author_person_id" bigint NOT NULL,
	"author_identity_id" bigint NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"edited_at" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"reply_to_external_id" text,
	"reply_to_person_id" bigint,
	"mention_person_ids" bigint[] DEFAULT '{}' NOT NULL,
	"content_kind" "content_kind" DEFAULT 'text' NOT NULL,
	"is_bot" boolean DEFAULT false NOT NULL,
	"text" text,
	"text_length" integer DEFAULT 0 NOT NULL,
	"is_ack" boolean DEFAULT false NOT NULL,
	"has_question" boolean DEFAULT false NOT NULL,
	"negative" boolean DEFAULT false NOT NULL,
	"category" "message_category",
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "source_identities" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "source_identities_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"person_id" bigint NOT NULL,
	"display_name" text,
	"username" text,
	"is_bot" boolean DEFAULT false NOT NULL,
	"mapped" boolean DEFAULT false NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sources" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sources_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"kind" "source_kind" NOT NULL,
	"external_id" text NOT NULL,
	"name" text NOT NULL,
	"store_group_text" boolean DEFAULT true NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "threads" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "threads_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"kind" "thread_kind" NOT NULL,
	"title" text,
	"created_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "lms_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lms_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"person_id" bigint NOT NULL,
	"course_id" bigint,
	"cohort_id" bigint,
	"enrollment_id" bigint,
	"verb" text NOT NULL,
	"object_id" text,
	"object_kind" text,
	"score" real,
	"max_score" real,
	"amount" integer,
	"occurred_at" timestamp with time zone NOT NULL,
	"voided_at" timestamp with time zone,
	"extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "lms_items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "lms_items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"cohort_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"kind" "lms_item_kind" NOT NULL,
	"title" text,
	"due_at" timestamp with time zone,
	"weight" real
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ratings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"kind" "rating_kind" NOT NULL,
	"person_id" bigint NOT NULL,
	"score" real NOT NULL,
	"raw_score" real NOT NULL,
	"raw_scale_max" integer NOT NULL,
	"comment" text,
	"from_dm" boolean DEFAULT false NOT NULL,
	"episode_id" bigint,
	"about_message_id" bigint,
	"responder_person_id" bigint,
	"cohort_id" bigint,
	"given_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "survey_requests" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "survey_requests_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"kind" "rating_kind" NOT NULL,
	"person_id" bigint NOT NULL,
	"episode_id" bigint,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calendar_days" (
	"school_id" bigint NOT NULL,
	"calendar_id" bigint NOT NULL,
	"day" date NOT NULL,
	"kind" "calendar_day_kind" NOT NULL,
	"as_weekday" smallint,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "calendar_intervals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "calendar_intervals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"calendar_id" bigint NOT NULL,
	"weekday" smallint NOT NULL,
	"start_minute" integer NOT NULL,
	"end_minute" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "calendars" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "calendars_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"name" text NOT NULL,
	"timezone" text NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "episodes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "episodes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"thread_id" bigint,
	"student_person_id" bigint NOT NULL,
	"cohort_id" bigint,
	"opened_message_id" bigint NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"last_student_message_at" timestamp with time zone NOT NULL,
	"message_count" integer NOT NULL,
	"kind" "episode_kind" NOT NULL,
	"status" "episode_status" NOT NULL,
	"priority" "priority_kind" DEFAULT 'normal' NOT NULL,
	"category" "message_category",
	"owner_role" "role_kind",
	"owner_person_id" bigint,
	"answered_at" timestamp with time zone,
	"answer_message_id" bigint,
	"responder_person_id" bigint,
	"first_bot_reply_at" timestamp with time zone,
	"first_peer_reply_at" timestamp with time zone,
	"policy_id" bigint,
	"target_minutes" integer,
	"clock" "clock_kind",
	"response_calendar_minutes" real,
	"response_business_minutes" real,
	"breached" boolean DEFAULT false NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "shifts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "shifts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"person_id" bigint NOT NULL,
	"team_id" bigint,
	"role" "role_kind" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"weekly" boolean DEFAULT false NOT NULL,
	"repeat_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sla_policies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sla_policies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"name" text NOT NULL,
	"owner_role" "role_kind",
	"channel_kind" "channel_kind",
	"priority" "priority_kind",
	"target_minutes" integer NOT NULL,
	"clock" "clock_kind" NOT NULL,
	"calendar_id" bigint,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_staff_person_id_people_id_fk" FOREIGN KEY ("staff_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_student_person_id_people_id_fk" FOREIGN KEY ("student_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cohorts" ADD CONSTRAINT "cohorts_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollment_events" ADD CONSTRAINT "enrollment_events_enrollment_id_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."enrollments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "enrollments" ADD CONSTRAINT "enrollments_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_roles" ADD CONSTRAINT "person_roles_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schools" ADD CONSTRAINT "schools_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_capacity" ADD CONSTRAINT "staff_capacity_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_lead_person_id_people_id_fk" FOREIGN KEY ("lead_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_roles" ADD CONSTRAINT "user_roles_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_owner_person_id_people_id_fk" FOREIGN KEY ("owner_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_dm_student_person_id_people_id_fk" FOREIGN KEY ("dm_student_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_receipts" ADD CONSTRAINT "ingest_receipts_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_person_id_people_id_fk" FOREIGN KEY ("author_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_author_identity_id_source_identities_id_fk" FOREIGN KEY ("author_identity_id") REFERENCES "public"."source_identities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_reply_to_person_id_people_id_fk" FOREIGN KEY ("reply_to_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_identities" ADD CONSTRAINT "source_identities_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_identities" ADD CONSTRAINT "source_identities_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "threads" ADD CONSTRAINT "threads_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_events" ADD CONSTRAINT "lms_events_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_events" ADD CONSTRAINT "lms_events_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_events" ADD CONSTRAINT "lms_events_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_events" ADD CONSTRAINT "lms_events_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_events" ADD CONSTRAINT "lms_events_enrollment_id_enrollments_id_fk" FOREIGN KEY ("enrollment_id") REFERENCES "public"."enrollments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lms_items" ADD CONSTRAINT "lms_items_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_responder_person_id_people_id_fk" FOREIGN KEY ("responder_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_requests" ADD CONSTRAINT "survey_requests_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_requests" ADD CONSTRAINT "survey_requests_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_days" ADD CONSTRAINT "calendar_days_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calendar_intervals" ADD CONSTRAINT "calendar_intervals_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_thread_id_threads_id_fk" FOREIGN KEY ("thread_id") REFERENCES "public"."threads"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_student_person_id_people_id_fk" FOREIGN KEY ("student_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_cohort_id_cohorts_id_fk" FOREIGN KEY ("cohort_id") REFERENCES "public"."cohorts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_opened_message_id_messages_id_fk" FOREIGN KEY ("opened_message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_owner_person_id_people_id_fk" FOREIGN KEY ("owner_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_answer_message_id_messages_id_fk" FOREIGN KEY ("answer_message_id") REFERENCES "public"."messages"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_responder_person_id_people_id_fk" FOREIGN KEY ("responder_person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "episodes" ADD CONSTRAINT "episodes_policy_id_sla_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "public"."sla_policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shifts" ADD CONSTRAINT "shifts_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shifts" ADD CONSTRAINT "shifts_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sla_policies" ADD CONSTRAINT "sla_policies_calendar_id_calendars_id_fk" FOREIGN KEY ("calendar_id") REFERENCES "public"."calendars"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assignments_student_idx" ON "assignments" USING btree ("school_id","student_person_id");--> statement-breakpoint
CREATE INDEX "audit_school_at_idx" ON "audit_log" USING btree ("school_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "cohorts_school_ext_uq" ON "cohorts" USING btree ("school_id","external_id");--> statement-breakpoint
CREATE INDEX "cohorts_course_idx" ON "cohorts" USING btree ("school_id","course_id");--> statement-breakpoint
CREATE UNIQUE INDEX "courses_school_ext_uq" ON "courses" USING btree ("school_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "enrollment_events_uq" ON "enrollment_events" USING btree ("school_id","enrollment_id","status","at");--> statement-breakpoint
CREATE UNIQUE INDEX "enrollments_school_cohort_person_uq" ON "enrollments" USING btree ("school_id","cohort_id","person_id");--> statement-breakpoint
CREATE INDEX "enrollments_person_idx" ON "enrollments" USING btree ("school_id","person_id");--> statement-breakpoint
CREATE INDEX "enrollments_status_idx" ON "enrollments" USING btree ("school_id","status");--> statement-breakpoint
CREATE INDEX "people_school_idx" ON "people" USING btree ("school_id");--> statement-breakpoint
CREATE UNIQUE INDEX "people_school_email_uq" ON "people" USING btree ("school_id","email");--> statement-breakpoint
CREATE UNIQUE INDEX "teams_school_name_uq" ON "teams" USING btree ("school_id","name");--> statement-breakpoint
CREATE INDEX "user_roles_user_idx" ON "user_roles" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_school_source_ext_uq" ON "channels" USING btree ("school_id","source_id","external_id");--> statement-breakpoint
CREATE INDEX "channels_cohort_idx" ON "channels" USING btree ("school_id","cohort_id");--> statement-breakpoint
CREATE INDEX "dead_letters_school_idx" ON "dead_letters" USING btree ("school_id","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "dirty_scopes_uq" ON "dirty_scopes" USING btree ("school_id","channel_id","thread_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ingest_receipts_uq" ON "ingest_receipts" USING btree ("school_id","source_id","event_key");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_school_channel_ext_uq" ON "messages" USING btree ("school_id","channel_id","external_id");--> statement-breakpoint
CREATE INDEX "messages_school_sent_idx" ON "messages" USING btree ("school_id","sent_at");--> statement-breakpoint
CREATE INDEX "messages_channel_sent_idx" ON "messages" USING btree ("school_id","channel_id","sent_at");--> statement-breakpoint
CREATE INDEX "messages_author_sent_idx" ON "messages" USING btree ("school_id","author_person_id","sent_at");--> statement-breakpoint
CREATE UNIQUE INDEX "identities_school_source_ext_uq" ON "source_identities" USING btree ("school_id","source_id","external_id");--> statement-breakpoint
CREATE INDEX "identities_person_idx" ON "source_identities" USING btree ("school_id","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sources_school_kind_ext_uq" ON "sources" USING btree ("school_id","kind","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "threads_school_channel_ext_uq" ON "threads" USING btree ("school_id","channel_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "lms_events_uq" ON "lms_events" USING btree ("school_id","source_id","external_id");--> statement-breakpoint
CREATE INDEX "lms_events_person_at_idx" ON "lms_events" USING btree ("school_id","person_id","occurred_at");--> statement-breakpoint
CREATE INDEX "lms_events_cohort_at_idx" ON "lms_events" USING btree ("school_id","cohort_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "lms_items_uq" ON "lms_items" USING btree ("school_id","cohort_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ratings_uq" ON "ratings" USING btree ("school_id","source_id","external_id");--> statement-breakpoint
CREATE INDEX "ratings_school_at_idx" ON "ratings" USING btree ("school_id","given_at");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_requests_uq" ON "survey_requests" USING btree ("school_id","source_id","external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_days_uq" ON "calendar_days" USING btree ("school_id","calendar_id","day");--> statement-breakpoint
CREATE INDEX "calendar_intervals_cal_idx" ON "calendar_intervals" USING btree ("school_id","calendar_id");--> statement-breakpoint
CREATE UNIQUE INDEX "calendars_school_name_uq" ON "calendars" USING btree ("school_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "episodes_opened_msg_uq" ON "episodes" USING btree ("school_id","opened_message_id");--> statement-breakpoint
CREATE INDEX "episodes_school_opened_idx" ON "episodes" USING btree ("school_id","opened_at");--> statement-breakpoint
CREATE INDEX "episodes_open_idx" ON "episodes" USING btree ("school_id","status","opened_at");--> statement-breakpoint
CREATE INDEX "episodes_responder_idx" ON "episodes" USING btree ("school_id","responder_person_id","opened_at");--> statement-breakpoint
CREATE INDEX "episodes_scope_idx" ON "episodes" USING btree ("school_id","channel_id","thread_id");--> statement-breakpoint
CREATE INDEX "episodes_student_idx" ON "episodes" USING btree ("school_id","student_person_id");--> statement-breakpoint
CREATE INDEX "shifts_school_start_idx" ON "shifts" USING btree ("school_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sla_policies_school_name_uq" ON "sla_policies" USING btree ("school_id","name");