import "server-only";
import { z } from "zod";
import { getDb, type Db } from "../../db/client";
import { storeEvents } from "../../db/queries/ingest";
import { keepDeadLetter } from "../../db/queries/sources";
import { linkRatings } from "../../db/queries/episodes";
import { dueCandidates, findRatingSource, hookEpisode, type RatingSource } from "../../db/queries/rating-requests";
import { askedSurveyEvent, parseRatingHookBody, ratingHookEvent } from "../ingest/ratings-hook";
import { sourceKinds, type SourceKind } from "../ingest/types";
import { decodeCursor, encodeCursor } from "../ratings/cursor";
import { selectDue } from "../ratings/due";
import { ratingPolicyOf } from "../ratings/policy";
import { bearerMatches, signRatingToken, verifyRatingToken } from "../ratings/token";
import { envIngestSecret } from "../env";

/**
 * The rating-request hook (docs/ratings.md): a school's bot pulls answered episodes to ask about
 * (`GET /api/ratings/due`), says which it asked (`POST /api/ratings/asked`), and posts the student's
 * answer (`POST /api/ratings/submit`, or the source's webhook with the rating content type). Every call
 * proves itself with the source's own secret, the one its webhook uses, as a Bearer token.
 */

export const MAX_RATING_BODY_BYTES = 16_000;
const askedBodySchema = z
  .object({
    tokens: z.array(z.string().min(1).max(64)).min(1).max(200),
    sentAt: z.iso.datetime({ offset: true }).transform((x) => new Date(x)).optional(),
  })
  .strict();
export const DEFAULT_DUE_LIMIT = 50;
export const MAX_DUE_LIMIT = 200;
const MESSENGERS: readonly SourceKind[] = ["telegram", "slack", "discord", "mattermost", "pachca"];

type Found = { ok: true; source: RatingSource } | { ok: false; response: Response };

const fail = (status: number, error: string) => Response.json({ error }, { status });

