import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith, MAX_WEBHOOK_BYTES } from "@/lib/dal/webhooks";
import { ingestRequestHandler, ingestSource } from "@/lib/server/ingest-http";
import { storeParsedBatch, validateEvents } from "@/db/queries/ingest";
import { parseSlackEvent } from "@/lib/ingest/slack";
import { signSlackRequest } from "@/lib/ingest/slack";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * The production server's plain node:http ingest path (lib/server/ingest-http.ts, ADR 0004) over a real
 * socket: the same statuses, answers, dead letters and receipts as the Next route's handler
 * (handleWebhookWith), and everything it does not take handed to the fallback (Next) untouched.
 */

const TG_SECRET = "tg-secret-for-server-tests-123456";
const SLACK_SECRET = "slack-signing-secret-for-server-tests";
const now = new Date("2026-03-02T10:00:00Z");
const nowSec = String(Math.floor(now.getTime() / 1000));
const updates = (JSON.parse(readFileSync(sharedSamplePath("telegram/botapi_getUpdates_forum_topics_OpenIntegrations.json"), "utf8")) as { result: unknown[] }).result;

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: string;
}

const tg = (body: string, o: { secret?: string | null; ctype?: string; query?: string } = {}): Sent => ({
  path: `/api/ingest/telegram?${o.query ?? "school=s1&source=bot1"}`,
  headers: { "content-type": o.ctype ?? "application/json", ...(o.secret === null ? {} : { "x-telegram-bot-api-secret-token": o.secret ?? TG_SECRET }) },
  body,
});

const slack = (body: string, o: { sig?: string } = {}): Sent => ({
  path: "/api/ingest/slack?school=s1&source=T1",
  headers: { "content-type": "application/json", "x-slack-request-timestamp": nowSec, "x-slack-signature": o.sig ?? signSlackRequest(SLACK_SECRET, nowSec, body) },
  body,
});

// Slack names a message by its channel and ts: each built message gets its own ts.
let slackSeq = 0;
const slackMessage = (id: string, text: string) =>
  JSON.stringify({ type: "event_callback", team_id: "T1", event_id: id, event_time: Number(nowSec), event: { type: "message", channel: "C1", channel_type: "channel", user: "U1", text, ts: `${nowSec}.${String(++slackSeq).padStart(6, "0")}` } });

describe("ingestSource: which requests the plain path takes", () => {
  const req = (method: string, url: string, ctype?: string) => ({ method, url, headers: ctype ? { "content-type": ctype } : {} });
  it.each([
    [req("POST", "/api/ingest/telegram?school=a&source=b"), "telegram"],
    [req("POST", "/api/ingest/slack"), "slack"],
    [req("POST", "/api/ingest/icq"), "icq"],
    [req("POST", "/api/ingest/tele%67ram"), "telegram"],
    [req("GET", "/api/ingest/telegram"), null],
    [req("POST", "/api/ingest/telegram/"), null],
    [req("POST", "/api/ingest/telegram/x"), null],
    [req("POST", "/api/ingest"), null],
    [req("POST", "/api/ratings/submit"), null],
    [req("POST", "/api/ingest/%E0%A4%A"), null],
    [req("POST", "/api/ingest/telegram?school=a", "application/vnd.sqd.rating+json"), null],
  ])("%j → %s", (r, expected) => {
    expect(ingestSource(r)).toBe(expected);
  });
});

