import "server-only";
import { getDb, type Db } from "../../db/client";
import { isRatingHookRequest } from "../ingest/ratings-hook";
import { ratingSubmitWith } from "./ratings";
import { deliverWebhook, isWebhookSource, MAX_WEBHOOK_BYTES, unknownSource, type WebhookAnswer, type WebhookBody } from "../server/webhook-core";

// The delivery logic lives in lib/server/webhook-core.ts, shared with the production server's plain
// node:http ingest path (docs/adr/0004-ingest-server.md); this is its Web Request / Response face for the
// Next route (app/api/ingest/[source]) and the tests.
export { forgetWebhookSources, MAX_WEBHOOK_BYTES, SOURCE_TTL_MS, supportedWebhookSources, type Verdict } from "../server/webhook-core";

/** A webhook delivery through the Next route: see deliverWebhook (lib/server/webhook-core.ts). */
export async function handleWebhook(kindParam: string, req: Request, now: Date = new Date()): Promise<Response> {
  const { db } = await getDb();
  return handleWebhookWith(db, kindParam, req, now);
}

const answer = (a: WebhookAnswer): Response => Response.json(a.body, { status: a.status });

export async function handleWebhookWith(db: Db, kindParam: string, req: Request, now: Date): Promise<Response> {
  if (!isWebhookSource(kindParam)) return answer(unknownSource(kindParam));
  // A bot's answer to the rating-request hook (docs/ratings.md) may come to the webhook URL: Bearer secret, own body.
  if (isRatingHookRequest(req.headers.get("content-type"))) return ratingSubmitWith(db, req, now, kindParam);
  const declared = Number(req.headers.get("content-length") ?? "0");
  let body: WebhookBody;
  if (declared > MAX_WEBHOOK_BYTES) body = { tooLarge: "declared", bytes: declared };
  else {
    const text = await req.text();
    body = Buffer.byteLength(text) > MAX_WEBHOOK_BYTES ? { tooLarge: "read", text } : { text };
  }
  return answer(await deliverWebhook(db, kindParam, { headers: req.headers, query: new URL(req.url).searchParams, body }, now));
}
