import type { Command } from "commander";
import type { Db } from "../../db/client";
import { getSchoolBySlug, type SchoolRow } from "../../db/queries/schools";
import { parseAsOf } from "../reports/risk";
import { checkInsCsv, checkInsReport, unreachableCsv, unreachableReport } from "../reports/contacts";
import { toCsv } from "../csv";
import { withDb } from "./context";

interface Opts {
  school: string;
  asOf?: string;
  format: string;
}

const checkFormat = (f: string): "json" | "csv" => {
  if (f !== "json" && f !== "csv") throw new Error(`--format must be json or csv, not ${f}`);
  return f;
};

/**
 * `risk unreachable|checkins --school <slug> --as-of <date> --format csv|json`: the same lists and the same
 * CSV columns as the outcomes page and its export (lib/reports/contacts.ts), so e2e can compare them.
 */
export function registerContactsCommands(risk: Command): void {
  // Both lists take the same options and print the same way; only the report and its CSV differ.
  const list = <R>(name: string, description: string, report: (db: Db, school: SchoolRow, asOf: Date) => Promise<R>, csv: (r: R, withIds: boolean) => Parameters<typeof toCsv>) =>
    risk
      .command(name)
      .description(description)
      .requiredOption("--school <slug>")
      .option("--as-of <date>", "YYYY-MM-DD in the school's time zone (end of that day); default now")
      .option("--format <format>", "json or csv", "json")
      .action(async (opts: Opts) => {
        const format = checkFormat(opts.format);
        await withDb(async ({ db }) => {
          const school = await getSchoolBySlug(db, opts.school);
          if (!school) throw new Error(`no school with slug ${opts.school}`);
          const r = await report(db, school, parseAsOf(opts.asOf, school.timezone, new Date()));
          if (format === "csv") process.stdout.write(toCsv(...csv(r, true)));
          else console.log(JSON.stringify(r, null, 2));
        });
      });
  list("unreachable", "Active enrollments whose student has not replied anywhere for 30 days to a staff message (docs/metrics.md, Contacts).", unreachableReport, unreachableCsv);
  list("checkins", "Check-ins due: assigned active students without a staff-initiated DM from their staff member in 30 days.", checkInsReport, checkInsCsv);
}
