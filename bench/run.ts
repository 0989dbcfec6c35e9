/**
 * `npm run bench -- --scale small|large [--runs N] [--skip-webhooks] [--skip-duckdb]`
 *
 * Generates a school with the deterministic demo generator, imports it into a real PostgreSQL through the
 * product's own store path (storeEvents), derives episodes, times every page's data function, computes
 * the same aggregates in DuckDB from the same raw rows, optionally load-tests the webhooks, and prints one
 * table. `npm run bench` starts a throw-away PostgreSQL (scripts/with-postgres.sh); BENCH_DATABASE_URL or
 * TEST_DATABASE_URL points it at another local server (the bench drops and recreates database sqd_bench).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import pg from "pg";
import { openDb, rows, sql } from "../db/client";
import { listSchools } from "../db/queries/schools";
import { recomputeEpisodes } from "../db/queries/episodes";
import type { BehindSummary } from "../db/queries/episodes/behind";
import { seedDemo } from "../db/seed/demo";
import { seedStream, storeInBatches } from "../db/seed/stream";
import { bulkSliceStore, bulkStore, bulkStoreTimings, resetBulkStoreTimings } from "../db/queries/bulk-import";
import { timePages, type PageTiming } from "./pages";
import { duckdbReference, type DuckResult } from "./duckdb";
import { cpuSeconds, hugePages, peakRssMiB, round, table, timed } from "./stats";
import { webhookBench, type WebhookResult } from "./webhooks";
import { verifyDerive, type DeriveCheck } from "./verify-derive";

const program = new Command()
  .option("--scale <scale>", "small | large | xl (≈1 M messages) | full (≈10 M messages, 100 k students)", "small")
  .option("--import <path>", "store (storeEvents in 5,000-event transactions) | bulk (bulkImport per slice); default: store for small/large, bulk for xl/full")
  .option("--runs <n>", "timed runs per page", "10")
  .option("--anchor <date>", "end of the simulated period (fixed so runs are comparable)", "2026-06-01")
  .option("--skip-webhooks", "skip the webhook load and freshness test")
  .option("--skip-duckdb", "skip the DuckDB reference")
  .option("--pages <list>", "comma-separated subset of pages (bench/pages.ts PAGES; the CLI's year-long \"sla (365 d)\" and \"heatmap (365 d)\" only when named here)")
  .option("--db <name>", "database created for the run on the server", "sqd_bench")
  .option("--reuse", "keep an already imported sqd_bench database (time pages only)")
  .option("--derive <when>", "after: every scope once the import is done | behind: each slice's scopes while the next slice is imported (DeriveBehind); default behind for xl/full, after otherwise")
  .option("--parallel-import", "store the schools at the same time (seedDemo parallelSchools)")
  .option("--no-overlap", "bulk import of slices: prepare each slice after the one before it is written, not while (for before → after)")
  .option("--verify-derive", "after the import, compare what was derived with one whole recompute (≈ 5 min more at full); pages are then timed on the recompute's rows")
  .option("--build", "rebuild the app (next build, under the e2e lock) before the webhook test, so it runs the tree's current code")
  .parse();
const opts = program.opts<{ scale: string; runs: string; anchor: string; skipWebhooks?: boolean; skipDuckdb?: boolean; pages?: string; reuse?: boolean; build?: boolean; parallelImport?: boolean; overlap: boolean; db: string; import?: string; derive?: string; verifyDerive?: boolean }>();

async function freshDatabase(baseUrl: string, name: string, reuse: boolean): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--db must be a plain identifier, not ${name}`);
  const url = new URL(baseUrl);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    const exists = (await admin.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
    if (!reuse || !exists) {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.query(`create database ${name}`);
    }
  } finally {
    await admin.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<void> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("bench: set BENCH_DATABASE_URL or run through `npm run bench` (scripts/with-postgres.sh)");
  const scale = opts.scale;
  if (scale !== "small" && scale !== "large" && scale !== "xl" && scale !== "full") throw new Error(`--scale must be small, large, xl or full, not ${scale}`);
  const streamed = scale === "xl" || scale === "full";
  const importPath = opts.import ?? (streamed ? "bulk" : "store");
  if (importPath !== "store" && importPath !== "bulk") throw new Error(`--import must be store or bulk, not ${importPath}`);
  if (!streamed && importPath === "bulk") throw new Error("--import bulk needs --scale xl or full (small and large are seeded by seedDemo through storeEvents)");
  const deriveWhen = opts.derive ?? (streamed ? "behind" : "after");
  if (deriveWhen !== "after" && deriveWhen !== "behind") throw new Error(`--derive must be after or behind, not ${deriveWhen}`);
  if (!streamed && deriveWhen === "behind") throw new Error("--derive behind needs --scale xl or full (slices)");
  const runs = Number(opts.runs);
  const anchor = new Date(`${opts.anchor}T00:00:00Z`);
  const now = anchor;
  const dbUrl = await freshDatabase(base, opts.db, opts.reuse === true);
  const handle = await openDb({ databaseUrl: dbUrl });
  const { db } = handle;
  const log = (m: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}`);

  let importMs = 0;
  // With --derive behind: the wait for derivation after the last slice (the rest ran inside importMs).
  let deriveMs = 0;
  let behindRuns = 0;
  let contextReloads = 0;
  let events = 0;
  let importCpu: { node: number; postgres: number } | null = null;
  if (!(opts.reuse && (await listSchools(db)).length > 0)) {
    log(`importing scale ${scale} through ${importPath === "bulk" ? "bulkImport" : "storeEvents"}, deriving ${deriveWhen === "behind" ? "behind the slices" : "after the import"}…`);
    let last = 0;
    const cpu0 = cpuSeconds(opts.db);
    const onProgress = (done: number, total: number) => {
      events = total;
      if (done - last >= total / 10) {
        last = done;
        log(`  ${done}/${total} events`);
      }
    };
    resetBulkStoreTimings();
    const imp = await timed(async () => {
      if (!streamed) await seedDemo(db, { scale, anchor, parallelSchools: opts.parallelImport === true, onProgress });
      else {
        const deriveBehind = {
          now,
          onDerived: (r: { slug: string } & BehindSummary) => {
            deriveMs += r.tailMs;
            behindRuns += r.runs;
            contextReloads += r.contextReloads;
            log(`derived ${r.episodesWritten} episodes for ${r.slug} in ${r.runs} runs behind the slices (${r.contextReloads} batches reloaded the context); ${round(r.tailMs / 1000)} s after the last`);
          },
        };
        await seedStream(db, {
          scale, anchor, onProgress, store: importPath === "bulk" ? (opts.overlap ? bulkSliceStore : bulkStore) : (d, id, evs) => storeInBatches(d, id, evs, 5000),
          ...(deriveWhen === "behind" ? { deriveBehind } : {}),
        });
      }
    });
    // Behind: the import's wall time includes the derivation but its wait at the end, counted as derive time.
    importMs = imp.ms - deriveMs;
    const cpu1 = cpuSeconds(opts.db);
    importCpu = { node: round(cpu1.node - cpu0.node), postgres: round(cpu1.postgres - cpu0.postgres) };
    log(`imported ${events} events in ${round(importMs / 1000)} s (CPU: node ${importCpu.node} s, postgres ${importCpu.postgres} s)`);
    if (importPath === "bulk") log(`  bulk phases (ms, summed over slices): ${JSON.stringify(bulkStoreTimings())}`);
    await db.execute(sql`analyze`);
    if (deriveWhen === "after") for (const s of await listSchools(db)) {
      const r = await recomputeEpisodes(db, s.id, { scopes: "all", now });
      deriveMs += r.ms;
      log(`derived ${r.episodes} episodes for ${s.slug} in ${round(r.ms / 1000)} s (read ${r.phaseMs.read} ms, derive ${r.phaseMs.derive} ms, write ${r.phaseMs.write} ms)`);
    }
    // What autovacuum does soon after a bulk load on a real server: statistics and the visibility map
    // (index-only scans need it), so pages are timed as a server that has been up would run them.
    await db.execute(sql`vacuum (analyze)`);
  }
  const [counts] = await rows<{ messages: number; episodes: number; people: number; lms: number }>(
    db,
    sql`select (select count(*)::int from messages) as messages, (select count(*)::int from episodes) as episodes,
               (select count(*)::int from people) as people, (select count(*)::int from lms_events) as lms`,
  );
  if (!counts) throw new Error("no counts");
  log(`database holds ${counts.messages} messages, ${counts.episodes} episodes, ${counts.people} people, ${counts.lms} LMS events`);
  let verified: DeriveCheck | null = null;
  if (opts.verifyDerive) {
    verified = await verifyDerive(db, now, log);
    await db.execute(sql`vacuum (analyze) episodes, staff_contacts`);
  }

  // The largest school is the one a page would be slowest for.
  const schools = await listSchools(db);
  const sizes = await rows<{ school_id: number; n: number }>(db, sql`select school_id, count(*)::int as n from messages group by 1 order by 2 desc`);
  // node-postgres returns bigint as a string.
  const school = schools.find((s) => s.id === Number(sizes[0]?.school_id)) ?? schools[0];
  if (!school) throw new Error("no school");
  log(`timing pages for ${school.slug} (${sizes.find((x) => Number(x.school_id) === school.id)?.n ?? 0} messages), ${runs} runs each…`);
  const pages: PageTiming[] = await timePages(db, school, now, runs, opts.pages?.split(","), log);

  let duck: DuckResult | null = null;
  if (!opts.skipDuckdb) {
    log("DuckDB reference…");
    duck = await duckdbReference(db, school, now, runs);
  }
  const benchRss = peakRssMiB();
  await handle.close();

  let hooks: WebhookResult | null = null;
  if (!opts.skipWebhooks) {
    log("webhook load and freshness…");
    hooks = await webhookBench(dbUrl, log, { build: opts.build === true });
  }

  const result = {
    at: new Date().toISOString(),
    scale,
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "?", memGiB: round(os.totalmem() / 2 ** 30), node: process.version, loadavg: os.loadavg().map((x) => round(x, 2)), hugePages: hugePages() },
    counts,
    import: { events, ms: Math.round(importMs), messagesPerSec: importMs > 0 ? Math.round(counts.messages / (importMs / 1000)) : null, eventsPerSec: importMs > 0 ? Math.round(events / (importMs / 1000)) : null, cpuSeconds: importCpu,
      ...(streamed && importPath === "bulk" ? { overlap: opts.overlap } : {}) },
    derive: { when: deriveWhen, ms: Math.round(deriveMs), messagesPerSecWithImport: importMs > 0 ? Math.round(counts.messages / ((importMs + deriveMs) / 1000)) : null,
      ...(deriveWhen === "behind" && streamed ? { behindRuns, contextReloads } : {}),
      ...(verified ? { verified } : {}) },
    pages,
    duckdb: duck,
    webhooks: hooks,
    benchPeakRssMiB: benchRss,
  };
  printSummary(result.import, result.derive, pages, duck, hooks, benchRss);
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${scale}-${result.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2));
  log(`wrote ${path.relative(process.cwd(), file)}`);
  // The figures are written either way; a derivation that differs from a whole recompute fails the run.
  if (verified && !verified.equal) process.exitCode = 1;
}

function printSummary(
  imp: { events: number; ms: number; messagesPerSec: number | null },
  derive: { when: string; ms: number; messagesPerSecWithImport: number | null },
  pages: PageTiming[],
  duck: DuckResult | null,
  hooks: WebhookResult | null,
  rss: number,
): void {
  console.log("");
  const deriving = derive.when === "behind" ? `derivation behind the slices, ${round(derive.ms / 1000)} s after the last` : `derive ${round(derive.ms / 1000)} s`;
  console.log(`import: ${imp.events} events in ${round(imp.ms / 1000)} s = ${imp.messagesPerSec ?? "-"} messages/s; ${deriving}; with derivation ${derive.messagesPerSecWithImport ?? "-"} messages/s`);
  console.log(
    table(
      ["page", "p50 ms", "p95 ms", "first call ms", "DuckDB p50 ms", "ours/DuckDB (p50)"],
      pages.map((p) => {
        const d = duck?.queries.find((q) => q.page === p.page);
        return [p.page, p.p50, p.p95, p.first, d ? d.p50 : "-", d && d.p50 > 0 ? round(p.p50 / d.p50, 2) : "-"];
      }),
    ),
  );
  if (hooks) {
    console.log(`webhooks: ${hooks.requestsPerSec} req/s, p50 ${hooks.p50Ms} ms, p99 ${hooks.p99Ms} ms, sent ${hooks.sent}, 2xx ${hooks.ok}, status ${JSON.stringify(hooks.statusCodes)}, errors ${hooks.errors}, timeouts ${hooks.timeouts}, stored ${hooks.stored} (exactly once: ${hooks.exactlyOnce}); freshness p50 ${hooks.freshnessP50Ms} ms, max ${hooks.freshnessMaxMs} ms; server peak RSS ${hooks.serverPeakRssMiB} MiB, server CPU ${hooks.serverCpuMsPerRequest} ms per request`);
  }
  console.log(`bench process peak RSS ${rss} MiB`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
