import { headerValue, type HeaderBag } from "../common/header-value";
import { timingSafeEqualString } from "../common/timing-safe-equal";

export const TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

/** What setWebhook accepts as secret_token: 1–256 characters of A-Z, a-z, 0-9, _ and -. */
const SECRET_SHAPE = /^[A-Za-z0-9_-]{1,256}$/;

export type TelegramVerifyResult =
  | { ok: true }
  | { ok: false; reason: "no_secret_configured" | "missing_header" | "repeated_header" | "malformed_header" | "bad_secret" };

/**
 * Telegram signs nothing: the only proof of origin is the secret token we gave setWebhook, echoed in a
 * header. Compared in constant time. A missing or malformed configured secret fails closed, so a
 * misconfigured deployment rejects everything instead of accepting everything.
 */
export function verifyTelegramWebhook(headers: HeaderBag, secret: string | undefined | null): TelegramVerifyResult {
  if (!secret || !SECRET_SHAPE.test(secret)) return { ok: false, reason: "no_secret_configured" };
  const got = headerValue(headers, TELEGRAM_SECRET_HEADER);
  if (got.kind === "missing") return { ok: false, reason: "missing_header" };
  if (got.kind === "many") return { ok: false, reason: "repeated_header" };
  if (!SECRET_SHAPE.test(got.value)) return { ok: false, reason: "malformed_header" };
  return timingSafeEqualString(got.value, secret) ? { ok: true } : { ok: false, reason: "bad_secret" };
}
