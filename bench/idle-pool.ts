/**
 * A page read after the product's connection pool sat idle (`npx tsx bench/idle-pool.ts --db sqd_full`,
 * BENCH_DATABASE_URL as for `--reuse`): what a head of service waits for when opening a page after a pause,
 * which the back-to-back runs of bench/run.ts never see. Warm-up calls, then per run a pause and one call.
 */
import { Command } from "commander";
import { openDb } from "../db/client";
import { listSchools } from "../db/queries/schools";
import { PAGES } from "./pages";
import { median, round } from "./stats";

const opts = new Command()
  .option("--db <name>", "imported database", "sqd_full")
  .option("--pages <list>", "pages of bench/pages.ts", "queue,overview kpis,team,sla page")
  .option("--pause <s>", "seconds idle before each call", "12")
  .option("--runs <n>", "calls per page", "5")
  .option("--anchor <date>", "the imported school's anchor", "2026-06-01")
  .parse()
  .opts<{ db: string; pages: string; pause: string; runs: string; anchor: string }>();

const base = process.env.BENCH_DATABASE_URL;
if (!base) throw new Error("bench/idle-pool: set BENCH_DATABASE_URL to the server that holds --db");
const url = new URL(base);
url.pathname = `/${opts.db}`;
const handle = await openDb({ databaseUrl: url.toString(), migrate: false });
const [school] = await listSchools(handle.db);
if (!school) throw new Error(`no school in ${opts.db}`);
const now = new Date(`${opts.anchor}T00:00:00Z`);
for (const name of opts.pages.split(",")) {
  const page = PAGES[name];
  if (!page) throw new Error(`unknown page ${name}`);
  for (let i = 0; i < 3; i++) await page(handle.db, school, now);
  const ms: number[] = [];
  for (let i = 0; i < Number(opts.runs); i++) {
    await new Promise((r) => setTimeout(r, Number(opts.pause) * 1000));
    const t = performance.now();
    await page(handle.db, school, now);
    ms.push(round(performance.now() - t));
  }
  console.log(`${name}: after ${opts.pause} s idle ${ms.join(", ")} ms (median ${median(ms)})`);
}
await handle.close();
