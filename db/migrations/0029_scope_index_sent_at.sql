-- A scope's messages by time (docs/performance.md round 21): a scope resumed from its checkpoint reads the
-- messages after it through this index instead of every message of the chat (derivation under webhooks).
DROP INDEX "messages_scope_idx";--> statement-breakpoint
CREATE INDEX "messages_scope_idx" ON "messages" USING btree ("school_id","channel_id",coalesce("thread_id", 0),"sent_at");