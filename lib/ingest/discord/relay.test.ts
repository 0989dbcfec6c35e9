import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import { signRelayBody } from "../common/relay-signature";
import { parseDiscordRelay, verifyDiscordRelay, type DiscordRelayResult } from "./relay";

const SECRET = "0123456789abcdef-relay-secret";
const NOW = new Date("2025-03-01T10:00:00Z");
const TS = Math.floor(NOW.getTime() / 1000);

const user = (id: string, extra: Record<string, unknown> = {}) => ({ id, username: `u${id}`, global_name: `User ${id}`, discriminator: "0", ...extra });
const msg = (extra: Record<string, unknown> = {}) => ({
  id: "1300000000000000001",
  channel_id: "200",
  guild_id: "100",
  author: user("7"),
  content: "How do I submit homework?",
  timestamp: "2025-03-01T09:59:00.000000+00:00",
  edited_timestamp: null,
  type: 0,
  mentions: [],
  attachments: [],
  embeds: [],
  ...extra,
});
const frame = (t: string, d: unknown) => ({ op: 0, t, s: 5, d });
const envelope = (t: string, d: unknown, extra: Record<string, unknown> = {}) => ({ v: 1, relayedAt: "2025-03-01T10:00:00.000Z", payload: frame(t, d), ...extra });

const outcome = (r: DiscordRelayResult) => ("invalid" in r ? "invalid" : "ignored" in r ? "ignored" : "events");
const events = (r: DiscordRelayResult) => ("events" in r ? (r.events as MessageEvent[]) : []);

function signed(body: string, over: { ts?: number; secret?: string; sig?: string } = {}) {
  const ts = over.ts ?? TS;
  return { "X-SQD-Timestamp": String(ts), "X-SQD-Signature": over.sig ?? signRelayBody(over.secret ?? SECRET, ts, body) };
}

