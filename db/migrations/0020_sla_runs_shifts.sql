-- The SLA page's stored run holds staff on shift per hour of the week for its period
-- (docs/adr/0011-settled-days-stored.md): a shift change drops it, as 0017's triggers drop runs when
-- learning data changes, so the heatmap's staffing is never older than the last shift edit.
CREATE TRIGGER "shifts_runs_insert" AFTER INSERT ON "shifts" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('sla');
--> statement-breakpoint
CREATE TRIGGER "shifts_runs_update" AFTER UPDATE ON "shifts" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('sla');
--> statement-breakpoint
CREATE TRIGGER "shifts_runs_delete" AFTER DELETE ON "shifts" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "report_runs_forget"('sla');
