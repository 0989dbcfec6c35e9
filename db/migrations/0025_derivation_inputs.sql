CREATE TABLE "derivation_inputs" (
	"school_id" bigint PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Bumped by deferred constraint triggers: at commit, after everything else the transaction wrote, so the row
-- lock on a school's counter is the last one a writer takes (held only while it commits) and never comes
-- before the dirty marks a roster change writes (no lock-order cycle with the store path or a recompute).
-- Row-level: a bulk load's roles bump it once per row, cheap beside the rows themselves.
CREATE FUNCTION "derivation_inputs_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s bigint;
BEGIN
  IF TG_OP = 'DELETE' THEN s := OLD.school_id; ELSE s := NEW.school_id; END IF;
  INSERT INTO "derivation_inputs" AS d ("school_id", "version") VALUES (s, 1)
  ON CONFLICT ("school_id") DO UPDATE SET "version" = d."version" + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "derivation_inputs_bump_school"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "derivation_inputs" AS d ("school_id", "version") VALUES (NEW.id, 1)
  ON CONFLICT ("school_id") DO UPDATE SET "version" = d."version" + 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "person_roles_derivation_inputs" AFTER INSERT OR UPDATE OR DELETE ON "person_roles" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "sla_policies_derivation_inputs" AFTER INSERT OR UPDATE OR DELETE ON "sla_policies" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "calendars_derivation_inputs" AFTER INSERT OR UPDATE OR DELETE ON "calendars" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "calendar_intervals_derivation_inputs" AFTER INSERT OR UPDATE OR DELETE ON "calendar_intervals" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "calendar_days_derivation_inputs" AFTER INSERT OR UPDATE OR DELETE ON "calendar_days" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
-- people: only bots matter to the context, and every webhook from a new student inserts a person; the WHEN
-- conditions are checked at once, so those rows queue nothing.
CREATE CONSTRAINT TRIGGER "people_bot_insert_derivation_inputs" AFTER INSERT ON "people" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.is_bot) EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "people_bot_update_derivation_inputs" AFTER UPDATE ON "people" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.is_bot IS DISTINCT FROM NEW.is_bot) EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "people_bot_delete_derivation_inputs" AFTER DELETE ON "people" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.is_bot) EXECUTE FUNCTION "derivation_inputs_bump"();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "schools_timezone_derivation_inputs" AFTER UPDATE ON "schools" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION "derivation_inputs_bump_school"();
