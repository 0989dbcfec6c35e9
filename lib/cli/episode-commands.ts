import type { Command } from "commander";
import { Presets, SingleBar } from "cli-progress";
import type { Db } from "../../db/client";
import { recomputeEpisodes, type RecomputeResult } from "../../db/queries/episodes";
import { getSchoolBySlug, listSchools, type SchoolRow } from "../../db/queries/schools";
import { csatReport } from "../reports/csat";
import { episodesCsv, episodesReport } from "../reports/episodes";
import { loadReport } from "../reports/load";
import { heatmapReport, slaReport } from "../reports/sla";
import { withDb } from "./context";

/**
 * `recompute` and the episode-based reports (`report episodes|sla|load|csat|heatmap`). The commands are
 * thin: the output is built by `renderReport`, which tests call directly, from the same lib/reports
 * functions the pages read.
 */

export type ReportKind = "episodes" | "sla" | "load" | "csat" | "heatmap";

export interface ReportOptions {
  from?: string;
  to?: string;
  days?: string;
  groupBy?: string;
  json?: boolean;
  /** `report episodes` only: csv (default) or json. */
  format?: string;
  /** `report csat` only: the satisfaction page's filters (role key, cohort id, channel id, source kind). */
  role?: string;
  cohort?: string;
  channel?: string;
  source?: string;
}

