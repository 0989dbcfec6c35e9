DROP INDEX "ratings_link_pending_idx";--> statement-breakpoint
CREATE INDEX "people_bots_idx" ON "people" USING btree ("school_id") WHERE "people"."is_bot";--> statement-breakpoint
CREATE INDEX "ratings_link_pending_idx" ON "ratings" USING btree ("school_id") WHERE "ratings"."episode_id" is null and not "ratings"."link_checked" and "ratings"."about_message_id" is not null;