import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { expectKeptNotWritten } from "./ingest-helpers";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith, MAX_WEBHOOK_BYTES } from "@/lib/dal/webhooks";

const SECRET = "pachca-signing-secret-for-tests";
const now = new Date("2025-04-14T08:18:54Z");
const TS = now.getTime() / 1000;
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex");
const message = (o: Record<string, unknown> = {}) => ({
  event: "new", type: "message", webhook_timestamp: TS, chat_id: 918264, content: "Когда дедлайн по модулю?", user_id: 134412, id: 56431,
  created_at: "2025-04-14T08:18:50.000Z", changed_at: "2025-04-14T08:18:50.000Z", parent_message_id: null, entity_type: "discussion",
  entity_id: 918264, thread: null, url: "https://app.pachca.com/chats/918264?message=56431", ...o,
});

function req(body: string, o: { sig?: string | null; ctype?: string; query?: string } = {}): Request {
  const headers: Record<string, string> = { "content-type": o.ctype ?? "application/json" };
  if (o.sig !== null) headers["pachca-signature"] = o.sig ?? sign(body);
  return new Request(`http://x/api/ingest/pachca?${o.query ?? "school=s1&source=pachca"}`, { method: "POST", headers, body });
}
const signed = (m: Record<string, unknown>) => req(JSON.stringify(m));