const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)}%`);
const min = (x: number | null) => (x === null ? "—" : x.toFixed(1));

/** Columns padded to their widest cell: readable in a terminal, and `--json` is there for machines. */
export function formatTable(header: readonly string[], body: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...body].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}

/** What `report <kind>` prints for a school. */
export async function renderReport(db: Db, school: SchoolRow, kind: ReportKind, opts: ReportOptions, now: Date): Promise<string> {
  const q = { from: opts.from, to: opts.to, days: opts.days, groupBy: opts.groupBy };
  if (kind === "episodes") {
    const format = opts.json ? "json" : (opts.format ?? "csv");
    if (format !== "csv" && format !== "json") throw new RangeError(`--format must be csv or json, not ${format}`);
    const r = await episodesReport(db, school, q, now);
    return format === "csv" ? episodesCsv(r.episodes) : JSON.stringify(r, null, 2) + "\n";
  }
  if (kind === "sla") {
    // By role from the SLA page's stored run, as the page reads it (ADR 0011): the same figures, without
    // reading the settled days again at every call.
    const r = await slaReport(db, school, q, now, { stored: {} });
    if (opts.json) return JSON.stringify(r, null, 2) + "\n";
    const row = (label: string, s: typeof r.total) => [label, s.episodes, s.answered, s.open, s.breachingNow, s.atRisk, pct(s.compliance), `${s.met}/${s.known}`, min(s.medianMinutes), min(s.p90Minutes)];
    return (
      `SLA ${r.school} ${r.period.from} … ${r.period.to} (exclusive), by ${r.groupBy}, as of ${r.asOf}\n` +
      formatTable([r.groupBy, "episodes", "answered", "open", "breaching", "at risk", "compliance", "met/known", "median min", "p90 min"], [...r.groups.map((g) => row(g.label, g)), row("total", r.total)])
    );
  }
  if (kind === "load") {
    const r = await loadReport(db, school, q, now);
    if (opts.json) return JSON.stringify(r, null, 2) + "\n";
    return (
      `Load ${r.school} ${r.period.from} … ${r.period.to} (exclusive), ${r.workingHours.toFixed(1)} working hours (${r.workingHoursBasis})\n` +
      formatTable(
        ["person", "role", "sent", "answered", "students", "open owned", "median min", "p90 min", "breaches", "assigned", "check-in", "per hour", "overloaded"],
        r.staff.map((s) => [s.name, s.role, s.messagesSent, s.episodesAnswered, s.studentsAnswered, s.openOwned, min(s.medianMinutes), min(s.p90Minutes), s.breaches, s.assignedStudents, pct(s.checkInCoverage), s.loadPerHour === null ? "—" : s.loadPerHour.toFixed(3), s.overloaded ? "yes" : ""]),
      )
    );
  }
  if (kind === "csat") {
    const r = await csatReport(db, school, { ...q, role: opts.role, cohort: opts.cohort, channel: opts.channel, source: opts.source }, now);
    if (opts.json) return JSON.stringify(r, null, 2) + "\n";
    const row = (label: string, s: typeof r.total) => [label, s.n, s.csatPercent === null ? "—" : `${s.csatPercent.toFixed(1)}%`, s.mean === null ? "—" : s.mean.toFixed(2), s.npsN, s.nps === null ? "—" : s.nps.toFixed(0), pct(s.responseRate)];
    return (
      `Satisfaction ${r.school} ${r.period.from} … ${r.period.to} (exclusive), by ${r.groupBy}${Object.keys(r.filter).length ? `, filter ${JSON.stringify(r.filter)}` : ""}\n` +
      formatTable([r.groupBy, "csat n", "csat %", "mean", "nps n", "nps", "response rate"], [...r.groups.map((g) => row(g.label, g)), row("total", r.total)])
    );
  }
  const r = await heatmapReport(db, school, q, now, { stored: {} });
  if (opts.json) return JSON.stringify(r, null, 2) + "\n";
  const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  return (
    `Episodes opened by local hour (${r.timezone}), ${r.period.from} … ${r.period.to} (exclusive); * = fewer than 5\n` +
    formatTable(["", ...Array.from({ length: 24 }, (_, h) => String(h))], days.map((d, i) => [d, ...r.cells.filter((c) => c.weekday === i + 1).map((c) => (c.opened === 0 ? "." : `${c.opened}${c.lowConfidence ? "*" : ""}`))]))
  );
}

async function requireSchool(db: Db, slug: string): Promise<SchoolRow> {
  const school = await getSchoolBySlug(db, slug);
  if (!school) throw new Error(`no school with slug ${slug}`);
  return school;
}

export function registerEpisodeCommands(program: Command): void {
  program
    .command("recompute")
    .description("Recompute waiting episodes and SLAs for dirty scopes (or all) and link ratings to them.")
    .option("--school <slug>", "one school (default: every school)")
    .option("--all", "every scope, not only those marked dirty by new messages or config changes")
    .action(async (opts: { school?: string; all?: boolean }) => {
      await withDb(async ({ db }) => {
        const schools = opts.school ? [await requireSchool(db, opts.school)] : await listSchools(db);
        for (const school of schools) {
          const bar = new SingleBar({ format: `${school.slug} [{bar}] {percentage}% | {value}/{total} scopes | {duration}s`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic);
          let started = false;
          const res: RecomputeResult = await recomputeEpisodes(db, school.id, {
            scopes: opts.all ? "all" : "dirty",
            now: new Date(),
            onProgress: (done, total) => {
              if (!started && total > 0) {
                bar.start(total, 0);
                started = true;
              }
              if (started) bar.update(done);
            },
          });
          if (started) bar.stop();
          console.log(`${school.slug}: ${res.scopes} scopes, ${res.episodes} episodes (${res.inserted} written, ${res.deleted} removed), ${res.ratingsLinked} ratings linked in ${(res.ms / 1000).toFixed(1)} s`);
          for (const w of res.warnings) console.warn(`  warning: ${w}`);
        }
      });
    });

  // `report` may already exist (lib/cli/report-commands.ts registers `report overview`): add to it.
  const report = program.commands.find((c) => c.name() === "report") ?? program.command("report").description("Reports for machines; the pages read the same query functions.");
  const add = (kind: ReportKind, description: string, extra: (c: Command) => Command) =>
    extra(report.command(kind).description(description).requiredOption("--school <slug>").option("--from <date>", "first day, YYYY-MM-DD, in the school's time zone").option("--to <date>", "last day (inclusive)"))
      .action(async (opts: ReportOptions & { school: string }) => {
        await withDb(async ({ db }) => {
          process.stdout.write(await renderReport(db, await requireSchool(db, opts.school), kind, opts, new Date()));
        });
      });
  add("episodes", "One row per episode: source ids, times, minutes, policy, target, status, breached.", (c) => c.option("--format <format>", "csv or json", "csv").option("--json", "same as --format json"));
  add("sla", "SLA compliance, median and p90 response, open, breaching and at-risk counts.", (c) => c.option("--days <n>", "period length when --from is absent", "30").option("--group-by <g>", "role, person, cohort or channel", "role").option("--json"));
  add("load", "Load per staff member: answered, open owned, response times, check-in coverage, overload.", (c) => c.option("--days <n>", "period length when --from is absent", "30").option("--group-by <g>", "person (load is per person)", "person").option("--json"));
  add("csat", "CSAT %, mean, NPS and survey response rate.", (c) =>
    c
      .option("--days <n>", "period length when --from is absent", "30")
      .option("--group-by <g>", "role, person, cohort, channel or week", "person")
      .option("--role <key>", "only ratings of this role key (none = no role), as the satisfaction page filters")
      .option("--cohort <id>", "only ratings of this cohort id")
      .option("--channel <id>", "only ratings of episodes in this channel id")
      .option("--source <kind>", "only ratings of episodes from this source (telegram, slack, …)")
      .option("--json"),
  );
  add("heatmap", "Episodes opened per local hour of the week, with median response and compliance (--json).", (c) => c.option("--days <n>", "period length when --from is absent", "30").option("--json"));
}
