import type { Command } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { listSchools } from "../../db/queries/schools";
import { seedDemo } from "../../db/seed/demo";
import { seedStream } from "../../db/seed/stream";
import { describeDb, withDb } from "./context";
import { parseAnchor } from "./anchor";
import { runSeedOulad } from "./seed-oulad";

export function registerDbCommands(program: Command): void {
  program
    .command("migrate")
    .description("Apply the committed migrations to the configured database (also done at every start).")
    .action(async () => {
      await withDb(async () => undefined);
      console.log(`Migrations applied to ${describeDb()}.`);
    });

  program
    .command("seed")
    .description("Load the deterministic demo holding (two schools) through the ingestion path, or (--oulad) the OULAD dataset into its own school.")
    .option("--demo", "the demo holding")
    .option("--oulad", "the OULAD dataset (CC BY 4.0) into its own school `ou`, as `seed-oulad`")
    .option("--dir <path>", "with --oulad: the OULAD folder", "")
    .option("--scale <scale>", "small (~30k messages, for tests), large (~300k messages), or one big school streamed slice by slice: xl (~1M messages) or full (~10M messages, a year)", "large")
    .option("--seed <n>", "random seed: the same seed and anchor give the same data", "42")
    .option("--anchor <date>", "last simulated day, YYYY-MM-DD or 'today'", "today")
    .action(async (opts: { demo?: boolean; oulad?: boolean; dir: string; scale: string; seed: string; anchor: string }) => {
      if (!opts.demo && !opts.oulad) throw new Error("seed needs --demo or --oulad");
      if (opts.oulad && !opts.demo) return runSeedOulad(opts.dir);
      const scale = opts.scale;
      if (scale !== "small" && scale !== "large" && scale !== "xl" && scale !== "full") throw new Error(`--scale must be small, large, xl or full, not ${scale}`);
      const anchor = parseAnchor(opts.anchor);
      await withDb(async ({ db }) => {
        const bar = new SingleBar({ format: "seeding [{bar}] {percentage}% | {value}/{total} events | {duration}s", hideCursor: true, noTTYOutput: true, notTTYSchedule: 5000 }, Presets.shades_classic);
        let started = false;
        const t0 = performance.now();
        const onProgress = (done: number, total: number) => {
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          // The streamed scales' total is an estimate: let the bar grow rather than overflow.
          if (done > total) bar.setTotal(done);
          bar.update(done);
        };
        const summary =
          scale === "xl" || scale === "full"
            ? await seedStream(db, {
                scale, seed: Number(opts.seed), anchor, onProgress,
                // Episodes derived as the slices go in (the other core), so the school opens with its SLAs.
                deriveBehind: { now: new Date(), onDerived: (r) => console.log(`\nEpisodes for ${r.slug}: ${r.episodesWritten} in ${r.runs} runs behind the slices.`) },
              })
            : await seedDemo(db, { scale, seed: Number(opts.seed), anchor, onProgress });
        if (started) bar.stop();
        console.log(`Seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s into ${describeDb()}:`);
        console.log(JSON.stringify(summary, null, 2));
      });
      if (opts.oulad) await runSeedOulad(opts.dir);
    });

  program
    .command("schools")
    .description("List the schools in the database.")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }) => {
      await withDb(async ({ db }) => {
        const list = await listSchools(db);
        if (opts.json) console.log(JSON.stringify(list, null, 2));
        else for (const s of list) console.log(`${s.slug}\t${s.name}\t${s.timezone}`);
      });
    });
}
