-- The team page's stored run holds each staff member's assigned students (docs/adr/0011-settled-days-stored.md,
-- round 25): a roster change drops it too, as 0018's triggers drop the other runs that read assignments.
DROP TRIGGER "assignments_runs_insert" ON "assignments";
--> statement-breakpoint
DROP TRIGGER "assignments_runs_update" ON "assignments";
--> statement-breakpoint
DROP TRIGGER "assignments_runs_delete" ON "assignments";
--> statement-breakpoint
CREATE TRIGGER "assignments_runs_insert" AFTER INSERT ON "assignments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes', 'team');
--> statement-breakpoint
CREATE TRIGGER "assignments_runs_update" AFTER UPDATE ON "assignments" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes', 'team');
--> statement-breakpoint
CREATE TRIGGER "assignments_runs_delete" AFTER DELETE ON "assignments" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('unreachable', 'checkins', 'outcomes', 'team');
