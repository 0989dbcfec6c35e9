-- The team page's stored run holds its roster too (docs/adr/0011-settled-days-stored.md, round 26): the staff,
-- their roles, teams and capacities. A change to any of them drops the run, as 0032 drops it when assignments
-- change; a renamed person shows within the run's reuse window (names may lag, ADR 0009).
CREATE TRIGGER "person_roles_runs_insert" AFTER INSERT ON "person_roles" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "person_roles_runs_update" AFTER UPDATE ON "person_roles" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "person_roles_runs_delete" AFTER DELETE ON "person_roles" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "team_members_runs_insert" AFTER INSERT ON "team_members" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "team_members_runs_update" AFTER UPDATE ON "team_members" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "team_members_runs_delete" AFTER DELETE ON "team_members" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "teams_runs_insert" AFTER INSERT ON "teams" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "teams_runs_update" AFTER UPDATE ON "teams" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "teams_runs_delete" AFTER DELETE ON "teams" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "staff_capacity_runs_insert" AFTER INSERT ON "staff_capacity" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "staff_capacity_runs_update" AFTER UPDATE ON "staff_capacity" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
--> statement-breakpoint
CREATE TRIGGER "staff_capacity_runs_delete" AFTER DELETE ON "staff_capacity" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('team');
