import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { countRows, expectKeptNotWritten } from "./ingest-helpers";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith, MAX_WEBHOOK_BYTES } from "@/lib/dal/webhooks";
import { signRelayBody } from "@/lib/ingest/common/relay-signature";

const SECRET = "mattermost-relay-secret-0123";
const TOKEN = "xbxyz123tokentokentoken1";
const now = new Date("2026-03-02T10:00:00Z");
const TS = Math.floor(now.getTime() / 1000);
const id = (c: string) => c.repeat(26).slice(0, 26);
const JSON_T = "application/json";
const FORM_T = "application/x-www-form-urlencoded";

const hook = (o: Record<string, unknown> = {}) => ({
  token: TOKEN, team_id: id("t"), team_domain: "school", channel_id: id("c"), channel_name: "help", timestamp: now.getTime() - 60_000,
  user_id: id("u"), user_name: "kate", post_id: id("p"), text: "where is the deadline?", trigger_word: "", file_ids: "", ...o,
});
const form = (o: Record<string, unknown> = {}) =>
  new URLSearchParams(Object.entries(hook({ timestamp: Math.floor((now.getTime() - 60_000) / 1000), ...o })).map(([k, v]) => [k, String(v)])).toString();
const post = (o: Record<string, unknown> = {}) => ({
  id: id("q"), create_at: now.getTime() - 30_000, update_at: now.getTime() - 30_000, edit_at: 0, delete_at: 0, user_id: id("u"), channel_id: id("d"),
  root_id: "", message: "личный вопрос про оплату", type: "", props: {}, ...o,
});
const ws = (event: string, p: unknown, data: Record<string, unknown> = { channel_type: "D" }) => JSON.stringify({ event, data: { post: typeof p === "string" ? p : JSON.stringify(p), ...data }, seq: 3 });

function req(body: string, o: { ctype?: string | null; relay?: { ts?: number; sig?: string; secret?: string } | false; query?: string } = {}): Request {
  const headers: Record<string, string> = {};
  if (o.ctype !== null) headers["content-type"] = o.ctype ?? JSON_T;
  if (o.relay) {
    const ts = o.relay.ts ?? TS;
    headers["x-sqd-timestamp"] = String(ts);
    headers["x-sqd-signature"] = o.relay.sig ?? signRelayBody(o.relay.secret ?? SECRET, ts, body);
  }
  return new Request(`http://x/api/ingest/mattermost?${o.query ?? "school=s1&source=mm1"}`, { method: "POST", headers, body });
}
const relay = (body: string, r: { ts?: number; sig?: string; secret?: string } = {}, o: { ctype?: string | null; query?: string } = {}) => req(body, { ...o, relay: r });

