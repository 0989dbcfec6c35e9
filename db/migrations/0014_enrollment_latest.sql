CREATE TABLE "enrollment_latest" (
	"school_id" bigint NOT NULL,
	"enrollment_id" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"status" "enrollment_status" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "enrollment_latest_school_id_enrollment_id_pk" PRIMARY KEY("school_id","enrollment_id")
);
--> statement-breakpoint
CREATE INDEX "enrollment_events_at_idx" ON "enrollment_events" USING btree ("school_id","enrollment_id","at","id");--> statement-breakpoint
-- Each enrollment's latest event, kept per statement (docs: db/schema/rollups.ts). Inserts move a row
-- forward only: an older event arriving late never replaces a newer one (the WHERE of the update), and
-- concurrent inserts for one enrollment serialise on its row.
CREATE FUNCTION "enrollment_latest_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "enrollment_latest" AS l ("school_id", "enrollment_id", "event_id", "status", "at")
  SELECT DISTINCT ON (n."school_id", n."enrollment_id") n."school_id", n."enrollment_id", n."id", n."status", n."at"
  FROM new_rows n
  ORDER BY n."school_id", n."enrollment_id", n."at" DESC, n."id" DESC
  ON CONFLICT ("school_id", "enrollment_id") DO UPDATE SET "event_id" = excluded."event_id", "status" = excluded."status", "at" = excluded."at"
  WHERE (excluded."at", excluded."event_id") > (l."at", l."event_id");
  RETURN NULL;
END $$;
--> statement-breakpoint
-- The product never updates or deletes events; should anything else, the enrollments it touched are
-- recomputed from their remaining events, so the row stays exact.
CREATE FUNCTION "enrollment_latest_redo"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    DELETE FROM "enrollment_latest" l
    WHERE (l."school_id", l."enrollment_id") IN (SELECT o."school_id", o."enrollment_id" FROM old_rows o UNION SELECT n."school_id", n."enrollment_id" FROM new_rows n);
    INSERT INTO "enrollment_latest" ("school_id", "enrollment_id", "event_id", "status", "at")
    SELECT DISTINCT ON (e."school_id", e."enrollment_id") e."school_id", e."enrollment_id", e."id", e."status", e."at"
    FROM "enrollment_events" e
    WHERE (e."school_id", e."enrollment_id") IN (SELECT o."school_id", o."enrollment_id" FROM old_rows o UNION SELECT n."school_id", n."enrollment_id" FROM new_rows n)
    ORDER BY e."school_id", e."enrollment_id", e."at" DESC, e."id" DESC;
  ELSE
    DELETE FROM "enrollment_latest" l
    WHERE (l."school_id", l."enrollment_id") IN (SELECT o."school_id", o."enrollment_id" FROM old_rows o);
    INSERT INTO "enrollment_latest" ("school_id", "enrollment_id", "event_id", "status", "at")
    SELECT DISTINCT ON (e."school_id", e."enrollment_id") e."school_id", e."enrollment_id", e."id", e."status", e."at"
    FROM "enrollment_events" e
    WHERE (e."school_id", e."enrollment_id") IN (SELECT o."school_id", o."enrollment_id" FROM old_rows o)
    ORDER BY e."school_id", e."enrollment_id", e."at" DESC, e."id" DESC;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_latest_insert" AFTER INSERT ON "enrollment_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "enrollment_latest_add"();
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_latest_update" AFTER UPDATE ON "enrollment_events" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "enrollment_latest_redo"();
--> statement-breakpoint
CREATE TRIGGER "enrollment_events_latest_delete" AFTER DELETE ON "enrollment_events" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "enrollment_latest_redo"();
--> statement-breakpoint
INSERT INTO "enrollment_latest" ("school_id", "enrollment_id", "event_id", "status", "at")
SELECT DISTINCT ON (e."school_id", e."enrollment_id") e."school_id", e."enrollment_id", e."id", e."status", e."at"
FROM "enrollment_events" e
ORDER BY e."school_id", e."enrollment_id", e."at" DESC, e."id" DESC;
