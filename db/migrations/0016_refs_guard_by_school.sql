-- The delete guard of migration 0012 (refs_guard_delete) probed each referencing table by the id alone:
-- its indexes all lead with school_id, so PostgreSQL scanned a whole index per deleted row (a manual
-- delete of one channel's 147 k messages at 10 M messages had not finished after 12 minutes). It now
-- matches school_id too, which every guarded parent and referencing table carries: probed by index. A
-- reference from another school's row is no longer seen here; the product never writes one (every writer
-- resolves ids within the school it writes), and the insert checks of 0012/0013 are unchanged.
CREATE OR REPLACE FUNCTION "refs_guard_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  i int := 0;
  hit bigint;
BEGIN
  WHILE i < TG_NARGS LOOP
    EXECUTE format('SELECT o.id FROM old_rows o WHERE EXISTS (SELECT 1 FROM %I c WHERE c.school_id = o.school_id AND c.%I = o.id) LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1]) INTO hit;
    IF hit IS NOT NULL THEN
      RAISE EXCEPTION 'delete on table "%" violates a reference: row % is still referenced from %.%', TG_TABLE_NAME, hit, TG_ARGV[i], TG_ARGV[i + 1] USING ERRCODE = 'foreign_key_violation';
    END IF;
    i := i + 2;
  END LOOP;
  RETURN NULL;
END $$;