for (const engine of engines()) {
  describe(`Mattermost endpoint on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const send = (r: Request) => handleWebhookWith(h.db, "mattermost", r, now);

    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      const srcId = await upsertSource(h.db, { schoolId: school.id, kind: "mattermost", externalId: "mm1", name: "MM", secret: SECRET });
      await h.db.execute(sql`update sources set settings = settings || ${JSON.stringify({ tokens: [TOKEN] })}::jsonb where id = ${srcId}`);
    });
    afterAll(async () => h?.drop());

    it("stores an outgoing webhook (form, seconds) and a JSON one (ms), deduping the retry", async () => {
      expect((await send(req(form(), { ctype: FORM_T }))).status).toBe(200);
      expect(await (await send(req(form(), { ctype: FORM_T }))).json()).toEqual({ ok: true, duplicate: true });
      expect((await send(req(JSON.stringify(hook({ post_id: id("r") }))))).status).toBe(200);
      const got = await rows<{ sent_at: Date }>(h.db, sql`select sent_at from messages order by id`);
      expect(got.map((r) => new Date(r.sent_at).toISOString())).toEqual([new Date(Math.floor((now.getTime() - 60_000) / 1000) * 1000).toISOString(), new Date(now.getTime() - 60_000).toISOString()]);
    });

    it("relays posted / post_edited / post_deleted: DM text is never kept, the edit finds the DM's kind in the store", async () => {
      expect((await send(relay(ws("posted", post())))).status).toBe(200);
      // post_edited carries no channel_type: the store knows channel d is a DM.
      const edited = await send(relay(ws("post_edited", post({ message: "личный вопрос, исправлено", edit_at: now.getTime() - 10_000, update_at: now.getTime() - 10_000 }), {})));
      expect(await edited.json()).toMatchObject({ ok: true, updated: 1 });
      expect((await send(relay(ws("post_deleted", post({ delete_at: now.getTime() - 5_000, update_at: now.getTime() - 5_000 }), {})))).status).toBe(200);
      const [m] = await rows<{ text: string | null; deleted: boolean; edited: boolean }>(h.db, sql`select text, deleted_at is not null as deleted, edited_at is not null as edited from messages where external_id = ${id("q")}`);
      expect(m).toEqual({ text: null, deleted: true, edited: true });
    });

    const long = JSON.stringify(hook({ text: "a".repeat(MAX_WEBHOOK_BYTES) }));
    const bad: Array<[string, () => Request, number]> = [
      ["form: no token", () => req(form({ token: "" }), { ctype: FORM_T }), 401],
      ["form: wrong token", () => req(form({ token: "nope-nope-nope" }), { ctype: FORM_T }), 401],
      ["JSON: wrong token", () => req(JSON.stringify(hook({ token: "nope" }))), 401],
      ["JSON: no token", () => req(JSON.stringify(hook({ token: undefined }))), 401],
      ["JSON: malformed, unsigned", () => req("{token:"), 401],
      ["relay: wrong secret", () => relay(ws("posted", post()), { secret: "another-secret-of-length" }), 401],
      ["relay: stale timestamp", () => relay(ws("posted", post()), { ts: TS - 301 }), 401],
      ["relay: future timestamp", () => relay(ws("posted", post()), { ts: TS + 301 }), 401],
      ["relay: timestamp in ms", () => relay(ws("posted", post()), { ts: TS * 1000 }), 401],
      ["relay: malformed signature", () => relay(ws("posted", post()), { sig: "sha1=abc" }), 401],
      ["relay: repeated signature", () => relay(ws("posted", post()), { sig: `${signRelayBody(SECRET, TS, ws("posted", post()))}, sha256=${"0".repeat(64)}` }), 401],
      ["relay: body altered after signing", () => { const r = relay(ws("posted", post())); return new Request(r.url, { method: "POST", headers: r.headers, body: ws("posted", post({ message: "x" })) }); }, 401],
      ["relay: signed with the hook token", () => relay(ws("posted", post()), { secret: TOKEN }), 401],
      ["content type text/plain", () => req(JSON.stringify(hook()), { ctype: "text/plain" }), 415],
      ["no content type", () => req(JSON.stringify(hook()), { ctype: null }), 415],
      ["multipart", () => req(JSON.stringify(hook()), { ctype: "multipart/form-data; boundary=x" }), 415],
      ["relay: malformed JSON", () => relay("{\"event\": "), 400],
      ["relay: JSON array", () => relay("[]"), 400],
      ["relay: JSON null", () => relay("null"), 400],
      ["relay: JSON string", () => relay("\"posted\""), 400],
      ["JSON hook without post_id", () => req(JSON.stringify(hook({ post_id: undefined }))), 400],
      ["JSON hook with a short post_id", () => req(JSON.stringify(hook({ post_id: "abc" }))), 400],
      ["JSON hook without user_id", () => req(JSON.stringify(hook({ user_id: undefined }))), 400],
      ["form hook with a text timestamp", () => req(form({ timestamp: "yesterday" }), { ctype: FORM_T }), 400],
      ["relay: data.post is not JSON", () => relay(ws("posted", "{oops")), 400],
      ["relay: post without id", () => relay(ws("posted", post({ id: undefined }))), 400],
      ["relay: post with an upper-case id", () => relay(ws("posted", post({ id: id("Q") }))), 400],
      ["relay: negative create_at", () => relay(ws("posted", post({ create_at: -5 }))), 400],
      ["relay: channel_type X", () => relay(ws("posted", post(), { channel_type: "X" })), 400],
      ["relay: unknown event typing (acknowledged)", () => relay(JSON.stringify({ event: "typing", data: { user_id: id("u") } })), 200],
      ["relay: reaction_added (acknowledged)", () => relay(JSON.stringify({ event: "reaction_added", data: { reaction: "{}" } })), 200],
      ["relay: edit in a channel of unknown kind (acknowledged, never guessed)", () => relay(ws("post_edited", post({ id: id("z"), channel_id: id("n") }), {})), 200],
      ["oversized body", () => req(long), 413],
      ["unknown school", () => req(JSON.stringify(hook()), { query: "school=nope&source=mm1" }), 404],
      ["unknown source", () => req(JSON.stringify(hook()), { query: "school=s1&source=mm9" }), 404],
      ["no school in the URL", () => req(JSON.stringify(hook()), { query: "" }), 400],
    ];
    it("has a corpus of at least 30 bad deliveries", () => expect(bad.length).toBeGreaterThanOrEqual(30));
    it.each(bad.map(([name, make, status]) => ({ name, make, status })))("$name → $status, kept, nothing written", async ({ make, status }) => {
      await expectKeptNotWritten(h.db, "messages", () => send(make()), status);
    });

    it("keeps no token or signature in the dead-letter table", async () => {
      const leaks = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from dead_letters where headers::text like ${`%${SECRET}%`}`);
      expect(leaks[0]?.n).toBe(0);
      expect(await countRows(h.db, "dead_letters")).toBeGreaterThanOrEqual(30);
    });
  });
}
