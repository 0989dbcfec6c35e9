import type { Command } from "commander";
import type { Db } from "../../db/client";
import { getSchoolBySlug, type SchoolRow } from "../../db/queries/schools";
import { scopeSets, teamsOfGrant } from "../../db/queries/scope";
import { findUserByEmail, grantsOf } from "../../db/queries/users";
import { slaExtraCsvRows, slaExtraReport, type SlaExtraReport } from "../reports/sla-extra";
import { shiftsPlan } from "../reports/shifts";
import { withDb } from "./context";
import { formatTable } from "./episode-commands";

/**
 * `report categories`: the SLA page's questions-by-category and bot/peer tables from the same
 * lib/reports function (so the e2e suite can compare the page with it). `report shift-scope`: whose
 * shifts a dashboard login may see by name, from the scope tables alone (db/queries/scope.ts), the
 * expectation the shift planner's privacy check (issue #6) is tested against.
 */

async function requireSchool(db: Db, slug: string): Promise<SchoolRow> {
  const school = await getSchoolBySlug(db, slug);
  if (!school) throw new Error(`no school with slug ${slug}`);
  return school;
}

export function renderCategories(r: SlaExtraReport, json: boolean): string {
  if (json) return `${JSON.stringify(r, null, 2)}\n`;
  const cat = slaExtraCsvRows(r, "categories");
  const bot = slaExtraCsvRows(r, "bot");
  const cell = (v: string | number | null) => (v === null ? "—" : v);
  return (
    `Episodes by category, ${r.period.from} … ${r.period.to} (exclusive, ${r.timezone}); n = ${r.total}\n` +
    formatTable(cat.header, cat.rows.map((x) => x.map(cell))) +
    "\nBots and peers\n" +
    formatTable(bot.header, bot.rows.map((x) => x.map(cell)))
  );
}

export function registerSlaExtraCommands(program: Command): void {
  // `report` exists by now (report-commands.ts / episode-commands.ts); created here only if run alone.
  const report = program.commands.find((c) => c.name() === "report") ?? program.command("report").description("Reports for machines; the pages read the same query functions.");
  report
    .command("categories")
    .description("Episodes by question category (count, share, median first response, compliance) and bot deflection, handoff, peer replies.")
    .requiredOption("--school <slug>")
    .option("--from <date>", "first day, YYYY-MM-DD, in the school's time zone")
    .option("--to <date>", "last day (inclusive)")
    .option("--days <n>", "period length when --from is absent", "30")
    .option("--json")
    .action(async (opts: { school: string; from?: string; to?: string; days?: string; json?: boolean }) => {
      await withDb(async ({ db }) => {
        const school = await requireSchool(db, opts.school);
        process.stdout.write(renderCategories(await slaExtraReport(db, school, { from: opts.from, to: opts.to, days: opts.days }, new Date()), opts.json === true));
      });
    });
  report
    .command("shift-scope")
    .description("JSON: the role's staff and shift names a login may see by name on /shifts, and those it may not (team lead / staff scope).")
    .requiredOption("--school <slug>")
    .requiredOption("--email <email>", "the dashboard login")
    .option("--role <role>", "staff role of the plan", "coordinator")
    .action(async (opts: { school: string; email: string; role: string }) => {
      await withDb(async ({ db }) => {
        const school = await requireSchool(db, opts.school);
        const user = await findUserByEmail(db, opts.email);
        if (!user) throw new Error(`no user ${opts.email}`);
        const grant = (await grantsOf(db, user.id)).find((g) => g.schoolId === school.id);
        if (!grant) throw new Error(`${opts.email} has no grant at ${school.slug}`);
        const teamIds = grant.role === "team_lead" ? await teamsOfGrant(db, school.id, grant.teamId, grant.personId) : [];
        const extra = grant.personId !== null && (grant.role === "staff" || teamIds.length > 0) ? [grant.personId] : [];
        const sets = await scopeSets(db, school.id, teamIds, extra);
        const inScope = new Set(sets.staffPersonIds);
        const plan = await shiftsPlan(db, school, { role: opts.role }, new Date());
        const people = new Map([...plan.staff.map((s) => [s.id, s.name] as const), ...plan.shifts.map((s) => [s.personId, s.personName] as const)]);
        const names = (keep: boolean) => [...new Set([...people].filter(([id]) => inScope.has(id) === keep).map(([, n]) => n))].sort();
        process.stdout.write(`${JSON.stringify({ school: school.slug, email: opts.email, role: grant.role, visible: names(true), hidden: names(false) }, null, 2)}\n`);
      });
    });
}
