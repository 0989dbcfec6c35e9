import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "../../db/client";
import { isRatingHookRequest } from "../ingest/ratings-hook";
import { deliverWebhook, isWebhookSource, MAX_WEBHOOK_BYTES, unknownSource, type WebhookAnswer, type WebhookBody } from "./webhook-core";

/**
 * `POST /api/ingest/:source` on plain node:http (docs/adr/0004-ingest-server.md). Through a Next route
 * handler a delivery cost ~3 ms of CPU before our code ran (routing, the proxy, Web Request/Response
 * objects, the app router's handler pipeline) and the whole server topped out near 300 req/s; here the
 * request goes straight to deliverWebhook (lib/server/webhook-core.ts), the same code the Next route
 * runs, so statuses, JSON answers, dead letters and receipts are the same.
 *
 * Everything else goes to `fallback` (Next): other paths and methods, a trailing slash (Next redirects
 * it), an undecodable source segment, and the rating-hook content type, whose handler
 * (lib/dal/ratings.ts) belongs to the Next side and is rare enough not to need a fast path. The body is
 * not read before that decision, so Next gets the request untouched.
 */

export interface IngestHandlerOptions {
  db: () => Promise<Db>;
  /** Every request this path does not take. */
  fallback: (req: IncomingMessage, res: ServerResponse) => unknown;
  /** Added to every answer (the baseline security headers Next puts on its own responses). */
  headers?: Readonly<Record<string, string>>;
  now?: () => Date;
}

const INGEST_PATH = /^\/api\/ingest\/([^/?#]+)(?:\?.*)?$/s;
// Request.text() decodes the same way (UTF-8, replacement characters, a leading BOM dropped).
const utf8 = new TextDecoder("utf-8");

/** The source slug of an ingest request this path takes, or null for Next. */
export function ingestSource(req: Pick<IncomingMessage, "method" | "url" | "headers">): string | null {
  if (req.method !== "POST" || !req.url) return null;
  const m = INGEST_PATH.exec(req.url);
  if (!m?.[1]) return null;
  if (isRatingHookRequest(req.headers["content-type"] ?? null)) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** Node's headers as Web Headers (the adapters' verify functions read those), repeated ones joined as Next does. */
function webHeaders(req: IncomingMessage): Headers {
  const h = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      h.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // A name or value Headers refuses cannot be one a signature depends on; Next drops it as well.
    }
  }
  return h;
}

/** The body, up to MAX_WEBHOOK_BYTES: a larger declared length is not read; a longer stream keeps its first bytes. */
function readBody(req: IncomingMessage): Promise<WebhookBody> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return Promise.resolve({ tooLarge: "declared", bytes: declared });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    req.on("data", (c: Buffer) => {
      total += c.length;
      // Past the limit only counted: a sender cannot make the server hold more than the limit.
      if (kept <= MAX_WEBHOOK_BYTES) {
        chunks.push(c);
        kept += c.length;
      }
    });
    req.on("end", () => {
      const text = utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, kept));
      resolve(total > MAX_WEBHOOK_BYTES ? { tooLarge: "read", text } : { text });
    });
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("request aborted")));
  });
}

function send(res: ServerResponse, a: WebhookAnswer, headers: Readonly<Record<string, string>>, close: boolean): void {
  const json = JSON.stringify(a.body);
  res.writeHead(a.status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(json), ...(close ? { connection: "close" } : {}) });
  res.end(json);
}

/** A node:http request listener: webhook deliveries here, the rest to `fallback`. */
export function ingestRequestHandler(o: IngestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const headers = o.headers ?? {};
  const now = o.now ?? (() => new Date());
  return (req, res) => {
    const kind = ingestSource(req);
    if (kind === null) {
      void Promise.resolve(o.fallback(req, res)).catch((e: unknown) => fail(res, e));
      return;
    }
    void (async () => {
      if (!isWebhookSource(kind)) {
        req.resume();
        return send(res, unknownSource(kind), headers, false);
      }
      const body = await readBody(req);
      const db = await o.db();
      const a = await deliverWebhook(db, kind, { headers: webHeaders(req), query: new URL(req.url ?? "/", "http://localhost").searchParams, body }, now());
      // An unread (declared too large) body would otherwise be drained on a kept-alive connection.
      send(res, a, headers, "tooLarge" in body && body.tooLarge === "declared");
    })().catch((e: unknown) => fail(res, e));
  };
}

/** What Next answers when a route handler throws: 500, the cause in the server log only. */
function fail(res: ServerResponse, e: unknown): void {
  if (e instanceof Error && e.message === "request aborted") {
    res.destroy();
    return;
  }
  console.error(`ingest: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const json = JSON.stringify({ error: "internal error" });
  res.writeHead(500, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}
