import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import type { WebhookParseResult } from "../common/import-result";
import { parseMattermostWebhook, verifyMattermostToken } from "./webhook";

const id = (c: string) => c.repeat(26).slice(0, 26);
const TOKEN = "xbxyz123tokentokentoken1";
const hook = {
  token: TOKEN,
  team_id: id("t"),
  team_domain: "school",
  channel_id: id("c"),
  channel_name: "help",
  timestamp: 1700000123456,
  user_id: id("u"),
  user_name: "kate",
  post_id: id("p"),
  text: "where is the deadline?",
  trigger_word: "",
  file_ids: "",
};
const JSON_T = "application/json";
const FORM_T = "application/x-www-form-urlencoded";
const asForm = (o: Record<string, unknown>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();
// What Mattermost's ToFormValues sends: the same payload, timestamp in seconds.
const formHook = (o: Record<string, unknown> = {}) => asForm({ ...hook, timestamp: Math.floor(hook.timestamp / 1000), ...o });

const post = (extra: Record<string, unknown> = {}) => ({
  id: id("p"),
  create_at: 1700000123456,
  update_at: 1700000123456,
  edit_at: 0,
  delete_at: 0,
  user_id: id("u"),
  channel_id: id("c"),
  root_id: "",
  message: "where is the deadline?",
  type: "",
  props: {},
  ...extra,
});
const ws = (event: string, p: unknown, data: Record<string, unknown> = {}) =>
  JSON.stringify({ event, data: { post: typeof p === "string" ? p : JSON.stringify(p), ...data }, broadcast: { channel_id: id("c") }, seq: 3 });

const outcome = (r: WebhookParseResult) => ("invalid" in r ? "invalid" : "ignored" in r ? "ignored" : "events");
const events = (r: WebhookParseResult) => ("events" in r ? (r.events as MessageEvent[]) : []);

describe("parseMattermostWebhook: bad-input corpus", () => {
  const cases: Array<[string, string, string | undefined, "invalid" | "ignored" | "events", { receivedAt?: Date }?]> = [
    ["text/plain", JSON.stringify(hook), "text/plain", "invalid"],
    ["no content type", JSON.stringify(hook), undefined, "invalid"],
    ["multipart", JSON.stringify(hook), "multipart/form-data; boundary=x", "invalid"],
    ["JSON garbage", "{token:", JSON_T, "invalid"],
    ["JSON array", "[]", JSON_T, "invalid"],
    ["JSON null", "null", JSON_T, "invalid"],
    ["JSON string", '"hi"', JSON_T, "invalid"],
    ["JSON without token", JSON.stringify({ ...hook, token: undefined }), JSON_T, "invalid"],
    ["JSON without post_id", JSON.stringify({ ...hook, post_id: undefined }), JSON_T, "invalid"],
    ["JSON with a short post_id", JSON.stringify({ ...hook, post_id: "abc" }), JSON_T, "invalid"],
    ["JSON with an upper-case id", JSON.stringify({ ...hook, user_id: id("U") }), JSON_T, "invalid"],
    ["JSON timestamp as string", JSON.stringify({ ...hook, timestamp: "1700000123456" }), JSON_T, "invalid"],
    ["JSON negative timestamp", JSON.stringify({ ...hook, timestamp: -1 }), JSON_T, "invalid"],
    ["JSON fractional timestamp", JSON.stringify({ ...hook, timestamp: 1.5 }), JSON_T, "invalid"],
    ["form, empty body", "", FORM_T, "invalid"],
    ["form, timestamp not a number", formHook({ timestamp: "now" }), FORM_T, "invalid"],
    ["form, no user_id", asForm({ ...hook, user_id: "" }), FORM_T, "invalid"],
    ["form, valid", formHook(), FORM_T, "events"],
    ["form, extra fields", formHook({ extra: "x" }), FORM_T, "events"],
    ["JSON, valid", JSON.stringify(hook), JSON_T, "events"],
    ["JSON with charset", JSON.stringify(hook), "application/json; charset=utf-8", "events"],
    ["JSON without text", JSON.stringify({ ...hook, text: undefined }), JSON_T, "events"],
    ["ws: typing event", JSON.stringify({ event: "typing", data: {} }), JSON_T, "ignored"],
    ["ws: reaction_added", JSON.stringify({ event: "reaction_added", data: { reaction: "{}" } }), JSON_T, "ignored"],
    ["ws: numeric event", JSON.stringify({ event: 5, data: {} }), JSON_T, "invalid"],
    ["ws: posted without data", JSON.stringify({ event: "posted" }), JSON_T, "invalid"],
    ["ws: post is not JSON", ws("posted", "{oops", { channel_type: "O" }), JSON_T, "invalid"],
    ["ws: post without id", ws("posted", post({ id: undefined }), { channel_type: "O" }), JSON_T, "invalid"],
    ["ws: create_at as string", ws("posted", post({ create_at: "1700000123456" }), { channel_type: "O" }), JSON_T, "invalid"],
    ["ws: unknown channel_type", ws("posted", post(), { channel_type: "X" }), JSON_T, "invalid"],
    ["ws: malformed root_id", ws("posted", post({ root_id: "root" }), { channel_type: "O" }), JSON_T, "invalid"],
    ["ws: post_edited without channel_type", ws("post_edited", post({ edit_at: 1700000200000 })), JSON_T, "ignored"],
    ["ws: post_deleted without any time", ws("post_deleted", post({ update_at: 0, delete_at: 0 }), { channel_type: "O" }), JSON_T, "invalid"],
    ["ws: post_deleted with receipt time", ws("post_deleted", post({ update_at: 0, delete_at: 0 }), { channel_type: "O" }), JSON_T, "events", { receivedAt: new Date("2025-01-01T00:00:00Z") }],
    ["ws: posted, valid", ws("posted", post(), { channel_type: "O" }), JSON_T, "events"],
  ];
  it.each(cases)("%s", (_n, body, type, expected, opts) => {
    const r = parseMattermostWebhook(body, type, opts ?? {});
    expect(outcome(r)).toBe(expected);
    for (const e of events(r)) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
});

describe("verifyMattermostToken", () => {
  const cases: Array<[string, Parameters<typeof verifyMattermostToken>[0], string]> = [
    ["JSON, right token", { rawBody: JSON.stringify(hook), contentType: JSON_T, tokens: TOKEN }, "ok"],
    ["form, right token", { rawBody: formHook(), contentType: FORM_T, tokens: TOKEN }, "ok"],
    ["one of several hooks", { rawBody: formHook(), contentType: FORM_T, tokens: ["other-hook-token", TOKEN] }, "ok"],
    ["no token configured", { rawBody: formHook(), contentType: FORM_T, tokens: undefined }, "no_token_configured"],
    ["empty configured token", { rawBody: formHook(), contentType: FORM_T, tokens: "" }, "no_token_configured"],
    ["wrong token", { rawBody: formHook({ token: "nope" }), contentType: FORM_T, tokens: TOKEN }, "bad_token"],
    ["token differing in case", { rawBody: formHook({ token: TOKEN.toUpperCase() }), contentType: FORM_T, tokens: TOKEN }, "bad_token"],
    ["token with a trailing space", { rawBody: formHook({ token: TOKEN + " " }), contentType: FORM_T, tokens: TOKEN }, "bad_token"],
    ["missing token", { rawBody: JSON.stringify({ ...hook, token: undefined }), contentType: JSON_T, tokens: TOKEN }, "missing_token"],
    ["token as a number", { rawBody: JSON.stringify({ ...hook, token: 5 }), contentType: JSON_T, tokens: TOKEN }, "missing_token"],
    ["unparseable JSON", { rawBody: "{", contentType: JSON_T, tokens: TOKEN }, "unsupported_body"],
    ["unsupported content type", { rawBody: formHook(), contentType: "text/plain", tokens: TOKEN }, "unsupported_body"],
  ];
  it.each(cases)("%s", (_n, input, expected) => {
    const r = verifyMattermostToken(input);
    expect(r.ok ? "ok" : r.reason).toBe(expected);
  });
});

describe("parseMattermostWebhook mapping", () => {
  it("JSON sends ms and the form encoding SECONDS: both give the same instant (to the second)", () => {
    const fromJson = events(parseMattermostWebhook(JSON.stringify(hook), JSON_T))[0];
    const fromForm = events(parseMattermostWebhook(formHook(), FORM_T))[0];
    expect(fromJson?.sentAt).toEqual(new Date(1700000123456));
    expect(fromForm?.sentAt).toEqual(new Date(1700000123000));
    expect(fromJson?.externalId).toBe(fromForm?.externalId);
  });

  it("a form body carrying ms (re-encoded by a proxy) is read by magnitude, with a note", () => {
    const r = parseMattermostWebhook(asForm(hook), FORM_T);
    expect(events(r)[0]?.sentAt).toEqual(new Date(1700000123456));
    expect("notes" in r && r.notes?.[0]).toContain("unit");
  });

  it("outgoing webhook: public channel, author id + username, no thread (the payload has no root_id)", () => {
    const [e] = events(parseMattermostWebhook(JSON.stringify(hook), JSON_T));
    expect(e).toMatchObject({
      action: "create",
      source: { kind: "mattermost", externalId: "mattermost" },
      channel: { externalId: id("c"), kind: "channel", title: "help" },
      author: { externalId: id("u"), username: "kate" },
      externalId: id("p"),
      text: "where is the deadline?",
    });
    expect(e?.thread).toBeUndefined();
  });

  it("a file-only post is media", () => {
    const [e] = events(parseMattermostWebhook(JSON.stringify({ ...hook, text: "", file_ids: "f1,f2" }), JSON_T));
    expect(e?.contentKind).toBe("media");
  });

  it("ws posted: data.post is a JSON string; root_id makes a thread; D is a dm; mentions come from data.mentions", () => {
    const r = parseMattermostWebhook(ws("posted", post({ root_id: id("r") }), { channel_type: "D", mentions: JSON.stringify([id("m")]) }), JSON_T);
    const [e] = events(r);
    expect(e?.channel.kind).toBe("dm");
    expect(e?.thread).toEqual({ externalId: id("r"), kind: "thread" });
    expect(e?.replyTo).toEqual({ externalId: id("r") });
    expect(e?.mentions).toEqual([{ externalId: id("m") }]);
  });

  it("ws post already parsed by the relay (an object) is accepted", () => {
    const body = JSON.stringify({ event: "posted", data: { post: post(), channel_type: "P" } });
    expect(events(parseMattermostWebhook(body, JSON_T))[0]?.channel.kind).toBe("channel");
  });

  it("props.from_bot / from_webhook mark bots; system_* posts are service", () => {
    expect(events(parseMattermostWebhook(ws("posted", post({ props: { from_bot: "true" } }), { channel_type: "O" }), JSON_T))[0]?.author.isBot).toBe(true);
    expect(events(parseMattermostWebhook(ws("posted", post({ props: { from_webhook: "true", override_username: "CI" } }), { channel_type: "O" }), JSON_T))[0]?.author).toMatchObject({ isBot: true, name: "CI" });
    expect(events(parseMattermostWebhook(ws("posted", post({ type: "system_join_channel" }), { channel_type: "O" }), JSON_T))[0]?.contentKind).toBe("service");
  });

  it("post_edited uses a known channel kind and edit_at; post_deleted uses delete_at", () => {
    const kinds = new Map([[id("c"), "dm" as const]]);
    const [edit] = events(parseMattermostWebhook(ws("post_edited", post({ message: "fixed", edit_at: 1700000200000, update_at: 1700000200000 })), JSON_T, { channelKinds: kinds }));
    expect(edit).toMatchObject({ action: "edit", text: "fixed", editedAt: new Date(1700000200000), channel: { kind: "dm" } });
    const [del] = events(parseMattermostWebhook(ws("post_deleted", post({ delete_at: 1700000300000 }), { channel_type: "O" }), JSON_T));
    expect(del).toMatchObject({ action: "delete", deletedAt: new Date(1700000300000) });
  });
});
