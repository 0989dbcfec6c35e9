import { createHmac } from "node:crypto";
import { timingSafeEqualString } from "../ingest/common/timing-safe-equal";

/**
 * The token a school's bot echoes back with a student's rating: `<episode key>.<HMAC>` where the HMAC
 * (SHA-256, the source's secret, truncated to 128 bits, base64url) covers school and episode. It is
 * short on purpose: Telegram's `callback_data` holds at most 64 bytes, and `r5:<token>` must fit.
 * The key is readable but cannot be changed without the secret, so a token names exactly the episode
 * the dashboard offered, at the school it offered it for.
 *
 * The episode key is the episode's opening message id (unique per school), not its row id: a recompute
 * deletes and re-inserts an episode that changed (a policy edit re-evaluates them all), which gives it
 * a new row id, while its opening message stays. A token handed out before still finds its episode.
 */
export function signRatingToken(secret: string, schoolId: number, episodeId: number): string {
  return `${episodeId}.${mac(secret, schoolId, episodeId)}`;
}

function mac(secret: string, schoolId: number, episodeId: number): string {
  return createHmac("sha256", secret).update(`sqd-rating:${schoolId}:${episodeId}`, "utf8").digest().subarray(0, 16).toString("base64url");
}

/** The episode a token names, or null when it is malformed or was not signed with `secret` for this school. */
export function verifyRatingToken(secret: string | null, schoolId: number, token: string): number | null {
  if (!secret) return null;
  const m = /^([1-9]\d{0,15})\.([A-Za-z0-9_-]{22})$/.exec(token.trim());
  if (!m || !m[1] || !m[2]) return null;
  const episodeId = Number(m[1]);
  if (!Number.isSafeInteger(episodeId)) return null;
  return timingSafeEqualString(m[2], mac(secret, schoolId, episodeId)) ? episodeId : null;
}

/** `Authorization: Bearer <secret>` against the source's secret, in constant time; fail closed without one. */
export function bearerMatches(authorization: string | null, secret: string | null): boolean {
  // Same floor as the relay signatures: an unset or toy secret must refuse everything.
  if (!secret || secret.length < 16 || !authorization) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!m || !m[1]) return false;
  return timingSafeEqualString(m[1], secret);
}
