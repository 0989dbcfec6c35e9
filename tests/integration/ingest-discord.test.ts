import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { expectKeptNotWritten } from "./ingest-helpers";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith, MAX_WEBHOOK_BYTES } from "@/lib/dal/webhooks";
import { signRelayBody } from "@/lib/ingest/common/relay-signature";

const SECRET = "0123456789abcdef-relay-secret";
const now = new Date("2025-03-01T10:00:00Z");
const TS = Math.floor(now.getTime() / 1000);
const user = (id: string, o: Record<string, unknown> = {}) => ({ id, username: `u${id}`, global_name: `User ${id}`, discriminator: "0", ...o });
const msg = (o: Record<string, unknown> = {}) => ({
  id: "1300000000000000001", channel_id: "200", guild_id: "100", author: user("7"), content: "How do I submit homework?",
  timestamp: "2025-03-01T09:59:00.000000+00:00", edited_timestamp: null, type: 0, mentions: [], attachments: [], embeds: [], ...o,
});
const frame = (t: string, d: unknown) => ({ op: 0, t, s: 5, d });
const env = (t: string, d: unknown, o: Record<string, unknown> = {}) => JSON.stringify({ v: 1, relayedAt: "2025-03-01T10:00:00.000Z", channel: { id: "200", type: 0, name: "help", guild_id: "100" }, payload: frame(t, d), ...o });

function req(body: string, o: { ts?: number; sig?: string | null; tsHeader?: string | null; ctype?: string; query?: string; secret?: string } = {}): Request {
  const ts = o.ts ?? TS;
  const headers: Record<string, string> = { "content-type": o.ctype ?? "application/json" };
  if (o.tsHeader !== null) headers["x-sqd-timestamp"] = o.tsHeader ?? String(ts);
  if (o.sig !== null) headers["x-sqd-signature"] = o.sig ?? signRelayBody(o.secret ?? SECRET, ts, body);
  return new Request(`http://x/api/ingest/discord?${o.query ?? "school=s1&source=discord"}`, { method: "POST", headers, body });
}

