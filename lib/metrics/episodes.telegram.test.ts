import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deriveEpisodes, type Episode, type EpisodeChannel, type EpisodeMessage, type Role } from "./episodes";
import fixtureJson from "./__fixtures__/episodes/tgif-coorporate-speak.expected.json";

/**
 * A real group chat, worked out by hand (see the fixture's `why` per episode). The export is read from
 * the shared samples (not copied into the product); this converter is a test stand-in for the Telegram
 * adapter and the text classifier, just enough to turn the export into episode input.
 */

const iso8601 = z.iso.datetime();
const expectedEpisode = z.object({
  why: z.string().min(10),
  studentPersonId: z.number(),
  openedMessageId: z.number(),
  openedAt: iso8601,
  lastStudentMessageAt: iso8601,
  messageCount: z.number(),
  kind: z.enum(["first", "next"]),
  status: z.enum(["open", "answered", "resolved_by_bot", "abandoned"]),
  answeredAt: iso8601.nullable(),
  answerMessageId: z.number().nullable(),
  responderPersonId: z.number().nullable(),
  firstBotReplyAt: iso8601.nullable(),
  firstPeerReplyAt: iso8601.nullable(),
});
const fixture = z
  .object({
    source: z.string(),
    channel: z.object({
      id: z.number(),
      kind: z.enum(["group", "channel", "forum", "dm"]),
      purpose: z.enum(["support", "community", "announcements", "ignored"]),
      attribution: z.enum(["strict", "fifo"]),
      ownerRole: z.literal("mentor"),
      ownerPersonId: z.null(),
      dmStudentPersonId: z.null(),
    }),
    roles: z.record(z.string(), z.enum(["mentor", "coordinator", "bot"])),
    usernames: z.record(z.string(), z.number()),
    cases: z.array(
      z.object({
        name: z.string(),
        fromId: z.number(),
        toId: z.number(),
        attribution: z.enum(["strict", "fifo"]),
        now: iso8601,
        later: z.object({ now: iso8601, statuses: z.record(z.string(), z.enum(["abandoned", "resolved_by_bot"])) }),
        expected: z.array(expectedEpisode).min(1),
      }),
    ),
  })
  .parse(fixtureJson);

const SAMPLE = path.resolve(import.meta.dirname, "../../../shared/samples/telegram", fixture.source);

const textPart = z.union([z.string(), z.object({ type: z.string(), text: z.string() })]);
const exportMessage = z.object({
  id: z.number(),
  type: z.string(),
  date_unixtime: z.string(),
  from_id: z.string().optional(),
  text: z.union([z.string(), z.array(textPart)]),
  text_entities: z.array(z.object({ type: z.string(), text: z.string(), user_id: z.number().optional() })).default([]),
  reply_to_message_id: z.number().optional(),
  media_type: z.string().optional(),
  photo: z.string().optional(),
  file: z.string().optional(),
});
type ExportMessage = z.infer<typeof exportMessage>;
const exportFile = z.object({ id: z.number(), messages: z.array(exportMessage) });

const roles = new Map<number, Role>(Object.entries(fixture.roles).map(([id, role]) => [Number(id), role]));
const usernames = new Map<string, number>(Object.entries(fixture.usernames));
const roleOf = (personId: number): Role | undefined => roles.get(personId);

const personOf = (fromId: string | undefined): number => Number((fromId ?? "").replace(/^(user|channel|chat)/, ""));
const plainText = (m: ExportMessage): string => (typeof m.text === "string" ? m.text : m.text.map((p) => (typeof p === "string" ? p : p.text)).join(""));

const ACK = /^(?:[wk]{3,}|[owk]{5,}|h?(?:a+h+)+a*|(?:he){2,}|lol|ok|oke|thanks|makasih|aamiin)$/;
function isAck(text: string): boolean {
  return ACK.test(text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ""));
}

function contentKind(m: ExportMessage): EpisodeMessage["contentKind"] {
  if (m.type === "service") return "service";
  if (m.media_type === "sticker" || m.media_type === "animation") return "sticker";
  if (m.photo || m.file || m.media_type) return "media";
  return "text";
}

