CREATE TABLE "xapi_statements" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "xapi_statements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"school_id" bigint NOT NULL,
	"source_id" bigint NOT NULL,
	"statement_id" text NOT NULL,
	"statement" jsonb NOT NULL,
	"client_key" text,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "xapi_statements" ADD CONSTRAINT "xapi_statements_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "xapi_statements_uq" ON "xapi_statements" USING btree ("school_id","source_id","statement_id");--> statement-breakpoint
CREATE INDEX "lms_events_voiding_idx" ON "lms_events" USING btree ("school_id","source_id","object_id") WHERE verb = 'voided';