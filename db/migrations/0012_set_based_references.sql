ALTER TABLE "messages" DROP CONSTRAINT "messages_source_id_sources_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_channel_id_channels_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_thread_id_threads_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_author_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_author_identity_id_source_identities_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_reply_to_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "lms_events" DROP CONSTRAINT "lms_events_source_id_sources_id_fk";
--> statement-breakpoint
ALTER TABLE "lms_events" DROP CONSTRAINT "lms_events_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "lms_events" DROP CONSTRAINT "lms_events_course_id_courses_id_fk";
--> statement-breakpoint
ALTER TABLE "lms_events" DROP CONSTRAINT "lms_events_cohort_id_cohorts_id_fk";
--> statement-breakpoint
ALTER TABLE "lms_events" DROP CONSTRAINT "lms_events_enrollment_id_enrollments_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_channel_id_channels_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_thread_id_threads_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_student_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_cohort_id_cohorts_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_opened_message_id_messages_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_owner_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_answer_message_id_messages_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_responder_person_id_people_id_fk";
--> statement-breakpoint
ALTER TABLE "episodes" DROP CONSTRAINT "episodes_policy_id_sla_policies_id_fk";
--> statement-breakpoint
-- The references of messages, lms_events and episodes, checked once per statement instead of once per row
-- (docs/adr/0007-set-based-reference-checks.md): a foreign key checks each inserted row with its own probe
-- and row lock, two thirds of a bulk slice's message insert at 10 M messages; these check all rows of a
-- statement with one anti-join per reference, planned for the statement's row count (EXECUTE: a cached
-- plan would keep the shape of whichever statement came first). Same error class as a foreign key.
--> statement-breakpoint
CREATE FUNCTION "messages_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  EXECUTE $q$
    SELECT x FROM (
      SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
      UNION ALL SELECT 'channel_id = ' || n.channel_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM channels p WHERE p.id = n.channel_id)
      UNION ALL SELECT 'thread_id = ' || n.thread_id FROM new_rows n WHERE n.thread_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM threads p WHERE p.id = n.thread_id)
      UNION ALL SELECT 'author_person_id = ' || n.author_person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.author_person_id)
      UNION ALL SELECT 'author_identity_id = ' || n.author_identity_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM source_identities p WHERE p.id = n.author_identity_id)
      UNION ALL SELECT 'reply_to_person_id = ' || n.reply_to_person_id FROM new_rows n WHERE n.reply_to_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.reply_to_person_id)
    ) v (x) LIMIT 1 $q$ INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "messages_refs_insert" AFTER INSERT ON "messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "messages_check_refs"();
--> statement-breakpoint
CREATE TRIGGER "messages_refs_update" AFTER UPDATE ON "messages" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "messages_check_refs"();
--> statement-breakpoint
CREATE FUNCTION "lms_events_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  EXECUTE $q$
    SELECT x FROM (
      SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
      UNION ALL SELECT 'person_id = ' || n.person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.person_id)
      UNION ALL SELECT 'course_id = ' || n.course_id FROM new_rows n WHERE n.course_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM courses p WHERE p.id = n.course_id)
      UNION ALL SELECT 'cohort_id = ' || n.cohort_id FROM new_rows n WHERE n.cohort_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cohorts p WHERE p.id = n.cohort_id)
      UNION ALL SELECT 'enrollment_id = ' || n.enrollment_id FROM new_rows n WHERE n.enrollment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments p WHERE p.id = n.enrollment_id)
    ) v (x) LIMIT 1 $q$ INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "lms_events_refs_insert" AFTER INSERT ON "lms_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "lms_events_check_refs"();
