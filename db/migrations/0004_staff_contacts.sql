-- Staff-initiated DM contacts, derived data written by recompute (db/queries/episodes/staff-contacts.ts).
-- Not backfilled here: the `initiated` rule is JavaScript (lib/metrics/episodes). A school without a
-- staff_contacts_complete row is backfilled by its first read (ensureStaffContacts) or by `recompute --all`.
CREATE TABLE "staff_contacts" (
	"school_id" bigint NOT NULL,
	"rule" text NOT NULL,
	"message_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"thread_id" bigint DEFAULT 0 NOT NULL,
	"staff_person_id" bigint NOT NULL,
	"student_person_id" bigint,
	"sent_at" timestamp with time zone NOT NULL,
	"student_replied_at" timestamp with time zone,
	CONSTRAINT "staff_contacts_rule_ck" CHECK ("staff_contacts"."rule" in ('initiated', 'silence', 'addressed'))
);
--> statement-breakpoint
CREATE TABLE "staff_contacts_complete" (
	"school_id" bigint PRIMARY KEY NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "staff_contacts_student_idx" ON "staff_contacts" USING btree ("school_id","rule","student_person_id","sent_at");--> statement-breakpoint
CREATE INDEX "staff_contacts_scope_idx" ON "staff_contacts" USING btree ("school_id","channel_id","thread_id");--> statement-breakpoint
CREATE INDEX "messages_negative_idx" ON "messages" USING btree ("school_id","author_person_id","sent_at") WHERE "messages"."negative";--> statement-breakpoint
CREATE INDEX "survey_requests_school_sent_idx" ON "survey_requests" USING btree ("school_id","sent_at");
