import { createServer } from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";

/**
 * The production server (`npm start`, the demo, Playwright, the bench): one port, one URL, two paths
 * (docs/adr/0004-ingest-server.md). Webhook deliveries (`POST /api/ingest/:source`) are handled by a
 * plain node:http handler (lib/server/ingest-http.ts); every other request goes to Next's own request
 * handler, as `next start` would serve it (a custom server over the same `.next` build).
 *
 *   tsx server/main.ts [dir] [-p port] [-H hostname]
 *
 * `dir` holds the build (`.next`, default: the current folder), like `next start [dir]`. The port comes
 * from -p, else PORT, else 3000; without -H it listens on every interface, as `next start` does.
 */

const { values, positionals } = parseArgs({
  options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  allowPositionals: true,
});
const dir = path.resolve(positionals[0] ?? ".");
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`not a port: ${values.port ?? process.env.PORT}`);
const hostname = values.hostname;

// Before Next and the app's modules load: Next reads it at import, lib/env.ts at first use.
Object.assign(process.env, { NODE_ENV: "production" });
// tsx turns source maps on; Node would then read and keep the map of every Next chunk it loads.
process.setSourceMapsEnabled(false);

const [{ default: next }, { getDb }, { ingestRequestHandler }, { default: nextConfig }, { startDeriveWorker }] = await Promise.all([
  import("next"),
  import("../db/client"),
  import("../lib/server/ingest-http"),
  import("../next.config"),
  import("../lib/server/derive-worker"),
]);

// Derivation after webhooks runs in a worker thread on a PostgreSQL (lib/server/derive-worker.ts), so that
// its JavaScript does not hold up the webhook requests; SQD_DERIVE_WORKER=0 keeps it in this thread. PGlite
// (no DATABASE_URL) is this process's own database: it derives here.
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl && process.env.SQD_DERIVE_WORKER !== "0") startDeriveWorker(databaseUrl);

const app = next({ dev: false, dir, port, hostname: hostname ?? "localhost" });
await app.prepare();
const nextHandler = app.getRequestHandler();

// The ingest answers carry the same baseline security headers Next adds to its own (next.config.ts).
const baseline: Record<string, string> = {};
for (const rule of (await nextConfig.headers?.()) ?? []) {
  if (rule.source === "/:path*") for (const h of rule.headers) baseline[h.key] = h.value;
}

const server = createServer(
  ingestRequestHandler({
    db: async () => (await getDb()).db,
    fallback: (req, res) => nextHandler(req, res),
    headers: baseline,
  }),
);
server.listen(port, hostname, () => {
  console.log(`▲ ready on http://${hostname ?? "localhost"}:${port} (webhooks on node:http, the rest on Next)`);
});

// Stop taking connections, let requests in flight finish (a delivery is answered only after its commit;
// one cut off unanswered is retried by its source), then exit.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