for (const engine of engines()) {
  describe(`Discord relay endpoint on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const send = (r: Request) => handleWebhookWith(h.db, "discord", r, now);
    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "discord", externalId: "discord", name: "Discord", secret: SECRET });
    });
    afterAll(async () => h?.drop());

    it("stores a relayed message once, and a thread message under its parent channel", async () => {
      expect((await send(req(env("MESSAGE_CREATE", msg())))).status).toBe(200);
      expect(await (await send(req(env("MESSAGE_CREATE", msg())))).json()).toEqual({ ok: true, duplicate: true });
      const inThread = env("MESSAGE_CREATE", msg({ id: "1300000000000000002", channel_id: "300", content: "answer in thread" }), { channel: { id: "300", type: 11, name: "hw", parent_id: "200", guild_id: "100" }, parent: { id: "200", type: 0, name: "help" } });
      expect((await send(req(inThread))).status).toBe(200);
      // A restarted relay sends a bare frame: the thread stored above tells the parent.
      const bare = JSON.stringify(frame("MESSAGE_CREATE", msg({ id: "1300000000000000003", channel_id: "300", content: "second reply" })));
      expect((await send(req(bare))).status).toBe(200);
      const got = await rows<{ external_id: string; ch: string; th: string | null }>(h.db, sql`select m.external_id, c.external_id as ch, t.external_id as th from messages m join channels c on c.id = m.channel_id left join threads t on t.id = m.thread_id order by m.external_id`);
      expect(got).toEqual([{ external_id: "1300000000000000001", ch: "200", th: null }, { external_id: "1300000000000000002", ch: "200", th: "300" }, { external_id: "1300000000000000003", ch: "200", th: "300" }]);
    });

    it("marks deletions: with the remembered author, and bulk ones without any (no person created)", async () => {
      const people = (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from people`))[0]?.n;
      expect((await send(req(env("MESSAGE_DELETE", { id: "1300000000000000001", channel_id: "200", guild_id: "100" }, { messageAuthor: user("7") })))).status).toBe(200);
      expect((await send(req(env("MESSAGE_DELETE_BULK", { ids: ["1300000000000000002", "1300000000000000003"], channel_id: "300", guild_id: "100" })))).status).toBe(200);
      const del = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from messages where deleted_at is not null`);
      expect(del[0]?.n).toBe(3);
      expect((await rows<{ n: number }>(h.db, sql`select count(*)::int as n from people`))[0]?.n).toBe(people);
    });

    const body = env("MESSAGE_CREATE", msg({ id: "1300000000000000099" }));
    const bad: Array<[string, () => Request, number]> = [
      ["missing signature", () => req(body, { sig: null }), 401],
      ["missing timestamp", () => req(body, { tsHeader: null }), 401],
      ["signature without sha256= prefix", () => req(body, { sig: signRelayBody(SECRET, TS, body).slice(7) }), 401],
      ["sha1 signature", () => req(body, { sig: `sha1=${"a".repeat(40)}` }), 401],
      ["wrong secret", () => req(body, { secret: "another-secret-of-length" }), 401],
      ["stale (301 s)", () => req(body, { ts: TS - 301 }), 401],
      ["future (301 s)", () => req(body, { ts: TS + 301 }), 401],
      ["timestamp in ms", () => req(body, { ts: TS * 1000 }), 401],
      ["non-numeric timestamp", () => req(body, { tsHeader: "yesterday", sig: signRelayBody(SECRET, TS, body) }), 401],
      ["signed over the body alone", () => req(body, { sig: `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}` }), 401],
      ["body altered after signing", () => req(body.replace("homework", "Homework"), { sig: signRelayBody(SECRET, TS, body) }), 401],
      ["repeated signature", () => req(body, { sig: `${signRelayBody(SECRET, TS, body)}, ${signRelayBody(SECRET, TS, body)}` }), 401],
      ["content type text/plain", () => req(body, { ctype: "text/plain" }), 415],
      ["form encoding", () => req(body, { ctype: "application/x-www-form-urlencoded" }), 415],
      ["malformed JSON", () => req("{\"v\": 1,"), 400],
      ["JSON array", () => req("[]"), 400],
      ["JSON null", () => req("null"), 400],
      ["envelope version 2", () => req(env("MESSAGE_CREATE", msg(), { v: 2 })), 400],
      ["envelope relayedAt not a date", () => req(env("MESSAGE_CREATE", msg(), { relayedAt: "soon" })), 400],
      ["envelope without payload", () => req(JSON.stringify({ v: 1, relayedAt: "2025-03-01T10:00:00.000Z" })), 400],
      ["bare frame with op 1", () => req(JSON.stringify({ op: 1, t: "MESSAGE_CREATE", d: msg() })), 400],
      ["message without author", () => req(env("MESSAGE_CREATE", msg({ author: undefined }))), 400],
      ["message id not a snowflake", () => req(env("MESSAGE_CREATE", msg({ id: "abc" }))), 400],
      ["timestamp without offset", () => req(env("MESSAGE_CREATE", msg({ timestamp: "2025-03-01T09:59:00" }))), 400],
      ["delete without channel_id", () => req(env("MESSAGE_DELETE", { id: "1300000000000000001" })), 400],
      ["bulk delete with no ids", () => req(env("MESSAGE_DELETE_BULK", { ids: [], channel_id: "200" })), 400],
      ["TYPING_START (acknowledged)", () => req(env("TYPING_START", { channel_id: "200", user_id: "7" })), 200],
      ["reaction (acknowledged)", () => req(env("MESSAGE_REACTION_ADD", { user_id: "7", channel_id: "200", message_id: "1", emoji: { name: "👍" } })), 200],
      ["unfurl update (acknowledged)", () => req(env("MESSAGE_UPDATE", { id: "1300000000000000001", channel_id: "200", embeds: [] })), 200],
      ["THREAD_CREATE of a text channel (acknowledged)", () => req(env("THREAD_CREATE", { id: "400", type: 0, guild_id: "100" })), 200],
      ["oversized body", () => req(`{"v":1,"x":"${"a".repeat(MAX_WEBHOOK_BYTES)}"}`), 413],
      ["unknown school", () => req(body, { query: "school=nope&source=discord" }), 404],
      ["unknown source", () => req(body, { query: "school=s1&source=guild9" }), 404],
      ["no school in the URL", () => req(body, { query: "" }), 400],
    ];
    it("has a corpus of at least 30 bad deliveries", () => expect(bad.length).toBeGreaterThanOrEqual(30));
    it.each(bad.map(([name, make, status]) => ({ name, make, status })))("$name → $status, kept, nothing written", async ({ make, status }) => {
      await expectKeptNotWritten(h.db, "messages", () => send(make()), status);
    });
  });
}
