import { describe, expect, it } from "vitest";
import { readSharedSample } from "../common/shared-samples";
import { ingestEventSchema, type MessageEvent } from "../types";
import { parseTelegramExport, TelegramExportTimezoneError, type TelegramExportResult } from "./export";

interface RawMsg {
  id: number;
  type: string;
  date: string;
  date_unixtime?: string;
  edited?: string;
  edited_unixtime?: string;
  from?: string | null;
  from_id?: string;
  reply_to_message_id?: number;
  media_type?: string;
  photo?: string;
  file?: string;
  text: string | Array<string | { type: string; text: string }>;
}
interface RawChat { name: string; type: string; id: number; messages: RawMsg[] }

const load = (file: string) => JSON.parse(readSharedSample("telegram", file)) as RawChat;
const msgs = (r: TelegramExportResult) => r.events as MessageEvent[];
const byId = (r: TelegramExportResult) => new Map(msgs(r).map((e) => [e.externalId, e]));
const ms = (d: MessageEvent["sentAt"] | undefined) => (d as Date | undefined)?.getTime();

function expectAllValid(r: TelegramExportResult): void {
  for (const e of r.events) {
    const p = ingestEventSchema.safeParse(e);
    expect(p.success, JSON.stringify(p.error?.issues)).toBe(true);
  }
}

describe("parseTelegramExport on tgif_coorporate-speak.json (new layout, local date is UTC+7)", () => {
  const raw = load("tgif_coorporate-speak.json");
  const r = parseTelegramExport(raw);
  const events = byId(r);

  it("imports every `type: message` entry, rejects none, and every event is valid", () => {
    expect(r.chats).toBe(1);
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(raw.messages.filter((m) => m.type === "message").length);
    expectAllValid(r);
  });

  it("uses date_unixtime, not the exporter's local `date` (7 hours ahead)", () => {
    for (const m of raw.messages) {
      const e = events.get(String(m.id));
      expect(ms(e?.sentAt)).toBe(Number(m.date_unixtime) * 1000);
      expect(Date.parse(`${m.date}Z`) - (ms(e?.sentAt) ?? 0)).toBe(7 * 3600_000);
    }
    expect((events.get("10821")?.sentAt as Date).toISOString()).toBe("2022-06-05T08:42:59.000Z");
  });

  it("gives the chat its Bot-API id and the authors their numeric ids; deleted accounts keep the id without a name", () => {
    for (const e of r.events as MessageEvent[]) expect(e.channel).toEqual({ externalId: `-100${raw.id}`, kind: "group", title: raw.name });
    const authors = new Set(raw.messages.map((m) => m.from_id?.replace(/^user/, "")));
    expect(new Set(msgs(r).map((e) => e.author.externalId))).toEqual(authors);
    const deleted = raw.messages.find((m) => m.from === null);
    expect(deleted).toBeDefined();
    expect(events.get(String(deleted?.id))?.author).toEqual({ externalId: deleted?.from_id?.replace("user", "") });
  });

  it("links replies; with the parent's author only when the parent is in the export (dangling parents stay id-only)", () => {
    const replies = raw.messages.filter((m) => m.reply_to_message_id !== undefined);
    expect(msgs(r).filter((e) => e.replyTo)).toHaveLength(replies.length);
    const inFile = new Map(raw.messages.map((m) => [m.id, m]));
    let dangling = 0;
    for (const m of replies) {
      const e = events.get(String(m.id));
      const parent = inFile.get(m.reply_to_message_id as number);
      expect(e?.replyTo?.externalId).toBe(String(m.reply_to_message_id));
      if (parent) expect(e?.replyTo?.author?.externalId).toBe(parent.from_id?.replace("user", ""));
      else {
        dangling++;
        expect(e?.replyTo?.author).toBeUndefined();
      }
    }
    expect(dangling).toBeGreaterThan(0);
  });

  it("classifies stickers, media (caption = text) and edits as the file says", () => {
    const stickers = raw.messages.filter((m) => m.media_type === "sticker").length;
    const media = raw.messages.filter((m) => m.media_type !== "sticker" && (m.media_type || m.photo || m.file)).length;
    expect(stickers).toBe(2);
    expect(msgs(r).filter((e) => e.contentKind === "sticker")).toHaveLength(stickers);
    expect(msgs(r).filter((e) => e.contentKind === "media")).toHaveLength(media);
    expect(msgs(r).filter((e) => e.editedAt)).toHaveLength(raw.messages.filter((m) => m.edited_unixtime).length);
    expect(ms(events.get("10821")?.editedAt)).toBe(1654419750 * 1000);
  });

  it("concatenates entity-array text and reads @mentions from entities", () => {
    const list = raw.messages.filter((m) => Array.isArray(m.text));
    for (const m of list) {
      const expected = (m.text as Array<string | { text: string }>).map((p) => (typeof p === "string" ? p : p.text)).join("");
      expect(events.get(String(m.id))?.text).toBe(expected);
    }
    const mentionEntities = list.flatMap((m) => (m.text as Array<string | { type: string; text: string }>).filter((p) => typeof p !== "string" && p.type === "mention"));
    const mentions = msgs(r).flatMap((e) => e.mentions ?? []);
    expect(mentions).toHaveLength(mentionEntities.length);
    for (const x of mentions) expect(x.externalId).toMatch(/^@[a-z0-9_]+$/);
  });

  it("still prefers date_unixtime when a --tz is given", () => {
    const withTz = parseTelegramExport(raw, { tz: "America/New_York" });
    expect(withTz.events.map((e) => ms((e as MessageEvent).sentAt))).toEqual(r.events.map((e) => ms((e as MessageEvent).sentAt)));
  });
});

