-- The reference checks of migration 0012 (ADR 0007) planned every statement's check anew (EXECUTE): right
-- for a bulk slice, but ~0.4 ms of planning for a webhook's one-row insert, where a foreign key cost a few
-- microseconds. Up to 1,000 rows the check is now static SQL, planned once per session for a small
-- relation (index probes, ~0.06 ms for one row); above that it is still planned for the statement.
CREATE OR REPLACE FUNCTION "messages_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  IF (SELECT count(*) FROM new_rows) <= 1000 THEN
    SELECT x INTO bad FROM (
        SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
        UNION ALL SELECT 'channel_id = ' || n.channel_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM channels p WHERE p.id = n.channel_id)
        UNION ALL SELECT 'thread_id = ' || n.thread_id FROM new_rows n WHERE n.thread_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM threads p WHERE p.id = n.thread_id)
        UNION ALL SELECT 'author_person_id = ' || n.author_person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.author_person_id)
        UNION ALL SELECT 'author_identity_id = ' || n.author_identity_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM source_identities p WHERE p.id = n.author_identity_id)
        UNION ALL SELECT 'reply_to_person_id = ' || n.reply_to_person_id FROM new_rows n WHERE n.reply_to_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.reply_to_person_id)
    ) v (x) LIMIT 1;
  ELSE
    EXECUTE $q$
      SELECT x FROM (
        SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
        UNION ALL SELECT 'channel_id = ' || n.channel_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM channels p WHERE p.id = n.channel_id)
        UNION ALL SELECT 'thread_id = ' || n.thread_id FROM new_rows n WHERE n.thread_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM threads p WHERE p.id = n.thread_id)
        UNION ALL SELECT 'author_person_id = ' || n.author_person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.author_person_id)
        UNION ALL SELECT 'author_identity_id = ' || n.author_identity_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM source_identities p WHERE p.id = n.author_identity_id)
        UNION ALL SELECT 'reply_to_person_id = ' || n.reply_to_person_id FROM new_rows n WHERE n.reply_to_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.reply_to_person_id)
      ) v (x) LIMIT 1 $q$ INTO bad;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "lms_events_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  IF (SELECT count(*) FROM new_rows) <= 1000 THEN
    SELECT x INTO bad FROM (
        SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
        UNION ALL SELECT 'person_id = ' || n.person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.person_id)
        UNION ALL SELECT 'course_id = ' || n.course_id FROM new_rows n WHERE n.course_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM courses p WHERE p.id = n.course_id)
        UNION ALL SELECT 'cohort_id = ' || n.cohort_id FROM new_rows n WHERE n.cohort_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cohorts p WHERE p.id = n.cohort_id)
        UNION ALL SELECT 'enrollment_id = ' || n.enrollment_id FROM new_rows n WHERE n.enrollment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments p WHERE p.id = n.enrollment_id)
    ) v (x) LIMIT 1;
  ELSE
    EXECUTE $q$
      SELECT x FROM (
        SELECT 'source_id = ' || n.source_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM sources p WHERE p.id = n.source_id)
        UNION ALL SELECT 'person_id = ' || n.person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.person_id)
        UNION ALL SELECT 'course_id = ' || n.course_id FROM new_rows n WHERE n.course_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM courses p WHERE p.id = n.course_id)
        UNION ALL SELECT 'cohort_id = ' || n.cohort_id FROM new_rows n WHERE n.cohort_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cohorts p WHERE p.id = n.cohort_id)
        UNION ALL SELECT 'enrollment_id = ' || n.enrollment_id FROM new_rows n WHERE n.enrollment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM enrollments p WHERE p.id = n.enrollment_id)
      ) v (x) LIMIT 1 $q$ INTO bad;
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "episodes_check_refs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE bad text;
BEGIN
  IF (SELECT count(*) FROM new_rows) <= 1000 THEN
    SELECT x INTO bad FROM (
        SELECT 'channel_id = ' || n.channel_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM channels p WHERE p.id = n.channel_id)
        UNION ALL SELECT 'thread_id = ' || n.thread_id FROM new_rows n WHERE n.thread_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM threads p WHERE p.id = n.thread_id)
        UNION ALL SELECT 'student_person_id = ' || n.student_person_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.student_person_id)
        UNION ALL SELECT 'cohort_id = ' || n.cohort_id FROM new_rows n WHERE n.cohort_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cohorts p WHERE p.id = n.cohort_id)
        UNION ALL SELECT 'opened_message_id = ' || n.opened_message_id FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = n.opened_message_id)
        UNION ALL SELECT 'owner_person_id = ' || n.owner_person_id FROM new_rows n WHERE n.owner_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.owner_person_id)
        UNION ALL SELECT 'answer_message_id = ' || n.answer_message_id FROM new_rows n WHERE n.answer_message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = n.answer_message_id)
        UNION ALL SELECT 'responder_person_id = ' || n.responder_person_id FROM new_rows n WHERE n.responder_person_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = n.responder_person_id)
        UNION ALL SELECT 'policy_id = ' || n.policy_id FROM new_rows n WHERE n.policy_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sla_policies p WHERE p.id = n.policy_id)
    ) v (x) LIMIT 1;
  ELSE
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
  END IF;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "%" violates a reference: % is not a stored row', TG_TABLE_NAME, bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$;
