import type { Command } from "commander";
import { getSchoolBySlug } from "../../db/queries/schools";
import { KPI_KEYS, overviewKpis, type KpiFigure, type OverviewKpis } from "../reports/overview-kpis";
import { formatTable } from "./episode-commands";
import { withDb } from "./context";

export interface KpiOptions {
  school: string;
  from?: string;
  to?: string;
  days?: string;
  json?: boolean;
  /** The overview's filters (role key, cohort id, channel id, source kind). */
  role?: string;
  cohort?: string;
  channel?: string;
  source?: string;
}

function show(f: KpiFigure, v: number | null): string {
  if (v === null) return "—";
  if (f.unit === "share") return `${(100 * v).toFixed(1)}%`;
  if (f.unit === "percent") return `${v.toFixed(1)}%`;
  if (f.unit === "minutes") return v.toFixed(1);
  return String(v);
}

/** What `report kpis` prints: the object the overview's cards read (--json), or a table for people. */
export function renderKpis(r: OverviewKpis, json: boolean): string {
  if (json) return JSON.stringify(r, null, 2) + "\n";
  const rows = KPI_KEYS.map((k) => {
    const f = r.kpis[k];
    const verdict = f.live ? "live" : (f.trend.verdict ?? "—");
    return [k, show(f, f.value), f.n, f.live ? "" : show(f, f.previous), f.previousN ?? "", verdict, f.unfiltered.join(",")];
  });
  const filtered = Object.keys(r.filter).length > 0;
  const roles = r.byRole.map((g) => [g.label, g.compliance === null ? "—" : `${(100 * g.compliance).toFixed(1)}%`, `${g.met}/${g.known}`, g.previous === null ? "—" : `${(100 * g.previous).toFixed(1)}%`, g.trend.verdict ?? "—"]);
  return (
    `KPIs ${r.school} ${r.period.from} … ${r.period.to} (exclusive) against ${r.previousPeriod.from} … ${r.previousPeriod.to}, as of ${r.asOf}${filtered ? `, filter ${JSON.stringify(r.filter)}` : ""}\n` +
    formatTable(["kpi", "value", "n", "previous", "previous n", "trend", ...(filtered ? ["not filtered by"] : [])], filtered ? rows : rows.map((x) => x.slice(0, 6))) +
    `\nSLA compliance by role\n` +
    formatTable(["role", "compliance", "met/known", "previous", "trend"], roles)
  );
}

/** `report kpis --school <slug> [--from --to | --days] [--json]`: the overview's KPI cards. */
export function registerKpiCommand(program: Command): void {
  // `report` exists once lib/cli/report-commands.ts has run; add to it rather than define a second one.
  const report = program.commands.find((c) => c.name() === "report") ?? program.command("report").description("Reports for machines; the pages read the same query functions.");
  report
    .command("kpis")
    .description("The overview's KPI cards: SLA compliance (by role), median and p90 response, open and breaching now, breaches, CSAT, completion, each against the previous period.")
    .requiredOption("--school <slug>")
    .option("--from <date>", "first day, YYYY-MM-DD, in the school's time zone")
    .option("--to <date>", "last day (inclusive)")
    .option("--days <n>", "period length when --from is absent", "30")
    .option("--role <key>", "filter by role key (none = no role): SLA, CSAT, open and breaching")
    .option("--cohort <id>", "filter by cohort id: SLA, CSAT, completion")
    .option("--channel <id>", "filter by channel id: SLA, CSAT, open and breaching")
    .option("--source <kind>", "filter by source kind: SLA, CSAT")
    .option("--json", "the JSON object the page reads")
    .action(async (opts: KpiOptions) => {
      await withDb(async ({ db }) => {
        const school = await getSchoolBySlug(db, opts.school);
        if (!school) throw new Error(`no school with slug ${opts.school}`);
        process.stdout.write(renderKpis(await overviewKpis(db, school, opts, new Date()), opts.json === true));
      });
    });
}
