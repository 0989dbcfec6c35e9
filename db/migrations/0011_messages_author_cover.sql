CREATE INDEX "messages_author_cover_idx" ON "messages" USING btree ("school_id","author_person_id","sent_at","content_kind","deleted_at");--> statement-breakpoint
DROP INDEX "messages_author_sent_idx";
