import { describe, expect, it } from "vitest";
import type { Session } from "next-auth";
import type { JWT } from "next-auth/jwt";
import { authOptions } from "./options";

/** The session callback enforces both limits itself, so a request that skipped the proxy still meets them. */
describe("session callback", () => {
  const now = Math.floor(Date.now() / 1000);
  const session = (token: JWT) => {
    const cb = authOptions().callbacks?.session;
    if (!cb) throw new Error("no session callback");
    const base = { user: { id: 0, email: "", name: "" }, expires: "2099-01-01T00:00:00Z" } as Session;
    return cb({ session: base, token, user: undefined as never, newSession: undefined, trigger: "update" }) as Promise<Session> | Session;
  };
  it("keeps the user of a fresh session", async () => {
    expect((await session({ uid: 5, authTime: now - 60, seen: now - 60, email: "a@b.c", name: "a" })).user.id).toBe(5);
  });
  it("drops the user of an idle, a too-old or a clockless session", async () => {
    expect((await session({ uid: 5, authTime: now - 7200, seen: now - 2 * 3600 })).user.id).toBe(0);
    expect((await session({ uid: 5, authTime: now - 13 * 3600, seen: now - 10 })).user.id).toBe(0);
    expect((await session({ uid: 5 })).user.id).toBe(0);
  });
});
