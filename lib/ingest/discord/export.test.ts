import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import { readSharedSample } from "../common/shared-samples";
import { parseDiscordExport } from "./export";
import { snowflakeTime } from "./snowflake";

interface RawMsg {
  id: string;
  type: string;
  timestamp: string;
  timestampEdited: string | null;
  content: string;
  author: { id: string; isBot: boolean };
  stickers: unknown[];
  attachments: unknown[];
  embeds: unknown[];
  reactions: Array<{ count: number }>;
  reference?: { messageId: string | null; channelId: string };
  mentions: Array<{ id: string }>;
}
interface RawFile {
  channel: { id: string; type: string; categoryId: string; category: string; name: string };
  messages: RawMsg[];
  messageCount: number;
}

const GENERAL = "dcef_example_guild_general.json";
const THREAD = "dcef_example_guild_thread_Thomas_is_Thomas.json";
const load = (f: string) => readSharedSample("discord", f);
const raw = (f: string) => JSON.parse(load(f)) as RawFile;
const messages = (events: unknown[]) => events as MessageEvent[];

describe("parseDiscordExport on the real DCE samples", () => {
  for (const file of [GENERAL, THREAD]) {
    it(`${file}: one valid event per message, counts from the file itself`, () => {
      const r = parseDiscordExport(load(file));
      const src = raw(file);
      expect(r.rejected).toEqual([]);
      expect(r.events).toHaveLength(src.messages.length);
      expect(r.events).toHaveLength(src.messageCount);
      for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
      const ev = messages(r.events);
      const service = src.messages.filter((m) => m.type !== "Default" && m.type !== "Reply").length;
      expect(ev.filter((e) => e.contentKind === "service")).toHaveLength(service);
      const replies = src.messages.filter((m) => m.reference?.messageId && (m.type === "Default" || m.type === "Reply")).length;
      expect(ev.filter((e) => e.replyTo)).toHaveLength(replies);
      const stickersOnly = src.messages.filter((m) => m.content === "" && m.stickers.length > 0).length;
      expect(ev.filter((e) => e.contentKind === "sticker")).toHaveLength(stickersOnly);
      const edited = src.messages.filter((m) => m.timestampEdited).length;
      expect(ev.filter((e) => e.editedAt)).toHaveLength(edited);
      const reactions = src.messages.reduce((n, m) => n + m.reactions.length, 0);
      expect(r.ignored["reactions are not recorded"] ?? 0).toBe(reactions);
      const mentions = src.messages.reduce((n, m) => n + m.mentions.length, 0);
      expect(ev.reduce((n, e) => n + (e.mentions?.length ?? 0), 0)).toBe(mentions);
      expect(new Set(ev.map((e) => e.externalId)).size).toBe(src.messages.length);
    });
  }

  it("a thread file is a thread inside its parent channel (channel.categoryId), not a channel", () => {
    const src = raw(THREAD);
    const ev = messages(parseDiscordExport(load(THREAD)).events);
    for (const e of ev) {
      expect(e.channel).toEqual({ externalId: src.channel.categoryId, kind: "channel", title: src.channel.category });
      expect(e.thread).toEqual({ externalId: src.channel.id, kind: "thread", title: src.channel.name });
    }
    // And the parent's own file names the same channel id, so both land in one channel.
    const general = messages(parseDiscordExport(load(GENERAL)).events);
    expect(general[0]?.channel.externalId).toBe(src.channel.categoryId);
    expect(general.every((e) => e.thread === undefined)).toBe(true);
  });

  it("replies via reference.messageId get the quoted author when it is in the file", () => {
    const ev = messages(parseDiscordExport(load(THREAD)).events);
    const answer = ev.find((e) => e.externalId === "1060927555093413928");
    expect(answer?.replyTo).toEqual({ externalId: "1060927520008065176", author: expect.objectContaining({ externalId: "627848643557663699" }) });
    expect(answer?.author.externalId).toBe("521486476985155645");
  });

  it("a 'Default' message with a reference is a reply (older DCE), a ThreadCreated one is service, not a reply", () => {
    const ev = messages(parseDiscordExport(load(GENERAL)).events);
    expect(ev.find((e) => e.externalId === "1060926346089476176")?.replyTo?.externalId).toBe("1060926317920538735");
    const started = ev.find((e) => e.externalId === "1060927310439657577");
    expect(started?.contentKind).toBe("service");
    expect(started?.replyTo).toBeUndefined();
  });

  it("joins are service messages", () => {
    const src = raw(GENERAL);
    const joins = src.messages.filter((m) => m.type === "GuildMemberJoin").map((m) => m.id);
    const ev = messages(parseDiscordExport(load(GENERAL)).events);
    expect(joins.length).toBeGreaterThan(0);
    for (const id of joins) expect(ev.find((e) => e.externalId === id)?.contentKind).toBe("service");
  });

  it("trusts `timestamp` over the snowflake: the hand-edited ids are reported, not used", () => {
    const src = raw(GENERAL);
    const skewed = src.messages.filter((m) => {
      const flake = snowflakeTime(m.id);
      return flake !== null && Math.abs(flake.getTime() - Date.parse(m.timestamp)) > 1000;
    });
    expect(skewed).toHaveLength(7);
    const r = parseDiscordExport(load(GENERAL));
    expect(r.warnings.join(" ")).toContain("7 message(s)");
    const ev = messages(r.events);
    for (const m of skewed) expect((ev.find((e) => e.externalId === m.id)?.sentAt as Date).toISOString()).toBe(new Date(m.timestamp).toISOString());
  });

  it("an edit is the create with editedAt (timestampEdited)", () => {
    const ev = messages(parseDiscordExport(load(GENERAL)).events);
    const e = ev.find((x) => x.externalId === "1060926487911485582");
    expect(e?.action).toBe("create");
    expect(e?.editedAt).toEqual(new Date("2023-01-06T14:23:25.845Z"));
  });
});

