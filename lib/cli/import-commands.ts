import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { importFormats, type ImportFormat } from "./import/formats";
import { DEFAULT_BATCH, runImport, type ImportSummary } from "./import/run";
import { describeDb, withDb } from "./context";

const FORMAT_HELP: Record<ImportFormat, string> = {
  "telegram-export": "Telegram Desktop JSON: a single chat or the full-account result.json (old layout needs --tz)",
  "slack-export": "Slack workspace export: the zip or its folder (--source T… when users.json has no team_id)",
  "discord-export": "DiscordChatExporter JSON: files or a folder (a thread is its own file)",
  "mattermost-export": "Mattermost bulk export (mmctl export): the JSONL file or the zip",
  "pachca-export": "Pachca chat export: the zip or its folder (<chat>_<id>/<day>.json + chats.json)",
  xapi: "xAPI statements: a JSON array, one statement, NDJSON or an LRS query result",
  "openedx-tracking": "Open edX tracking.log files (one JSON event per line)",
  oulad: "the OULAD folder (courses.csv, assessments.csv, studentInfo.csv, … studentVle*.csv)",
  roster: "roster CSV: school, source, external_id, name, email, role, team, …",
  enrollments: "enrollments CSV: student_external_id / student_email, course, cohort, tier, status, …",
};

/** "2013B=2013-02-01,2013J=2013-10-01" → { "2013B": "2013-02-01", … } */
function parseStartDates(v: string | undefined): Record<string, string> | undefined {
  if (!v) return undefined;
  const out: Record<string, string> = {};
  for (const part of v.split(",").map((x) => x.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9-]+)=(\d{4}-\d{2}-\d{2})$/.exec(part);
    if (!m?.[1] || !m[2]) throw new Error(`--start-dates: "${part}" is not <presentation>=<YYYY-MM-DD>`);
    out[m[1]] = m[2];
  }
  return out;
}

export function printSummary(s: ImportSummary): void {
  const lines = [
    `Imported ${s.format} into ${s.schools.join(", ") || "(no school)"} (${describeDb()}):`,
    `  read ${s.read}, stored ${s.stored}, updated ${s.updated}, duplicates ${s.duplicates}, rejected ${s.rejected}`,
    `  ${s.seconds} s, ${s.perSecond} records/s${s.resumedFrom > 0 ? `, resumed after ${s.resumedFrom} already stored` : ""}`,
  ];
  if (s.reasons.length > 0) lines.push("  rejected:", ...s.reasons.map((r) => `    ${r.count} × ${r.reason}${r.examples.length ? ` (e.g. ${r.examples.join("; ")})` : ""}`));
  const ignored = Object.entries(s.ignored);
  if (ignored.length > 0) lines.push("  ignored:", ...ignored.map(([k, n]) => `    ${n} × ${k}`));
  if (s.warnings.length > 0) lines.push("  warnings:", ...s.warnings.slice(0, 20).map((w) => `    ${w}`), ...(s.warnings.length > 20 ? [`    … ${s.warnings.length - 20} more`] : []));
  for (const [k, v] of Object.entries(s.notes)) lines.push(`  ${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  console.log(lines.join("\n"));
}

/** Events per transaction with --bulk: large enough for the set-based path to pay off, bounded in memory. */
const BULK_BATCH = 100_000;

export function registerImportCommands(program: Command): void {
  program
    .command("import")
    .description(`Import a file, folder or zip through the store path. Formats:\n${importFormats.map((f) => `  ${f.padEnd(18)} ${FORMAT_HELP[f]}`).join("\n")}`)
    .argument("<format>", importFormats.join(" | "))
    .argument("<paths...>", "files, folders or zips")
    .option("--school <slug>", "the school to import into (optional with one school, or for a roster naming its schools)")
    .option("--tz <zone>", "IANA zone: required for old Telegram exports; dates without time in CSVs (default: the school's)")
    .option("--source <id>", "the source's own id, to merge with the same source followed live (Telegram bot id, Slack team id…)")
    .option("--start-dates <list>", "OULAD anchors: 2013B=2013-02-01,2013J=2013-10-01 or AAA-2013J=…")
    .option("--batch <n>", "events per transaction and checkpoint", String(DEFAULT_BATCH))
    .option("--bulk", `bulk mode for big historic loads: staged set-based writes, ${BULK_BATCH} events per transaction unless --batch is given, each batch all or nothing`)
    .option("--json", "print the summary as JSON")
    .action(async (format: string, paths: string[], opts: { school?: string; tz?: string; source?: string; startDates?: string; batch: string; bulk?: boolean; json?: boolean }) => {
      if (!(importFormats as readonly string[]).includes(format)) throw new Error(`unknown format ${format}: one of ${importFormats.join(", ")}`);
      const batchSize = opts.bulk && opts.batch === String(DEFAULT_BATCH) ? BULK_BATCH : Number(opts.batch);
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch must be a positive integer, not ${opts.batch}`);
      const startDates = parseStartDates(opts.startDates);
      await withDb(async ({ db }) => {
        // The bar goes to stderr so that --json output stays clean; it is silent when stderr is not a terminal.
        const bar = new SingleBar({ format: "importing [{bar}] {percentage}% | {value}/{total} | {duration}s", hideCursor: true, stream: process.stderr }, Presets.shades_classic);
        let started = false;
        const summary = await runImport(
          db,
          { format: format as ImportFormat, paths, batchSize, ...(opts.bulk ? { bulk: true } : {}), ...(opts.school ? { school: opts.school } : {}), ...(opts.tz ? { tz: opts.tz } : {}), ...(opts.source ? { source: opts.source } : {}), ...(startDates ? { startDates } : {}) },
          {
            onStart: (total, at) => {
              if (!started) bar.start(total, at);
              started = true;
            },
            onProgress: (done) => bar.update(done),
          },
        ).finally(() => started && bar.stop());
        if (opts.json) console.log(JSON.stringify(summary, null, 2));
        else printSummary(summary);
      });
    });
}
