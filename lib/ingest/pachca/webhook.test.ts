import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import type { WebhookParseResult } from "../common/import-result";
import { readSharedSample } from "../common/shared-samples";
import { parsePachcaWebhook, verifyPachcaWebhook } from "./webhook";

const SECRET = "pachca-signing-secret";
const NOW = new Date("2025-04-14T08:18:54Z");
const TS = NOW.getTime() / 1000;
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex");

const message = (extra: Record<string, unknown> = {}) => ({
  event: "new",
  type: "message",
  webhook_timestamp: TS,
  chat_id: 918264,
  content: "Клиент просит поправить шапку",
  user_id: 134412,
  id: 56431,
  created_at: "2025-04-14T08:18:54.000Z",
  changed_at: "2025-04-14T08:18:54.000Z",
  parent_message_id: null,
  entity_type: "discussion",
  entity_id: 918264,
  thread: null,
  url: "https://app.pachca.com/chats/918264?message=56431",
  ...extra,
});

/** The verbatim example request of the official handler guide (its secret is not given). */
function docExample(): { body: string; signature: string } {
  const mdx = readSharedSample("pachca", "pachca_openapi_guides_webhook_handler.mdx");
  const block = /```http[^\n]*\n([\s\S]*?)```/.exec(mdx)?.[1] ?? "";
  const signature = /pachca-signature: ([0-9a-f]+)/.exec(block)?.[1] ?? "";
  const body = block.slice(block.indexOf("\n\n") + 2).trimEnd();
  return { body, signature };
}

