import "server-only";
import { createHash } from "node:crypto";
import { getDb, type Db } from "../../db/client";
import { storeEvents } from "../../db/queries/ingest";
import { findWebhookSource, keepDeadLetter, receiptExists, recordReceipt, type WebhookSource } from "../../db/queries/sources";
import { parseTelegramUpdate, verifyTelegramWebhook } from "../ingest/telegram";
import { parseSlackEvent, verifySlackSignature } from "../ingest/slack";
import type { IngestEvent, SourceKind } from "../ingest/types";

/** Larger bodies are refused before parsing: no messenger sends a single event near this size. */
export const MAX_WEBHOOK_BYTES = 1_000_000;

export type Verdict =
  | { kind: "events"; eventKey: string; events: IngestEvent[] }
  | { kind: "reply"; status: number; body: unknown }
  | { kind: "reject"; status: number; reason: string };

interface Adapter {
  verify(req: { headers: Headers; rawBody: string; source: WebhookSource; now: Date }): string | null;
  parse(body: unknown, source: WebhookSource, now: Date): Verdict;
}

// Per source: how it proves itself, and how its payload becomes events. Unknown or unsupported → 404.
const adapters: Partial<Record<SourceKind, Adapter>> = {
  telegram: {
    verify: ({ headers, source }) => {
      const v = verifyTelegramWebhook(headers, source.secret);
      return v.ok ? null : v.reason;
    },
    parse: (body, source, now) => {
      const r = parseTelegramUpdate(body, { botId: source.externalId, receivedAt: now });
      if ("invalid" in r) return { kind: "reject", status: 400, reason: r.invalid };
      // Telegram retries anything but 2xx forever: an update we do not track is acknowledged and dropped.
      if ("ignored" in r) return { kind: "reply", status: 200, body: { ok: true, ignored: r.ignored } };
      return { kind: "events", eventKey: r.eventKey, events: r.events };
    },
  },
  slack: {
    verify: ({ headers, rawBody, source, now }) => {
      const v = verifySlackSignature({ timestamp: headers.get("x-slack-request-timestamp"), signature: headers.get("x-slack-signature"), rawBody, signingSecret: source.secret, now });
      return v.ok ? null : v.reason;
    },
    parse: (body) => {
      const r = parseSlackEvent(body);
      if (r.kind === "url_verification") return { kind: "reply", status: 200, body: { challenge: r.challenge } };
      if (r.kind === "invalid") return { kind: "reject", status: 400, reason: r.reason };
      if (r.kind === "ignored") return { kind: "reply", status: 200, body: { ok: true, ignored: r.reason } };
      return { kind: "events", eventKey: r.eventKey, events: r.events };
    },
  },
};

export function supportedWebhookSources(): SourceKind[] {
  return Object.keys(adapters) as SourceKind[];
}

function headerRecord(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  // Secrets never go to the dead-letter table.
  h.forEach((v, k) => {
    out[k] = /secret|signature|authorization|token|cookie/i.test(k) ? "[redacted]" : v;
  });
  return out;
}

/**
 * A webhook delivery: find the source named in the URL, verify its signature, parse, dedupe on the
 * source's event id, store. Bad input is answered 4xx and kept whole in dead_letters; nothing is half-written
 * because storeEvents writes a delivery's events in one transaction.
 */
export async function handleWebhook(kindParam: string, req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return handleWebhookWith(db, kindParam, req, now);
}

export async function handleWebhookWith(db: Db, kindParam: string, req: Request, now: Date): Promise<Response> {
  const adapter = adapters[kindParam as SourceKind];
  if (!adapter) return Response.json({ error: `unknown source ${kindParam}` }, { status: 404 });
  const kind = kindParam as SourceKind;
  const url = new URL(req.url);
  const school = url.searchParams.get("school");
  const sourceId = url.searchParams.get("source");
  const dead = async (schoolId: number | null, status: number, reason: string, payload: string) => {
    await keepDeadLetter(db, { schoolId, source: kind, reason, payload, headers: headerRecord(req.headers) });
    return Response.json({ error: reason }, { status });
  };

  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) return dead(null, 413, `body of ${declared} bytes exceeds ${MAX_WEBHOOK_BYTES}`, "");
  const rawBody = await req.text();
  if (Buffer.byteLength(rawBody) > MAX_WEBHOOK_BYTES) return dead(null, 413, `body exceeds ${MAX_WEBHOOK_BYTES} bytes`, rawBody.slice(0, MAX_WEBHOOK_BYTES));
  if (!school || !sourceId) return dead(null, 400, "the webhook URL must name ?school=<slug>&source=<source id>", rawBody);
  const source = await findWebhookSource(db, school, kind, sourceId);
  if (!source) return dead(null, 404, `no ${kind} source ${sourceId} at school ${school}`, rawBody);
  const bad = adapter.verify({ headers: req.headers, rawBody, source, now });
  if (bad) return dead(source.schoolId, 401, `signature: ${bad}`, rawBody);
  const ctype = req.headers.get("content-type") ?? "";
  if (!ctype.toLowerCase().includes("application/json")) return dead(source.schoolId, 415, `content-type ${ctype || "(none)"} is not application/json`, rawBody);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (e) {
    return dead(source.schoolId, 400, `malformed JSON: ${e instanceof Error ? e.message : String(e)}`, rawBody);
  }
  const verdict = adapter.parse(body, source, now);
  if (verdict.kind === "reply") return Response.json(verdict.body, { status: verdict.status });
  if (verdict.kind === "reject") return dead(source.schoolId, verdict.status, verdict.reason, rawBody);
  if (await receiptExists(db, source.schoolId, source.sourceId, verdict.eventKey)) return Response.json({ ok: true, duplicate: true });
  const result = await storeEvents(db, source.schoolId, verdict.events, { allOrNothing: true });
  if (result.rejected.length > 0) {
    return dead(source.schoolId, 422, result.rejected.map((r) => r.reason).join("; "), rawBody);
  }
  await recordReceipt(db, { schoolId: source.schoolId, sourceId: source.sourceId, eventKey: verdict.eventKey, payloadHash: createHash("sha256").update(rawBody).digest("hex") });
  return Response.json({ ok: true, stored: result.stored, updated: result.updated, duplicates: result.duplicates });
}
