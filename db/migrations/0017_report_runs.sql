CREATE TABLE "report_runs" (
	"school_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"version" text NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"ms" integer NOT NULL,
	"rows" integer NOT NULL,
	"body" json NOT NULL,
	CONSTRAINT "report_runs_school_id_kind_pk" PRIMARY KEY("school_id","kind")
);
--> statement-breakpoint
-- Written and read whole: stored uncompressed out of line (no pglz on a value of several MB).
ALTER TABLE "report_runs" ALTER COLUMN "body" SET STORAGE EXTERNAL;
--> statement-breakpoint
-- A change to a school's learning data drops its stored runs, so the next read computes again
-- (docs/adr/0009-stored-report-runs.md): the kinds named as the trigger's arguments, or every kind
-- without any. Per statement, for the schools the statement touched; the first test costs one probe of
-- a table of a few rows per school, so writers pay nothing while no run is stored (the bulk import).
CREATE FUNCTION "report_runs_forget"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "report_runs") THEN
    RETURN NULL;
  END IF;
  -- An update reads the new rows only (no table here moves a row to another school), sharing the
  -- transition table that lms_events' reference check already keeps.
  IF TG_OP = 'DELETE' THEN
    DELETE FROM "report_runs" r WHERE r."school_id" IN (SELECT o."school_id" FROM old_rows o) AND (TG_NARGS = 0 OR r."kind" = ANY (TG_ARGV));
  ELSE
    DELETE FROM "report_runs" r WHERE r."school_id" IN (SELECT n."school_id" FROM new_rows n) AND (TG_NARGS = 0 OR r."kind" = ANY (TG_ARGV));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "lms_events_runs_insert" AFTER INSERT ON "lms_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "lms_events_runs_update" AFTER UPDATE ON "lms_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "lms_events_runs_delete" AFTER DELETE ON "lms_events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "lms_items_runs_insert" AFTER INSERT ON "lms_items" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "lms_items_runs_update" AFTER UPDATE ON "lms_items" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "lms_items_runs_delete" AFTER DELETE ON "lms_items" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('risk');
--> statement-breakpoint
CREATE TRIGGER "enrollments_runs_insert" AFTER INSERT ON "enrollments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "enrollments_runs_update" AFTER UPDATE ON "enrollments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "enrollments_runs_delete" AFTER DELETE ON "enrollments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_runs_insert" AFTER INSERT ON "enrollment_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_runs_update" AFTER UPDATE ON "enrollment_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_runs_delete" AFTER DELETE ON "enrollment_events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "cohorts_runs_insert" AFTER INSERT ON "cohorts" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "cohorts_runs_update" AFTER UPDATE ON "cohorts" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
--> statement-breakpoint
CREATE TRIGGER "cohorts_runs_delete" AFTER DELETE ON "cohorts" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"();
