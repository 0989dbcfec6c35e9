CREATE TABLE "scope_checkpoints" (
	"school_id" bigint NOT NULL,
	"channel_id" bigint NOT NULL,
	"thread_id" bigint DEFAULT 0 NOT NULL,
	"after_sent_at" timestamp with time zone NOT NULL,
	"after_message_id" bigint NOT NULL,
	"fingerprint" text NOT NULL,
	"state" jsonb NOT NULL,
	"written_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dirty_scopes" ADD COLUMN "from_sent_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "scope_checkpoints_uq" ON "scope_checkpoints" USING btree ("school_id","channel_id","thread_id");