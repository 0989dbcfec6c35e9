ALTER TABLE "lms_events" ADD COLUMN "banked" boolean GENERATED ALWAYS AS (coalesce(extra->>'banked', 'false') = 'true') STORED;--> statement-breakpoint
CREATE INDEX "lms_events_person_cover_idx" ON "lms_events" USING btree ("school_id","person_id","occurred_at","voided_at","enrollment_id","cohort_id","verb","object_id","score","max_score","banked","id");--> statement-breakpoint
DROP INDEX "lms_events_person_at_idx";
