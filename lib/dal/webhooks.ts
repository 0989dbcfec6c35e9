import "server-only";
import { createHash } from "node:crypto";
import { getDb, type Db } from "../../db/client";
import { validateEvents } from "../../db/queries/ingest";
import { findWebhookSource, keepDeadLetter, type WebhookSource } from "../../db/queries/sources";
import { submitDelivery, type DeliveryOutcome } from "./webhook-batcher";
import { parseTelegramUpdate, verifyTelegramWebhook } from "../ingest/telegram";
import { parseSlackEvent, verifySlackSignature } from "../ingest/slack";
import { parseMattermostWebhook, verifyMattermostRelay, verifyMattermostToken } from "../ingest/mattermost";
import { parsePachcaWebhook, verifyPachcaWebhook } from "../ingest/pachca";
import { parseDiscordRelay, verifyDiscordRelay } from "../ingest/discord";
import type { WebhookParseResult } from "../ingest/common/import-result";
import type { IngestEvent, SourceKind } from "../ingest/types";
import { discordDeletions, knownPlaces, type KnownPlaces } from "./webhook-places";
import { scheduleDerive } from "./derive";
import { envIngestSecret } from "../env";
import { isRatingHookRequest } from "../ingest/ratings-hook";
import { ratingSubmitWith } from "./ratings";

/** Larger bodies are refused before parsing: no messenger sends a single event near this size. */
export const MAX_WEBHOOK_BYTES = 1_000_000;

export type Verdict =
  | { kind: "events"; eventKey: string; events: IngestEvent[] }
  | { kind: "reply"; status: number; body: unknown; ignored?: string }
  | { kind: "reject"; status: number; reason: string };

interface ParseInput {
  body: unknown;
  rawBody: string;
  contentType: string;
  source: WebhookSource;
  now: Date;
  known: KnownPlaces;
}

interface Adapter {
  /** Content types the source sends. Default: JSON only. */
  accepts?: (contentType: string) => boolean;
  verify(req: { headers: Headers; rawBody: string; source: WebhookSource; now: Date }): string | null;
  parse(input: ParseInput): Verdict;
}

const isJson = (ct: string) => /^application\/([\w.+-]+\+)?json\b/i.test(ct.trim());
const isForm = (ct: string) => /^application\/x-www-form-urlencoded\b/i.test(ct.trim());

/** The common outcome of the newer adapters' parse (WebhookParseResult): `invalid` → 400 + dead letter, `ignored` → 2xx. */
function verdictOf(r: WebhookParseResult, invalidStatus = 400): Verdict {
  if ("invalid" in r) return { kind: "reject", status: invalidStatus, reason: r.invalid };
  if ("ignored" in r) return { kind: "reply", status: 200, body: { ok: true, ignored: r.ignored }, ignored: r.ignored };
  return { kind: "events", eventKey: r.eventKey, events: r.events };
}

