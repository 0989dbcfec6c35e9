DROP INDEX "ratings_school_at_idx";--> statement-breakpoint
DROP INDEX "survey_requests_school_sent_idx";--> statement-breakpoint
CREATE INDEX "ratings_school_at_cover_idx" ON "ratings" USING btree ("school_id","given_at","kind","score","responder_person_id");--> statement-breakpoint
CREATE INDEX "survey_requests_school_sent_cover_idx" ON "survey_requests" USING btree ("school_id","sent_at","episode_id");