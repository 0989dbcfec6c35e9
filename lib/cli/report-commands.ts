import type { Command } from "commander";
import { getSchoolBySlug } from "../../db/queries/schools";
import { overviewReport } from "../reports/overview";
import { toCsv } from "../csv";
import { withDb } from "./context";

export function registerReportCommands(program: Command): void {
  const report = program.command("report").description("Reports for machines; the pages read the same query functions.");
  report
    .command("overview")
    .description("Counts and messages per day per source, as the overview page shows them.")
    .requiredOption("--school <slug>")
    .option("--from <date>", "first day, YYYY-MM-DD, in the school's time zone")
    .option("--to <date>", "last day (inclusive)")
    .option("--days <n>", "period length when --from is absent", "30")
    .option("--format <format>", "json or csv", "json")
    .action(async (opts: { school: string; from?: string; to?: string; days: string; format: string }) => {
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        const data = await overviewReport(db, school, opts, new Date());
        if (opts.format === "csv") {
          process.stdout.write(toCsv(["day", ...data.sources], data.volume.map((r) => [r.day, ...data.sources.map((s) => Number(r[s] ?? 0))])));
        } else {
          console.log(JSON.stringify({ school: school.slug, period: data.period, counts: data.counts, sources: data.sources, volume: data.volume }, null, 2));
        }
      });
    });
}
