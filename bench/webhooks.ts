import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { openDb, rows, sql, type Db } from "../db/client";
import { listSchools } from "../db/queries/schools";
import { upsertSource } from "../db/queries/sources";
import { liveQueue, nameQueueEntries } from "../db/queries/reports/queue";
import { median, round } from "./stats";
import { serverArgs } from "../lib/server/launch";

/**
 * Webhook load and freshness against the real production server (`npm start`: server/main.ts, webhooks on
 * plain node:http and the rest on Next, docs/adr/0004-ingest-server.md) on loopback over the bench
 * database, autocannon posting signed Telegram (secret-token header) and Slack (v0 HMAC) message events,
 * each with its own update / event id, at several connection counts in turn (BENCH_WEBHOOK_CONNECTIONS,
 * default 16,32,64), as fast as the server answers, then at a fixed offered rate (BENCH_WEBHOOK_RATE, default
 * 2000 req/s: the target's latency is a latency at that load); then a count of what was stored (exactly once: one message per accepted delivery,
 * none for a re-delivery), and the time from a webhook to its episode in the live-queue query. CPU is
 * counted per accepted request for the server, for PostgreSQL (when it runs on this machine) and for this
 * process (autocannon): all three share the machine's cores.
 */

/** Seconds of load before the measured phases (not counted). */
const WARMUP_LOAD_S = 5;

/** One load phase: autocannon at one connection count, as fast as the server answers or at a set rate. */
export interface WebhookPhase {
  connections: number;
  /**
   * Requests per second offered (autocannon overallRate), null = as fast as the server answers. The
   * target's latency ("p99 ≤ 50 ms at 2 k req/s") is a latency at that load: the closed-loop phases
   * measure the most the server takes, where every connection waits behind the others by design.
   */
  offeredRate: number | null;
  durationS: number;
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Messages stored by this phase (counted once the server is quiet), the probes' not included. */
  stored: number;
  /** The extra phase with freshness probes (freshnessUnderLoadMs). */
  withProbes: boolean;
  serverCpuMsPerRequest: number;
  /** PostgreSQL's CPU (postmaster and its backends) per accepted request; null when it is not local. */
  postgresCpuMsPerRequest: number | null;
  /** The load generator's CPU (this process) per accepted request. */
  loadGenCpuMsPerRequest: number;
  /** How long after the load stopped (and the server was quiet) no scope was left to derive; null = not within 60 s. */
  derivedAfterMs: number | null;
}

export interface WebhookResult {
  /** The figures of the first phase (16 connections by default, as in rounds 1 and 2); every phase in `phases`. */
  connections: number;
  durationS: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  stored: number;
  receipts: number;
  replayed: number;
  storedAfterReplay: number;
  exactlyOnce: boolean;
  freshnessMs: number[];
  freshnessP50Ms: number;
  freshnessMaxMs: number;
  /** Probes posted during the extra probe phase (the first connection count again), each timed until its episode is in the live queue. */
  freshnessUnderLoadMs: number[];
  serverPeakRssMiB: number;
  /** CPU the app server used during the load, per accepted request (ms): where the time goes. */
  serverCpuMsPerRequest: number;
  server: string;
  phases: WebhookPhase[];
}

const root = path.resolve(import.meta.dirname, "..");
const TG_SECRET = `bench-${randomBytes(12).toString("hex")}`;
const SLACK_SECRET = randomBytes(16).toString("hex");
const BOT = "bench-bot";
const TEAM = "TBENCH";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A private copy of the production build, so other people's `next build` in the same tree cannot change
 * the server under the load test. Built (and copied) under the lock scripts/e2e.sh users share.
 */
