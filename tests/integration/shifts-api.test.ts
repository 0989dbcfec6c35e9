import { describe, expect, it } from "vitest";
import { sameOrigin } from "@/lib/dal/shifts";

/** CSRF guard of POST /api/shifts: the Origin header must name this host. */
describe("shifts API same-origin check", () => {
  const req = (headers: Record<string, string>) => new Request("http://dash.test/api/shifts", { method: "POST", headers });
  it("accepts the page's own origin", () => {
    expect(sameOrigin(req({ origin: "http://dash.test", host: "dash.test" }))).toBe(true);
    expect(sameOrigin(req({ origin: "https://dash.example", host: "10.0.0.5:3000", "x-forwarded-host": "dash.example" }))).toBe(true);
  });
  it("refuses another origin, a missing or a malformed one", () => {
    expect(sameOrigin(req({ origin: "http://evil.test", host: "dash.test" }))).toBe(false);
    expect(sameOrigin(req({ host: "dash.test" }))).toBe(false);
    expect(sameOrigin(req({ origin: "null", host: "dash.test" }))).toBe(false);
  });
});
