import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { getSchoolBySlug } from "../../db/queries/schools";
import { importShifts, shiftsPlan } from "../reports/shifts";
import { withDb } from "./context";

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** `shifts import` (the page's CSV upload, same checks) and `shifts plan` (the page's figures, for scripts and e2e). */
export function registerShiftsCommands(program: Command): void {
  const shifts = program.command("shifts").description("Duty shifts: import a CSV plan, print the staffing plan.");
  shifts
    .command("import <file>")
    .description("Import shifts from CSV (columns person, role, start, end, weekly, repeat_until; docs/staffing.md). Any bad row rejects the whole file; a re-import adds nothing.")
    .requiredOption("--school <slug>")
    .option("--json", "print the result as JSON")
    .action(async (file: string, opts: { school: string; json?: boolean }) => {
      const text = readFileSync(file, "utf8");
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        const r = await importShifts(db, school, text, new Date());
        if (opts.json) console.log(JSON.stringify(r, null, 2));
        else if (r.ok) console.log(`Imported ${r.inserted} shifts (${r.existing} already stored) from ${r.rows} rows; weekday times refer to the week of ${r.weekStart}.`);
        else for (const e of r.errors) console.error(`${file}:${e.line}: ${e.message}`);
        if (!r.ok) process.exitCode = 1;
      });
    });
  shifts
    .command("plan")
    .description("The staffing page's figures for one role (JSON): forecast, needed, scheduled, predicted SLA.")
    .requiredOption("--school <slug>")
    .option("--role <role>", "coordinator, mentor, reviewer, support or team_lead", "coordinator")
    .action(async (opts: { school: string; role: string }) => {
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        const d = await shiftsPlan(db, school, { role: opts.role }, new Date());
        console.log(JSON.stringify({
          school: d.school, timezone: d.timezone, role: d.params.role, planWeek: d.planWeek, model: d.model, targetMinutes: d.targetMinutes,
          forecastTotal: sum(d.forecast), neededTotal: sum(d.needed), scheduledTotal: sum(d.scheduled), underHours: d.coverage.underHours,
          predicted: { serviceLevel: d.predicted.serviceLevel, slaCompliance: d.predicted.slaCompliance },
          backtest: d.backtest && { mae: d.backtest.mae, wape: d.backtest.wape },
          forecast: d.forecast, needed: d.needed, scheduled: d.scheduled,
          shifts: d.shifts.map((s) => ({ id: s.id, personId: s.personId, personName: s.personName, weekday: s.weekday, start: s.start, end: s.end })),
          staff: d.staff,
        }, null, 2));
      });
    });
}