describe("parseTelegramExport on tgif_database-isolation-level.json (old layout, no date_unixtime)", () => {
  const raw = load("tgif_database-isolation-level.json");

  it("throws a clear error naming --tz when no time zone is given", () => {
    expect(() => parseTelegramExport(raw)).toThrow(TelegramExportTimezoneError);
    expect(() => parseTelegramExport(raw)).toThrow(/--tz is required/);
  });

  it("rejects a --tz that is not an IANA zone", () => {
    expect(() => parseTelegramExport(raw, { tz: "UTC+7" })).toThrow(/not an IANA time zone/);
  });

  it("reads the local dates in the given zone (Asia/Jakarta = UTC+7, no DST)", () => {
    const r = parseTelegramExport(raw, { tz: "Asia/Jakarta" });
    expectAllValid(r);
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(raw.messages.filter((m) => m.type === "message").length);
    const events = byId(r);
    for (const m of raw.messages) {
      expect(ms(events.get(String(m.id))?.sentAt)).toBe(Date.parse(`${m.date}Z`) - 7 * 3600_000);
      if (m.edited) expect(ms(events.get(String(m.id))?.editedAt)).toBe(Date.parse(`${m.edited}Z`) - 7 * 3600_000);
    }
    expect(msgs(r).filter((e) => e.editedAt)).toHaveLength(raw.messages.filter((m) => m.edited).length);
    expect(msgs(r).filter((e) => e.replyTo)).toHaveLength(raw.messages.filter((m) => m.reply_to_message_id !== undefined).length);
    // Old layout has no text_entities: mentions come from the text array.
    expect(msgs(r).flatMap((e) => e.mentions ?? []).length).toBe(1);
  });
});

