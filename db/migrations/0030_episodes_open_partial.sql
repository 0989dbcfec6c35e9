-- The open episodes with every column their readers take, partial (docs/performance.md round 23): the few
-- thousand open ones read index-only, where the (school, status, opened_at) index over every episode led
-- to one heap page per open episode (a month's 6 k at 10 M messages: 37 → 7 ms).
DROP INDEX "episodes_open_idx";--> statement-breakpoint
CREATE INDEX "episodes_open_idx" ON "episodes" USING btree ("school_id","opened_at","id","owner_person_id","responder_person_id","target_minutes","clock","policy_id","owner_role","channel_id","thread_id","student_person_id","last_student_message_at","message_count","priority","category") WHERE "episodes"."status" = 'open';