function synthetic(channel: Record<string, unknown>, msgs: Array<Record<string, unknown>>): string {
  return JSON.stringify({ guild: { id: "1", name: "G" }, channel, dateRange: { after: null, before: null }, messages: msgs, messageCount: msgs.length });
}
const author = { id: "42", name: "kate", discriminator: "0000", nickname: "Kate", isBot: false };

describe("parseDiscordExport traps", () => {
  it("parses a local offset (DCE without --utc) to the right instant", () => {
    const r = parseDiscordExport(synthetic({ id: "10", type: "GuildTextChat", name: "help" }, [{ id: "11", type: "Default", timestamp: "2024-03-01T12:00:00.123+03:00", content: "hi?", author }]));
    expect(messages(r.events)[0]?.sentAt).toEqual(new Date("2024-03-01T09:00:00.123Z"));
  });

  it("rejects a timestamp without offset unless a zone is given", () => {
    const file = synthetic({ id: "10", type: "GuildTextChat" }, [{ id: "11", type: "Default", timestamp: "2024-03-01T12:00:00", content: "x", author }]);
    expect(parseDiscordExport(file).rejected).toHaveLength(1);
    expect(messages(parseDiscordExport(file, { assumeZone: "Europe/Moscow" }).events)[0]?.sentAt).toEqual(new Date("2024-03-01T09:00:00Z"));
  });

  it("isBot authors are bots; DM exports are dm channels", () => {
    const r = parseDiscordExport(
      synthetic({ id: "10", type: "DirectTextChat", name: "kate" }, [{ id: "11", type: "Default", timestamp: "2024-03-01T12:00:00Z", content: "x", author: { ...author, isBot: true } }]),
    );
    const e = messages(r.events)[0];
    expect(e?.author.isBot).toBe(true);
    expect(e?.channel.kind).toBe("dm");
  });

  it("a forwarded message is not a reply", () => {
    const r = parseDiscordExport(
      synthetic({ id: "10", type: "GuildTextChat" }, [{ id: "11", type: "Default", timestamp: "2024-03-01T12:00:00Z", content: "x", author, reference: { type: "Forward", messageId: "5", channelId: "9" } }]),
    );
    expect(messages(r.events)[0]?.replyTo).toBeUndefined();
  });

  it("a bad message is rejected with its index, the rest continue", () => {
    const r = parseDiscordExport(
      synthetic({ id: "10", type: "GuildTextChat" }, [{ id: "x", type: "Default", timestamp: "t", author }, { id: "12", type: "Default", timestamp: "2024-03-01T12:00:00Z", content: "ok", author }]),
    );
    expect(r.rejected.map((x) => x.index)).toEqual([0]);
    expect(r.events).toHaveLength(1);
  });

  it("non-JSON and non-DCE files are rejected whole", () => {
    expect(parseDiscordExport("{").rejected).toHaveLength(1);
    expect(parseDiscordExport({ messages: [] }).rejected).toHaveLength(1);
  });
});