describe("parseTelegramExport on a full-account result.json", () => {
  const t = (id: number, extra: Record<string, unknown>) => ({ id, type: "message", date: "2024-03-01T10:00:00", date_unixtime: String(1709287200 + id), from: "Ann", from_id: "user111", text: "q?", ...extra });
  const account = {
    about: "…",
    personal_information: { user_id: 999 },
    chats: {
      about: "…",
      list: [
        { name: "Ann", type: "personal_chat", id: 111, messages: [t(1, {}), t(2, { from: "Me", from_id: "user999", reply_to_message_id: 1 })] },
        { name: "HelperBot", type: "bot_chat", id: 555, messages: [t(1, { from: "HelperBot", from_id: "user555" }), t(2, { from: "Me", from_id: "user999" })] },
        { name: "Saved Messages", type: "saved_messages", id: 999, messages: [t(1, {})] },
        {
          name: "Help forum", type: "private_supergroup", id: 777,
          messages: [
            { id: 10, type: "service", date: "x", date_unixtime: "1709287210", actor: "Max", actor_id: "user222", action: "topic_created", title: "Homework 1" },
            t(11, { reply_to_message_id: 10 }),
            t(12, { from: "Max", from_id: "user222", reply_to_message_id: 11 }),
            { id: 13, type: "service", date: "x", date_unixtime: "1709287213", actor: "Max", actor_id: "user222", action: "topic_edit", new_title: "Homework 1 (due Fri)", reply_to_message_id: 10 },
            t(14, {}),
            t(15, { reply_to_message_id: 16 }),
            t(16, { reply_to_message_id: 15 }),
            t(17, { from: "News", from_id: "channel4242" }),
            t(18, { reply_to_message_id: 5, reply_to_peer_id: "channel1" }),
            { id: 19, type: "unsupported", date: "x", date_unixtime: "1709287219" },
            { id: "20", type: "message" },
            t(21, { from_id: "robot7" }),
            t(22, { date_unixtime: "17092872220000" }),
            t(23, { media_type: "sticker", sticker_emoji: "👍", text: "" }),
          ],
        },
      ],
    },
    left_chats: { about: "…", list: [{ name: "Old group", type: "private_group", id: 333, messages: [t(1, { from_id: "chat333", from: "Old group" })] }] },
  };
  const r = parseTelegramExport(account, { sourceExternalId: "6129457865" });
  const forum = msgs(r).filter((e) => e.channel.externalId === "-100777");
  const get = (id: string) => forum.find((e) => e.externalId === id);

  it("imports every chat but saved messages, with Bot-API chat ids and the given source", () => {
    expectAllValid(r);
    expect(r.chats).toBe(4);
    expect(r.warnings.join()).toMatch(/saved messages/);
    const channels = new Map(msgs(r).map((e) => [e.channel.externalId, e.channel.kind]));
    expect(Object.fromEntries(channels)).toEqual({ "111": "dm", "555": "dm", "-100777": "forum", "-333": "group" });
    expect(msgs(r).every((e) => e.source.externalId === "6129457865")).toBe(true);
  });

  it("flags the bot of a bot chat, and maps channel/chat senders to their Bot-API ids", () => {
    const bot = msgs(r).filter((e) => e.channel.externalId === "555");
    expect(bot.map((e) => e.author.isBot === true)).toEqual([true, false]);
    expect(get("17")?.author).toEqual({ externalId: "-1004242", name: "News" });
    expect(msgs(r).find((e) => e.channel.externalId === "-333")?.author.externalId).toBe("-333");
  });

  it("infers forum topics from reply chains; a reply to the topic root is not a reply to a person", () => {
    const topic = { externalId: "10", kind: "forum_topic", title: "Homework 1 (due Fri)" };
    expect(get("10")).toMatchObject({ contentKind: "service", thread: topic });
    expect(get("11")?.thread).toEqual(topic);
    expect(get("11")?.replyTo).toBeUndefined();
    expect(get("12")?.thread).toEqual(topic);
    expect(get("12")?.replyTo).toEqual({ externalId: "11", author: { externalId: "111", name: "Ann" } });
    expect(get("13")?.thread).toEqual(topic);
    expect(get("14")?.thread).toBeUndefined();
  });

  it("survives a reply cycle, drops cross-chat replies, reads stickers", () => {
    expect(get("15")?.thread).toBeUndefined();
    expect(get("16")?.replyTo?.externalId).toBe("15");
    expect(get("18")?.replyTo).toBeUndefined();
    expect(get("23")).toMatchObject({ contentKind: "sticker", text: null });
  });

  it("rejects unsupported, garbled, unknown-author and bad-date messages with reasons, and keeps the rest", () => {
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.ref, x.reason]));
    expect(Object.keys(reasons).sort()).toEqual(["Help forum#19", "Help forum#20", "Help forum#21", "Help forum#22"]);
    expect(reasons["Help forum#19"]).toMatch(/unsupported/);
    expect(reasons["Help forum#20"]).toMatch(/id/);
    expect(reasons["Help forum#21"]).toMatch(/unrecognised author id "robot7"/);
    expect(reasons["Help forum#22"]).toMatch(/bad date/);
    expect(forum).toHaveLength(14 - 4);
  });

  it("refuses input that is not an export", () => {
    expect(() => parseTelegramExport({ hello: "world" })).toThrow(/not a Telegram Desktop export/);
    expect(() => parseTelegramExport(null)).toThrow(/not a Telegram Desktop export/);
    expect(() => parseTelegramExport([1, 2])).toThrow(/not a Telegram Desktop export/);
  });
});
