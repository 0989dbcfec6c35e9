// One page's data function (bench/pages.ts) called on an already imported database, in a process of its
// own: warm-up calls, then N timed calls; prints the median wall time and Node's CPU time per call. With
// --hash it prints instead the SHA-256 of each named page's JSON at the given instants, to check that two
// versions of the code (e.g. a git worktree at an earlier commit) give the same output before timing them.
// The before → after of docs/performance.md (round 17) alternates two worktrees with this:
//   node --max-semi-space-size=32 --import tsx bench/page-calls.ts --url postgres://…/sqd_full --page team --calls 40
//   npx tsx bench/page-calls.ts --url postgres://…/sqd_full --hash "sla page,team" --at 2026-06-01T00:00:00Z,2026-05-20T09:30:00Z
import { createHash } from "node:crypto";
import { Command } from "commander";
import { openDb } from "../db/client";
import { listSchools } from "../db/queries/schools";
import { PAGES } from "./pages";

const program = new Command()
  .requiredOption("--url <url>", "postgres://… of a database imported by bench/run.ts")
  .option("--page <name>", "the page to time (a key of bench/pages.ts PAGES)", "team")
  .option("--calls <n>", "timed calls", "30")
  .option("--warmups <n>", "calls before timing", "5")
  .option("--now <instant>", "the instant the pages are computed at (bench/run.ts --anchor)", "2026-06-01T00:00:00Z")
  .option("--hash <pages>", "comma-separated pages: print each one's output hash instead of timing")
  .option("--at <instants>", "with --hash: comma-separated instants", "2026-06-01T00:00:00Z");
program.parse();
const opts = program.opts<{ url: string; page: string; calls: string; warmups: string; now: string; hash?: string; at: string }>();

function pageOf(name: string): (typeof PAGES)[string] {
  const f = PAGES[name];
  if (!f) throw new Error(`no page "${name}"; pages: ${Object.keys(PAGES).join(", ")}`);
  return f;
}

const handle = await openDb({ databaseUrl: opts.url, migrate: false });
try {
  const [school] = await listSchools(handle.db);
  if (!school) throw new Error("the database holds no school");
  if (opts.hash !== undefined) {
    for (const name of opts.hash.split(",")) {
      for (const at of opts.at.split(",")) {
        const out = await pageOf(name)(handle.db, school, new Date(at));
        console.log(`${name}\t${at}\t${createHash("sha256").update(JSON.stringify(out)).digest("hex")}`);
      }
    }
  } else {
    const f = pageOf(opts.page);
    const now = new Date(opts.now);
    const calls = Number(opts.calls);
    for (let i = 0; i < Number(opts.warmups); i++) await f(handle.db, school, now);
    const ms: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await f(handle.db, school, now);
      ms.push(performance.now() - t);
    }
    const cpu = process.cpuUsage(cpu0);
    ms.sort((a, b) => a - b);
    const median = ms.length % 2 === 1 ? ms[(ms.length - 1) / 2]! : (ms[ms.length / 2 - 1]! + ms[ms.length / 2]!) / 2;
    console.log(`${opts.page}: median ${median.toFixed(1)} ms of ${calls} calls (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)}); Node CPU ${((cpu.user + cpu.system) / 1000 / calls).toFixed(1)} ms a call`);
  }
} finally {
  await handle.close();
}
