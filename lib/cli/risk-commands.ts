import type { Command } from "commander";
import { getSchoolBySlug } from "../../db/queries/schools";
import { parseAsOf, riskReport } from "../reports/risk";
import { toCsv } from "../csv";
import { withDb } from "./context";
import { registerContactsCommands } from "./contacts-command";

/** `risk --school <slug> --as-of <YYYY-MM-DD> --format csv|json`: the at-risk list, one row per active enrollment. */
export function registerRiskCommands(program: Command): void {
  const risk = program
    .command("risk")
    // Options after `risk unreachable` belong to the subcommand: without this `risk` would take --school itself.
    .enablePositionalOptions()
    .description("At-risk score per enrollment active at the as-of date (only data dated on or before it), with its reasons. Subcommands: unreachable, checkins.")
    // Not requiredOption: commander checks a parent's mandatory options for its subcommands too.
    .option("--school <slug>", "required")
    .option("--as-of <date>", "YYYY-MM-DD in the school's time zone (end of that day); default now")
    .option("--format <format>", "json or csv", "json")
    .option("--lang <lang>", "reason labels: ru or en", "ru")
    .action(async (opts: { school?: string; asOf?: string; format: string; lang: string }) => {
      const slug = opts.school;
      if (!slug) throw new Error("risk needs --school <slug>");
      if (opts.format !== "json" && opts.format !== "csv") throw new Error(`--format must be json or csv, not ${opts.format}`);
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, slug);
        if (!school) throw new Error(`no school with slug ${slug}`);
        const report = await riskReport(db, school, parseAsOf(opts.asOf, school.timezone, new Date()));
        const label = (r: { label_ru: string; label_en: string }) => (opts.lang === "en" ? r.label_en : r.label_ru);
        if (opts.format === "csv") {
          process.stdout.write(
            toCsv(
              ["lms_student_id", "course", "cohort", "score", "reasons"],
              report.rows.map((r) => [r.lmsStudentId, r.courseExternalId, r.cohortExternalId, Math.round(r.score * 10000) / 10000, r.reasons.map(label).join("; ")]),
            ),
          );
        } else {
          const rows = report.rows.map((r) => ({
            lmsStudentId: r.lmsStudentId,
            course: r.courseExternalId,
            cohort: r.cohortExternalId,
            score: r.score,
            reasons: r.reasons.map((x) => ({ key: x.key, label: label(x), contribution: x.contribution, value: x.value })),
          }));
          console.log(JSON.stringify({ school: report.school, asOf: report.asOf, model: report.model, rows }, null, 2));
        }
      });
    });
  registerContactsCommands(risk);
}
