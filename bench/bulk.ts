/**
 * Bench of the bulk import (db/queries/bulk-import.ts) against the store path, on a private database:
 *
 *   bash scripts/with-postgres.sh npx tsx bench/bulk.ts --scale large --db sqd_bulk [--mode bulk|store] [--slice 300000] [--no-copy] [--pgss]
 *
 * Generates the demo at `--scale`, imports it (bulk: bulkImport in slices of `--slice` events per school,
 * as the streaming generator calls it; store: seedDemo through storeEvents), derives every scope, and
 * prints messages/s for the import and for import + derivation with the CPU seconds of Node and of the
 * PostgreSQL backends. `--pgss` (server started with PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements")
 * prints the statements that took the most server time during the import.
 */
import { Command } from "commander";
import pg from "pg";
import { sql } from "drizzle-orm";
import { openDb, rows, type Db } from "../db/client";
import { bulkImport } from "../db/queries/bulk-import";
import { recomputeEpisodes } from "../db/queries/episodes";
import { ensureSchool, listSchools } from "../db/queries/schools";
import { configureChannels, configureLmsItems, configureSchool, configureShifts } from "../db/seed/config";
import { generateSchoolEvents, planDemo, seedDemo } from "../db/seed/demo";
import type { IngestEvent } from "../lib/ingest/types";
import { cpuSeconds, peakRssMiB, round } from "./stats";

const program = new Command()
  .option("--scale <scale>", "small | large", "large")
  .option("--db <name>", "database created for the run", "sqd_bulk")
  .option("--mode <mode>", "bulk | store", "bulk")
  .option("--slice <n>", "events per bulkImport call", "300000")
  .option("--anchor <date>", "end of the simulated period", "2026-03-01")
  .option("--no-copy", "stage with unnest instead of COPY")
  .option("--pgss", "print the top statements from pg_stat_statements")
  .option("--derive-only", "keep the imported database, drop its episodes and time the derivation alone")
  .parse();
const opts = program.opts<{ scale: string; db: string; mode: string; slice: string; anchor: string; copy: boolean; pgss?: boolean; deriveOnly?: boolean }>();

async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`--db must be a plain identifier, not ${name}`);
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function* slices(events: Iterable<IngestEvent>, n: number): Generator<IngestEvent[]> {
  let cur: IngestEvent[] = [];
  for (const e of events) {
    cur.push(e);
    if (cur.length >= n) {
      yield cur;
      cur = [];
    }
  }
  if (cur.length > 0) yield cur;
}

async function topStatements(db: Db, log: (m: string) => void): Promise<void> {
  const top = await rows<{ calls: number; total_ms: number; rows: number; query: string }>(
    db,
    sql`select calls::int as calls, round(total_exec_time)::int as total_ms, rows::int as rows, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 140) as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc limit 15`,
  );
  for (const r of top) log(`  pgss ${String(r.total_ms).padStart(7)} ms ${String(r.calls).padStart(7)} calls ${String(r.rows).padStart(8)} rows | ${r.query}`);
}

async function deriveOnly(base: string, name: string, anchor: Date, pgss: boolean, log: (m: string) => void): Promise<void> {
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = await openDb({ databaseUrl: url.toString() });
  const { db } = handle;
  await db.execute(sql`update ratings set episode_id = null, responder_person_id = null, cohort_id = null`);
  await db.execute(sql`delete from episodes`);
  await db.execute(sql`vacuum analyze episodes`);
  if (pgss) await db.execute(sql`select pg_stat_statements_reset()`);
  const messages = Number((await rows<{ n: string }>(db, sql`select count(*)::text as n from messages`))[0]?.n ?? 0);
  const c0 = cpuSeconds(name);
  const d0 = performance.now();
  for (const s of await listSchools(db)) {
    const r = await recomputeEpisodes(db, s.id, { scopes: "all", now: anchor });
    log(`derive ${s.slug}: ${r.episodes} episodes in ${round(r.ms / 1000, 2)} s (read ${r.phaseMs.read}, derive ${r.phaseMs.derive}, write ${r.phaseMs.write} ms)`);
  }
  const ms = performance.now() - d0;
  const c1 = cpuSeconds(name);
  log(`derive: ${round(ms / 1000, 2)} s = ${Math.round(messages / (ms / 1000))} messages/s (CPU node ${round(c1.node - c0.node)} s, postgres ${round(c1.postgres - c0.postgres)} s)`);
  if (pgss) await topStatements(db, log);
  await handle.close();
}

