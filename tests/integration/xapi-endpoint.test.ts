import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { countRows, expectKeptNotWritten } from "./ingest-helpers";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { addLrsClient } from "@/db/queries/xapi";
import { handleXapiWith, MAX_XAPI_BYTES } from "@/lib/dal/xapi";

const now = new Date("2026-03-02T10:00:00Z");
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const st = (n: number, o: Record<string, unknown> = {}) => ({
  id: uuid(n),
  actor: { objectType: "Agent", name: "Anna", mbox: "mailto:anna@school.test" },
  verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
  object: { objectType: "Activity", id: `https://lms.test/activities/lesson-${n}` },
  context: { contextActivities: { parent: [{ id: "https://lms.test/course/py101", definition: { type: "http://adlnet.gov/expapi/activities/course" } }] } },
  result: { score: { raw: 7, min: 0, max: 10 }, response: "моё свободное решение" },
  timestamp: "2026-03-01T12:00:00Z",
  ...o,
});
const voiding = (n: number, target: number) => ({ id: uuid(n), actor: st(0).actor, verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: uuid(target) }, timestamp: "2026-03-01T13:00:00Z" });

for (const engine of engines()) {
  describe(`xAPI statements endpoint on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let auth = "";
    let otherAuth = "";
    const call = (method: string, body: unknown, o: { version?: string | null; auth?: string | null; ctype?: string; query?: string; raw?: string } = {}) => {
      const headers: Record<string, string> = { "content-type": o.ctype ?? "application/json" };
      if (o.version !== null) headers["x-experience-api-version"] = o.version ?? "1.0.3";
      if (o.auth !== null) headers.authorization = o.auth ?? auth;
      const init: RequestInit = { method, headers, ...(method === "GET" ? {} : { body: o.raw ?? JSON.stringify(body) }) };
      return handleXapiWith(h.db, new Request(`http://x/api/xapi/statements${o.query ?? ""}`, init), now);
    };
    const lms = async () => rows<{ external_id: string; verb: string; voided: boolean; score: number | null; enrollment: boolean }>(
      h.db, sql`select external_id, verb, voided_at is not null as voided, score, enrollment_id is not null as enrollment from lms_events order by external_id`);

    beforeAll(async () => {
      h = await engine.open();
      const s1 = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      const s2 = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s2", name: "S2", timezone: "Europe/Moscow" });
      const c1 = await addLrsClient(h.db, s1.id, "Moodle");
      const c2 = await addLrsClient(h.db, s2.id, "Open edX");
      auth = `Basic ${Buffer.from(`${c1.key}:${c1.secret}`).toString("base64")}`;
      otherAuth = `Basic ${Buffer.from(`${c2.key}:${c2.secret}`).toString("base64")}`;
    });
    afterAll(async () => h?.drop());

    it("POST one statement → 200 with its id in an array, the version header echoed; free text is not kept", async () => {
      const res = await call("POST", st(1));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-experience-api-version")).toBe("1.0.3");
      expect(await res.json()).toEqual([uuid(1)]);
      expect(await lms()).toEqual([{ external_id: uuid(1), verb: "completed", voided: false, score: 7, enrollment: false }]);
      const leak = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from xapi_statements where statement::text like '%свободное%'`);
      expect(leak[0]?.n).toBe(0);
    });

    it("POST an array → the ids in order, one assigned to the statement without an id; 2.0 is answered as 2.0.0", async () => {
      const noId: Record<string, unknown> = { ...st(3), id: undefined };
      const res = await call("POST", [st(2), noId], { version: "2.0.0" });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-experience-api-version")).toBe("2.0.0");
      const ids = (await res.json()) as string[];
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(uuid(2));
      expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
      // The same statement without id again gets the same derived id: a retried POST counts once.
      expect(await (await call("POST", [noId], { version: "2.0.0" })).json()).toEqual([ids[1]]);
      expect(await countRows(h.db, "lms_events")).toBe(3);
    });

    it("re-POST of an identical statement → 200, nothing changes; the same id with other content → 409, nothing kept", async () => {
      const before = await countRows(h.db, "xapi_statements");
      expect((await call("POST", { ...st(1), timestamp: "2026-03-01T15:00:00+03:00" })).status).toBe(200);
      expect(await countRows(h.db, "xapi_statements")).toBe(before);
      const conflicting = await call("POST", [st(9), { ...st(1), result: { score: { raw: 9, min: 0, max: 10 } } }]);
      expect(conflicting.status).toBe(409);
      expect(await countRows(h.db, "xapi_statements")).toBe(before);
      expect((await lms()).some((r) => r.external_id === uuid(9))).toBe(false);
      // A changed free-text answer is a conflict too, though only its digest is stored.
      expect((await call("POST", { ...st(1), result: { ...st(1).result, response: "другое" } })).status).toBe(409);
    });

    it("PUT with statementId → 204; again identical → 204; conflicting → 409", async () => {
      expect((await call("PUT", st(4), { query: `?statementId=${uuid(4)}` })).status).toBe(204);
      expect((await call("PUT", { ...st(4), id: undefined }, { query: `?statementId=${uuid(4)}` })).status).toBe(204);
      expect((await call("PUT", { ...st(4), verb: { id: "http://adlnet.gov/expapi/verbs/failed" } }, { query: `?statementId=${uuid(4)}` })).status).toBe(409);
    });

    it("voiding marks the stored target, and a void that arrives first voids the target when it comes", async () => {
      expect((await call("POST", voiding(10, 1))).status).toBe(200);
      expect((await call("POST", voiding(11, 5))).status).toBe(200);
      expect((await call("POST", st(5))).status).toBe(200);
      const got = new Map((await lms()).map((r) => [r.external_id, r.voided]));
      expect([got.get(uuid(1)), got.get(uuid(5)), got.get(uuid(2)), got.get(uuid(10))]).toEqual([true, true, false, false]);
    });

    it("keeps each school's statements apart: another school's client stores under its own school", async () => {
      expect((await call("POST", st(1), { auth: otherAuth })).status).toBe(200);
      const per = await rows<{ school_id: number; n: number }>(h.db, sql`select school_id, count(*)::int as n from xapi_statements where statement_id = ${uuid(1)} group by school_id`);
      expect(per).toHaveLength(2);
    });

    const bad: Array<{ name: string; send: () => Promise<Response>; status: number }> = [
      { name: "no credentials", send: () => call("POST", st(20), { auth: null }), status: 401 },
      { name: "wrong secret", send: () => call("POST", st(20), { auth: `Basic ${Buffer.from(`${auth.slice(6)}:nope`).toString("base64")}` }), status: 401 },
      { name: "unknown key", send: () => call("POST", st(20), { auth: `Basic ${Buffer.from("lrs_nobody:secret").toString("base64")}` }), status: 401 },
      { name: "Bearer instead of Basic", send: () => call("POST", st(20), { auth: "Bearer abc" }), status: 401 },
      { name: "Basic without a colon", send: () => call("POST", st(20), { auth: `Basic ${Buffer.from("justakey").toString("base64")}` }), status: 401 },
      { name: "no version header", send: () => call("POST", st(20), { version: null }), status: 400 },
      { name: "version 0.95", send: () => call("POST", st(20), { version: "0.95" }), status: 400 },
      { name: "version 3.0.0", send: () => call("POST", st(20), { version: "3.0.0" }), status: 400 },
      { name: "text/plain", send: () => call("POST", st(20), { ctype: "text/plain" }), status: 400 },
      { name: "multipart (attachments)", send: () => call("POST", st(20), { ctype: "multipart/mixed; boundary=abc" }), status: 400 },
      { name: "malformed JSON", send: () => call("POST", null, { raw: "{\"actor\": " }), status: 400 },
      { name: "empty array", send: () => call("POST", []), status: 400 },
      { name: "a JSON string", send: () => call("POST", "statement"), status: 400 },
      { name: "no actor", send: () => call("POST", { ...st(20), actor: undefined }), status: 400 },
      { name: "no verb", send: () => call("POST", { ...st(20), verb: undefined }), status: 400 },
      { name: "verb id not an IRI", send: () => call("POST", st(20, { verb: { id: "completed" } })), status: 400 },
      { name: "actor with two identifiers", send: () => call("POST", st(20, { actor: { mbox: "mailto:a@b.test", openid: "https://id.test/a" } })), status: 400 },
      { name: "mbox without mailto:", send: () => call("POST", st(20, { actor: { mbox: "a@b.test" } })), status: 400 },
      { name: "null outside extensions", send: () => call("POST", st(20, { result: { success: null } })), status: 400 },
      { name: "id not a UUID", send: () => call("POST", st(20, { id: "not-a-uuid" })), status: 400 },
      { name: "score.scaled out of range", send: () => call("POST", st(20, { result: { score: { scaled: 2 } } })), status: 400 },
      { name: "timestamp not a date", send: () => call("POST", st(20, { timestamp: "yesterday" })), status: 400 },
      { name: "2.0 timestamp without offset", send: () => call("POST", st(20, { timestamp: "2026-03-01T12:00:00" }), { version: "2.0.0" }), status: 400 },
      { name: "voiding an Activity", send: () => call("POST", { ...voiding(20, 1), object: { id: "https://lms.test/x" } }), status: 400 },
      { name: "unknown property", send: () => call("POST", st(20, { mood: "happy" })), status: 400 },
      { name: "one invalid statement in a batch stores none", send: () => call("POST", [st(21), st(22, { verb: undefined })]), status: 400 },
      { name: "two statements of one id, different content", send: () => call("POST", [st(23), st(23, { verb: { id: "http://adlnet.gov/expapi/verbs/failed" } })]), status: 409 },
      { name: "conflicting re-POST", send: () => call("POST", st(2, { verb: { id: "http://adlnet.gov/expapi/verbs/failed" } })), status: 409 },
      { name: "PUT without statementId", send: () => call("PUT", st(24)), status: 400 },
      { name: "PUT with another id in the body", send: () => call("PUT", st(25), { query: `?statementId=${uuid(26)}` }), status: 400 },
      { name: "PUT with an array", send: () => call("PUT", [st(27)], { query: `?statementId=${uuid(27)}` }), status: 400 },
      { name: "POST with statementId", send: () => call("POST", st(28), { query: `?statementId=${uuid(28)}` }), status: 400 },
      { name: "alternate request syntax", send: () => call("POST", st(29), { query: "?method=PUT" }), status: 400 },
      { name: "unknown parameter", send: () => call("POST", st(29), { query: "?agent=x" }), status: 400 },
      { name: "oversized body", send: () => call("POST", null, { raw: `{"a":"${"x".repeat(MAX_XAPI_BYTES)}"}` }), status: 413 },
    ];
    it("has a corpus of at least 30 bad requests", () => expect(bad.length).toBeGreaterThanOrEqual(30));
    it.each(bad)("$name → $status, kept, nothing written", async ({ send, status }) => {
      const statements = await countRows(h.db, "xapi_statements");
      await expectKeptNotWritten(h.db, "lms_events", send, status);
      expect(await countRows(h.db, "xapi_statements")).toBe(statements);
    });

    it("answers 401 with a Basic challenge, and 405 to GET (the read side is the dashboard)", async () => {
      const res = await call("POST", st(30), { auth: null });
      expect(res.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
      const get = await call("GET", null);
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST, PUT");
    });
  });
}
