ALTER TABLE "dirty_scopes" ADD COLUMN "renewed" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "dirty_scopes" ADD COLUMN "renewed_from" timestamp with time zone;