async function main(): Promise<void> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) throw new Error("bench/bulk: run through scripts/with-postgres.sh or set BENCH_DATABASE_URL");
  const scale = opts.scale;
  if (scale !== "small" && scale !== "large") throw new Error(`--scale must be small or large, not ${scale}`);
  const anchor = new Date(`${opts.anchor}T00:00:00Z`);
  const log = (m: string) => console.log(`[bulk ${new Date().toISOString().slice(11, 19)}] ${m}`);
  if (opts.deriveOnly) return deriveOnly(base, opts.db, anchor, opts.pgss === true, log);
  const url = await freshDatabase(base, opts.db);
  const handle = await openDb({ databaseUrl: url });
  const { db } = handle;
  if (opts.pgss) {
    await db.execute(sql`create extension if not exists pg_stat_statements`);
    await db.execute(sql`select pg_stat_statements_reset()`);
  }

  const plan = planDemo({ scale, seed: 42, anchor });
  const messages = plan.schools.reduce((n, s) => n + s.messages.length, 0);
  log(`scale ${scale}: ${messages} messages, mode ${opts.mode}${opts.mode === "bulk" ? `, slices of ${opts.slice}, ${opts.copy ? "COPY" : "unnest"}` : ""}`);
  const cpu0 = cpuSeconds(opts.db);
  const t0 = performance.now();
  let events = 0;
  const phases: Record<string, number> = {};
  if (opts.mode === "store") {
    await seedDemo(db, { scale, anchor, onProgress: (_d, total) => void (events = total) });
  } else {
    const ids: number[] = [];
    for (const s of plan.schools) ids.push((await ensureSchool(db, { organisation: plan.organisation, slug: s.slug, name: s.name, timezone: s.timezone })).id);
    for (const [i, school] of plan.schools.entries()) {
      const id = ids[i] ?? -1;
      await configureSchool(db, id, school);
      for (const slice of slices(generateSchoolEvents(school), Number(opts.slice))) {
        const r = await bulkImport(db, id, slice, { copy: opts.copy });
        if (r.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
        events += r.read;
        for (const [k, v] of Object.entries(r.phaseMs)) phases[k] = (phases[k] ?? 0) + v;
      }
      await configureChannels(db, id, school);
      await configureLmsItems(db, id, school);
      await configureShifts(db, id, school);
    }
  }
  const importMs = performance.now() - t0;
  const cpu1 = cpuSeconds(opts.db);
  log(`import: ${events} events in ${round(importMs / 1000, 2)} s = ${Math.round(messages / (importMs / 1000))} messages/s (CPU node ${round(cpu1.node - cpu0.node)} s, postgres ${round(cpu1.postgres - cpu0.postgres)} s)`);
  if (Object.keys(phases).length > 0) log(`  phases (ms): ${JSON.stringify(phases)}`);
  if (opts.pgss) {
    await topStatements(db, log);
    await db.execute(sql`select pg_stat_statements_reset()`);
  }
  if (opts.mode === "store") await db.execute(sql`analyze`);

  const d0 = performance.now();
  for (const s of await listSchools(db)) {
    const r = await recomputeEpisodes(db, s.id, { scopes: "all", now: anchor });
    log(`derive ${s.slug}: ${r.episodes} episodes in ${round(r.ms / 1000, 2)} s (read ${r.phaseMs.read}, derive ${r.phaseMs.derive}, write ${r.phaseMs.write} ms)`);
  }
  const deriveMs = performance.now() - d0;
  const cpu2 = cpuSeconds(opts.db);
  log(`derive: ${round(deriveMs / 1000, 2)} s = ${Math.round(messages / (deriveMs / 1000))} messages/s (CPU node ${round(cpu2.node - cpu1.node)} s, postgres ${round(cpu2.postgres - cpu1.postgres)} s)`);
  if (opts.pgss) await topStatements(db, log);
  const counts: Record<string, number> = {};
  for (const t of ["source_identities", "people", "person_roles", "team_members", "assignments", "enrollments", "enrollment_events", "channels", "threads", "messages", "lms_events", "survey_requests", "ratings", "episodes", "staff_contacts"]) {
    counts[t] = Number((await rows<{ n: string }>(db, sql`select count(*)::text as n from ${sql.identifier(t)}`))[0]?.n ?? 0);
  }
  const [linked] = await rows<{ lms: string; ratings: string; mapped: string }>(
    db,
    sql`select (select count(*) from lms_events where enrollment_id is not null)::text as lms, (select count(*) from ratings where about_message_id is not null)::text as ratings,
          (select count(*) from source_identities where mapped)::text as mapped`,
  );
  log(`counts: ${JSON.stringify(counts)} linked: ${JSON.stringify(linked)}`);
  log(`import + derive: ${round((importMs + deriveMs) / 1000, 2)} s = ${Math.round(messages / ((importMs + deriveMs) / 1000))} messages/s; peak RSS ${peakRssMiB()} MiB; load ${(await import("node:os")).loadavg().map((x) => round(x, 2)).join(" ")}`);
  await handle.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
