import { describe, expect, it } from "vitest";
import { readSharedSample } from "../common/shared-samples";
import { ingestEventSchema, type IngestEvent, type MessageEvent } from "../types";
import { parseTelegramUpdate, type TelegramUpdateResult } from "./update";

const opts = { botId: "6129457865", receivedAt: new Date("2024-06-01T00:00:00Z") };

function messagesOf(r: TelegramUpdateResult): MessageEvent[] {
  if (!("events" in r)) throw new Error(`expected events, got ${JSON.stringify(r)}`);
  for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  return r.events.filter((e): e is Extract<IngestEvent, { type: "message" }> => e.type === "message");
}
function one(r: TelegramUpdateResult): MessageEvent {
  const [m, ...rest] = messagesOf(r);
  expect(rest).toHaveLength(0);
  if (!m) throw new Error("no event");
  return m;
}

const student = { id: 111, is_bot: false, first_name: "Ann", last_name: "Lee", username: "ann_lee" };
const mentor = { id: 222, is_bot: false, first_name: "Max", username: "MaxMentor" };
const group = { id: -1001234567890, type: "supergroup", title: "Cohort 7" };
const forum = { id: -1009876543210, type: "supergroup", title: "Help desk", is_forum: true };
const msg = (extra: Record<string, unknown>) => ({ message_id: 10, date: 1717000000, chat: group, from: student, text: "hi", ...extra });
const upd = (kind: string, m: unknown, id = 1) => ({ update_id: id, [kind]: m });

describe("parseTelegramUpdate on the real forum-topics getUpdates capture", () => {
  const sample = JSON.parse(readSharedSample("telegram", "botapi_getUpdates_forum_topics_OpenIntegrations.json")) as { result: Array<Record<string, unknown>> };
  const results = sample.result.map((u) => parseTelegramUpdate(u, opts));

  it("turns every update into exactly one valid event, keyed by update_id", () => {
    expect(results).toHaveLength(sample.result.length);
    results.forEach((r, i) => {
      expect(one(r)).toBeDefined();
      expect("eventKey" in r && r.eventKey).toBe(String(sample.result[i]?.update_id));
    });
  });

  it("marks every update of the capture as a service message from a bot or the channel", () => {
    const events = results.map(one);
    expect(events.every((e) => e.contentKind === "service")).toBe(true);
    const fromBot = sample.result.filter((u) => (u.message as { from?: { is_bot?: boolean } } | undefined)?.from?.is_bot).length;
    expect(events.filter((e) => e.author.isBot).length).toBe(fromBot);
  });

  it("puts topic messages in a forum_topic thread and never treats the topic's creation message as a replied-to person", () => {
    const events = results.map(one);
    const inTopic = sample.result.filter((u) => (u.message as { is_topic_message?: boolean } | undefined)?.is_topic_message).length;
    const threaded = events.filter((e) => e.thread);
    expect(threaded).toHaveLength(inTopic);
    for (const e of threaded) expect(e.thread).toMatchObject({ externalId: "2446", kind: "forum_topic" });
    const quotingRoot = sample.result.filter((u) => (u.message as { reply_to_message?: { message_id: number } } | undefined)?.reply_to_message?.message_id === 2446);
    expect(quotingRoot.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.replyTo)).toHaveLength(0);
  });

  it("titles the topic from its creation and its rename only", () => {
    const events = results.map(one);
    expect(events.find((e) => e.externalId === "2446")?.thread?.title).toMatch(/^Тестовая тема/);
    expect(events.find((e) => e.externalId === "2448")?.thread?.title).toBe("Новый тестовый заголовок");
    expect(events.find((e) => e.externalId === "2451")?.thread?.title).toBeUndefined();
  });

  it("keeps General-topic service messages (no message_thread_id) in the forum's main timeline", () => {
    const general = results.map(one).filter((e) => ["2449", "2450", "2454", "2455", "2456"].includes(e.externalId));
    expect(general).toHaveLength(5);
    for (const e of general) expect(e.thread).toBeUndefined();
    for (const e of general) expect(e.channel).toMatchObject({ externalId: "-1001971186208", kind: "forum" });
  });

  it("attributes a channel post to the channel (sender_chat), in a 'channel' conversation, times in UTC", () => {
    const post = one(results[0] as TelegramUpdateResult);
    expect(post.channel).toMatchObject({ externalId: "-1001893407333", kind: "channel", title: "Тестовый канал" });
    expect(post.author).toMatchObject({ externalId: "-1001893407333", isBot: false });
    expect((post.sentAt as Date).toISOString()).toBe("2024-05-30T07:41:21.000Z");
    expect(post.source).toEqual({ kind: "telegram", externalId: "6129457865" });
  });
});