function convert(all: readonly ExportMessage[]): EpisodeMessage[] {
  const authorOf = new Map(all.map((m) => [m.id, personOf(m.from_id)]));
  return all.map((m) => {
    const author = personOf(m.from_id);
    const role = roles.get(author) ?? "student";
    const text = plainText(m);
    const kind = contentKind(m);
    const mentions = m.text_entities.flatMap((e) => {
      if (e.type === "mention_name" && e.user_id !== undefined) return [e.user_id];
      const id = e.type === "mention" ? usernames.get(e.text.replace(/^@/, "")) : undefined;
      return id === undefined ? [] : [id];
    });
    return {
      id: m.id,
      externalId: String(m.id),
      authorPersonId: author,
      authorRole: role,
      isBot: role === "bot",
      sentAt: new Date(Number(m.date_unixtime) * 1000),
      deletedAt: null,
      contentKind: kind,
      isAck: kind === "text" && isAck(text),
      hasQuestion: text.includes("?"),
      negative: false,
      category: null,
      replyToExternalId: m.reply_to_message_id === undefined ? null : String(m.reply_to_message_id),
      replyToPersonId: m.reply_to_message_id === undefined ? null : (authorOf.get(m.reply_to_message_id) ?? null),
      mentionPersonIds: mentions,
    };
  });
}

const baseChannel: EpisodeChannel = fixture.channel;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
function project(e: Episode) {
  return {
    studentPersonId: e.studentPersonId,
    openedMessageId: e.openedMessageId,
    openedAt: iso(e.openedAt),
    lastStudentMessageAt: iso(e.lastStudentMessageAt),
    messageCount: e.messageCount,
    kind: e.kind,
    status: e.status,
    answeredAt: iso(e.answeredAt),
    answerMessageId: e.answerMessageId,
    responderPersonId: e.responderPersonId,
    firstBotReplyAt: iso(e.firstBotReplyAt),
    firstPeerReplyAt: iso(e.firstPeerReplyAt),
  };
}

describe("a real Telegram group, worked out by hand", () => {
  const exported = exportFile.parse(JSON.parse(readFileSync(SAMPLE, "utf8")));
  const messages = convert(exported.messages);

  it("the converter reads the whole export", () => {
    expect(exported.id).toBe(baseChannel.id);
    expect(messages).toHaveLength(155);
    expect(messages.filter((m) => m.contentKind === "sticker").map((m) => m.id)).toEqual([10837, 10906, 10918, 10944]);
    expect(messages.find((m) => m.id === 10915)?.mentionPersonIds).toEqual([219201706]);
    expect(messages.find((m) => m.id === 10827)).toMatchObject({ replyToExternalId: "10819", replyToPersonId: null });
  });

  describe.each(fixture.cases)("$name", (c) => {
    const stretch = messages.filter((m) => m.id >= c.fromId && m.id <= c.toId);
    const channel: EpisodeChannel = { ...baseChannel, attribution: c.attribution };
    const derive = (now: string) => deriveEpisodes({ channel, threadId: null, messages: stretch, roleOf, now: new Date(now) });

    it("the stretch is as long as the fixture says", () => {
      expect(stretch).toHaveLength(c.toId - c.fromId + 1);
    });

    it("gives the hand-worked episodes", () => {
      const expected = c.expected.map(({ why: _why, ...e }) => e);
      expect(derive(c.now).map(project)).toEqual(expected);
    });

    it("carries the channel's owner, no handoff, no priority flags", () => {
      for (const e of derive(c.now)) {
        expect(e).toMatchObject({ scope: { channelId: baseChannel.id, threadId: null }, ownerRole: "mentor", ownerPersonId: null, handoffMinutes: null, negative: false, category: null });
      }
    });

    it("eight days later, what was open is abandoned (or resolved by the bot)", () => {
      const later = derive(c.later.now);
      const statuses = c.later.statuses;
      for (const e of later) {
        const before = c.expected.find((x) => x.openedMessageId === e.openedMessageId);
        expect(e.status).toBe(statuses[String(e.openedMessageId)] ?? before?.status);
      }
      expect(Object.keys(statuses).length).toBe(c.expected.filter((x) => x.status === "open").length);
    });
  });
});
