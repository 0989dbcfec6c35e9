import { describe, expect, it } from "vitest";
import { sessionState } from "./session-policy";
import { contentSecurityPolicy } from "./csp";
import { directoryEmail } from "./oidc";
import type { Env } from "../env";

const limits = { idleSeconds: 3600, maxSeconds: 12 * 3600 };

describe("session expiry", () => {
  it("keeps a fresh session", () => {
    expect(sessionState({ authTime: 1000, seen: 1000 }, 1000 + 3599, limits)).toBe("valid");
  });
  it("ends an idle one", () => {
    expect(sessionState({ authTime: 1000, seen: 1000 }, 1000 + 3601, limits)).toBe("idle");
  });
  it("ends any session past the absolute limit, however active", () => {
    expect(sessionState({ authTime: 1000, seen: 1000 + 12 * 3600 }, 1000 + 12 * 3600 + 1, limits)).toBe("expired");
  });
  it("treats tokens without the clocks (made before them) as expired and no token as missing", () => {
    expect(sessionState({}, 5, limits)).toBe("expired");
    expect(sessionState(null, 5, limits)).toBe("missing");
  });
});

describe("content security policy", () => {
  it("allows scripts only with the request's nonce in production", () => {
    const p = contentSecurityPolicy("abc123", false);
    expect(p).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(p).not.toContain("unsafe-eval");
    expect(p).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(p).toContain("frame-ancestors 'none'");
    expect(p).toContain("object-src 'none'");
  });
  it("allows eval only for next dev", () => {
    expect(contentSecurityPolicy("n", true)).toContain("'unsafe-eval'");
  });
});

describe("directory e-mail (OIDC)", () => {
  const env = { AUTH_GOOGLE_HOSTED_DOMAIN: "school.example" } as Env;
  it("takes Google's address only when verified and of the Workspace domain", () => {
    expect(directoryEmail("google", { email: "A@school.example", email_verified: true, hd: "school.example" }, null, env)).toBe("a@school.example");
    expect(directoryEmail("google", { email: "a@school.example", email_verified: false, hd: "school.example" }, null, env)).toBeNull();
    expect(directoryEmail("google", { email: "a@gmail.com", email_verified: true }, null, env)).toBeNull();
  });
  it("falls back to Azure AD's UPN and refuses Keycloak's unverified e-mail", () => {
    expect(directoryEmail("azure-ad", { preferred_username: "b@corp.example" }, null, env)).toBe("b@corp.example");
    expect(directoryEmail("keycloak", { email: "c@k.example", email_verified: false }, null, env)).toBeNull();
    expect(directoryEmail("keycloak", { email: "c@k.example", email_verified: true }, null, env)).toBe("c@k.example");
  });
});