for (const engine of engines()) {
  describe(`Pachca endpoint on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const send = (r: Request) => handleWebhookWith(h.db, "pachca", r, now);
    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "pachca", externalId: "pachca", name: "Pachca", secret: SECRET });
    });
    afterAll(async () => h?.drop());

    it("stores a signed message, dedupes the redelivery, applies update and delete", async () => {
      expect((await send(signed(message()))).status).toBe(200);
      expect(await (await send(signed(message()))).json()).toEqual({ ok: true, duplicate: true });
      expect(await (await send(signed(message({ event: "update", content: "Когда дедлайн по модулю 2?", changed_at: "2025-04-14T08:18:53.000Z" })))).json()).toMatchObject({ updated: 1 });
      expect(await (await send(signed(message({ event: "delete", content: "" })))).json()).toMatchObject({ updated: 1 });
      const [m] = await rows<{ text: string; deleted: boolean }>(h.db, sql`select text, deleted_at is not null as deleted from messages where external_id = '56431'`);
      expect(m).toEqual({ text: "Когда дедлайн по модулю 2?", deleted: true });
    });

    it("accepts an upper-case hex signature and files a DM's thread under the DM the store knows", async () => {
      const dm = message({ id: 7001, chat_id: 5001, entity_type: "user", entity_id: 5001, content: "личное: мне плохо" });
      const body = JSON.stringify(dm);
      expect((await send(req(body, { sig: sign(body).toUpperCase() }))).status).toBe(200);
      const inThread = message({ id: 7002, chat_id: 9999, entity_type: "thread", entity_id: 9999, content: "продолжение в треде", thread: { message_id: 7001, message_chat_id: 5001 } });
      expect((await send(signed(inThread))).status).toBe(200);
      const got = await rows<{ external_id: string; kind: string; text: string | null }>(h.db, sql`select m.external_id, c.kind::text as kind, m.text from messages m join channels c on c.id = m.channel_id where m.external_id in ('7001','7002') order by 1`);
      expect(got).toEqual([{ external_id: "7001", kind: "dm", text: null }, { external_id: "7002", kind: "dm", text: null }]);
    });

    const body = JSON.stringify(message({ id: 60000 }));
    const bad: Array<[string, () => Request, number]> = [
      ["missing signature", () => req(body, { sig: null }), 401],
      ["wrong secret", () => req(body, { sig: sign(body, "another-secret") }), 401],
      ["signature not hex", () => req(body, { sig: "z".repeat(64) }), 401],
      ["truncated signature", () => req(body, { sig: sign(body).slice(0, 40) }), 401],
      ["sha256= prefix (not Pachca's form)", () => req(body, { sig: `sha256=${sign(body)}` }), 401],
      ["repeated signature", () => req(body, { sig: `${sign(body)}, ${sign(body)}` }), 401],
      ["body altered after signing", () => req(body.replace("дедлайн", "Дедлайн"), { sig: sign(body) }), 401],
      ["signed over re-serialised JSON", () => req(JSON.stringify(JSON.parse(body), null, 1), { sig: sign(body) }), 401],
      ["stale webhook_timestamp (61 s)", () => signed(message({ webhook_timestamp: TS - 61 })), 401],
      ["future webhook_timestamp (61 s)", () => signed(message({ webhook_timestamp: TS + 61 })), 401],
      ["no webhook_timestamp", () => signed(message({ webhook_timestamp: undefined })), 401],
      ["webhook_timestamp as a string", () => signed(message({ webhook_timestamp: String(TS) })), 401],
      ["webhook_timestamp in ms", () => signed(message({ webhook_timestamp: TS * 1000 })), 401],
      ["malformed JSON, signed", () => req("{\"type\": "), 401],
      ["JSON array, signed", () => req("[]"), 401],
      ["export callback (unsigned kind, no timestamp)", () => signed({ type: "export", event: "ready", export_id: 1, created_at: "2025-04-14T08:00:00Z" }), 401],
      ["content type text/plain", () => req(body, { ctype: "text/plain" }), 415],
      ["form encoding", () => req(body, { ctype: "application/x-www-form-urlencoded" }), 415],
      ["oversized body", () => req(`{"a":"${"x".repeat(MAX_WEBHOOK_BYTES)}"}`), 413],
      ["unknown school", () => req(body, { query: "school=nope&source=pachca" }), 404],
      ["unknown source", () => req(body, { query: "school=s1&source=other" }), 404],
      ["no school in the URL", () => req(body, { query: "" }), 400],
      // Signed but unusable: Pachca retries non-2xx forever, so 200 and dead-lettered (lib/dal/webhooks.ts).
      ["message without id", () => signed(message({ id: undefined })), 200],
      ["id as a string", () => signed(message({ id: "60001" })), 200],
      ["negative user_id", () => signed(message({ user_id: -3 })), 200],
      ["unknown message event", () => signed(message({ event: "edit" })), 200],
      ["unknown entity_type", () => signed(message({ entity_type: "channel" })), 200],
      ["created_at without offset", () => signed(message({ created_at: "2025-04-14T08:18:50" })), 200],
      ["created_at not a date", () => signed(message({ created_at: "yesterday" })), 200],
      ["content not a string", () => signed(message({ content: 42 })), 200],
      ["no type", () => signed({ event: "new", webhook_timestamp: TS }), 200],
      ["reaction (not recorded)", () => signed({ type: "reaction", event: "new", message_id: 1, code: "👍", user_id: 2, created_at: "2025-04-14T08:18:50.000Z", webhook_timestamp: TS }), 200],
      ["button click (not recorded)", () => signed({ type: "button", event: "click", message_id: 1, trigger_id: "x", data: "y", user_id: 2, webhook_timestamp: TS }), 200],
      ["link_shared (not a message)", () => signed({ ...message(), event: "link_shared" }), 200],
      ["unknown event type", () => signed({ type: "weather", event: "rain", webhook_timestamp: TS }), 200],
      ["chat_member (not recorded)", () => signed({ type: "chat_member", event: "add", chat_id: 1, user_ids: [2], webhook_timestamp: TS }), 200],
    ];
    it("has a corpus of at least 30 bad deliveries", () => expect(bad.length).toBeGreaterThanOrEqual(30));
    it.each(bad.map(([name, make, status]) => ({ name, make, status })))("$name → $status, kept, nothing written", async ({ make, status }) => {
      await expectKeptNotWritten(h.db, "messages", () => send(make()), status);
    });
  });
}
