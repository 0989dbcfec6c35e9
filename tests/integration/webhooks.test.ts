import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith, MAX_WEBHOOK_BYTES } from "@/lib/dal/webhooks";
import { signSlackRequest } from "@/lib/ingest/slack";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

const TG_SECRET = "tg-secret-for-tests-1234567890";
const SLACK_SECRET = "slack-signing-secret-for-tests";
const now = new Date("2026-03-02T10:00:00Z");
const nowSec = String(Math.floor(now.getTime() / 1000));

const updates = (JSON.parse(readFileSync(sharedSamplePath("telegram/botapi_getUpdates_forum_topics_OpenIntegrations.json"), "utf8")) as { result: unknown[] }).result;

function tg(body: string, opts: { secret?: string | null; ctype?: string; query?: string } = {}): Request {
  const headers: Record<string, string> = { "content-type": opts.ctype ?? "application/json" };
  if (opts.secret !== null) headers["x-telegram-bot-api-secret-token"] = opts.secret ?? TG_SECRET;
  return new Request(`http://x/api/ingest/telegram?${opts.query ?? "school=s1&source=bot1"}`, { method: "POST", headers, body });
}

function slack(body: string, opts: { ts?: string; sig?: string; query?: string } = {}): Request {
  const ts = opts.ts ?? nowSec;
  return new Request(`http://x/api/ingest/slack?${opts.query ?? "school=s1&source=T1"}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": opts.sig ?? signSlackRequest(SLACK_SECRET, ts, body) },
    body,
  });
}

const slackMessage = (id: string, text: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "event_callback", team_id: "T1", event_id: id, event_time: Number(nowSec), event: { type: "message", channel: "C1", channel_type: "channel", user: "U1", text, ts: `${nowSec}.000100`, ...extra } });

for (const engine of engines()) {
  describe(`webhooks on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const count = async (table: "messages" | "dead_letters" | "ingest_receipts") => (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]?.n ?? -1;

    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot1", name: "Bot", secret: TG_SECRET });
      await upsertSource(h.db, { schoolId: school.id, kind: "slack", externalId: "T1", name: "Slack", secret: SLACK_SECRET });
    });
    afterAll(async () => h?.drop());

    it("stores every update of a real getUpdates capture once, even when redelivered", async () => {
      const statuses: number[] = [];
      for (const u of updates) statuses.push((await handleWebhookWith(h.db, "telegram", tg(JSON.stringify(u)), now)).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      const stored = await count("messages");
      expect(stored).toBeGreaterThan(0);
      for (const u of updates) {
        const res = await handleWebhookWith(h.db, "telegram", tg(JSON.stringify(u)), now);
        expect(res.status).toBe(200);
      }
      expect(await count("messages")).toBe(stored);
    });

    it("answers Slack's url_verification with the challenge after checking the signature", async () => {
      const body = JSON.stringify({ type: "url_verification", challenge: "abc123", token: "x" });
      const res = await handleWebhookWith(h.db, "slack", slack(body), now);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: "abc123" });
    });

    it("stores a signed Slack message and dedupes the retry on event_id", async () => {
      const before = await count("messages");
      const body = slackMessage("Ev1", "Когда вебинар?");
      expect((await handleWebhookWith(h.db, "slack", slack(body), now)).status).toBe(200);
      const retry = await handleWebhookWith(h.db, "slack", slack(body), now);
      expect(await retry.json()).toEqual({ ok: true, duplicate: true });
      expect(await count("messages")).toBe(before + 1);
    });

    // Bad input at the HTTP edge: each is refused with a clear status, kept in dead_letters, writes no message.
    const bad: Array<{ name: string; source: "telegram" | "slack"; req: () => Request; status: number }> = [
      { name: "telegram: missing secret header", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { secret: null }), status: 401 },
      { name: "telegram: wrong secret", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { secret: "nope" }), status: 401 },
      { name: "telegram: malformed JSON", source: "telegram", req: () => tg("{\"update_id\": 1, "), status: 400 },
      { name: "telegram: JSON that is not an update", source: "telegram", req: () => tg("[1,2,3]"), status: 400 },
      { name: "telegram: wrong content type", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { ctype: "text/plain" }), status: 415 },
      { name: "telegram: unknown school", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { query: "school=nope&source=bot1" }), status: 404 },
      { name: "telegram: unknown bot", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { query: "school=s1&source=bot2" }), status: 404 },
      { name: "telegram: no school in URL", source: "telegram", req: () => tg(JSON.stringify(updates[1]), { query: "" }), status: 400 },
      { name: "telegram: oversized body", source: "telegram", req: () => tg(`{"update_id":1,"x":"${"a".repeat(MAX_WEBHOOK_BYTES)}"}`), status: 413 },
      { name: "slack: bad signature", source: "slack", req: () => slack(slackMessage("Ev2", "hi"), { sig: `v0=${"0".repeat(64)}` }), status: 401 },
      { name: "slack: stale timestamp", source: "slack", req: () => slack(slackMessage("Ev3", "hi"), { ts: String(Number(nowSec) - 301) }), status: 401 },
      { name: "slack: future timestamp", source: "slack", req: () => slack(slackMessage("Ev4", "hi"), { ts: String(Number(nowSec) + 301) }), status: 401 },
      { name: "slack: body changed after signing", source: "slack", req: () => { const r = slack(slackMessage("Ev5", "hi")); return new Request(r.url, { method: "POST", headers: r.headers, body: slackMessage("Ev5", "hi!") }); }, status: 401 },
      { name: "slack: malformed JSON", source: "slack", req: () => slack("{oops"), status: 400 },
      { name: "slack: event_callback without event", source: "slack", req: () => slack(JSON.stringify({ type: "event_callback", team_id: "T1", event_id: "Ev6" })), status: 400 },
      { name: "slack: unknown team", source: "slack", req: () => slack(slackMessage("Ev7", "hi"), { query: "school=s1&source=T9" }), status: 404 },
    ];
    it.each(bad)("$name → $status, kept, nothing written", async ({ source, req, status }) => {
      const [msgs, dead] = [await count("messages"), await count("dead_letters")];
      const res = await handleWebhookWith(h.db, source, req(), now);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error.length).toBeGreaterThan(3);
      expect(await count("messages")).toBe(msgs);
      expect(await count("dead_letters")).toBe(dead + 1);
    });

    it("never keeps a secret header in the dead-letter table", async () => {
      const leaks = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from dead_letters where headers::text like ${"%" + TG_SECRET + "%"} or headers::text like '%nope%'`);
      expect(leaks[0]?.n).toBe(0);
    });

    it("answers an unknown source kind with 404", async () => {
      const res = await handleWebhookWith(h.db, "icq", tg("{}"), now);
      expect(res.status).toBe(404);
    });
  });
}

describe("webhook secrets from the environment", () => {
  it("apply to a source that has no secret of its own", async () => {
    const engine = engines()[0]!;
    const h = await engine.open();
    try {
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s2", name: "S2", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot9", name: "Bot" });
      const { resetEnvCache } = await import("@/lib/env");
      process.env.INGEST_SECRET_TELEGRAM = "from-the-environment-123456";
      resetEnvCache();
      const body = JSON.stringify(updates[1]);
      const ok = await handleWebhookWith(h.db, "telegram", tg(body, { secret: "from-the-environment-123456", query: "school=s2&source=bot9" }), now);
      const bad = await handleWebhookWith(h.db, "telegram", tg(body, { secret: TG_SECRET, query: "school=s2&source=bot9" }), now);
      expect([ok.status, bad.status]).toEqual([200, 401]);
    } finally {
      delete process.env.INGEST_SECRET_TELEGRAM;
      const { resetEnvCache } = await import("@/lib/env");
      resetEnvCache();
      await h.drop();
    }
  });
});