describe("verifyPachcaWebhook: bad-input corpus", () => {
  const body = JSON.stringify(message());
  const at = (ts: number) => JSON.stringify(message({ webhook_timestamp: ts }));
  const v = (rawBody: string, signatureHeader: Parameters<typeof verifyPachcaWebhook>[0]["signatureHeader"], secret: string | undefined = SECRET) => ({ rawBody, signatureHeader, secret, now: NOW });
  const doc = docExample();
  const cases: Array<[string, Parameters<typeof verifyPachcaWebhook>[0], string]> = [
    ["valid", v(body, sign(body)), "ok"],
    ["no secret configured", { rawBody: body, signatureHeader: sign(body), secret: undefined, now: NOW }, "no_secret_configured"],
    ["empty secret", v(body, sign(body), ""), "no_secret_configured"],
    ["missing header", v(body, undefined), "missing_signature"],
    ["null header", v(body, null), "missing_signature"],
    ["empty header list", v(body, []), "missing_signature"],
    ["repeated header", v(body, [sign(body), sign(body)]), "repeated_signature"],
    ["one-element header list", v(body, [sign(body)]), "ok"],
    ["63 hex chars", v(body, sign(body).slice(1)), "malformed_signature"],
    ["non-hex characters", v(body, "z".repeat(64)), "malformed_signature"],
    ["sha256= prefix (not Pachca's format)", v(body, `sha256=${sign(body)}`), "malformed_signature"],
    ["sha1-length digest", v(body, "a".repeat(40)), "malformed_signature"],
    ["base64 digest", v(body, createHmac("sha256", SECRET).update(body).digest("base64")), "malformed_signature"],
    ["empty header", v(body, ""), "malformed_signature"],
    ["upper-case hex", v(body, sign(body).toUpperCase()), "ok"],
    ["surrounding spaces", v(body, ` ${sign(body)} `), "ok"],
    ["wrong secret", v(body, sign(body, "other-secret")), "bad_signature"],
    ["body changed", v(body.replace("шапку", "подвал"), sign(body)), "bad_signature"],
    ["body re-serialised", v(JSON.stringify(JSON.parse(body), null, 2), sign(body)), "bad_signature"],
    ["signature of an empty body", v(body, sign("")), "bad_signature"],
    ["the docs' example with a guessed secret", v(doc.body, doc.signature), "bad_signature"],
    ["signed, but not JSON", v("not json", sign("not json")), "malformed_body"],
    ["signed JSON array", v("[]", sign("[]")), "missing_timestamp"],
    ["no webhook_timestamp", v(JSON.stringify({ ...message(), webhook_timestamp: undefined }), sign(JSON.stringify({ ...message(), webhook_timestamp: undefined }))), "missing_timestamp"],
    ["webhook_timestamp as string", v(JSON.stringify(message({ webhook_timestamp: String(TS) })), sign(JSON.stringify(message({ webhook_timestamp: String(TS) })))), "missing_timestamp"],
    ["fractional webhook_timestamp", v(at(TS + 0.5), sign(at(TS + 0.5))), "missing_timestamp"],
    ["61 s old", v(at(TS - 61), sign(at(TS - 61))), "stale_timestamp"],
    ["61 s ahead", v(at(TS + 61), sign(at(TS + 61))), "stale_timestamp"],
    ["exactly 60 s old", v(at(TS - 60), sign(at(TS - 60))), "ok"],
    ["webhook_timestamp in ms", v(at(TS * 1000), sign(at(TS * 1000))), "stale_timestamp"],
    ["non-ASCII secret", { rawBody: body, signatureHeader: sign(body, "секрет-подписи"), secret: "секрет-подписи", now: NOW }, "ok"],
  ];
  it.each(cases)("%s", (_n, input, expected) => {
    const r = verifyPachcaWebhook(input);
    expect(r.ok ? "ok" : r.reason).toBe(expected);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
});

const outcome = (r: WebhookParseResult) => ("invalid" in r ? "invalid" : "ignored" in r ? "ignored" : "events");
const events = (r: WebhookParseResult) => ("events" in r ? (r.events as MessageEvent[]) : []);

describe("parsePachcaWebhook: bad-input corpus", () => {
  const reaction = { type: "reaction", event: "new", chat_id: 9012, message_id: 1245817, code: "👍", name: "thumbsup", user_id: 2345, created_at: "2025-05-15T14:30:00.000Z", webhook_timestamp: TS };
  const cases: Array<[string, unknown, "invalid" | "ignored" | "events"]> = [
    ["null", null, "invalid"],
    ["array", [message()], "invalid"],
    ["string", "message", "invalid"],
    ["empty object", {}, "invalid"],
    ["type without event", { type: "message" }, "invalid"],
    ["reaction added", reaction, "ignored"],
    ["reaction removed, message gone (chat_id null)", { ...reaction, event: "delete", chat_id: null }, "ignored"],
    ["button click", { type: "button", event: "click", message_id: 1, trigger_id: "x", data: "d", user_id: 1, chat_id: 1, webhook_timestamp: TS }, "ignored"],
    ["form submit", { type: "view", event: "submit", callback_id: null, private_metadata: null, chat_id: null, user_id: 1, data: {}, webhook_timestamp: TS }, "ignored"],
    ["chat member added", { type: "chat_member", event: "add", chat_id: 1, thread_id: null, user_ids: [1], created_at: "2025-05-15T14:30:00.000Z", webhook_timestamp: TS }, "ignored"],
    ["workspace member", { type: "company_member", event: "invite", user_ids: [1], created_at: "2025-05-15T14:30:00.000Z", webhook_timestamp: TS }, "ignored"],
    ["video call", { type: "video_call", event: "started", video_room_id: 1, chat_id: 1, owner_id: 1, webhook_timestamp: TS }, "ignored"],
    ["export ready", { type: "export", event: "ready", export_id: 22322, created_at: "2025-03-20T12:33:58Z" }, "ignored"],
    ["unknown type", { type: "poll", event: "new", webhook_timestamp: TS }, "ignored"],
    ["link_shared (type message!)", { type: "message", event: "link_shared", chat_id: 1, message_id: 2, links: [], user_id: 1, created_at: "2024-09-18T19:53:14.000Z", webhook_timestamp: TS }, "ignored"],
    ["message event 'pin'", message({ event: "pin" }), "invalid"],
    ["entity_type 'channel'", message({ entity_type: "channel" }), "invalid"],
    ["id as string", message({ id: "56431" }), "invalid"],
    ["id 0", message({ id: 0 }), "invalid"],
    ["created_at garbage", message({ created_at: "вчера" }), "invalid"],
    ["created_at without offset", message({ created_at: "2025-04-14T08:18:54" }), "invalid"],
    ["changed_at garbage", message({ changed_at: "later" }), "invalid"],
    ["no chat_id", message({ chat_id: undefined }), "invalid"],
    ["no webhook_timestamp", message({ webhook_timestamp: undefined }), "invalid"],
    ["no content", message({ content: undefined }), "invalid"],
    ["no user_id", message({ user_id: undefined }), "invalid"],
    ["parent_message_id as string", message({ parent_message_id: "3456" }), "invalid"],
    ["thread without message_chat_id", message({ entity_type: "thread", thread: { message_id: 1 } }), "invalid"],
    ["valid new message", message(), "events"],
    ["valid update", message({ event: "update", changed_at: "2025-04-14T08:20:00.000Z" }), "events"],
    ["valid delete", message({ event: "delete", content: "" }), "events"],
    ["entity_type thread without a thread object", message({ entity_type: "thread", entity_id: 777 }), "events"],
  ];
  it.each(cases)("%s", (_n, body, expected) => {
    const r = parsePachcaWebhook(body);
    expect(outcome(r)).toBe(expected);
    for (const e of events(r)) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
});

describe("parsePachcaWebhook mapping", () => {
  it("the official handler example parses to one message in a group chat", () => {
    const { body, signature } = docExample();
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    const r = parsePachcaWebhook(JSON.parse(body));
    const [e] = events(r);
    expect(e).toMatchObject({
      action: "create",
      source: { kind: "pachca", externalId: "pachca" },
      channel: { externalId: "918264", kind: "group" },
      externalId: "56431",
      author: { externalId: "134412" },
      sentAt: new Date("2025-04-14T08:18:54.000Z"),
      text: "Клиент просит поправить шапку, подробности в документе",
    });
    // And the example verifies with our own secret at its webhook_timestamp.
    expect(verifyPachcaWebhook({ rawBody: body, signatureHeader: sign(body), secret: SECRET, now: new Date(1744618734 * 1000) }).ok).toBe(true);
  });

  it("entity_type user is a DM; parent_message_id is a reply; '' content is a file-only message", () => {
    const [e] = events(parsePachcaWebhook(message({ entity_type: "user", parent_message_id: 3456, content: "" })));
    expect(e).toMatchObject({ channel: { kind: "dm" }, replyTo: { externalId: "3456" }, contentKind: "media", text: null });
  });

  it("a thread message is filed under the chat it was opened in, thread = the starter message id", () => {
    const r = parsePachcaWebhook(message({ entity_type: "thread", entity_id: 777, chat_id: 5555, thread: { message_id: 12345, message_chat_id: 67890 } }));
    const [e] = events(r);
    expect(e?.channel).toEqual({ externalId: "67890", kind: "group" });
    expect(e?.thread).toEqual({ externalId: "12345", kind: "thread" });
    const known = parsePachcaWebhook(message({ entity_type: "thread", thread: { message_id: 12345, message_chat_id: 67890 } }), { chatKinds: new Map([["67890", "dm" as const]]) });
    expect(events(known)[0]?.channel.kind).toBe("dm");
  });

  it("update is an edit at changed_at; delete is at webhook_timestamp; an unedited message has no editedAt", () => {
    expect(events(parsePachcaWebhook(message()))[0]?.editedAt).toBeUndefined();
    expect(events(parsePachcaWebhook(message({ event: "update", content: "new", changed_at: "2025-04-14T08:20:00.000Z" })))[0]).toMatchObject({ action: "edit", text: "new", editedAt: new Date("2025-04-14T08:20:00Z") });
    expect(events(parsePachcaWebhook(message({ event: "delete", webhook_timestamp: TS + 30 })))[0]).toMatchObject({ action: "delete", deletedAt: new Date((TS + 30) * 1000) });
  });
});
