import { NextResponse, type NextRequest } from "next/server";
import { decode, encode } from "next-auth/jwt";
import { env } from "./lib/env";
import { SEEN_RESOLUTION_SECONDS, SESSION_COOKIES, sessionState } from "./lib/auth/session-policy";
import { contentSecurityPolicy } from "./lib/auth/csp";

/**
 * Next 16's proxy (formerly middleware) runs before every page and API request:
 * 1. a fresh CSP nonce per request: Next reads it from the request's Content-Security-Policy header and
 *    puts it on its own scripts, so `script-src` needs no 'unsafe-inline' (and no 'unsafe-eval' outside
 *    `next dev`, which needs it for fast refresh);
 * 2. the session's idle clock: a valid session gets its `seen` time renewed (at most once a minute);
 *    an idle or too-old one loses its cookie and a page request goes back to the sign-in page.
 * Authorisation is not decided here: every page, export and API checks it again in lib/dal (ADR 0003).
 */

const PUBLIC_PAGES = ["/login"];

export async function proxy(req: NextRequest): Promise<NextResponse> {
  const e = env();
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, e.NODE_ENV === "development");
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);

  const path = req.nextUrl.pathname;
  const isApi = path.startsWith("/api/");
  const cookieName = SESSION_COOKIES.find((n) => req.cookies.has(n));
  let renew: { name: string; value: string; maxAge: number } | null = null;
  let drop: string | null = null;
  // next-auth's own routes manage the cookie themselves (sign-in, sign-out, CSRF token).
  if (cookieName && e.AUTH_SECRET && !path.startsWith("/api/auth/")) {
    const now = Math.floor(Date.now() / 1000);
    const limits = { idleSeconds: e.SESSION_IDLE_MINUTES * 60, maxSeconds: e.SESSION_MAX_HOURS * 3600 };
    const token = await decode({ token: req.cookies.get(cookieName)?.value, secret: e.AUTH_SECRET }).catch(() => null);
    const state = sessionState(token, now, limits);
    if (state !== "valid" || !token) {
      drop = cookieName;
      if (!isApi && !PUBLIC_PAGES.includes(path)) {
        const to = new URL("/login", req.url);
        to.searchParams.set("expired", "1");
        to.searchParams.set("callbackUrl", path + req.nextUrl.search);
        const res = NextResponse.redirect(to);
        res.cookies.delete(cookieName);
        res.headers.set("content-security-policy", csp);
        return res;
      }
    } else if (typeof token.seen === "number" && typeof token.authTime === "number" && now - token.seen >= SEEN_RESOLUTION_SECONDS) {
      const maxAge = token.authTime + limits.maxSeconds - now;
      renew = { name: cookieName, value: await encode({ token: { ...token, seen: now }, secret: e.AUTH_SECRET, maxAge }), maxAge };
    }
  }

  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  if (drop) res.cookies.delete(drop);
  if (renew) {
    res.cookies.set(renew.name, renew.value, { httpOnly: true, sameSite: "lax", path: "/", secure: renew.name.startsWith("__Secure-"), maxAge: renew.maxAge });
  }
  return res;
}

export const config = {
  matcher: [
    // Not static files or images: they carry no session and need no nonce.
    { source: "/((?!_next/static|_next/image|icon.svg|favicon.ico).*)" },
  ],
};