/** School, kind and source from the URL (the kind from `?kind=` or the webhook path), then the secret. */
async function authorise(db: Db, req: Request, kindParam: string | null): Promise<Found> {
  const url = new URL(req.url);
  const school = url.searchParams.get("school");
  const sourceId = url.searchParams.get("source");
  const kind = kindParam ?? url.searchParams.get("kind");
  if (!school || !sourceId || !kind) return { ok: false, response: fail(400, "the URL must name ?school=<slug>&kind=<source kind>&source=<source id>") };
  if (!(sourceKinds as readonly string[]).includes(kind) || !MESSENGERS.includes(kind as SourceKind)) return { ok: false, response: fail(404, `no rating hook for source kind ${kind}`) };
  const found = await findRatingSource(db, school, kind as SourceKind, sourceId);
  if (!found) return { ok: false, response: fail(404, `no ${kind} source ${sourceId} at school ${school}`) };
  // The same fallback as the webhook: a secret from the environment when the source has none stored.
  const source = found.secret ? found : { ...found, secret: envIngestSecret(kind) ?? null };
  if (!bearerMatches(req.headers.get("authorization"), source.secret)) {
    return { ok: false, response: Response.json({ error: "Authorization: Bearer <the source's secret> is missing or wrong" }, { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="sqd-ratings"' } }) };
  }
  return { ok: true, source };
}

async function readJson(req: Request): Promise<{ ok: true; raw: string; body: unknown } | { ok: false; status: number; error: string; raw: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > MAX_RATING_BODY_BYTES) return { ok: false, status: 413, error: `body over ${MAX_RATING_BODY_BYTES} bytes`, raw: "" };
  const raw = await req.text();
  if (Buffer.byteLength(raw) > MAX_RATING_BODY_BYTES) return { ok: false, status: 413, error: `body over ${MAX_RATING_BODY_BYTES} bytes`, raw: raw.slice(0, MAX_RATING_BODY_BYTES) };
  try {
    return { ok: true, raw, body: JSON.parse(raw) as unknown };
  } catch (e) {
    return { ok: false, status: 400, error: `malformed JSON: ${e instanceof Error ? e.message : String(e)}`, raw };
  }
}

export interface DueItem {
  token: string;
  episodeId: number;
  answeredAt: string;
  channel: { id: string; kind: string };
  threadId: string | null;
  student: { id: string };
  responder: { id: string | null; name: string | null; role: string | null };
  answerMessageId: string;
}

export async function ratingsDue(req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return ratingsDueWith(db, req, now);
}

export async function ratingsDueWith(db: Db, req: Request, now: Date): Promise<Response> {
  const auth = await authorise(db, req, null);
  if (!auth.ok) return auth.response;
  const { source } = auth;
  const url = new URL(req.url);
  const afterParam = url.searchParams.get("after");
  const after = afterParam ? decodeCursor(afterParam) : null;
  if (afterParam && !after) return fail(400, "after: not a cursor this API gave");
  const limitParam = url.searchParams.get("limit");
  const limit = limitParam === null ? DEFAULT_DUE_LIMIT : Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_DUE_LIMIT) return fail(400, `limit: a whole number 1..${MAX_DUE_LIMIT}`);
  const policy = ratingPolicyOf(source.settings);
  if (!policy.ok) return fail(409, policy.error);
  if (!policy.policy.enabled) return Response.json({ items: [], cursor: afterParam, hasMore: false, skipped: 0, disabled: true });
  // Ask only once an answer has settled, and never about old history (lib/ratings/policy.ts).
  const until = new Date(now.getTime() - policy.policy.delayMinutes * 60_000);
  const since = new Date(now.getTime() - policy.policy.maxAgeHours * 3_600_000);
  // Skipped candidates do not fill the page: read more than asked for, and say whether more remain.
  const fetch = Math.min(limit * 4 + 1, 1000);
  const candidates = await dueCandidates(db, { schoolId: source.schoolId, sourceId: source.sourceId, after, since, until, fetch });
  const sel = selectDue(candidates, policy.policy, limit, now);
  const secret = source.secret ?? "";
  const items: DueItem[] = sel.due.map((c) => ({
    token: signRatingToken(secret, source.schoolId, c.episodeKey),
    episodeId: c.episodeId,
    answeredAt: c.answeredAt.toISOString(),
    channel: { id: c.channelExternalId, kind: c.channelKind },
    threadId: c.threadExternalId,
    // selectDue skipped every candidate without an identity in this source.
    student: { id: c.studentExternalId ?? "" },
    responder: { id: c.responderExternalId, name: c.responderName, role: c.responderRole },
    answerMessageId: c.answerMessageExternalId,
  }));
  const examinedAll = sel.last === null || sel.last.episodeKey === candidates[candidates.length - 1]?.episodeKey;
  return Response.json({
    items,
    cursor: sel.last ? encodeCursor({ answeredAt: sel.last.answeredAt, key: sel.last.episodeKey }) : afterParam,
    hasMore: !examinedAll || candidates.length === fetch,
    skipped: sel.skipped.length,
  });
}

/** `POST /api/ratings/asked` `{ "tokens": [...], "sentAt"?: ISO }`: the bot asked; stored as surveys, all or none. */
export async function ratingsAsked(req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return ratingsAskedWith(db, req, now);
}

export async function ratingsAskedWith(db: Db, req: Request, now: Date): Promise<Response> {
  const auth = await authorise(db, req, null);
  if (!auth.ok) return auth.response;
  const { source } = auth;
  const read = await readJson(req);
  if (!read.ok) return fail(read.status, read.error);
  const body = askedBodySchema.safeParse(read.body);
  if (!body.success) return fail(400, body.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  const sentAt = body.data.sentAt ?? now;
  if (sentAt.getTime() > now.getTime() + 5 * 60_000) return fail(400, "sentAt: in the future");
  const tokens = body.data.tokens;
  const events = [];
  for (const [i, t] of tokens.entries()) {
    const key = verifyRatingToken(source.secret, source.schoolId, t);
    if (key === null) return fail(400, `tokens[${i}]: not a token of this source`);
    const ep = await hookEpisode(db, source.schoolId, source.sourceId, key);
    if (!ep) return fail(404, `tokens[${i}]: the episode is not an answered episode of this source`);
    events.push(askedSurveyEvent(ep, source, sentAt));
  }
  const r = await storeEvents(db, source.schoolId, events, { allOrNothing: true });
  if (r.rejected.length > 0) return fail(422, r.rejected.map((x) => x.reason).join("; "));
  return Response.json({ ok: true, stored: r.stored, duplicates: r.duplicates });
}

/**
 * `POST /api/ratings/submit` (or the source's webhook with `Content-Type: application/vnd.sqd.rating+json`):
 * one rating for the episode its token names. Idempotent: one rating of a kind per episode, the first
 * one stands, a repeat answers `{ duplicate: true }`. Refusals are kept in dead_letters like webhooks'.
 */
export async function ratingSubmit(req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return ratingSubmitWith(db, req, now, null);
}

export async function ratingSubmitWith(db: Db, req: Request, now: Date, kindFromPath: string | null): Promise<Response> {
  const auth = await authorise(db, req, kindFromPath);
  if (!auth.ok) {
    if (auth.response.status === 401) await keepDeadLetter(db, { schoolId: null, source: `${kindFromPath ?? "ratings"}:rating`, reason: "rating hook: bad or missing secret", payload: (await req.text()).slice(0, MAX_RATING_BODY_BYTES) });
    return auth.response;
  }
  const { source } = auth;
  const dead = async (status: number, reason: string, payload: string) => {
    await keepDeadLetter(db, { schoolId: source.schoolId, source: `${source.kind}:rating`, reason: `rating hook: ${reason}`, payload });
    return fail(status, reason);
  };
  const read = await readJson(req);
  if (!read.ok) return dead(read.status, read.error, read.raw);
  const parsed = parseRatingHookBody(read.body);
  if (!parsed.ok) return dead(400, parsed.error, read.raw);
  const key = verifyRatingToken(source.secret, source.schoolId, parsed.body.token);
  if (key === null) return dead(400, "token: not a token of this source", read.raw);
  const ep = await hookEpisode(db, source.schoolId, source.sourceId, key);
  if (!ep) return dead(404, "the episode is not an answered episode of this source", read.raw);
  const ev = ratingHookEvent(parsed.body, ep, source, now);
  if (!ev.ok) return dead(ev.status, ev.error, read.raw);
  const r = await storeEvents(db, source.schoolId, [ev.event], { allOrNothing: true });
  if (r.rejected.length > 0) return dead(422, r.rejected.map((x) => x.reason).join("; "), read.raw);
  // Link at once (ratings.episode_id, responder, cohort): the Satisfaction page attributes by the link.
  if (r.stored > 0) await linkRatings(db, source.schoolId);
  return Response.json(r.stored > 0 ? { ok: true, stored: 1, episodeId: ep.episodeId } : { ok: true, duplicate: true, episodeId: ep.episodeId });
}
