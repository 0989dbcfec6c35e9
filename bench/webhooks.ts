import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { openDb, rows, sql } from "../db/client";
import { listSchools } from "../db/queries/schools";
import { upsertSource } from "../db/queries/sources";
import { liveQueue } from "../db/queries/reports/queue";
import { median, round } from "./stats";

/**
 * Webhook load and freshness against the real server: `next start` on loopback over the bench database,
 * autocannon posting signed Telegram (secret-token header) and Slack (v0 HMAC) message events, each with
 * its own update / event id; then a count of what was stored (exactly once: one message per accepted
 * delivery, none for a re-delivery), and the time from a webhook to its episode in the live-queue query.
 */

export interface WebhookResult {
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
  serverPeakRssMiB: number;
  /** CPU the app server used during the load, per accepted request (ms): where the time goes. */
  serverCpuMsPerRequest: number;
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

/** CPU seconds (user + system) a process and its descendants have used so far (clock ticks of 1/100 s). */
function cpuTree(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
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

export async function webhookBench(dbUrl: string, log: (m: string) => void, o: { durationS?: number; connections?: number; build?: boolean } = {}): Promise<WebhookResult> {
  const durationS = o.durationS ?? 20;
  const connections = o.connections ?? 16;
  const { db, close } = await openDb({ databaseUrl: dbUrl });
  const [school] = await listSchools(db);
  if (!school) throw new Error("no school");
  const tgSource = await upsertSource(db, { schoolId: school.id, kind: "telegram", externalId: BOT, name: "bench bot", secret: TG_SECRET });
  const slackSource = await upsertSource(db, { schoolId: school.id, kind: "slack", externalId: TEAM, name: "bench slack", secret: SLACK_SECRET });
  const appDir = prepareApp(o.build === true, log);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", appDir, "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, DATABASE_URL: dbUrl, AUTH_SECRET: randomBytes(32).toString("base64url"), AUTH_URL: base, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
    stdio: ["ignore", "ignore", "inherit"],
    // Its own process group: `next start` runs the server in a child, which must go with it.
    detached: true,
  });
  const stop = async () => {
    if (server.pid === undefined) return;
    try {
      process.kill(-server.pid, "SIGTERM");
      await new Promise((r) => setTimeout(r, 2000));
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // the group is gone
    }
  };
  try {
    await waitUp(base, server);
    const tgUrl = `/api/ingest/telegram?school=${encodeURIComponent(school.slug)}&source=${BOT}`;
    const slackUrl = `/api/ingest/slack?school=${encodeURIComponent(school.slug)}&source=${TEAM}`;
    const count = async () => {
      const [c] = await rows<{ n: number; distinct: number; receipts: number }>(
        db,
        sql`select count(*)::int as n, count(distinct (channel_id, external_id))::int as distinct,
                   (select count(*)::int from ingest_receipts where source_id in (${tgSource}, ${slackSource})) as receipts
            from messages where source_id in (${tgSource}, ${slackSource})`,
      );
      return c ?? { n: 0, distinct: 0, receipts: 0 };
    };
    // What earlier runs left in these sources (--reuse); ids below start past anything they used.
    const c0 = await count();
    let n = Date.now();
    // Warm-up: route compilation caches, the pool's connections.
    for (let i = 0; i < 50; i++) {
      const b = telegramBody(++n, { chat: { id: -100900, type: "supergroup", title: "bench warm-up" }, from: { id: 900, name: "Warm" }, text: "Подскажите, где задание?" });
      await fetch(base + tgUrl, { method: "POST", headers: { ...tgHeaders }, body: b });
    }
    log(`webhook load: ${connections} connections for ${durationS} s…`);
    let sent = 0;
    const cpu0 = cpuTree(server.pid ?? 0);
    // Every body built, by the message id it carries. autocannon builds some requests it never sends (the
    // next one of each connection when the time is up), so "sent" is an upper bound and a replay sample is
    // drawn from what the database holds.
    const bodies = new Map<string, { url: string; body: string; kind: "tg" | "slack" }>();
    const result = await autocannon({
      url: base,
      connections,
      duration: durationS,
      requests: [
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
      ],
    });
    const serverCpuS = cpuTree(server.pid ?? 0) - cpu0;
    // Requests still in flight when autocannon stops are finished by the server: count once it is quiet.
    let before = await count();
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const again = await count();
      if (again.n === before.n) break;
      before = again;
    }
    // Re-deliveries (Telegram and Slack both retry): the same bodies again must store nothing.
    const storedIds = await rows<{ key: string }>(db, sql`select source_id || ':' || external_id as key from messages where source_id in (${tgSource}, ${slackSource}) order by id desc limit 400`);
    const replay = storedIds.flatMap((r) => bodies.get(r.key) ?? []).slice(0, 300);
    for (const b of replay) {
      await fetch(base + b.url, { method: "POST", headers: b.kind === "tg" ? { ...tgHeaders } : slackHeaders(b.body), body: b.body });
    }
    const after = await count();
    const warm = 50 + c0.n;
    const ok = result["2xx"];
    const stored = before.n - warm;
    log(`load: ${round(result.requests.average, 0)} req/s, p99 ${result.latency.p99} ms; ${ok} accepted, ${stored} stored`);

    // Freshness: a new student's question in a private chat, until the live queue shows its episode.
    const freshness: number[] = [];
    for (let i = 0; i < 10; i++) {
      const name = `Probe${i}${randomBytes(3).toString("hex")}`;
      const body = telegramBody(++n, { chat: { id: 700_000 + n, type: "private" }, from: { id: 700_000 + n, name }, text: "Здравствуйте! Не могу сдать домашнее задание, что делать?" });
      const t0 = performance.now();
      const res = await fetch(base + tgUrl, { method: "POST", headers: { ...tgHeaders }, body });
      if (!res.ok) throw new Error(`probe webhook answered ${res.status}`);
      for (;;) {
        const q = await liveQueue(db, school.id, school.timezone, new Date());
        if (q.items.some((it) => it.studentName === name)) break;
        if (performance.now() - t0 > 30_000) throw new Error("the probe's episode did not reach the queue in 30 s");
        await new Promise((r) => setTimeout(r, 25));
      }
      freshness.push(Math.round(performance.now() - t0));
    }
    return {
      connections,
      durationS,
      requestsPerSec: round(result.requests.average, 0),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      sent,
      ok,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count ?? 0])),
      stored,
      receipts: before.receipts - 50 - c0.receipts,
      replayed: replay.length,
      storedAfterReplay: after.n - warm,
      // One message and one receipt per delivery the server took, every accepted one stored, replays add nothing.
      exactlyOnce: before.distinct === before.n && before.receipts - c0.receipts === before.n - c0.n && stored >= ok && stored <= sent && replay.length > 0 && after.n === before.n,
      freshnessMs: freshness,
      freshnessP50Ms: median(freshness),
      freshnessMaxMs: Math.max(...freshness),
      serverPeakRssMiB: peakRssTree(server.pid ?? 0),
      serverCpuMsPerRequest: round((serverCpuS * 1000) / Math.max(1, result["2xx"]), 2),
    };
  } finally {
    await stop();
    await close();
    rmSync(appDir, { recursive: true, force: true });
  }
}