for (const engine of engines()) {
  describe(`the plain ingest path on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let server: Server;
    let base = "";
    const fellThrough: string[] = [];
    const count = async (table: "messages" | "dead_letters" | "ingest_receipts") => (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]?.n ?? -1;
    const post = async (s: Sent, method = "POST") => {
      const res = await fetch(base + s.path, { method, headers: s.headers, body: method === "GET" ? undefined : s.body });
      return { status: res.status, ctype: res.headers.get("content-type"), body: (await res.json()) as Record<string, unknown> };
    };
    // The same delivery through the Next route's handler, for comparison (with the length a client sends).
    const viaRoute = async (kind: string, s: Sent) => {
      const res = await handleWebhookWith(h.db, kind, new Request(`http://x${s.path}`, { method: "POST", headers: { ...s.headers, "content-length": String(Buffer.byteLength(s.body)) }, body: s.body }), now);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot1", name: "Bot", secret: TG_SECRET });
      await upsertSource(h.db, { schoolId: school.id, kind: "slack", externalId: "T1", name: "Slack", secret: SLACK_SECRET });
      server = createServer(
        ingestRequestHandler({
          db: async () => h.db,
          fallback: (req, res) => {
            fellThrough.push(`${req.method} ${req.url}`);
            res.writeHead(299, { "content-type": "application/json" });
            res.end(JSON.stringify({ next: true }));
          },
          headers: { "X-Content-Type-Options": "nosniff" },
          now: () => now,
        }),
      );
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((r) => server?.close(r));
      await h?.drop();
    });

    it("stores a signed delivery once with its receipt; a replay stores nothing and says so", async () => {
      const [m0, r0] = [await count("messages"), await count("ingest_receipts")];
      const body = JSON.stringify(updates[1]);
      const first = await post(tg(body));
      expect(first.status).toBe(200);
      expect(first.ctype).toBe("application/json");
      expect(first.body).toMatchObject({ ok: true, stored: 1, updated: 0, duplicates: 0 });
      expect([await count("messages"), await count("ingest_receipts")]).toEqual([m0 + 1, r0 + 1]);
      expect(await post(tg(body))).toMatchObject({ status: 200, body: { ok: true, duplicate: true } });
      expect([await count("messages"), await count("ingest_receipts")]).toEqual([m0 + 1, r0 + 1]);
    });

    it("stores concurrent deliveries exactly once each (group commit behind the plain path)", async () => {
      const m0 = await count("messages");
      const bodies = Array.from({ length: 30 }, (_, i) => slackMessage(`EvC${i}`, `Вопрос ${i}?`));
      const answers = await Promise.all(bodies.map((b) => post(slack(b))));
      expect(answers.every((a) => a.status === 200 && a.body.stored === 1)).toBe(true);
      const again = await Promise.all(bodies.map((b) => post(slack(b))));
      expect(again.every((a) => a.status === 200 && a.body.duplicate === true)).toBe(true);
      expect(await count("messages")).toBe(m0 + 30);
    });

    // Refused at the edge: each with the route's status and answer, one dead letter, no message, no receipt.
    const bad: Array<{ name: string; kind: string; sent: () => Sent; status: number }> = [
      { name: "telegram: wrong secret", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { secret: "nope" }), status: 401 },
      { name: "telegram: missing secret", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { secret: null }), status: 401 },
      { name: "slack: bad signature", kind: "slack", sent: () => slack(slackMessage("EvB1", "hi"), { sig: `v0=${"0".repeat(64)}` }), status: 401 },
      { name: "telegram: malformed JSON", kind: "telegram", sent: () => tg('{"update_id": 1, '), status: 400 },
      { name: "slack: malformed JSON", kind: "slack", sent: () => slack("{oops"), status: 400 },
      { name: "telegram: wrong content type", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { ctype: "text/plain" }), status: 415 },
      { name: "telegram: unknown school", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { query: "school=nope&source=bot1" }), status: 404 },
      { name: "telegram: unknown bot", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { query: "school=s1&source=bot2" }), status: 404 },
      { name: "telegram: no school in URL", kind: "telegram", sent: () => tg(JSON.stringify(updates[2]), { query: "" }), status: 400 },
      { name: "telegram: oversized body", kind: "telegram", sent: () => tg(`{"update_id":1,"x":"${"a".repeat(MAX_WEBHOOK_BYTES)}"}`), status: 413 },
    ];
    it.each(bad)("$name → $status like the route, kept as a dead letter, nothing stored", async ({ kind, sent, status }) => {
      const [m0, r0, d0] = [await count("messages"), await count("ingest_receipts"), await count("dead_letters")];
      const plain = await post(sent());
      expect(plain.status).toBe(status);
      expect(String(plain.body.error).length).toBeGreaterThan(3);
      expect([await count("messages"), await count("ingest_receipts"), await count("dead_letters")]).toEqual([m0, r0, d0 + 1]);
      const route = await viaRoute(kind, sent());
      expect(route).toEqual({ status: plain.status, body: plain.body });
    });

    it("keeps the first bytes of a body sent without a length that turns out too large", async () => {
      const d0 = await count("dead_letters");
      const big = `{"update_id":1,"x":"${"b".repeat(MAX_WEBHOOK_BYTES)}"}`;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          const bytes = new TextEncoder().encode(big);
          for (let i = 0; i < bytes.length; i += 65_536) c.enqueue(bytes.subarray(i, i + 65_536));
          c.close();
        },
      });
      const res = await fetch(`${base}/api/ingest/telegram?school=s1&source=bot1`, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG_SECRET }, body: stream, duplex: "half" } as RequestInit & { duplex: "half" });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { error: string }).error).toBe(`body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
      const [dl] = await rows<{ n: number; len: number }>(h.db, sql`select count(*)::int as n, max(length(payload))::int as len from dead_letters where reason = ${`body exceeds ${MAX_WEBHOOK_BYTES} bytes`}`);
      expect(dl?.n).toBeGreaterThanOrEqual(1);
      expect(dl?.len).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES);
      expect(await count("dead_letters")).toBe(d0 + 1);
    });

    it("answers an unknown source kind 404 without a dead letter, like the route", async () => {
      const d0 = await count("dead_letters");
      const plain = await post({ ...tg("{}"), path: "/api/ingest/icq?school=s1&source=bot1" });
      expect(plain).toMatchObject({ status: 404, body: { error: "unknown source icq" } });
      expect(await viaRoute("icq", tg("{}"))).toEqual({ status: 404, body: plain.body });
      expect(await count("dead_letters")).toBe(d0);
    });

    // storeParsedBatch writes a batch of only new messages in one statement; a message already stored (or
    // twice in the batch) sends it back to the job-by-job path, so each job still gets its own counts.
    it("writes a batch of new messages together, and job by job when one is a duplicate", async () => {
      const [school] = await rows<{ id: number }>(h.db, sql`select id from schools where slug = 's1'`);
      const schoolId = Number(school?.id);
      const jobOf = (body: string) => {
        const r = parseSlackEvent(JSON.parse(body));
        if (r.kind !== "events") throw new Error(`not events: ${JSON.stringify(r)}`);
        return { events: validateEvents(r.events).events };
      };
      const m0 = await count("messages");
      const fresh = [slackMessage("EvT1", "Один?"), slackMessage("EvT2", "Два?"), slackMessage("EvT3", "Три?")];
      const together = await storeParsedBatch(h.db, schoolId, fresh.map(jobOf));
      expect(together.map((r) => [r.stored, r.updated, r.duplicates])).toEqual([[1, 0, 0], [1, 0, 0], [1, 0, 0]]);
      expect(await count("messages")).toBe(m0 + 3);
      // The same message under another event id (Slack sends `message` and `app_mention` for one post), next to a new one.
      const again = JSON.stringify({ ...(JSON.parse(fresh[1] ?? "") as Record<string, unknown>), event_id: "EvT2mention" });
      const mixed = await storeParsedBatch(h.db, schoolId, [jobOf(slackMessage("EvT4", "Четыре?")), jobOf(again), jobOf(again)]);
      expect(mixed.map((r) => [r.stored, r.updated, r.duplicates])).toEqual([[1, 0, 0], [0, 0, 1], [0, 0, 1]]);
      expect(await count("messages")).toBe(m0 + 4);
    });

    it("redacts secret headers in dead letters", async () => {
      const leaks = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from dead_letters where headers::text like ${"%" + TG_SECRET + "%"} or headers::text like '%nope%'`);
      expect(leaks[0]?.n).toBe(0);
    });

    it("hands every other request to the fallback untouched: other paths, methods, the rating hook", async () => {
      fellThrough.length = 0;
      expect((await post({ path: "/api/health", headers: {}, body: "" }, "GET")).status).toBe(299);
      expect((await post({ path: "/api/ingest/telegram", headers: {}, body: "" }, "GET")).status).toBe(299);
      const rating = await post({ path: "/api/ingest/telegram?school=s1&source=bot1", headers: { "content-type": "application/vnd.sqd.rating+json", authorization: `Bearer ${TG_SECRET}` }, body: "{}" });
      expect(rating).toEqual({ status: 299, ctype: "application/json", body: { next: true } });
      expect(fellThrough).toEqual(["GET /api/health", "GET /api/ingest/telegram", "POST /api/ingest/telegram?school=s1&source=bot1"]);
    });
  });
}