describe("verifyDiscordRelay: bad-input corpus", () => {
  const body = JSON.stringify(envelope("MESSAGE_CREATE", msg()));
  const cases: Array<[string, Parameters<typeof verifyDiscordRelay>[0], string]> = [
    ["valid", { headers: signed(body), rawBody: body, secret: SECRET, now: NOW }, "ok"],
    ["no secret configured", { headers: signed(body), rawBody: body, secret: undefined, now: NOW }, "no_secret_configured"],
    ["empty secret list", { headers: signed(body), rawBody: body, secret: [], now: NOW }, "no_secret_configured"],
    ["toy secret (< 16 chars)", { headers: signed(body, { secret: "short" }), rawBody: body, secret: "short", now: NOW }, "no_secret_configured"],
    ["missing signature", { headers: { "X-SQD-Timestamp": String(TS) }, rawBody: body, secret: SECRET, now: NOW }, "missing_signature"],
    ["missing timestamp", { headers: { "X-SQD-Signature": signRelayBody(SECRET, TS, body) }, rawBody: body, secret: SECRET, now: NOW }, "missing_timestamp"],
    ["signature without sha256= prefix", { headers: signed(body, { sig: signRelayBody(SECRET, TS, body).slice(7) }), rawBody: body, secret: SECRET, now: NOW }, "malformed_signature"],
    ["truncated hex", { headers: signed(body, { sig: signRelayBody(SECRET, TS, body).slice(0, 40) }), rawBody: body, secret: SECRET, now: NOW }, "malformed_signature"],
    ["sha1 prefix", { headers: signed(body, { sig: "sha1=" + "a".repeat(40) }), rawBody: body, secret: SECRET, now: NOW }, "malformed_signature"],
    ["non-numeric timestamp", { headers: { ...signed(body), "X-SQD-Timestamp": "yesterday" }, rawBody: body, secret: SECRET, now: NOW }, "malformed_timestamp"],
    ["ISO timestamp", { headers: { ...signed(body), "X-SQD-Timestamp": NOW.toISOString() }, rawBody: body, secret: SECRET, now: NOW }, "malformed_timestamp"],
    ["negative timestamp", { headers: { ...signed(body), "X-SQD-Timestamp": "-5" }, rawBody: body, secret: SECRET, now: NOW }, "malformed_timestamp"],
    ["301 s old", { headers: signed(body, { ts: TS - 301 }), rawBody: body, secret: SECRET, now: NOW }, "stale_timestamp"],
    ["301 s in the future", { headers: signed(body, { ts: TS + 301 }), rawBody: body, secret: SECRET, now: NOW }, "stale_timestamp"],
    ["exactly 300 s old", { headers: signed(body, { ts: TS - 300 }), rawBody: body, secret: SECRET, now: NOW }, "ok"],
    ["timestamp in ms", { headers: signed(body, { ts: TS * 1000 }), rawBody: body, secret: SECRET, now: NOW }, "malformed_timestamp"],
    ["wrong secret", { headers: signed(body, { secret: "another-secret-of-length" }), rawBody: body, secret: SECRET, now: NOW }, "bad_signature"],
    ["body changed by one byte", { headers: signed(body), rawBody: body.replace("homework", "homeworK"), secret: SECRET, now: NOW }, "bad_signature"],
    ["body re-serialised with spaces", { headers: signed(body), rawBody: JSON.stringify(JSON.parse(body), null, 1), secret: SECRET, now: NOW }, "bad_signature"],
    ["signature with an altered tail", { headers: signed(body, { sig: signRelayBody(SECRET, TS, body).replace(/.{8}$/, "00000000") }), rawBody: body, secret: SECRET, now: NOW }, "bad_signature"],
    ["signed over the body alone (no timestamp)", { headers: signed(body, { sig: "sha256=" + createHmac("sha256", SECRET).update(body).digest("hex") }), rawBody: body, secret: SECRET, now: NOW }, "bad_signature"],
    ["replayed signature with a fresh timestamp", { headers: { "X-SQD-Timestamp": String(TS), "X-SQD-Signature": signRelayBody(SECRET, TS - 1000, body) }, rawBody: body, secret: SECRET, now: NOW }, "bad_signature"],
    ["repeated signature header", { headers: { "X-SQD-Timestamp": String(TS), "x-sqd-signature": [signRelayBody(SECRET, TS, body), signRelayBody(SECRET, TS, body)] }, rawBody: body, secret: SECRET, now: NOW }, "repeated_signature"],
    ["repeated timestamp header", { headers: { "x-sqd-timestamp": [String(TS), String(TS)], "X-SQD-Signature": signRelayBody(SECRET, TS, body) }, rawBody: body, secret: SECRET, now: NOW }, "repeated_timestamp"],
    ["Fetch Headers joining a repeated signature", { headers: new Headers([["x-sqd-timestamp", String(TS)], ["x-sqd-signature", "sha256=" + "a".repeat(64)], ["x-sqd-signature", "sha256=" + "b".repeat(64)]]), rawBody: body, secret: SECRET, now: NOW }, "repeated_signature"],
    ["Fetch Headers, valid", { headers: new Headers(signed(body)), rawBody: body, secret: SECRET, now: NOW }, "ok"],
    ["upper-case hex", { headers: signed(body, { sig: "sha256=" + signRelayBody(SECRET, TS, body).slice(7).toUpperCase() }), rawBody: body, secret: SECRET, now: NOW }, "ok"],
    ["lower-case header names", { headers: { "x-sqd-timestamp": String(TS), "x-sqd-signature": signRelayBody(SECRET, TS, body) }, rawBody: body, secret: SECRET, now: NOW }, "ok"],
    ["rotation: second secret matches", { headers: signed(body, { secret: "new-secret-0123456789" }), rawBody: body, secret: [SECRET, "new-secret-0123456789"], now: NOW }, "ok"],
    ["empty body, correctly signed", { headers: signed(""), rawBody: "", secret: SECRET, now: NOW }, "ok"],
    ["empty signature value", { headers: { ...signed(body), "X-SQD-Signature": "" }, rawBody: body, secret: SECRET, now: NOW }, "malformed_signature"],
  ];
  it.each(cases)("%s", (_name, input, expected) => {
    const r = verifyDiscordRelay(input);
    expect(r.ok ? "ok" : r.reason).toBe(expected);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
});

describe("parseDiscordRelay: bad-input corpus", () => {
  const cases: Array<[string, unknown, "invalid" | "ignored" | "events", { receivedAt?: Date }?]> = [
    ["null", null, "invalid"],
    ["array", [frame("MESSAGE_CREATE", msg())], "invalid"],
    ["string", "MESSAGE_CREATE", "invalid"],
    ["number", 42, "invalid"],
    ["empty object", {}, "invalid"],
    ["envelope v2", { ...envelope("MESSAGE_CREATE", msg()), v: 2 }, "invalid"],
    ["envelope without payload", { v: 1, relayedAt: "2025-03-01T10:00:00Z" }, "invalid"],
    ["envelope relayedAt without offset", envelope("MESSAGE_CREATE", msg(), { relayedAt: "2025-03-01T10:00:00" }), "invalid"],
    ["envelope relayedAt garbage", envelope("MESSAGE_CREATE", msg(), { relayedAt: "soon" }), "invalid"],
    ["heartbeat ACK frame (op 11)", { op: 11, d: null }, "invalid"],
    ["dispatch without t", { op: 0, s: 1, d: {} }, "invalid"],
    ["typing start", frame("TYPING_START", { channel_id: "1" }), "ignored"],
    ["reaction add", frame("MESSAGE_REACTION_ADD", { user_id: "1", message_id: "2", channel_id: "3" }), "ignored"],
    ["guild create", frame("GUILD_CREATE", { id: "100", channels: [] }), "ignored"],
    ["MESSAGE_CREATE without author", frame("MESSAGE_CREATE", { ...msg(), author: undefined }), "invalid"],
    ["MESSAGE_CREATE with numeric id", frame("MESSAGE_CREATE", msg({ id: 1300000000000000001 })), "invalid"],
    ["MESSAGE_CREATE with a non-snowflake id", frame("MESSAGE_CREATE", msg({ id: "abc" })), "invalid"],
    ["MESSAGE_CREATE with null content", frame("MESSAGE_CREATE", msg({ content: null })), "invalid"],
    ["MESSAGE_CREATE with garbage timestamp", frame("MESSAGE_CREATE", msg({ timestamp: "yesterday" })), "invalid"],
    ["MESSAGE_CREATE with naive timestamp", frame("MESSAGE_CREATE", msg({ timestamp: "2025-03-01T09:59:00" })), "invalid"],
    ["MESSAGE_CREATE with garbage edited_timestamp", frame("MESSAGE_CREATE", msg({ edited_timestamp: "later" })), "invalid"],
    ["MESSAGE_CREATE with negative type", frame("MESSAGE_CREATE", msg({ type: -1 })), "invalid"],
    ["MESSAGE_CREATE with d = null", frame("MESSAGE_CREATE", null), "invalid"],
    ["MESSAGE_UPDATE without edited_timestamp (embed unfurl)", frame("MESSAGE_UPDATE", { id: "1", channel_id: "2", embeds: [] }), "ignored"],
    ["MESSAGE_UPDATE partial with edited_timestamp but no author", frame("MESSAGE_UPDATE", { id: "1", channel_id: "2", edited_timestamp: "2025-03-01T10:00:00+00:00" }), "ignored"],
    ["MESSAGE_UPDATE without channel_id", frame("MESSAGE_UPDATE", { id: "1" }), "invalid"],
    ["MESSAGE_DELETE without id", envelope("MESSAGE_DELETE", { channel_id: "2" }), "invalid"],
    ["MESSAGE_DELETE bare frame with no receipt time", frame("MESSAGE_DELETE", { id: "1", channel_id: "2" }), "invalid"],
    ["MESSAGE_DELETE bare frame with receipt time", frame("MESSAGE_DELETE", { id: "1", channel_id: "2" }), "events", { receivedAt: NOW }],
    ["MESSAGE_DELETE_BULK with no ids", envelope("MESSAGE_DELETE_BULK", { ids: [], channel_id: "2" }), "invalid"],
    ["THREAD_CREATE for a text channel", frame("THREAD_CREATE", { id: "5", type: 0, guild_id: "100" }), "ignored"],
    ["THREAD_CREATE without id", frame("THREAD_CREATE", { type: 11, parent_id: "200" }), "invalid"],
    ["THREAD_CREATE thread without parent", frame("THREAD_CREATE", { id: "5", type: 11 }), "ignored"],
  ];
  it.each(cases)("%s", (_name, body, expected, opts) => {
    const r = parseDiscordRelay(body, opts ?? {});
    expect(outcome(r)).toBe(expected);
    for (const e of events(r)) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
});

describe("parseDiscordRelay mapping", () => {
  it("MESSAGE_CREATE in a guild channel", () => {
    const r = parseDiscordRelay(envelope("MESSAGE_CREATE", msg({ member: { nick: "Katya" } }), { channel: { id: "200", type: 0, name: "help" } }));
    expect(r).toMatchObject({ eventKey: "MESSAGE_CREATE:1300000000000000001" });
    const [e] = events(r);
    expect(e).toMatchObject({
      action: "create",
      source: { kind: "discord", externalId: "discord" },
      channel: { externalId: "200", kind: "channel", title: "help" },
      author: { externalId: "7", username: "u7", name: "Katya", isBot: false },
      sentAt: new Date("2025-03-01T09:59:00Z"),
      contentKind: "text",
    });
    expect(e?.thread).toBeUndefined();
  });

  it("a message in a thread becomes a thread of the parent channel (the relay names the parent)", () => {
    const r = parseDiscordRelay(
      envelope("MESSAGE_CREATE", msg({ channel_id: "300" }), { channel: { id: "300", type: 11, name: "Homework 3", parent_id: "200" }, parent: { id: "200", type: 0, name: "help" } }),
    );
    const [e] = events(r);
    expect(e?.channel).toEqual({ externalId: "200", kind: "channel", title: "help" });
    expect(e?.thread).toEqual({ externalId: "300", kind: "thread", title: "Homework 3" });
  });

  it("a post in a forum channel is a forum_topic; a known thread map works for bare frames", () => {
    const channels = new Map([
      ["300", { id: "300", type: 11, parent_id: "250", name: "Cannot log in" }],
      ["250", { id: "250", type: 15, name: "questions" }],
    ]);
    const [e] = events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ channel_id: "300" })), { channels }));
    expect(e?.channel).toEqual({ externalId: "250", kind: "forum", title: "questions" });
    expect(e?.thread?.kind).toBe("forum_topic");
  });

  it("a channel the relay does not know is kept as a channel, with a note", () => {
    const r = parseDiscordRelay(frame("MESSAGE_CREATE", msg()));
    expect("notes" in r && r.notes?.[0]).toContain("unknown to the relay");
  });

  it("a DM has no guild_id", () => {
    const [e] = events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ guild_id: undefined }))));
    expect(e?.channel.kind).toBe("dm");
  });

  it("a reply carries the quoted author; a forward is not a reply", () => {
    const reply = msg({ type: 19, message_reference: { type: 0, message_id: "99", channel_id: "200" }, referenced_message: { ...msg({ id: "99", author: user("8") }) } });
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", reply)))[0]?.replyTo).toEqual({ externalId: "99", author: expect.objectContaining({ externalId: "8" }) });
    const fwd = msg({ message_reference: { type: 1, message_id: "99", channel_id: "201" } });
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", fwd)))[0]?.replyTo).toBeUndefined();
    const pin = msg({ type: 6, message_reference: { message_id: "99" } });
    const pinned = events(parseDiscordRelay(frame("MESSAGE_CREATE", pin)))[0];
    expect(pinned?.replyTo).toBeUndefined();
    expect(pinned?.contentKind).toBe("service");
  });

  it("a reply to a deleted message (referenced_message null) still names the quoted id, without author", () => {
    const reply = msg({ type: 19, message_reference: { type: 0, message_id: "99" }, referenced_message: null });
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", reply)))[0]?.replyTo).toEqual({ externalId: "99" });
  });

  it("bots: author.bot and webhook posts", () => {
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ author: user("9", { bot: true }) }))))[0]?.author.isBot).toBe(true);
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ webhook_id: "77" }))))[0]?.author.isBot).toBe(true);
  });

  it("empty content without the MESSAGE_CONTENT intent is unknown text (null); a sticker is a sticker", () => {
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ content: "" }))))[0]?.text).toBeNull();
    expect(events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ content: "", sticker_items: [{ id: "1" }] }))))[0]?.contentKind).toBe("sticker");
  });

  it("mentions become identities", () => {
    const [e] = events(parseDiscordRelay(frame("MESSAGE_CREATE", msg({ mentions: [user("8")] }))));
    expect(e?.mentions).toEqual([expect.objectContaining({ externalId: "8" })]);
  });

  it("MESSAGE_UPDATE with edited_timestamp is an edit", () => {
    const [e] = events(parseDiscordRelay(frame("MESSAGE_UPDATE", msg({ content: "fixed", edited_timestamp: "2025-03-01T10:01:00+00:00" }))));
    expect(e).toMatchObject({ action: "edit", text: "fixed", editedAt: new Date("2025-03-01T10:01:00Z") });
  });

  it("MESSAGE_DELETE with the author the relay remembered is a delete event at relay time", () => {
    const r = parseDiscordRelay(envelope("MESSAGE_DELETE", { id: "55", channel_id: "200", guild_id: "100" }, { messageAuthor: user("7") }));
    const [e] = events(r);
    expect(e).toMatchObject({ action: "delete", externalId: "55", author: { externalId: "7" }, deletedAt: new Date("2025-03-01T10:00:00Z") });
    expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });

  it("deletions without an author are returned apart, never with an invented author", () => {
    const r = parseDiscordRelay(envelope("MESSAGE_DELETE_BULK", { ids: ["1", "2"], channel_id: "200", guild_id: "100" }));
    expect(events(r)).toEqual([]);
    expect(r.unattributedDeletes?.map((d) => d.messageId)).toEqual(["1", "2"]);
  });

  it("THREAD_CREATE returns the thread's parent for later messages", () => {
    const r = parseDiscordRelay(frame("THREAD_CREATE", { id: "300", type: 11, guild_id: "100", parent_id: "200", name: "Q" }));
    expect(r.threads).toEqual([{ threadId: "300", parentId: "200", type: 11, name: "Q" }]);
    expect(events(r)).toEqual([]);
  });

  it("the source can be overridden per school", () => {
    const [e] = events(parseDiscordRelay(frame("MESSAGE_CREATE", msg()), { source: { externalId: "guild-100" } }));
    expect(e?.source.externalId).toBe("guild-100");
  });
});
