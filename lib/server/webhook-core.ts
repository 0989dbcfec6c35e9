import { createHash } from "node:crypto";
import type { Db } from "../../db/client";
import { validateEvents } from "../../db/queries/ingest";
import { findWebhookSource, keepDeadLetter, type WebhookSource } from "../../db/queries/sources";
import { submitDelivery, type DeliveryOutcome } from "../dal/webhook-batcher";
import { parseTelegramUpdate, verifyTelegramWebhook } from "../ingest/telegram";
import { parseSlackEvent, verifySlackSignature } from "../ingest/slack";
import { parseMattermostWebhook, verifyMattermostRelay, verifyMattermostToken } from "../ingest/mattermost";
import { parsePachcaWebhook, verifyPachcaWebhook } from "../ingest/pachca";
import { parseDiscordRelay, verifyDiscordRelay } from "../ingest/discord";
import type { WebhookParseResult } from "../ingest/common/import-result";
import type { IngestEvent, SourceKind } from "../ingest/types";
import { discordDeletions, knownPlaces, type KnownPlaces } from "../dal/webhook-places";
import { scheduleDerive } from "../dal/derive";
import { envIngestSecret } from "../env";

/**
 * The webhook delivery itself, framework-free (docs/adr/0004-ingest-server.md): given the source slug of
 * the URL, its query, the headers and the raw body, it answers a status and a JSON body. Two callers
 * share it, so they cannot drift apart: the Next route (lib/dal/webhooks.ts, through `Request` /
 * `Response`) and the production server's plain `node:http` path (lib/server/ingest-http.ts), which
 * skips Next's per-request machinery. No `import "server-only"` here or below: that marker throws
 * outside Next's react-server build, and the plain path runs in a plain Node process. Nothing here is
 * reachable from a client component (app/ imports lib/dal/webhooks.ts, which keeps the marker).
 */

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
// On globalThis: Next bundles route handlers and server actions separately, and the production server's
// plain ingest path (lib/server/ingest-http.ts) loads this module once more outside Next's bundle, so a
// module-level map would be one per copy and the settings page's forgetWebhookSources would not reach the
// copy that serves webhooks. `epoch` makes a forget reach every database handle too (the settings page and
// the ingest path share getDb's handle, but a forget must not depend on that).
interface SourceCache {
  epoch: number;
  byDb: WeakMap<Db, Map<string, { at: number; epoch: number; source: WebhookSource }>>;
}
const cacheHolder = globalThis as unknown as { __sqdWebhookSourceCache?: SourceCache };
const sourceCache = (cacheHolder.__sqdWebhookSourceCache ??= { epoch: 0, byDb: new WeakMap() });

async function cachedWebhookSource(db: Db, school: string, kind: SourceKind, sourceId: string): Promise<WebhookSource | null> {
  let byKey = sourceCache.byDb.get(db);
  if (!byKey) sourceCache.byDb.set(db, (byKey = new Map()));
  const key = `${school}\u0000${kind}\u0000${sourceId}`;
  const now = Date.now();
  const hit = byKey.get(key);
  if (hit && hit.epoch === sourceCache.epoch && now - hit.at < SOURCE_TTL_MS) return hit.source;
  const epoch = sourceCache.epoch;
  const found = await findWebhookSource(db, school, kind, sourceId);
  // Not kept if a forget came while the lookup ran: the row read may hold the old secret.
  if (found && epoch === sourceCache.epoch) byKey.set(key, { at: now, epoch, source: found });
  else byKey.delete(key);
  return found;
}

/** Forget cached sources: call after changing a source's secret or tokens. Every handle's, not only `db`'s. */
export function forgetWebhookSources(db: Db): void {
  sourceCache.byDb.delete(db);
  sourceCache.epoch++;
}

/** What a delivery is answered: a status and a JSON body (the same for both callers). */
export interface WebhookAnswer {
  status: number;
  body: unknown;
}

/**
 * A delivery's raw body as its caller read it. Callers stop reading past MAX_WEBHOOK_BYTES: a body
 * whose declared length is over is refused unread; one that turned out longer keeps its first bytes.
 */
