import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import { parseSlackEvent, type SlackEventResult } from "./event";

const envelope = (event: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  token: "legacy", team_id: "T024BE7LD", api_app_id: "A1", type: "event_callback", event_id: "Ev0PV52K21", event_time: 1700000000, event, ...extra,
});
const message = (extra: Record<string, unknown> = {}) => ({
  type: "message", channel: "C0123", channel_type: "channel", user: "U111", text: "How do I submit?", ts: "1700000000.000100", event_ts: "1700000000.000100", ...extra,
});

function events(r: SlackEventResult): MessageEvent[] {
  if (r.kind !== "events") throw new Error(`expected events, got ${JSON.stringify(r)}`);
  for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  return r.events as MessageEvent[];
}
const one = (r: SlackEventResult) => {
  const [e, ...rest] = events(r);
  expect(rest).toHaveLength(0);
  if (!e) throw new Error("no event");
  return e;
};

describe("parseSlackEvent", () => {
  it("answers url_verification with the challenge", () => {
    expect(parseSlackEvent({ token: "t", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" })).toEqual({
      kind: "url_verification", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("normalises a channel message: team id as source, event_id as key, ts as id and time", () => {
    const r = parseSlackEvent(envelope(message()));
    expect(r).toMatchObject({ kind: "events", eventKey: "Ev0PV52K21" });
    const e = one(r);
    expect(e).toMatchObject({
      action: "create", source: { kind: "slack", externalId: "T024BE7LD" }, channel: { externalId: "C0123", kind: "group" },
      externalId: "1700000000.000100", author: { externalId: "U111", isBot: false }, text: "How do I submit?", contentKind: "text",
    });
    expect((e.sentAt as Date).toISOString()).toBe("2023-11-14T22:13:20.000Z");
    expect(e.thread).toBeUndefined();
    expect(e.replyTo).toBeUndefined();
  });

  it("a thread reply (thread_ts ≠ ts) and the thread parent (thread_ts = ts) share one thread scope", () => {
    const reply = one(parseSlackEvent(envelope(message({ ts: "1700000100.000200", thread_ts: "1700000000.000100", parent_user_id: "U111", user: "U222" }))));
    const parent = one(parseSlackEvent(envelope(message({ thread_ts: "1700000000.000100" }))));
    expect(reply.thread).toEqual({ externalId: "1700000000.000100", kind: "thread" });
    expect(parent.thread).toEqual(reply.thread);
    // The thread id is the parent's own id, so a parent stored before its replies can be attached to it.
    expect(reply.thread?.externalId).toBe(parent.externalId);
    expect(reply.replyTo).toBeUndefined();
  });

  it("DMs and group DMs are 'dm'; private channels are 'group'; app_home is ignored", () => {
    expect(one(parseSlackEvent(envelope(message({ channel: "D0456", channel_type: "im" })))).channel.kind).toBe("dm");
    expect(one(parseSlackEvent(envelope(message({ channel: "G0456", channel_type: "mpim" })))).channel.kind).toBe("dm");
    expect(one(parseSlackEvent(envelope(message({ channel: "G0789", channel_type: "group" })))).channel.kind).toBe("group");
    expect(one(parseSlackEvent(envelope(message({ channel: "D0456", channel_type: undefined })))).channel.kind).toBe("dm");
    expect(parseSlackEvent(envelope(message({ channel_type: "app_home" })))).toMatchObject({ kind: "ignored" });
  });

  it("reads mentions from <@U…> and <@U…|name>, not <!here>", () => {
    const e = one(parseSlackEvent(envelope(message({ text: "<@U222> and <@W333|max> <!here> <@U222>" }))));
    expect(e.mentions).toEqual([{ externalId: "U222" }, { externalId: "W333" }]);
  });

  it("bot messages: bot_id with a user, and legacy bot_message without one", () => {
    expect(one(parseSlackEvent(envelope(message({ bot_id: "B999" })))).author).toMatchObject({ externalId: "U111", isBot: true });
    const legacy = one(parseSlackEvent(envelope(message({ subtype: "bot_message", user: undefined, bot_id: "B999", username: "Deadline bot" }))));
    expect(legacy.author).toEqual({ externalId: "B999", name: "Deadline bot", isBot: true });
  });

  it("joins and other conversation events are service messages without text", () => {
    const join = one(parseSlackEvent(envelope(message({ subtype: "channel_join", text: "<@U111> has joined the channel" }))));
    expect(join).toMatchObject({ contentKind: "service", text: null, mentions: [] });
  });

  it("files make a message media, its text the caption", () => {
    expect(one(parseSlackEvent(envelope(message({ files: [{ id: "F1" }] }))))).toMatchObject({ contentKind: "media", text: "How do I submit?" });
    expect(one(parseSlackEvent(envelope(message({ files: [{ id: "F1" }], text: "" }))))).toMatchObject({ contentKind: "media", text: null });
  });

  it("message_changed with `edited` is an edit of the inner message", () => {
    const e = one(parseSlackEvent(envelope({
      type: "message", subtype: "message_changed", channel: "C0123", channel_type: "channel", hidden: true, ts: "1700000300.000000",
      message: { type: "message", user: "U111", text: "How do I submit homework 2?", ts: "1700000000.000100", edited: { user: "U111", ts: "1700000290.000000" } },
      previous_message: { type: "message", user: "U111", text: "How do I submit?", ts: "1700000000.000100" },
    })));
    expect(e).toMatchObject({ action: "edit", externalId: "1700000000.000100", text: "How do I submit homework 2?" });
    expect((e.editedAt as Date).toISOString()).toBe("2023-11-14T22:18:10.000Z");
  });

  it("message_changed without `edited` (unfurl, reply counters) is ignored", () => {
    const r = parseSlackEvent(envelope({
      type: "message", subtype: "message_changed", channel: "C0123", ts: "1700000300.000000",
      message: { type: "message", user: "U111", text: "x", ts: "1700000000.000100", thread_ts: "1700000000.000100", reply_count: 1 },
    }));
    expect(r).toMatchObject({ kind: "ignored", eventKey: "Ev0PV52K21" });
  });

  it("a parent turned into a tombstone is a delete that keeps its thread", () => {
    const e = one(parseSlackEvent(envelope({
      type: "message", subtype: "message_changed", channel: "C0123", ts: "1700000500.000000",
      message: { type: "message", subtype: "tombstone", user: "USLACKBOT", parent_user_id: "U111", text: "This message was deleted.", ts: "1700000000.000100", thread_ts: "1700000000.000100" },
    })));
    expect(e).toMatchObject({ action: "delete", externalId: "1700000000.000100", author: { externalId: "U111" }, thread: { externalId: "1700000000.000100" } });
    expect((e.deletedAt as Date).toISOString()).toBe("2023-11-14T22:21:40.000Z");
  });

  it("message_deleted is a delete of deleted_ts, at the event's time", () => {
    const e = one(parseSlackEvent(envelope({
      type: "message", subtype: "message_deleted", channel: "C0123", hidden: true, ts: "1700000030.000000", deleted_ts: "1700000000.000100",
      previous_message: { type: "message", user: "U111", text: "oops", ts: "1700000000.000100" },
    })));
    expect(e).toMatchObject({ action: "delete", externalId: "1700000000.000100", author: { externalId: "U111" } });
    expect((e.sentAt as Date).getTime()).toBe(1700000000000);
    expect((e.deletedAt as Date).getTime()).toBe(1700000030000);
  });

  it("thread_broadcast is a thread reply also shown in the channel: scoped to its thread", () => {
    const e = one(parseSlackEvent(envelope(message({ subtype: "thread_broadcast", ts: "1700000100.000200", thread_ts: "1700000000.000100" }))));
    expect(e.thread?.externalId).toBe("1700000000.000100");
  });

  it("non-message events are acknowledged and ignored, with their event id", () => {
    expect(parseSlackEvent(envelope({ type: "reaction_added", user: "U1", reaction: "thumbsup", item: { type: "message", channel: "C0123", ts: "1.2" } }))).toEqual({
      kind: "ignored", reason: "event type reaction_added is not a message", eventKey: "Ev0PV52K21",
    });
  });
});
