import { createHmac } from "node:crypto";
import { timingSafeEqualString } from "../common/timing-safe-equal";

export const SLACK_SIGNATURE_HEADER = "X-Slack-Signature";
export const SLACK_TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";
/** Slack's replay window: a request older or newer than this is refused (FORMATS.md §2c). */
export const SLACK_MAX_SKEW_SECONDS = 300;

export interface SlackSignatureInput {
  /** X-Slack-Request-Timestamp, as received. */
  timestamp: string | null | undefined;
  /** X-Slack-Signature, as received ("v0=<64 hex>"). */
  signature: string | null | undefined;
  /** The body exactly as received: re-serialised JSON would not match the signature. */
  rawBody: string | Uint8Array;
  signingSecret: string | null | undefined;
  now: Date;
}

export type SlackVerifyFailure = "no_signing_secret" | "missing_header" | "malformed_timestamp" | "stale" | "malformed_signature" | "bad_signature";
export type SlackVerifyResult = { ok: true } | { ok: false; reason: SlackVerifyFailure };

/**
 * Slack request signing, v0: hex HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body), compared in
 * constant time, with the timestamp within ±5 minutes of `now` (both directions: a timestamp from the
 * future is as suspect as an old one). Pure: the clock is passed in.
 */
export function verifySlackSignature(input: SlackSignatureInput): SlackVerifyResult {
  const { timestamp, signature, rawBody, signingSecret, now } = input;
  if (!signingSecret) return { ok: false, reason: "no_signing_secret" };
  if (!timestamp || !signature) return { ok: false, reason: "missing_header" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "malformed_timestamp" };
  const nowSec = now.getTime() / 1000;
  if (!Number.isFinite(nowSec) || Math.abs(nowSec - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: "stale" };
  if (!/^v0=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: "malformed_signature" };
  const mac = createHmac("sha256", signingSecret);
  mac.update(`v0:${timestamp}:`, "utf8");
  mac.update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody);
  const expected = `v0=${mac.digest("hex")}`;
  return timingSafeEqualString(signature.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: "bad_signature" };
}

/** For tests and tools that need to produce a valid request. */
export function signSlackRequest(signingSecret: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`, "utf8").digest("hex")}`;
}