function prepareApp(build: boolean, log: (m: string) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sqd-bench-app-"));
  const script = [
    `cd ${JSON.stringify(root)}`,
    build ? "NEXT_TELEMETRY_DISABLED=1 npx next build >/dev/null" : `test -f .next/BUILD_ID || NEXT_TELEMETRY_DISABLED=1 npx next build >/dev/null`,
    `cp -r .next ${JSON.stringify(path.join(dir, ".next"))}`,
    `rm -rf ${JSON.stringify(path.join(dir, ".next", "cache"))}`,
  ].join(" && ");
  log(build ? "building the app (under /tmp/sqd-e2e.lock)…" : "copying the app build (under /tmp/sqd-e2e.lock)…");
  const r = spawnSync("flock", ["/tmp/sqd-e2e.lock", "bash", "-c", script], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("preparing the app build failed");
  // db/migrations is read at run time (db/client.ts migrates on open), relative to the app folder.
  for (const f of ["node_modules", "package.json", "next.config.ts", "public", "db"]) {
    if (existsSync(path.join(root, f))) symlinkSync(path.join(root, f), path.join(dir, f));
  }
  return dir;
}

/**
 * Deletes what earlier webhook runs (--reuse) wrote into the bench's own sources, so that each run starts as
 * the first one did: left behind, their chats' open episodes were re-derived by every later run, and the
 * figures fell run after run (round 6). Nothing of the imported school is touched.
 */
async function clearEarlierRuns(db: Db, sourceIds: readonly number[], log: (m: string) => void): Promise<void> {
  const ids = sql.raw(sourceIds.map((x) => Math.trunc(x)).join(", "));
  const channels = sql`(select id from channels where source_id in (${ids}))`;
  const [left] = await rows<{ n: number }>(db, sql`select count(*)::int as n from channels where source_id in (${ids})`);
  if (!left || left.n === 0) return;
  log(`deleting what earlier webhook runs left in the bench's sources (${left.n} chats)…`);
  await db.transaction(async (tx) => {
    for (const table of ["staff_contacts", "episodes", "scope_checkpoints", "dirty_scopes", "messages", "threads"]) {
      await tx.execute(sql`delete from ${sql.identifier(table)} where channel_id in ${channels}`);
    }
    await tx.execute(sql`delete from channels where source_id in (${ids})`);
    await tx.execute(sql`delete from ingest_receipts where source_id in (${ids})`);
  });
  // As autovacuum would soon after: the next run's reads should not wade through the dead rows.
  await db.execute(sql`vacuum (analyze) episodes, messages, threads, channels, scope_checkpoints, dirty_scopes, staff_contacts, ingest_receipts`);
}

/** Peak resident set (VmHWM) of a process and its descendants, in MiB. */
function peakRssTree(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      kb = Math.max(kb, Number(m?.[1] ?? 0));
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").split(" ").filter(Boolean)) visit(Number(c));
      }
    } catch {
      // the process ended meanwhile
    }
  };
  visit(pid);
  return Math.round(kb / 1024);
}

/**
 * CPU seconds (user + system) a process and its descendants have used so far (clock ticks of 1/100 s);
 * with `reaped`, also what its ended children used (PostgreSQL's backends come and go).
 */
function cpuTree(pid: number, reaped = false): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
      if (reaped && p === pid) ticks += Number(fields[13] ?? 0) + Number(fields[14] ?? 0);
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").split(" ").filter(Boolean)) visit(Number(c));
      }
    } catch {
      // the process ended meanwhile
    }
  };
  visit(pid);
  return ticks / 100;
}

function telegramBody(n: number, opts: { chat: { id: number; type: string; title?: string }; from: { id: number; name: string }; text: string }): string {
  return JSON.stringify({
    update_id: n,
    message: {
      message_id: n,
      date: Math.floor(Date.now() / 1000),
      chat: opts.chat,
      from: { id: opts.from.id, is_bot: false, first_name: opts.from.name, username: `u${opts.from.id}` },
      text: opts.text,
    },
  });
}

function slackBody(n: number): string {
  const sec = Math.floor(Date.now() / 1000);
  return JSON.stringify({
    token: "bench", team_id: TEAM, api_app_id: "ABENCH", type: "event_callback", event_id: `EvBENCH${n}`, event_time: sec,
    event: { type: "message", channel: `CBENCH${n % 40}`, channel_type: "channel", user: `UBENCH${n % 1000}`, text: `Вопрос по заданию ${n}: как сдать?`, ts: `${sec}.${String(n % 1_000_000).padStart(6, "0")}`, event_ts: `${sec}.${String(n % 1_000_000).padStart(6, "0")}` },
  });
}

