import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { resetEnvCache } from "../env";

/** proxy.ts: a nonce CSP on every answer, the idle clock renewed, ended sessions sent to the sign-in page. */
const SECRET = "proxy-test-secret-0123456789abcdef";
let proxy: (req: NextRequest) => Promise<Response>;
const saved = { secret: process.env.AUTH_SECRET, idle: process.env.SESSION_IDLE_MINUTES };

beforeAll(async () => {
  process.env.AUTH_SECRET = SECRET;
  process.env.SESSION_IDLE_MINUTES = "60";
  resetEnvCache();
  ({ proxy } = await import("../../proxy"));
});
afterAll(() => {
  process.env.AUTH_SECRET = saved.secret;
  process.env.SESSION_IDLE_MINUTES = saved.idle;
  resetEnvCache();
});

const now = () => Math.floor(Date.now() / 1000);
async function request(path: string, clocks: { authTime?: number; seen?: number } | null): Promise<Response> {
  const headers = new Headers();
  if (clocks) headers.set("cookie", `next-auth.session-token=${await encode({ token: { uid: 1, ...clocks }, secret: SECRET })}`);
  return proxy(new NextRequest(`http://dash.test${path}`, { headers }));
}

describe("proxy", () => {
  it("sends a fresh nonce CSP with every answer", async () => {
    const a = (await request("/login", null)).headers.get("content-security-policy") ?? "";
    const b = (await request("/login", null)).headers.get("content-security-policy") ?? "";
    expect(a).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(a).not.toBe(b);
  });
  it("renews the idle clock of a valid session once a minute has passed", async () => {
    const r = await request("/queue", { authTime: now() - 600, seen: now() - 120 });
    expect(r.status).toBe(200);
    expect(r.headers.get("set-cookie") ?? "").toContain("next-auth.session-token=");
    const quiet = await request("/queue", { authTime: now() - 600, seen: now() - 5 });
    expect(quiet.headers.get("set-cookie")).toBeNull();
  });
  it("sends an idle or too-old session's page request back to the sign-in page and drops the cookie", async () => {
    for (const clocks of [{ authTime: now() - 7200, seen: now() - 3700 }, { authTime: now() - 13 * 3600, seen: now() - 10 }]) {
      const r = await request("/queue?school=s1", clocks);
      expect(r.status).toBe(307);
      expect(r.headers.get("location")).toContain("/login?expired=1");
      expect(r.headers.get("set-cookie") ?? "").toMatch(/next-auth\.session-token=;|Max-Age=0|Expires=Thu, 01 Jan 1970/);
    }
  });
  it("lets an API request through (the DAL answers 401) but drops the ended session's cookie", async () => {
    const r = await request("/api/queue", { authTime: now() - 7200, seen: now() - 3700 });
    expect(r.status).toBe(200);
    expect(r.headers.get("set-cookie") ?? "").toContain("next-auth.session-token=");
  });
});
