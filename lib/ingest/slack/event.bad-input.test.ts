import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { parseSlackEvent } from "./event";

/**
 * Hostile and broken Events API bodies, each with its outcome: `invalid` (dead-letter), `ignored`
 * (acknowledge, nothing stored), `events` (how many) or `url_verification`. The parser must never throw.
 */
const msg = { type: "message", channel: "C0123", channel_type: "channel", user: "U111", text: "help?", ts: "1700000000.000100" };
const env = (event: unknown, extra: Record<string, unknown> = {}) => ({ type: "event_callback", team_id: "T024BE7LD", event_id: "Ev01", event, ...extra });
const m = (patch: Record<string, unknown>) => env({ ...msg, ...patch });
const without = (key: keyof typeof msg) => {
  const copy: Record<string, unknown> = { ...msg };
  delete copy[key];
  return env(copy);
};
const changed = (inner: unknown) => env({ type: "message", subtype: "message_changed", channel: "C0123", ts: "1700000300.000000", message: inner });

type Expect = { kind: "invalid"; reason: RegExp } | { kind: "ignored"; reason: RegExp } | { kind: "events"; count: number } | { kind: "url_verification" };
const invalid = (reason: RegExp): Expect => ({ kind: "invalid", reason });
const ignored = (reason: RegExp): Expect => ({ kind: "ignored", reason });

const cases: Array<[string, unknown, Expect]> = [
  ["null", null, invalid(/not a JSON object/)],
  ["a string", "event_callback", invalid(/not a JSON object/)],
  ["an array", [env(msg)], invalid(/not a JSON object/)],
  ["empty object", {}, invalid(/no type/)],
  ["type is a number", { type: 7 }, invalid(/no type/)],
  ["url_verification without challenge", { type: "url_verification" }, invalid(/challenge/)],
  ["url_verification with empty challenge", { type: "url_verification", challenge: "" }, invalid(/challenge/)],
  ["url_verification with numeric challenge", { type: "url_verification", challenge: 42 }, invalid(/challenge/)],
  ["url_verification with a 10 kB challenge", { type: "url_verification", challenge: "x".repeat(10_000) }, invalid(/challenge/)],
  ["url_verification", { type: "url_verification", challenge: "abc", token: "t" }, { kind: "url_verification" }],
  ["app_rate_limited", { type: "app_rate_limited", team_id: "T1", minute_rate_limited: 1 }, ignored(/app_rate_limited/)],
  ["interactive payload type", { type: "block_actions" }, ignored(/unknown envelope type block_actions/)],
  ["event_callback without event_id", { type: "event_callback", team_id: "T1", event: msg }, invalid(/event_id/)],
  ["event_id with spaces", env(msg, { event_id: "Ev 01" }), invalid(/event_id/)],
  ["event_callback without team_id", { type: "event_callback", event_id: "Ev01", event: msg }, invalid(/team_id/)],
  ["team_id not a Slack id", env(msg, { team_id: "team one" }), invalid(/team_id/)],
  ["negative event_time", env(msg, { event_time: -1 }), invalid(/event_time/)],
  ["event missing", { type: "event_callback", team_id: "T1", event_id: "Ev01" }, invalid(/event/)],
  ["event without type", env({ channel: "C1" }), invalid(/event\.type/)],
  ["reaction_added", env({ type: "reaction_added", user: "U1" }), ignored(/reaction_added is not a message/)],
  ["app_mention (duplicates the message event)", env({ ...msg, type: "app_mention" }), ignored(/app_mention/)],
  ["message without channel", without("channel"), invalid(/event\.channel/)],
  ["message without ts", without("ts"), invalid(/event\.ts/)],
  ["ts not a Slack ts", m({ ts: "yesterday" }), invalid(/event\.ts/)],
  ["ts as a number", m({ ts: 1700000000.0001 }), invalid(/event\.ts/)],
  ["ts with 14-digit seconds", m({ ts: "99999999999999.000000" }), invalid(/event\.ts/)],
  ["thread_ts malformed", m({ thread_ts: "abc" }), invalid(/thread_ts/)],
  ["no user and no bot_id", without("user"), invalid(/neither user nor bot_id/)],
  ["user id in lower case", m({ user: "u111" }), invalid(/event\.user/)],
  ["text as a number", m({ text: 5 }), invalid(/event\.text/)],
  ["files not an array", m({ files: { id: "F1" } }), invalid(/files/)],
  ["unknown channel_type", m({ channel_type: "forum" }), invalid(/channel_type/)],
  ["app_home", m({ channel_type: "app_home" }), ignored(/app_home/)],
  ["message_changed without message", changed(undefined), invalid(/event\.message/)],
  ["message_changed with a bad edited.ts", changed({ ...msg, edited: { user: "U111", ts: "x" } }), invalid(/edited\.ts/)],
  ["message_changed without edited", changed({ ...msg }), ignored(/without an edit/)],
  ["message_changed into a tombstone with no author", changed({ type: "message", subtype: "tombstone", ts: "1700000000.000100" }), invalid(/tombstone names no author/)],
  ["message_deleted without previous_message", env({ type: "message", subtype: "message_deleted", channel: "C0123", ts: "1700000030.000000", deleted_ts: "1700000000.000100" }), invalid(/previous_message author/)],
  ["message_deleted without deleted_ts or previous_message", env({ type: "message", subtype: "message_deleted", channel: "C0123", ts: "1700000030.000000" }), invalid(/deleted_ts/)],
  ["message_replied (legacy parent notice)", m({ subtype: "message_replied" }), ignored(/message_replied/)],
  ["unknown subtype", m({ subtype: "brand_new_subtype" }), ignored(/brand_new_subtype/)],
  ["empty text is still a message", m({ text: "" }), { kind: "events", count: 1 }],
  ["text null (blocks only)", m({ text: null }), { kind: "events", count: 1 }],
  ["ts without microseconds", m({ ts: "1700000000" }), { kind: "events", count: 1 }],
  ["unknown extra fields", m({ blocks: [{ type: "rich_text" }], client_msg_id: "x", zzz: { a: 1 } }), { kind: "events", count: 1 }],
  ["100 000-character text", m({ text: "a".repeat(100_000) }), { kind: "events", count: 1 }],
];

describe("parseSlackEvent bad-input corpus", () => {
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases)("%s", (_name, input, expected) => {
    const r = parseSlackEvent(input);
    expect(r.kind).toBe(expected.kind);
    if ((r.kind === "invalid" || r.kind === "ignored") && "reason" in expected) expect(r.reason).toMatch(expected.reason);
    if (r.kind === "events" && expected.kind === "events") {
      expect(r.events).toHaveLength(expected.count);
      for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    }
  });

  it("never throws on mangled variants of a valid event", () => {
    const values: unknown[] = [null, 0, -1, 1.5, "", "x", [], {}, true, 2 ** 64, Number.NaN];
    for (const key of [...Object.keys(msg), "subtype", "thread_ts", "message", "previous_message", "deleted_ts", "edited"]) {
      for (const v of values) {
        expect(() => parseSlackEvent(m({ [key]: v }))).not.toThrow();
        expect(() => parseSlackEvent(env({ ...msg, subtype: "message_changed", [key]: v }))).not.toThrow();
      }
    }
  });
});
