-- The unreachable students and the check-ins due are stored whole too (docs/adr/0009-stored-report-runs.md),
-- and staff outcomes are built once per stored outcomes run: all three read the roster (assignments), so a
-- roster change drops those runs, as 0017's triggers drop runs when learning data changes.
CREATE TRIGGER "assignments_runs_insert" AFTER INSERT ON "assignments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes');
--> statement-breakpoint
CREATE TRIGGER "assignments_runs_update" AFTER UPDATE ON "assignments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes');
--> statement-breakpoint
CREATE TRIGGER "assignments_runs_delete" AFTER DELETE ON "assignments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes');
