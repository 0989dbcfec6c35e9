import { createHmac } from "node:crypto";
import { headerValue, type HeaderBag } from "./header-value";
import { timingSafeEqualString } from "./timing-safe-equal";

/**
 * Signature of the small relays a school runs beside its own bot (Discord gateway, Mattermost
 * websocket): they hold the messenger's token, we hold only a shared secret.
 *
 *   X-SQD-Timestamp: <unix seconds>
 *   X-SQD-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 *
 * The timestamp is inside the signed string, so a captured request cannot be replayed later with a
 * fresh timestamp; requests more than `toleranceSeconds` (default 300) away from `now` are refused.
 * Several secrets may be configured at once so that a school can rotate without downtime.
 */
export const RELAY_SIGNATURE_HEADER = "X-SQD-Signature";
export const RELAY_TIMESTAMP_HEADER = "X-SQD-Timestamp";
export const RELAY_TOLERANCE_SECONDS = 300;

export type RelayVerifyReason =
  | "no_secret_configured"
  | "missing_signature"
  | "repeated_signature"
  | "malformed_signature"
  | "missing_timestamp"
  | "repeated_timestamp"
  | "malformed_timestamp"
  | "stale_timestamp"
  | "bad_signature";

export type RelayVerifyResult = { ok: true; timestamp: number } | { ok: false; reason: RelayVerifyReason };

export interface RelayVerifyInput {
  headers: HeaderBag;
  /** The body exactly as received: re-serialised JSON would not match the signature. */
  rawBody: string;
  secret: string | readonly string[] | undefined | null;
  now: Date;
  toleranceSeconds?: number;
}

export function signRelayBody(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex")}`;
}

export function verifyRelaySignature(input: RelayVerifyInput): RelayVerifyResult {
  const secrets = (typeof input.secret === "string" ? [input.secret] : (input.secret ?? [])).filter((s) => s.length >= 16);
  // Fail closed: an unset or toy secret must reject everything, not accept everything.
  if (secrets.length === 0) return { ok: false, reason: "no_secret_configured" };
  const sig = headerValue(input.headers, RELAY_SIGNATURE_HEADER);
  if (sig.kind === "missing") return { ok: false, reason: "missing_signature" };
  if (sig.kind === "many") return { ok: false, reason: "repeated_signature" };
  if (!/^sha256=[0-9a-fA-F]{64}$/.test(sig.value.trim())) return { ok: false, reason: "malformed_signature" };
  const ts = headerValue(input.headers, RELAY_TIMESTAMP_HEADER);
  if (ts.kind === "missing") return { ok: false, reason: "missing_timestamp" };
  if (ts.kind === "many") return { ok: false, reason: "repeated_timestamp" };
  if (!/^\d{1,12}$/.test(ts.value.trim())) return { ok: false, reason: "malformed_timestamp" };
  const timestamp = Number(ts.value.trim());
  const tolerance = input.toleranceSeconds ?? RELAY_TOLERANCE_SECONDS;
  if (Math.abs(input.now.getTime() / 1000 - timestamp) > tolerance) return { ok: false, reason: "stale_timestamp" };
  const got = sig.value.trim().toLowerCase();
  // Every secret is tried (no early exit) so the time taken does not tell which one matched.
  let ok = false;
  for (const s of secrets) if (timingSafeEqualString(got, signRelayBody(s, timestamp, input.rawBody))) ok = true;
  return ok ? { ok: true, timestamp } : { ok: false, reason: "bad_signature" };
}