function slackHeaders(body: string): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = `v0=${createHmac("sha256", SLACK_SECRET).update(`v0:${ts}:${body}`, "utf8").digest("hex")}`;
  return { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": sig };
}

const tgHeaders = { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET };

async function waitUp(url: string, server: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error("the server did not start in 60 s");
}

/** The PostgreSQL postmaster's pid when the server runs on this machine (its backends are its children), else null. */
async function postmasterPid(db: Parameters<typeof rows>[0]): Promise<number | null> {
  try {
    const [r] = await rows<{ pid: number }>(db, sql`select pg_backend_pid() as pid`);
    const stat = readFileSync(`/proc/${r?.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const ppid = Number(stat[1]);
    return Number.isInteger(ppid) && ppid > 1 && readFileSync(`/proc/${ppid}/cmdline`, "utf8").includes("postgres") ? ppid : null;
  } catch {
    return null;
  }
}

/** The offered rate of the fixed-rate phase (BENCH_WEBHOOK_RATE, 0 = none), at the largest connection count. */
function offeredRate(): number | null {
  const raw = process.env.BENCH_WEBHOOK_RATE ?? "2000";
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`BENCH_WEBHOOK_RATE must be requests per second, not ${raw}`);
  return n === 0 ? null : n;
}

function connectionCounts(o: { connections?: number }): number[] {
  if (o.connections) return [o.connections];
  const raw = process.env.BENCH_WEBHOOK_CONNECTIONS ?? "16,32,64";
  const list = raw.split(",").map((x) => Number(x.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1 || n > 1024)) throw new Error(`BENCH_WEBHOOK_CONNECTIONS must list connection counts, not ${raw}`);
  return list;
}

export async function webhookBench(dbUrl: string, log: (m: string) => void, o: { durationS?: number; connections?: number; build?: boolean } = {}): Promise<WebhookResult> {
  const durationS = o.durationS ?? Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
  const counts = connectionCounts(o);
  const { db, close } = await openDb({ databaseUrl: dbUrl });
  const [school] = await listSchools(db);
  if (!school) throw new Error("no school");
  const tgSource = await upsertSource(db, { schoolId: school.id, kind: "telegram", externalId: BOT, name: "bench bot", secret: TG_SECRET });
  const slackSource = await upsertSource(db, { schoolId: school.id, kind: "slack", externalId: TEAM, name: "bench slack", secret: SLACK_SECRET });
  await clearEarlierRuns(db, [tgSource, slackSource], log);
  const appDir = prepareApp(o.build === true, log);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // What `npm start` runs (package.json): the tree's server/main.ts over the private copy of the build.
  // BENCH_SERVER_NODE_ARGS adds node flags to the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = spawn(process.execPath, serverArgs([appDir, "-p", String(port), "-H", "127.0.0.1"], nodeArgs), {
    cwd: root,
    env: { ...process.env, DATABASE_URL: dbUrl, AUTH_SECRET: randomBytes(32).toString("base64url"), AUTH_URL: base, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group, so that it goes with anything it starts.
    detached: true,
  });
  const stop = async () => {
    if (server.pid === undefined) return;
    try {
      const exited = new Promise((r) => server.once("exit", r));
      process.kill(-server.pid, "SIGTERM");
      // It finishes what is in flight and exits (server/main.ts); a profile (BENCH_SERVER_NODE_ARGS) is written then.
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // the group is gone
    }
  };
  try {
    const started = performance.now();
    await waitUp(base, server);
    log(`  the server answered after ${round((performance.now() - started) / 1000)} s`);
    const pgPid = await postmasterPid(db);
    const tgUrl = `/api/ingest/telegram?school=${encodeURIComponent(school.slug)}&source=${BOT}`;
    const slackUrl = `/api/ingest/slack?school=${encodeURIComponent(school.slug)}&source=${TEAM}`;
    // By the sources' chats (a message's source is its chat's), so that the count reads the unique key
    // of those chats' messages: by source_id it scanned all of `messages` (~1 s at `full`, on both cores),
    // two or more times at the end of every phase.
    const count = async () => {
      const [c] = await rows<{ n: number; distinct: number; receipts: number }>(
        db,
        sql`select count(*)::int as n, count(distinct (channel_id, external_id))::int as distinct,
                   (select count(*)::int from ingest_receipts where school_id = ${school.id} and source_id in (${tgSource}, ${slackSource})) as receipts
            from messages
            where school_id = ${school.id}
              and channel_id in (select id from channels where school_id = ${school.id} and source_id in (${tgSource}, ${slackSource}))`,
      );
      return c ?? { n: 0, distinct: 0, receipts: 0 };
    };
    // Requests still in flight when autocannon stops are finished by the server: count once it is quiet.
    const quiet = async () => {
      let before = await count();
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const again = await count();
        if (again.n === before.n) return again;
        before = again;
      }
    };
    // Derivation runs behind the store (docs/adr/0004-ingest-server.md): how long after a phase's load the
    // school has no scope left to derive. The next phase starts after it, so that its figures (the probe
    // phase's freshness above all) are not those of the phase before.
    const caughtUp = async (limitMs = 60_000): Promise<number | null> => {
      const t0 = performance.now();
      while (performance.now() - t0 < limitMs) {
        const [d] = await rows<{ n: number }>(db, sql`select count(*)::int as n from dirty_scopes where school_id = ${school.id}`);
        if ((d?.n ?? 0) === 0) return Math.round(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    };
    // What earlier runs left in these sources (--reuse); ids below start past anything they used.
    const c0 = await count();
    let n = Date.now();
    // Warm-up: module loading, the pool's connections, the source cache.
    for (let i = 0; i < 50; i++) {
      const b = telegramBody(++n, { chat: { id: -100900, type: "supergroup", title: "bench warm-up" }, from: { id: 900, name: "Warm" }, text: "Подскажите, где задание?" });
      await fetch(base + tgUrl, { method: "POST", headers: { ...tgHeaders }, body: b });
    }
    let probes = 0;
    // pollMs: how often the live queue is read; during the load a slower poll keeps the probe from loading the machine.
    const probe = async (pollMs = 25): Promise<number> => {
      const name = `Probe${++probes}${randomBytes(3).toString("hex")}`;
      const body = telegramBody(++n, { chat: { id: 700_000 + n, type: "private" }, from: { id: 700_000 + n, name }, text: "Здравствуйте! Не могу сдать домашнее задание, что делать?" });
      const t0 = performance.now();
      // The body's date is this second: the probe's episode opens at or after it (whole seconds).
      const since = Math.floor(Date.now() / 1000) * 1000;
      const res = await fetch(base + tgUrl, { method: "POST", headers: { ...tgHeaders }, body });
      if (!res.ok) throw new Error(`probe webhook answered ${res.status}`);
      for (;;) {
        // The queue's judged entries, as every poll reads them; names only for those opened since the probe.
        const q = await liveQueue(db, school.id, school.timezone, new Date());
        const recent = await nameQueueEntries(db, school.id, q.items.filter((it) => Date.parse(it.openedAt) >= since));
        if (recent.some((it) => it.studentName === name)) break;
        if (performance.now() - t0 > 30_000) throw new Error("the probe's episode did not reach the queue in 30 s");
        await new Promise((r) => setTimeout(r, pollMs));
      }
      return Math.round(performance.now() - t0);
    };
    let sent = 0;
    // Every body built, by the message id it carries. autocannon builds some requests it never sends (the
    // next one of each connection when the time is up), so "sent" is an upper bound and a replay sample is
    // drawn from what the database holds.
    const bodies = new Map<string, { url: string; body: string; kind: "tg" | "slack" }>();
    const phases: WebhookPhase[] = [];
    const results: autocannon.Result[] = [];
    // The load's requests: Telegram and Slack in turn, each body new and signed, kept by id for the replays.
    const loadRequests = (): autocannon.Request[] => [
      {
        method: "POST",
        path: tgUrl,
        setupRequest: (req) => {
          const id = ++n;
          sent++;
          const body = telegramBody(id, { chat: { id: -100000 - (id % 40), type: "supergroup", title: `bench chat ${id % 40}` }, from: { id: 10_000 + (id % 1000), name: `Student ${id % 1000}` }, text: `Не открывается урок ${id}, подскажите?` });
          bodies.set(`${tgSource}:${id}`, { url: tgUrl, body, kind: "tg" });
          return { ...req, headers: { ...tgHeaders }, body };
        },
      },
      {
        method: "POST",
        path: slackUrl,
        setupRequest: (req) => {
          const id = ++n;
          sent++;
          const body = slackBody(id);
          bodies.set(`${slackSource}:${(JSON.parse(body) as { event: { ts: string } }).event.ts}`, { url: slackUrl, body, kind: "slack" });
          return { ...req, headers: slackHeaders(body), body };
        },
      },
    ];
    // Warm-up under load, not measured: a fresh server's first seconds of load run colder code (JIT, caches).
    // Measured first, the 16-connection phase cost ~0.65 ms of server CPU per request, ~0.45 ms when run again.
    await autocannon({ url: base, connections: counts[0] ?? 16, duration: WARMUP_LOAD_S, requests: loadRequests() });
    sent = 0;
    let last = await quiet();
    await caughtUp();
    log(`  warmed up ${round((performance.now() - started) / 1000)} s after the server's start`);
    // What was stored before the measured phases (earlier runs, the warm-ups): the phases' own start.
    const warmed = last;
    const freshnessUnderLoad: number[] = [];
    // The phases, then the first connection count once more with freshness probes: the probes read the
    // live queue and so take CPU from the load, which must not blur the phases' own figures.
    // The fixed-rate phase runs with as many connections as the largest closed-loop phase, so a slow answer
    // does not hold the rate back (autocannon sends at most one request per connection at a time). It runs
    // last, so that the probe phase follows the same phases as in rounds 1–9 and its figures compare.
    const rate = offeredRate();
    const plan: { connections: number; probes: boolean; rate: number | null }[] = [
      ...counts.map((c) => ({ connections: c, probes: false, rate: null })),
      { connections: counts[0] ?? 16, probes: true, rate: null },
      ...(rate === null ? [] : [{ connections: Math.max(...counts), probes: false, rate }]),
    ];
    for (const { connections, probes: withProbes, rate: phaseRate } of plan) {
      log(`webhook load: ${connections} connections for ${durationS} s${phaseRate === null ? "" : ` at ${phaseRate} req/s`}${withProbes ? ", with freshness probes" : ""}…`);
      const cpu0 = { server: cpuTree(server.pid ?? 0), pg: pgPid ? cpuTree(pgPid, true) : 0, self: process.cpuUsage() };
      // From the phase's 3rd second, a probe a second (the queue read every 100 ms, so a figure may be up
      // to 100 ms late): derivation keeps up under load.
      let loadEnds = false;
      const probing =
        withProbes
          ? (async () => {
              await new Promise((r) => setTimeout(r, 3000));
              while (!loadEnds) {
                freshnessUnderLoad.push(await probe(100));
                await new Promise((r) => setTimeout(r, 1000));
              }
            })()
          : Promise.resolve();
      const result = await autocannon({
        url: base,
        connections,
        duration: durationS,
        requests: loadRequests(),
        ...(phaseRate === null ? {} : { overallRate: phaseRate }),
      });
      loadEnds = true;
      await probing;
      const ok = Math.max(1, result["2xx"]);
      const serverCpuS = cpuTree(server.pid ?? 0) - cpu0.server;
      const pgCpuS = pgPid ? cpuTree(pgPid, true) - cpu0.pg : null;
      const self = process.cpuUsage(cpu0.self);
      const now = await quiet();
      const derivedAfterMs = await caughtUp();
      const phase: WebhookPhase = {
        connections,
        offeredRate: phaseRate,
        durationS,
        requestsPerSec: round(result.requests.average, 0),
        p50Ms: result.latency.p50,
        p90Ms: result.latency.p90,
        p99Ms: result.latency.p99,
        maxMs: result.latency.max,
        ok: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        stored: now.n - last.n - (withProbes ? freshnessUnderLoad.length : 0),
        withProbes,
        serverCpuMsPerRequest: round((serverCpuS * 1000) / ok, 3),
        postgresCpuMsPerRequest: pgCpuS === null ? null : round((pgCpuS * 1000) / ok, 3),
        loadGenCpuMsPerRequest: round((self.user + self.system) / 1000 / ok, 3),
        derivedAfterMs,
      };
      last = now;
      phases.push(phase);
      results.push(result);
      log(
        `  ${connections} connections${phaseRate === null ? "" : ` at ${phaseRate} req/s offered`}: ${phase.requestsPerSec} req/s, p50 ${phase.p50Ms} / p90 ${phase.p90Ms} / p99 ${phase.p99Ms} / max ${phase.maxMs} ms; ${phase.ok} accepted, ${phase.non2xx} non-2xx, ${phase.errors} errors; ${phase.stored} stored; CPU per request: server ${phase.serverCpuMsPerRequest} ms, PostgreSQL ${phase.postgresCpuMsPerRequest ?? "n/a"} ms, autocannon ${phase.loadGenCpuMsPerRequest} ms; derivation caught up ${phase.derivedAfterMs === null ? "not within 60 s" : `${phase.derivedAfterMs} ms`} after`,
      );
    }
    const before = last;
    // Re-deliveries (Telegram and Slack both retry): the same bodies again must store nothing.
    const storedIds = await rows<{ key: string }>(db, sql`select source_id || ':' || external_id as key from messages where source_id in (${tgSource}, ${slackSource}) order by id desc limit 400`);
    const replay = storedIds.flatMap((r) => bodies.get(r.key) ?? []).slice(0, 300);
    let replayDuplicates = 0;
    for (const b of replay) {
      const res = await fetch(base + b.url, { method: "POST", headers: b.kind === "tg" ? { ...tgHeaders } : slackHeaders(b.body), body: b.body });
      if (((await res.json()) as { duplicate?: boolean }).duplicate === true) replayDuplicates++;
    }
    const after = await count();
    const warm = warmed.n;
    const ok = results.reduce((a, r) => a + r["2xx"], 0);
    // The probes posted during the load are stored too, outside autocannon's counts.
    const stored = before.n - warm - freshnessUnderLoad.length;
    if (replayDuplicates !== replay.length) log(`  replays: only ${replayDuplicates} of ${replay.length} answered as duplicates`);
    if (freshnessUnderLoad.length > 0) log(`  freshness during the probe phase: ${freshnessUnderLoad.join(", ")} ms`);

    // Freshness: a new student's question in a private chat, until the live queue shows its episode.
    const freshness: number[] = [];
    for (let i = 0; i < 10; i++) freshness.push(await probe());
    const first = phases[0];
    if (!first) throw new Error("no load phase ran");
    return {
      connections: first.connections,
      durationS,
      requestsPerSec: first.requestsPerSec,
      p50Ms: first.p50Ms,
      p99Ms: first.p99Ms,
      sent,
      ok,
      non2xx: results.reduce((a, r) => a + r.non2xx, 0),
      errors: results.reduce((a, r) => a + r.errors, 0),
      timeouts: results.reduce((a, r) => a + r.timeouts, 0),
      statusCodes: results.reduce<Record<string, number>>((acc, r) => {
        for (const [k, v] of Object.entries(r.statusCodeStats ?? {})) acc[k] = (acc[k] ?? 0) + (v.count ?? 0);
        return acc;
      }, {}),
      stored,
      receipts: before.receipts - warmed.receipts,
      replayed: replay.length,
      storedAfterReplay: after.n - warm,
      // One message and one receipt per delivery the server took, every accepted one stored, replays add nothing.
      exactlyOnce:
        before.distinct === before.n && before.receipts - c0.receipts === before.n - c0.n && stored >= ok && stored <= sent && replay.length > 0 && replayDuplicates === replay.length && after.n === before.n && after.receipts === before.receipts,
      freshnessMs: freshness,
      freshnessP50Ms: median(freshness),
      freshnessMaxMs: Math.max(...freshness),
      freshnessUnderLoadMs: freshnessUnderLoad,
      serverPeakRssMiB: peakRssTree(server.pid ?? 0),
      serverCpuMsPerRequest: first.serverCpuMsPerRequest,
      server: "server/main.ts (webhooks on node:http, the rest on Next)",
      phases,
    };
  } finally {
    await stop();
    await close();
    rmSync(appDir, { recursive: true, force: true });
  }
}