describe("parseTelegramUpdate message features", () => {
  it("a private chat is a DM, with the author's name, username and bot flag", () => {
    const e = one(parseTelegramUpdate(upd("message", msg({ chat: { id: 111, type: "private", first_name: "Ann" } })), opts));
    expect(e.channel).toEqual({ externalId: "111", kind: "dm", title: "Ann" });
    expect(e.author).toEqual({ externalId: "111", name: "Ann Lee", username: "ann_lee", isBot: false });
    expect(e).toMatchObject({ action: "create", contentKind: "text", text: "hi", externalId: "10" });
  });

  it("maps chat types: group → group, supergroup → group, forum → forum, channel → channel", () => {
    const kind = (chat: unknown) => one(parseTelegramUpdate(upd("message", msg({ chat })), opts)).channel.kind;
    expect(kind({ id: -42, type: "group", title: "g" })).toBe("group");
    expect(kind(group)).toBe("group");
    expect(kind(forum)).toBe("forum");
    expect(kind({ id: -100555, type: "channel", title: "c" })).toBe("channel");
  });

  it("a reply carries the quoted message's id and author", () => {
    const e = one(parseTelegramUpdate(upd("message", msg({ from: mentor, reply_to_message: msg({ message_id: 9 }) })), opts));
    expect(e.replyTo).toEqual({ externalId: "9", author: { externalId: "111", name: "Ann Lee", username: "ann_lee", isBot: false } });
  });

  it("a reply to a real message inside a topic stays a reply; one to the topic root does not", () => {
    const base = { chat: forum, is_topic_message: true, message_thread_id: 50 };
    const toPerson = one(parseTelegramUpdate(upd("message", msg({ ...base, reply_to_message: msg({ ...base, message_id: 51 }) })), opts));
    expect(toPerson.replyTo?.externalId).toBe("51");
    expect(toPerson.thread).toEqual({ externalId: "50", kind: "forum_topic" });
    const root = msg({ ...base, message_id: 50, forum_topic_created: { name: "Homework 3" } });
    const toRoot = one(parseTelegramUpdate(upd("message", msg({ ...base, reply_to_message: root })), opts));
    expect(toRoot.replyTo).toBeUndefined();
  });

  it("in a non-forum group a reply chain is not a thread (message_thread_id without is_topic_message)", () => {
    const e = one(parseTelegramUpdate(upd("message", msg({ message_thread_id: 9, reply_to_message: msg({ message_id: 9 }) })), opts));
    expect(e.thread).toBeUndefined();
    expect(e.replyTo?.externalId).toBe("9");
  });

  it("stickers, media with captions, and service messages", () => {
    const sticker = one(parseTelegramUpdate(upd("message", msg({ text: undefined, sticker: { file_id: "x" } })), opts));
    expect(sticker).toMatchObject({ contentKind: "sticker", text: null });
    const photo = one(parseTelegramUpdate(upd("message", msg({ text: undefined, photo: [{ file_id: "p" }], caption: "why error?" })), opts));
    expect(photo).toMatchObject({ contentKind: "media", text: "why error?" });
    const voice = one(parseTelegramUpdate(upd("message", msg({ text: undefined, voice: { file_id: "v" } })), opts));
    expect(voice).toMatchObject({ contentKind: "media", text: null });
    const doc = one(parseTelegramUpdate(upd("message", msg({ text: undefined, document: { file_id: "d" }, caption: "hw.pdf" })), opts));
    expect(doc).toMatchObject({ contentKind: "media", text: "hw.pdf" });
    const join = one(parseTelegramUpdate(upd("message", msg({ text: undefined, new_chat_members: [student] })), opts));
    expect(join).toMatchObject({ contentKind: "service", text: null });
    const pin = one(parseTelegramUpdate(upd("message", msg({ text: undefined, pinned_message: msg({ message_id: 3 }) })), opts));
    expect(pin.contentKind).toBe("service");
  });

  it("mentions: @username by username, text_mention by id, from caption entities too", () => {
    const text = "👋 @MaxMentor and Ann, see @ann_lee";
    // Offsets are UTF-16 units: the emoji counts as 2, which indexOf agrees with.
    expect(text.indexOf("@MaxMentor")).toBe(3);
    const entities = [
      { type: "mention", offset: 3, length: 10 },
      { type: "text_mention", offset: text.indexOf("Ann"), length: 3, user: student },
      { type: "mention", offset: text.indexOf("@ann_lee"), length: 8 },
      { type: "bold", offset: 0, length: 2 },
    ];
    const e = one(parseTelegramUpdate(upd("message", msg({ text, entities })), opts));
    expect(e.mentions).toEqual([
      { externalId: "@maxmentor", username: "MaxMentor" },
      { externalId: "111", name: "Ann Lee", username: "ann_lee", isBot: false },
      { externalId: "@ann_lee", username: "ann_lee" },
    ]);
    const cap = one(parseTelegramUpdate(upd("message", msg({ text: undefined, photo: [], caption: "@MaxMentor help", caption_entities: [{ type: "mention", offset: 0, length: 10 }] })), opts));
    expect(cap.mentions).toEqual([{ externalId: "@maxmentor", username: "MaxMentor" }]);
  });

  it("edited_message is an edit with editedAt; edited_channel_post too", () => {
    const e = one(parseTelegramUpdate(upd("edited_message", msg({ edit_date: 1717000100, text: "hi, fixed" })), opts));
    expect(e).toMatchObject({ action: "edit", text: "hi, fixed" });
    expect((e.editedAt as Date).toISOString()).toBe("2024-05-29T16:28:20.000Z");
    const p = one(parseTelegramUpdate(upd("edited_channel_post", msg({ chat: { id: -100555, type: "channel", title: "c" }, from: undefined, edit_date: 1717000100 })), opts));
    expect(p).toMatchObject({ action: "edit", author: { externalId: "-100555" } });
  });

  it("an anonymous admin is the group (sender_chat), not the GroupAnonymousBot placeholder", () => {
    const anon = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };
    const e = one(parseTelegramUpdate(upd("message", msg({ from: anon, sender_chat: group })), opts));
    expect(e.author).toMatchObject({ externalId: String(group.id), isBot: false });
  });

  it("a bot author is flagged", () => {
    const e = one(parseTelegramUpdate(upd("message", msg({ from: { id: 9, is_bot: true, first_name: "Helper" } })), opts));
    expect(e.author.isBot).toBe(true);
  });

  it("business messages: a DM; an auto-reply by the business bot is the bot's", () => {
    const dm = { id: 111, type: "private", first_name: "Ann" };
    const m = one(parseTelegramUpdate(upd("business_message", msg({ chat: dm, business_connection_id: "bc1" })), opts));
    expect(m).toMatchObject({ action: "create", channel: { kind: "dm", externalId: "111" } });
    const auto = one(parseTelegramUpdate(upd("business_message", msg({ chat: dm, from: mentor, sender_business_bot: { id: 77, is_bot: true, first_name: "Auto" } })), opts));
    expect(auto.author).toMatchObject({ externalId: "77", isBot: true });
    const ed = one(parseTelegramUpdate(upd("edited_business_message", msg({ chat: dm, edit_date: 1717000200 })), opts));
    expect(ed.action).toBe("edit");
  });

  it("deleted_business_messages become one delete per id, at the receipt time", () => {
    const r = parseTelegramUpdate(upd("deleted_business_messages", { business_connection_id: "bc1", chat: { id: 111, type: "private", first_name: "Ann" }, message_ids: [5, 6, 6] }, 77), opts);
    const events = messagesOf(r);
    expect(events.map((e) => [e.action, e.externalId])).toEqual([["delete", "5"], ["delete", "6"]]);
    expect(events[0]?.deletedAt).toEqual(opts.receivedAt);
    expect("eventKey" in r && r.eventKey).toBe("77");
  });
});
