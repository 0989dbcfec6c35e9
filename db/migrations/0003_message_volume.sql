CREATE TABLE "message_volume" (
	"school_id" bigint NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"source_id" bigint NOT NULL,
	"dm" boolean NOT NULL,
	"messages" integer NOT NULL,
	CONSTRAINT "message_volume_school_id_bucket_source_id_dm_pk" PRIMARY KEY("school_id","bucket","source_id","dm")
);
--> statement-breakpoint
ALTER TABLE "message_volume" ADD CONSTRAINT "message_volume_source_id_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."sources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "messages_scope_idx" ON "messages" USING btree ("school_id","channel_id",coalesce("thread_id", 0));
--> statement-breakpoint
-- Kept by statement triggers with transition tables: one grouped upsert per INSERT/UPDATE/DELETE statement,
-- whoever writes messages. Buckets are 15 minutes in UTC (every zone's midnight falls on one).
CREATE FUNCTION "message_volume_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "message_volume" AS v ("school_id", "bucket", "source_id", "dm", "messages")
  SELECT n.school_id, date_bin('15 minutes', n.sent_at, timestamptz '2000-01-01 00:00:00+00'), n.source_id, c.kind = 'dm', count(*)::int
  FROM new_rows n JOIN "channels" c ON c.id = n.channel_id
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("school_id", "bucket", "source_id", "dm") DO UPDATE SET "messages" = v."messages" + excluded."messages";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION "message_volume_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "message_volume" v SET "messages" = v."messages" - o.n
  FROM (SELECT r.school_id, date_bin('15 minutes', r.sent_at, timestamptz '2000-01-01 00:00:00+00') AS bucket, r.source_id, c.kind = 'dm' AS dm, count(*)::int AS n
        FROM old_rows r JOIN "channels" c ON c.id = r.channel_id GROUP BY 1, 2, 3, 4) o
  WHERE v.school_id = o.school_id AND v.bucket = o.bucket AND v.source_id = o.source_id AND v.dm = o.dm;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Updates move a message between buckets only when sent_at, channel or source change (the store path never
-- does; edits and deletions keep them): the net change per bucket, usually none.
CREATE FUNCTION "message_volume_move"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "message_volume" AS v ("school_id", "bucket", "source_id", "dm", "messages")
  SELECT d.school_id, d.bucket, d.source_id, d.dm, sum(d.n)::int FROM (
    SELECT n.school_id, date_bin('15 minutes', n.sent_at, timestamptz '2000-01-01 00:00:00+00') AS bucket, n.source_id, c.kind = 'dm' AS dm, 1 AS n
    FROM new_rows n JOIN "channels" c ON c.id = n.channel_id
    UNION ALL
    SELECT r.school_id, date_bin('15 minutes', r.sent_at, timestamptz '2000-01-01 00:00:00+00'), r.source_id, c.kind = 'dm', -1
    FROM old_rows r JOIN "channels" c ON c.id = r.channel_id
  ) d GROUP BY 1, 2, 3, 4 HAVING sum(d.n) <> 0
  ON CONFLICT ("school_id", "bucket", "source_id", "dm") DO UPDATE SET "messages" = v."messages" + excluded."messages";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "messages_volume_insert" AFTER INSERT ON "messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "message_volume_add"();
--> statement-breakpoint
CREATE TRIGGER "messages_volume_delete" AFTER DELETE ON "messages" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "message_volume_remove"();
--> statement-breakpoint
CREATE TRIGGER "messages_volume_update" AFTER UPDATE ON "messages" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "message_volume_move"();
--> statement-breakpoint
INSERT INTO "message_volume" ("school_id", "bucket", "source_id", "dm", "messages")
SELECT m.school_id, date_bin('15 minutes', m.sent_at, timestamptz '2000-01-01 00:00:00+00'), m.source_id, c.kind = 'dm', count(*)::int
FROM "messages" m JOIN "channels" c ON c.id = m.channel_id
GROUP BY 1, 2, 3, 4;
