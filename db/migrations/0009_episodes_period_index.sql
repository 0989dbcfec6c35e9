CREATE INDEX "episodes_period_idx" ON "episodes" USING btree ("school_id","opened_at","status","clock","response_business_minutes","response_calendar_minutes","target_minutes","breached","owner_role","responder_person_id","owner_person_id","channel_id","cohort_id","student_person_id","id");--> statement-breakpoint
DROP INDEX "episodes_school_opened_idx";