export type WebhookBody = { text: string } | { tooLarge: "declared"; bytes: number } | { tooLarge: "read"; text: string };

export interface WebhookDelivery {
  headers: Headers;
  /** The URL's query: `school` and `source` name the source. */
  query: URLSearchParams;
  body: WebhookBody;
}

export function isWebhookSource(kindParam: string): boolean {
  return Object.hasOwn(adapters, kindParam);
}

/** Unknown or unsupported source kind in the URL. */
export const unknownSource = (kindParam: string): WebhookAnswer => ({ status: 404, body: { error: `unknown source ${kindParam}` } });

/**
 * A webhook delivery: find the source named in the URL, check size and content type, verify its
 * signature, parse, dedupe on the source's event id, store. Bad input is answered 4xx (or 2xx where
 * the source documents that it retries forever) and kept whole in dead_letters; nothing is half-written
 * because a delivery's events and its receipt commit in one transaction (group commit with other
 * deliveries of the school that arrive meanwhile: lib/dal/webhook-batcher.ts). Derivation
 * (episodes) runs after, from the dirty scopes the store marks: the request only stores.
 * The rating-hook content type is the caller's to route (lib/dal/ratings.ts) before this.
 */
export async function deliverWebhook(db: Db, kindParam: string, d: WebhookDelivery, now: Date): Promise<WebhookAnswer> {
  const adapter = adapters[kindParam as SourceKind];
  if (!adapter || !isWebhookSource(kindParam)) return unknownSource(kindParam);
  const kind = kindParam as SourceKind;
  const school = d.query.get("school");
  const sourceId = d.query.get("source");
  const dead = async (schoolId: number | null, status: number, reason: string, payload: string): Promise<WebhookAnswer> => {
    await keepDeadLetter(db, { schoolId, source: kind, reason, payload, headers: headerRecord(d.headers) });
    return { status, body: { error: reason } };
  };

  if ("tooLarge" in d.body) {
    return d.body.tooLarge === "declared"
      ? dead(null, 413, `body of ${d.body.bytes} bytes exceeds ${MAX_WEBHOOK_BYTES}`, "")
      : dead(null, 413, `body exceeds ${MAX_WEBHOOK_BYTES} bytes`, d.body.text.slice(0, MAX_WEBHOOK_BYTES));
  }
  const rawBody = d.body.text;
  if (!school || !sourceId) return dead(null, 400, "the webhook URL must name ?school=<slug>&source=<source id>", rawBody);
  const found = await cachedWebhookSource(db, school, kind, sourceId);
  if (!found) return dead(null, 404, `no ${kind} source ${sourceId} at school ${school}`, rawBody);
  const source = found.secret ? found : { ...found, secret: envIngestSecret(kind) ?? null };
  const ctype = d.headers.get("content-type") ?? "";
  if (!(adapter.accepts ?? isJson)(ctype)) return dead(source.schoolId, 415, `content-type ${ctype || "(none)"} is not accepted for ${kind}`, rawBody);
  const bad = adapter.verify({ headers: d.headers, rawBody, source, now });
  if (bad) return dead(source.schoolId, 401, `signature: ${bad}`, rawBody);
  const read = readBody(rawBody, ctype);
  if (!read.ok) return dead(source.schoolId, 400, read.reason, rawBody);
  const known = await knownPlaces(db, source, read.body);
  const verdict = adapter.parse({ body: read.body, rawBody, contentType: ctype, source, now, known });
  if (verdict.kind === "reply") {
    // An event the product does not record is acknowledged (the source would retry) and kept for audit.
    if (verdict.ignored) await keepDeadLetter(db, { schoolId: source.schoolId, source: kind, reason: `ignored: ${verdict.ignored}`, payload: rawBody, headers: headerRecord(d.headers), resolved: true });
    return { status: verdict.status, body: verdict.body };
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
  if (outcome.kind === "duplicate") return { status: 200, body: { ok: true, duplicate: true } };
  const { result } = outcome;
  if (result.stored + result.updated > 0) scheduleDerive(db, source.schoolId);
  return { status: 200, body: { ok: true, stored: result.stored, updated: result.updated, duplicates: result.duplicates } };
}