// Per source: how it proves itself, and how its payload becomes events. Unknown or unsupported → 404.
const adapters: Partial<Record<SourceKind, Adapter>> = {
  telegram: {
    verify: ({ headers, source }) => {
      const v = verifyTelegramWebhook(headers, source.secret);
      return v.ok ? null : v.reason;
    },
    parse: ({ body, source, now }) => {
      const r = parseTelegramUpdate(body, { botId: source.externalId, receivedAt: now });
      if ("invalid" in r) return { kind: "reject", status: 400, reason: r.invalid };
      // Telegram retries anything but 2xx forever: an update we do not track is acknowledged and dropped.
      if ("ignored" in r) return { kind: "reply", status: 200, body: { ok: true, ignored: r.ignored }, ignored: r.ignored };
      return { kind: "events", eventKey: r.eventKey, events: r.events };
    },
  },
  slack: {
    verify: ({ headers, rawBody, source, now }) => {
      const v = verifySlackSignature({ timestamp: headers.get("x-slack-request-timestamp"), signature: headers.get("x-slack-signature"), rawBody, signingSecret: source.secret, now });
      return v.ok ? null : v.reason;
    },
    parse: ({ body }) => {
      const r = parseSlackEvent(body);
      if (r.kind === "url_verification") return { kind: "reply", status: 200, body: { challenge: r.challenge } };
      if (r.kind === "invalid") return { kind: "reject", status: 400, reason: r.reason };
      if (r.kind === "ignored") return { kind: "reply", status: 200, body: { ok: true, ignored: r.reason }, ignored: r.reason };
      return { kind: "events", eventKey: r.eventKey, events: r.events };
    },
  },
  mattermost: {
    // Outgoing webhooks post form-encoded (the default) or JSON; the websocket relay posts JSON.
    accepts: (ct) => isJson(ct) || isForm(ct),
    // Two ways in (lib/ingest/mattermost/README.md): a relay signs with X-SQD-Signature (settings.secret);
    // an outgoing webhook carries Mattermost's own token in the body (settings.tokens, or the secret).
    verify: ({ headers, rawBody, source, now }) => {
      if (headers.has("x-sqd-signature")) {
        const v = verifyMattermostRelay({ headers, rawBody, secret: source.secret, now });
        return v.ok ? null : `relay ${v.reason}`;
      }
      const v = verifyMattermostToken({ rawBody, contentType: headers.get("content-type"), tokens: [...source.tokens, ...(source.secret ? [source.secret] : [])] });
      return v.ok ? null : `token ${v.reason}`;
    },
    parse: ({ rawBody, contentType, source, now, known }) =>
      verdictOf(parseMattermostWebhook(rawBody, contentType, { source: { externalId: source.externalId }, channelKinds: known.channelKinds, receivedAt: now })),
  },
  pachca: {
    verify: ({ headers, rawBody, source, now }) => {
      const v = verifyPachcaWebhook({ rawBody, signatureHeader: headers.get("pachca-signature"), secret: source.secret, now });
      return v.ok ? null : v.reason;
    },
    // Pachca retries any non-2xx and its docs ask for 200 on permanently bad data (webhook_handler.mdx,
    // "Обработка ошибок доставки"): a signed but unusable payload is dead-lettered and acknowledged.
    parse: ({ body, source, known }) => verdictOf(parsePachcaWebhook(body, { source: { externalId: source.externalId }, chatKinds: known.channelKinds }), 200),
  },
  discord: {
    verify: ({ headers, rawBody, source, now }) => {
      const v = verifyDiscordRelay({ headers, rawBody, secret: source.secret, now });
      return v.ok ? null : v.reason;
    },
    parse: ({ body, source, now, known }) => {
      const r = parseDiscordRelay(body, { source: { externalId: source.externalId }, channels: known.discordChannels, receivedAt: now });
      const v = verdictOf(r);
      // Deletions the relay could not attribute only mark the stored message (no author needed).
      if (v.kind === "events" && r.unattributedDeletes?.length) v.events.push(...discordDeletions(source.externalId, r.unattributedDeletes));
      return v;
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

function readBody(rawBody: string, contentType: string): { ok: true; body: unknown } | { ok: false; reason: string } {
  if (isForm(contentType)) return { ok: true, body: Object.fromEntries(new URLSearchParams(rawBody)) };
  try {
    return { ok: true, body: JSON.parse(rawBody) as unknown };
  } catch (e) {
    return { ok: false, reason: `malformed JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A PostgreSQL data exception (SQLSTATE class 22), on the error or its cause (drizzle wraps driver errors). */
function isDataError(e: unknown): boolean {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 4; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("22")) return true;
  }
  return false;
}

/**
 * Sources found by URL, kept for a few seconds: the lookup (a join of sources and schools) was one of a
 * delivery's round trips, the same for every delivery of a source. Only found sources are kept, so a
 * source just registered works at once. A secret rotated in this process (the settings page,
 * lib/dal/settings.ts) calls forgetWebhookSources, so the old secret stops verifying at once; one changed
 * by another process (the CLI's `source add --secret`) takes effect within the TTL.
 * Per database handle: tests open several databases in one process.
 */
export const SOURCE_TTL_MS = 5_000;
// On globalThis: Next bundles route handlers and server actions separately, so a module-level map would
// be one per bundle and the settings page's forgetWebhookSources would not reach the webhook route's copy.
const cacheHolder = globalThis as unknown as { __sqdWebhookSources?: WeakMap<Db, Map<string, { at: number; source: WebhookSource }>> };
const sourceCache = (cacheHolder.__sqdWebhookSources ??= new WeakMap());

async function cachedWebhookSource(db: Db, school: string, kind: SourceKind, sourceId: string): Promise<WebhookSource | null> {
  let byKey = sourceCache.get(db);
  if (!byKey) sourceCache.set(db, (byKey = new Map()));
  const key = `${school}\u0000${kind}\u0000${sourceId}`;
  const now = Date.now();
  const hit = byKey.get(key);
  if (hit && now - hit.at < SOURCE_TTL_MS) return hit.source;
  const found = await findWebhookSource(db, school, kind, sourceId);
  if (found) byKey.set(key, { at: now, source: found });
  else byKey.delete(key);
  return found;
}

/** Forget cached sources of a database: call after changing a source's secret or tokens. */
export function forgetWebhookSources(db: Db): void {
  sourceCache.delete(db);
}

/**
 * A webhook delivery: find the source named in the URL, check size and content type, verify its
 * signature, parse, dedupe on the source's event id, store. Bad input is answered 4xx (or 2xx where
 * the source documents that it retries forever) and kept whole in dead_letters; nothing is half-written
 * because a delivery's events and its receipt commit in one transaction (group commit with other
 * deliveries of the school that arrive meanwhile: lib/dal/webhook-batcher.ts). Derivation
 * (episodes) runs after, from the dirty scopes the store marks: the request only stores.
 */
export async function handleWebhook(kindParam: string, req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return handleWebhookWith(db, kindParam, req, now);
}

export async function handleWebhookWith(db: Db, kindParam: string, req: Request, now: Date): Promise<Response> {
  const adapter = adapters[kindParam as SourceKind];
  if (!adapter) return Response.json({ error: `unknown source ${kindParam}` }, { status: 404 });
  // A bot's answer to the rating-request hook (docs/ratings.md) may come to the webhook URL: Bearer secret, own body.
  if (isRatingHookRequest(req.headers.get("content-type"))) return ratingSubmitWith(db, req, now, kindParam);
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
  const found = await cachedWebhookSource(db, school, kind, sourceId);
  if (!found) return dead(null, 404, `no ${kind} source ${sourceId} at school ${school}`, rawBody);
  const source = found.secret ? found : { ...found, secret: envIngestSecret(kind) ?? null };
  const ctype = req.headers.get("content-type") ?? "";
  if (!(adapter.accepts ?? isJson)(ctype)) return dead(source.schoolId, 415, `content-type ${ctype || "(none)"} is not accepted for ${kind}`, rawBody);
  const bad = adapter.verify({ headers: req.headers, rawBody, source, now });
  if (bad) return dead(source.schoolId, 401, `signature: ${bad}`, rawBody);
  const read = readBody(rawBody, ctype);
  if (!read.ok) return dead(source.schoolId, 400, read.reason, rawBody);
  const known = await knownPlaces(db, source, read.body);
  const verdict = adapter.parse({ body: read.body, rawBody, contentType: ctype, source, now, known });
  if (verdict.kind === "reply") {
    // An event the product does not record is acknowledged (the source would retry) and kept for audit.
    if (verdict.ignored) await keepDeadLetter(db, { schoolId: source.schoolId, source: kind, reason: `ignored: ${verdict.ignored}`, payload: rawBody, headers: headerRecord(req.headers), resolved: true });
    return Response.json(verdict.body, { status: verdict.status });
  }
  if (verdict.kind === "reject") return dead(source.schoolId, verdict.status, verdict.reason, rawBody);
  // Validated once, here, for this delivery alone: a bad event refuses its own delivery whole and never
  // enters a group commit with others.
  const { events, rejected } = validateEvents(verdict.events);
  if (rejected.length > 0) return dead(source.schoolId, 422, rejected.map((r) => r.reason).join("; "), rawBody);
  const payloadHash = createHash("sha256").update(rawBody).digest("hex");
  // Answered only after this delivery's events and receipt are committed (lib/dal/webhook-batcher.ts).
  let outcome: DeliveryOutcome;
  try {
    outcome = await submitDelivery(db, source.schoolId, { sourceId: source.sourceId, eventKey: verdict.eventKey, payloadHash, events });
  } catch (e) {
    // Only this delivery failed (the batcher retried it alone). Data PostgreSQL refuses (class 22: a NUL
    // byte in text, a value out of range) is refused for good; anything else may pass on the source's retry.
    const reason = e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e);
    return dead(source.schoolId, isDataError(e) ? 422 : 500, `not stored: ${reason}`, rawBody);
  }
  if (outcome.kind === "duplicate") return Response.json({ ok: true, duplicate: true });
  const { result } = outcome;
  if (result.stored + result.updated > 0) scheduleDerive(db, source.schoolId);
  return Response.json({ ok: true, stored: result.stored, updated: result.updated, duplicates: result.duplicates });
}