--> statement-breakpoint
CREATE TRIGGER "lms_events_refs_update" AFTER UPDATE ON "lms_events" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "lms_events_check_refs"();
--> statement-breakpoint
CREATE FUNCTION "episodes_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  EXECUTE $q$
    SELECT x FROM (
      SELECT 'channel_id = ' || n.channel_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM channels p WHERE p.id = n.channel_id)
      UNION ALL SELECT 'thread_id = ' || n.thread_id FROM new_rows n WHERE n.thread_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM threads p WHERE p.id = n.thread_id)
      UNION ALL SELECT 'student_person_id = ' || n.student_person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.student_person_id)
      UNION ALL SELECT 'cohort_id = ' || n.cohort_id FROM new_rows n WHERE n.cohort_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cohorts p WHERE p.id = n.cohort_id)
      UNION ALL SELECT 'opened_message_id = ' || n.opened_message_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = n.opened_message_id)
      UNION ALL SELECT 'owner_person_id = ' || n.owner_person_id FROM new_rows n WHERE n.owner_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.owner_person_id)
      UNION ALL SELECT 'answer_message_id = ' || n.answer_message_id FROM new_rows n WHERE n.answer_message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = n.answer_message_id)
      UNION ALL SELECT 'responder_person_id = ' || n.responder_person_id FROM new_rows n WHERE n.responder_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.responder_person_id)
      UNION ALL SELECT 'policy_id = ' || n.policy_id FROM new_rows n WHERE n.policy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sla_policies p WHERE p.id = n.policy_id)
    ) v (x) LIMIT 1 $q$ INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "episodes_refs_insert" AFTER INSERT ON "episodes" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "episodes_check_refs"();
--> statement-breakpoint
CREATE TRIGGER "episodes_refs_update" AFTER UPDATE ON "episodes" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "episodes_check_refs"();
--> statement-breakpoint
-- The other half of a foreign key: a referenced row cannot be deleted. The product deletes none of these
-- parents (people merged stay behind, messages are soft-deleted); this keeps a manual delete from leaving
-- ids dangling. Arguments: pairs of (referencing table, column).
CREATE FUNCTION "refs_guard_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  i int := 0;
  hit bigint;
BEGIN
  WHILE i < TG_NARGS LOOP
    EXECUTE format('SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM %I c WHERE c.%I = o.id) LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1]) INTO hit;
    IF hit IS NOT NULL THEN
      RAISE EXCEPTION 'delete on table "%" violates a reference: row % is still referenced from %.%', TG_TABLE_NAME, hit, TG_ARGV[i], TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
    END IF;
    i := i + 2;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "sources_refs_delete" AFTER DELETE ON "sources" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('messages', 'source_id', 'lms_events', 'source_id');
--> statement-breakpoint
CREATE TRIGGER "channels_refs_delete" AFTER DELETE ON "channels" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('messages', 'channel_id', 'episodes', 'channel_id');
--> statement-breakpoint
CREATE TRIGGER "threads_refs_delete" AFTER DELETE ON "threads" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('messages', 'thread_id', 'episodes', 'thread_id');
--> statement-breakpoint
CREATE TRIGGER "people_refs_delete" AFTER DELETE ON "people" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('messages', 'author_person_id', 'messages', 'reply_to_person_id', 'lms_events', 'person_id', 'episodes', 'student_person_id', 'episodes', 'owner_person_id', 'episodes', 'responder_person_id');
--> statement-breakpoint
CREATE TRIGGER "source_identities_refs_delete" AFTER DELETE ON "source_identities" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('messages', 'author_identity_id');
--> statement-breakpoint
CREATE TRIGGER "courses_refs_delete" AFTER DELETE ON "courses" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('lms_events', 'course_id');
--> statement-breakpoint
CREATE TRIGGER "cohorts_refs_delete" AFTER DELETE ON "cohorts" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('lms_events', 'cohort_id', 'episodes', 'cohort_id');
--> statement-breakpoint
CREATE TRIGGER "enrollments_refs_delete" AFTER DELETE ON "enrollments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('lms_events', 'enrollment_id');
--> statement-breakpoint
CREATE TRIGGER "messages_refs_delete" AFTER DELETE ON "messages" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('episodes', 'opened_message_id', 'episodes', 'answer_message_id');
--> statement-breakpoint
CREATE TRIGGER "sla_policies_refs_delete" AFTER DELETE ON "sla_policies" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "refs_guard_delete"('episodes', 'policy_id');
