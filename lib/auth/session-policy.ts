/**
 * When a session ends (docs/security.md). Pure, so the proxy (which slides the idle clock) and the
 * session callback (which enforces both limits beside the data) share one rule and tests can call it.
 */

export interface SessionClock {
  /** Sign-in time, epoch seconds. */
  authTime?: number;
  /** Last request seen by the proxy, epoch seconds. */
  seen?: number;
}

export interface SessionLimits {
  idleSeconds: number;
  maxSeconds: number;
}

export type SessionState = "valid" | "idle" | "expired" | "missing";

/** A token without the clocks (made before this rule) counts as expired: sign in again, once. */
export function sessionState(t: SessionClock | null | undefined, nowSeconds: number, limits: SessionLimits): SessionState {
  if (!t) return "missing";
  if (typeof t.authTime !== "number" || typeof t.seen !== "number") return "expired";
  if (nowSeconds - t.authTime > limits.maxSeconds) return "expired";
  if (nowSeconds - t.seen > limits.idleSeconds) return "idle";
  return "valid";
}

/** The session cookie names next-auth 4 uses (the __Secure- one over HTTPS). */
export const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"] as const;

/** Sliding the idle clock rewrites the cookie; once a minute is enough and keeps responses cacheable-free of churn. */
export const SEEN_RESOLUTION_SECONDS = 60;
