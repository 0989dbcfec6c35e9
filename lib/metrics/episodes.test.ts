import { describe, expect, it } from "vitest";
import { deriveEpisodes, scopeKey, staffInitiatedContacts, type Episode, type EpisodeChannel, type EpisodeMessage, type StaffInitiatedContact } from "./episodes";
import { BOT, COORD, MENTOR, S1, S2, S3, UNKNOWN, at, channel, msg, roleOf } from "./__fixtures__/episodes/builders";

const G = channel();
const COMMUNITY = channel({ id: 2, purpose: "community" });
const ANNOUNCEMENTS = channel({ id: 3, purpose: "announcements" });
const IGNORED = channel({ id: 4, purpose: "ignored" });
const DM = channel({ id: 5, kind: "dm", dmStudentPersonId: S1 });
const FIFO = channel({ id: 6, attribution: "fifo" });
const FORUM = channel({ id: 7, kind: "forum", purpose: "community" });

const D = 24 * 60; // minutes in a day

interface Case {
  name: string;
  channel?: EpisodeChannel;
  threadId?: number | null;
  now?: Date;
  messages: EpisodeMessage[];
  expected: Partial<Episode>[];
}

function run(c: Pick<Case, "channel" | "threadId" | "now" | "messages">): Episode[] {
  return deriveEpisodes({ channel: c.channel ?? G, threadId: c.threadId ?? null, messages: c.messages, roleOf, now: c.now ?? at(120) });
}

function check(cases: Case[]) {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const got = run(c);
    expect(got).toHaveLength(c.expected.length);
    c.expected.forEach((e, i) => expect(got[i]).toMatchObject(e));
  });
}

describe("rule 1: which messages open an episode", () => {
  check([
    {
      name: "support: a student message opens a first, open episode",
      messages: [msg(1, 0, S1)],
      expected: [
        {
          scope: { channelId: 1, threadId: null },
          studentPersonId: S1,
          openedMessageId: 1,
          openedAt: at(0),
          lastStudentMessageAt: at(0),
          messageCount: 1,
          kind: "first",
          status: "open",
          answeredAt: null,
          answerMessageId: null,
          responderPersonId: null,
          firstBotReplyAt: null,
          firstPeerReplyAt: null,
          handoffMinutes: null,
          negative: false,
          category: null,
          ownerRole: null,
          ownerPersonId: null,
        },
      ],
    },
    {
      name: "acknowledgements, stickers and service messages open nothing",
      messages: [msg(1, 0, S1, { ack: true }), msg(2, 1, S1, { kind: "sticker" }), msg(3, 2, S2, { kind: "service" })],
      expected: [],
    },
    {
      name: "a message deleted within a minute (60 s inclusive) opens nothing; one deleted after 61 s does",
      messages: [msg(1, 0, S1, { deletedAfterSec: 60 }), msg(2, 5, S2, { deletedAfterSec: 61 })],
      expected: [{ studentPersonId: S2, openedMessageId: 2 }],
    },
    {
      name: "media (a screenshot) needs an answer",
      messages: [msg(1, 0, S1, { kind: "media" })],
      expected: [{ studentPersonId: S1 }],
    },
    {
      name: "support: a reply to or mention of another student (also an unknown person) is peers talking",
      messages: [msg(1, 0, S1), msg(2, 1, S2, { reply: 1 }), msg(3, 2, S3, { mentions: [UNKNOWN] })],
      expected: [{ studentPersonId: S1, openedMessageId: 1 }],
    },
    {
      name: "support: addressed to staff needs an answer, even when a student is addressed too",
      messages: [msg(1, 0, MENTOR), msg(2, 1, S1, { reply: 1 }), msg(3, 2, S2, { mentions: [MENTOR, S3] })],
      expected: [{ studentPersonId: S1, openedMessageId: 2 }, { studentPersonId: S2, openedMessageId: 3 }],
    },
    {
      name: "a reply to a message not in the data addresses nobody known; with a known student author it is peer talk",
      messages: [msg(1, 0, S1, { reply: 999 }), msg(2, 1, S2, { reply: 998, replyPerson: S3 })],
      expected: [{ studentPersonId: S1, openedMessageId: 1 }],
    },
    {
      name: "support: replies to a bot and self-replies need an answer",
      messages: [msg(1, 0, BOT), msg(2, 1, S1, { reply: 1 }), msg(3, 2, S3, { ack: true }), msg(4, 3, S3, { reply: 3 })],
      expected: [{ studentPersonId: S1, openedMessageId: 2 }, { studentPersonId: S3, openedMessageId: 4 }],
    },
    {
      name: "community: questions and messages to staff only, never questions to another student",
      channel: COMMUNITY,
      messages: [
        msg(1, 0, S1), // a statement: none
        msg(2, 1, S2, { q: true }), // a question: opens
        msg(3, 2, S3, { q: true, reply: 1 }), // a question to S1: none
        msg(4, 3, COORD), // unaddressed staff: answers nothing (strict)
        msg(5, 4, S1, { reply: 4 }), // a reply to staff, no question mark: opens
        msg(6, 5, S3, { q: true, mentions: [UNKNOWN] }), // a question to an unknown person (a student): none
      ],
      expected: [
        { studentPersonId: S2, openedMessageId: 2, status: "open" },
        { studentPersonId: S1, openedMessageId: 5, status: "open" },
      ],
    },
    {
      name: "community: a reply to a bot without a question needs no answer (a bot is not staff)",
      channel: COMMUNITY,
      messages: [msg(1, 0, BOT), msg(2, 1, S1, { reply: 1 })],
      expected: [],
    },
    {
      name: "a person missing from the roster who wrote as staff in the scope counts as staff when mentioned",
      channel: COMMUNITY,
      messages: [msg(1, 0, 500, { role: "mentor" }), msg(2, 1, S1, { mentions: [500] })],
      expected: [{ studentPersonId: S1, openedMessageId: 2 }],
    },
    {
      name: "announcements: nothing opens",
      channel: ANNOUNCEMENTS,
      messages: [msg(1, 0, S1, { q: true, mentions: [MENTOR] })],
      expected: [],
    },
    {
      name: "ignored: nothing opens",
      channel: IGNORED,
      messages: [msg(1, 0, S1, { q: true, mentions: [MENTOR] })],
      expected: [],
    },
    {
      name: "a thread under an announcement is a support place",
      channel: ANNOUNCEMENTS,
      threadId: 50,
      messages: [msg(1, 0, S1)],
      expected: [{ scope: { channelId: 3, threadId: 50 }, studentPersonId: S1 }],
    },
    {
      name: "a thread of a community forum is a support place (a statement opens)",
      channel: FORUM,
      threadId: 70,
      messages: [msg(1, 0, S1)],
      expected: [{ scope: { channelId: 7, threadId: 70 }, studentPersonId: S1 }],
    },
    {
      name: "a thread of an ignored channel stays ignored",
      channel: IGNORED,
      threadId: 40,
      messages: [msg(1, 0, S1, { q: true })],
      expected: [],
    },
    {
      name: "DM: only the DM's student opens; another non-staff author takes no part",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 1, S2, { q: true })],
      expected: [{ studentPersonId: S1, messageCount: 1 }],
    },
  ]);
});

describe("rule 2: further messages join the open episode", () => {
  check([
    {
      name: "start stays; count, last time, negative and first non-null category accumulate",
      messages: [msg(1, 0, S1), msg(2, 3, S1, { neg: true, cat: "technical" }), msg(3, 7, S1, { cat: "content" })],
      expected: [{ openedMessageId: 1, openedAt: at(0), lastStudentMessageAt: at(7), messageCount: 3, negative: true, category: "technical" }],
    },
    {
      name: "the opening message's category wins",
      messages: [msg(1, 0, S1, { cat: "organisational" }), msg(2, 1, S1, { cat: "technical" })],
      expected: [{ messageCount: 2, category: "organisational" }],
    },
    {
      name: "acknowledgements, stickers and peer talk do not join",
      messages: [msg(1, 0, S1), msg(2, 1, S1, { ack: true }), msg(3, 2, S1, { kind: "sticker" }), msg(4, 3, S2), msg(5, 4, S1, { reply: 4 })],
      expected: [
        { studentPersonId: S1, messageCount: 1, lastStudentMessageAt: at(0) },
        { studentPersonId: S2, messageCount: 1, firstPeerReplyAt: at(4) },
      ],
    },
    {
      name: "community: a follow-up joins without a question mark",
      channel: COMMUNITY,
      messages: [msg(1, 0, S1, { q: true }), msg(2, 1, S1)],
      expected: [{ messageCount: 2, lastStudentMessageAt: at(1) }],
    },
  ]);
});

describe("rule 3: staff answers", () => {
  check([
    {
      name: "thread: a staff message answers every open episode in it",
      channel: FORUM,
      threadId: 70,
      messages: [msg(1, 0, S1), msg(2, 1, S2), msg(3, 10, MENTOR), msg(4, 20, S1), msg(5, 30, COORD)],
      expected: [
        { studentPersonId: S1, kind: "first", status: "answered", answeredAt: at(10), answerMessageId: 3, responderPersonId: MENTOR },
        { studentPersonId: S2, kind: "first", status: "answered", answeredAt: at(10), answerMessageId: 3, responderPersonId: MENTOR },
        { studentPersonId: S1, kind: "next", openedMessageId: 4, status: "answered", answeredAt: at(30), answerMessageId: 5, responderPersonId: COORD },
      ],
    },
    {
      name: "DM: the first staff message answers",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 2, S1), msg(3, 15, MENTOR), msg(4, 16, MENTOR)],
      expected: [{ messageCount: 2, status: "answered", answeredAt: at(15), answerMessageId: 3, responderPersonId: MENTOR }],
    },
    {
      name: "group, strict: an unaddressed staff message answers nothing; a quote or a mention answers",
      messages: [msg(1, 0, S1), msg(2, 1, S2), msg(3, 2, S3), msg(4, 5, MENTOR), msg(5, 6, MENTOR, { reply: 1 }), msg(6, 7, MENTOR, { mentions: [S2] })],
      expected: [
        { studentPersonId: S1, status: "answered", answeredAt: at(6), answerMessageId: 5 },
        { studentPersonId: S2, status: "answered", answeredAt: at(7), answerMessageId: 6 },
        { studentPersonId: S3, status: "open", answeredAt: null },
      ],
    },
    {
      name: "group, strict: quoting an earlier episode's message does not answer; quoting the student's unknown message does",
      messages: [
        msg(1, 0, S1),
        msg(2, 1, MENTOR, { reply: 1 }),
        msg(3, 10, S1),
        msg(4, 11, MENTOR, { reply: 1 }),
        msg(5, 12, MENTOR, { reply: 777, replyPerson: S1 }),
      ],
      expected: [
        { openedMessageId: 1, kind: "first", status: "answered", answerMessageId: 2 },
        { openedMessageId: 3, kind: "next", status: "answered", answeredAt: at(12), answerMessageId: 5 },
      ],
    },
    {
      name: "group, strict: one message mentioning two students answers both",
      messages: [msg(1, 0, S1), msg(2, 1, S2), msg(3, 2, MENTOR, { mentions: [S1, S2] })],
      expected: [
        { studentPersonId: S1, answerMessageId: 3 },
        { studentPersonId: S2, answerMessageId: 3 },
      ],
    },
    {
      name: "a staff message deleted within a minute answers nothing",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 1, MENTOR, { deletedAfterSec: 30 }), msg(3, 5, MENTOR)],
      expected: [{ status: "answered", answeredAt: at(5), answerMessageId: 3 }],
    },
    {
      name: "fifo: an unaddressed staff message answers the oldest open episode; addressed ones work as strict",
      channel: FIFO,
      messages: [
        msg(1, 0, S1),
        msg(2, 1, S2),
        msg(3, 2, S3),
        msg(4, 5, MENTOR, { mentions: [S3] }), // addressed: S3
        msg(5, 6, MENTOR), // unaddressed: the oldest, S1
        msg(6, 7, COORD, { reply: 4 }), // addressed to a colleague: nothing
        msg(7, 8, MENTOR, { reply: 999 }), // a reply to an unknown message addresses nobody: the oldest, S2
      ],
      expected: [
        { studentPersonId: S1, answeredAt: at(6), answerMessageId: 5 },
        { studentPersonId: S2, answeredAt: at(8), answerMessageId: 7 },
        { studentPersonId: S3, answeredAt: at(5), answerMessageId: 4 },
      ],
    },
    {
      name: "fifo: a staff message quoting only its own author refers to nobody: it answers the oldest",
      channel: FIFO,
      messages: [msg(1, 0, MENTOR), msg(2, 1, S1), msg(3, 2, MENTOR, { reply: 1 })],
      expected: [{ studentPersonId: S1, answerMessageId: 3 }],
    },
    {
      name: "staff stickers and service messages do not answer; a staff acknowledgement does",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 1, MENTOR, { kind: "sticker" }), msg(3, 2, MENTOR, { kind: "service" }), msg(4, 3, MENTOR, { ack: true })],
      expected: [{ status: "answered", answeredAt: at(3), answerMessageId: 4 }],
    },
    {
      name: "a staff message never answers its own author's episode (a student who became a mentor)",
      channel: FORUM,
      threadId: 71,
      messages: [msg(1, 0, S1), msg(2, 5, S1, { role: "mentor" }), msg(3, 6, MENTOR)],
      expected: [{ studentPersonId: S1, messageCount: 1, status: "answered", answeredAt: at(6), responderPersonId: MENTOR }],
    },
    {
      name: "DM whose student is on staff: their messages open, another staff member answers",
      channel: channel({ id: 8, kind: "dm", dmStudentPersonId: COORD }),
      messages: [msg(1, 0, COORD), msg(2, 4, MENTOR)],
      expected: [{ studentPersonId: COORD, status: "answered", answeredAt: at(4), responderPersonId: MENTOR }],
    },
    {
      name: "same sent time: ordered by id (the mentor's message 1 comes before the question 2)",
      channel: DM,
      messages: [msg(2, 0, S1), msg(1, 0, MENTOR)],
      expected: [{ openedMessageId: 2, status: "open" }],
    },
  ]);
});

describe("rule 4: bots never answer", () => {
  check([
    {
      name: "a bot reply with no follow-up for 24 h and no human: resolved by bot",
      channel: DM,
      now: at(1 + D + 1),
      messages: [msg(1, 0, S1), msg(2, 1, BOT)],
      expected: [{ status: "resolved_by_bot", firstBotReplyAt: at(1), answeredAt: null, responderPersonId: null, handoffMinutes: null }],
    },
    {
      name: "exactly 24 h after the bot reply the student may still follow up: open",
      channel: DM,
      now: at(1 + D),
      messages: [msg(1, 0, S1), msg(2, 1, BOT)],
      expected: [{ status: "open", firstBotReplyAt: at(1) }],
    },
    {
      name: "a follow-up within 24 h (inclusive) cancels the deflection",
      channel: DM,
      now: at(3 * D),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 1 + D, S1)],
      expected: [{ status: "open", messageCount: 2, firstBotReplyAt: at(1) }],
    },
    {
      name: "an acknowledgement is not a follow-up",
      channel: DM,
      now: at(2 * D),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 5, S1, { ack: true })],
      expected: [{ status: "resolved_by_bot", messageCount: 1 }],
    },
    {
      name: "a human answer after a bot reply is a handoff",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 31, MENTOR)],
      expected: [{ status: "answered", firstBotReplyAt: at(1), answeredAt: at(31), responderPersonId: MENTOR, handoffMinutes: 30 }],
    },
    {
      name: "a human answer after the 24 h is still an answer (an auto-reply is not a deflection)",
      channel: DM,
      now: at(2 * D),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 1 + 30 * 60, MENTOR)],
      expected: [{ status: "answered", handoffMinutes: 1800 }],
    },
    {
      name: "a new question after a silent 24 h: the first is resolved by bot, a next episode opens",
      channel: DM,
      now: at(1 + 26 * 60),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 1 + 25 * 60, S1)],
      expected: [
        { openedMessageId: 1, status: "resolved_by_bot", messageCount: 1 },
        { openedMessageId: 3, kind: "next", status: "open", firstBotReplyAt: null },
      ],
    },
    {
      name: "a bot reply after a follow-up starts the 24 h again; first_bot_reply_at stays the first",
      channel: DM,
      now: at(61 + D + 1),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 60, S1), msg(4, 61, BOT)],
      expected: [{ status: "resolved_by_bot", messageCount: 2, firstBotReplyAt: at(1) }],
    },
    {
      name: "... and not before that",
      channel: DM,
      now: at(61 + D),
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 60, S1), msg(4, 61, BOT)],
      expected: [{ status: "open" }],
    },
    {
      name: "group, strict: a bot message that quotes nothing is not recorded; one that quotes the episode is",
      messages: [msg(1, 0, S1), msg(2, 1, BOT), msg(3, 2, BOT, { reply: 1 })],
      expected: [{ status: "open", firstBotReplyAt: at(2) }],
    },
    {
      name: "group, fifo: an unaddressed bot message is recorded on the oldest open episode",
      channel: FIFO,
      messages: [msg(1, 0, S1), msg(2, 1, S2), msg(3, 2, BOT)],
      expected: [{ studentPersonId: S1, firstBotReplyAt: at(2) }, { studentPersonId: S2, firstBotReplyAt: null }],
    },
  ]);
});

describe("rule 5: first and next", () => {
  check([
    {
      name: "after an answer a new message opens a next episode; first is per student in a group",
      messages: [msg(1, 0, S1), msg(2, 1, MENTOR, { reply: 1 }), msg(3, 2, S2), msg(4, 3, S1)],
      expected: [
        { studentPersonId: S1, openedMessageId: 1, kind: "first", status: "answered" },
        { studentPersonId: S2, openedMessageId: 3, kind: "first", status: "open" },
        { studentPersonId: S1, openedMessageId: 4, kind: "next", status: "open" },
      ],
    },
  ]);
});

describe("rule 6: peers", () => {
  check([
    {
      name: "a peer reply is recorded and answers nothing; a laughing reply is not a peer reply",
      messages: [msg(1, 0, S1), msg(2, 1, S2, { reply: 1, ack: true }), msg(3, 2, S2, { reply: 1 }), msg(4, 3, S3, { mentions: [S1] })],
      expected: [{ studentPersonId: S1, status: "open", firstPeerReplyAt: at(2), answeredAt: null }],
    },
    {
      name: "a reply to the student's message outside the data (author known) is a peer reply",
      messages: [msg(1, 0, S1), msg(2, 1, S2, { reply: 999, replyPerson: S1 })],
      expected: [{ studentPersonId: S1, firstPeerReplyAt: at(1) }],
    },
    {
      name: "thread: another student's unaddressed message is their own question, not a peer reply",
      channel: FORUM,
      threadId: 72,
      messages: [msg(1, 0, S1), msg(2, 1, S2)],
      expected: [
        { studentPersonId: S1, firstPeerReplyAt: null },
        { studentPersonId: S2, firstPeerReplyAt: null },
      ],
    },
  ]);
});

describe("rule 7: abandoned after 7 days", () => {
  check([
    {
      name: "open one minute before the 7 days",
      now: at(7 * D - 1),
      messages: [msg(1, 0, S1)],
      expected: [{ status: "open" }],
    },
    {
      name: "abandoned at 7 days (inclusive)",
      now: at(7 * D),
      messages: [msg(1, 0, S1)],
      expected: [{ status: "abandoned", answeredAt: null }],
    },
    {
      name: "terminal: a staff message at the limit answers nothing; a later question opens a next episode",
      channel: DM,
      now: at(9 * D),
      messages: [msg(1, 0, S1), msg(2, 7 * D, MENTOR), msg(3, 8 * D, S1), msg(4, 8 * D + 5, MENTOR)],
      expected: [
        { openedMessageId: 1, status: "abandoned", answeredAt: null },
        { openedMessageId: 3, kind: "next", status: "answered", answeredAt: at(8 * D + 5), answerMessageId: 4 },
      ],
    },
    {
      name: "a bot reply pending more than 24 h at the limit: resolved by bot",
      channel: DM,
      now: at(10 * D),
      messages: [msg(1, 0, S1), msg(2, 5 * D, BOT)],
      expected: [{ status: "resolved_by_bot", firstBotReplyAt: at(5 * D) }],
    },
    {
      name: "a bot reply less than 24 h before the limit: abandoned (the earlier closing wins)",
      channel: DM,
      now: at(10 * D),
      messages: [msg(1, 0, S1), msg(2, 6.5 * D, BOT)],
      expected: [{ status: "abandoned", firstBotReplyAt: at(6.5 * D) }],
    },
  ]);
});

describe("owners", () => {
  check([
    {
      name: "group: the channel's owner role and person",
      channel: channel({ ownerRole: "mentor", ownerPersonId: MENTOR }),
      messages: [msg(1, 0, S1)],
      expected: [{ ownerRole: "mentor", ownerPersonId: MENTOR }],
    },
    {
      name: "DM: the staff member who wrote last before the opening",
      channel: DM,
      messages: [msg(1, 0, COORD), msg(2, 10, S1), msg(3, 20, MENTOR), msg(4, 30, S1)],
      expected: [
        { openedMessageId: 2, ownerRole: "coordinator", ownerPersonId: COORD },
        { openedMessageId: 4, ownerRole: "mentor", ownerPersonId: MENTOR },
      ],
    },
    {
      name: "DM: else the first staff member after it",
      channel: DM,
      messages: [msg(1, 0, S1), msg(2, 5, MENTOR)],
      expected: [{ ownerRole: "mentor", ownerPersonId: MENTOR }],
    },
    {
      name: "DM: nobody on staff wrote: unknown owner",
      channel: DM,
      messages: [msg(1, 0, S1)],
      expected: [{ ownerRole: null, ownerPersonId: null }],
    },
    {
      name: "DM: the channel's owner wins; its role comes from the roster",
      channel: channel({ id: 9, kind: "dm", dmStudentPersonId: S1, ownerPersonId: COORD }),
      messages: [msg(1, 0, S1), msg(2, 5, MENTOR)],
      expected: [{ ownerRole: "coordinator", ownerPersonId: COORD, responderPersonId: MENTOR }],
    },
  ]);
});

describe("staff-initiated contacts", () => {
  const contacts = (ch: EpisodeChannel, messages: EpisodeMessage[]): StaffInitiatedContact[] =>
    staffInitiatedContacts({ channel: ch, threadId: null, messages, roleOf, now: at(5 * D) });

  it("DM: staff writing first after an hour of silence, not answers, not the rest of a conversation", () => {
    const messages = [
      msg(1, 0, COORD), // writes first: a contact
      msg(2, 1, COORD), // second line of the same check-in
      msg(3, 90, S1, { ack: true }), // the student replies
      msg(4, 100, S1), // a question...
      msg(5, 110, COORD), // ...answered: not a contact
      msg(6, 111, S1, { ack: true }),
      msg(7, 115, COORD), // "you're welcome": within the hour, not a contact
      msg(8, 115 + D, COORD), // the next day: a contact, no reply yet
      msg(9, 115 + D + 60, COORD), // exactly an hour of silence later: a contact again
    ];
    expect(contacts(DM, messages)).toEqual([
      { scope: { channelId: 5, threadId: null }, messageId: 1, sentAt: at(0), staffPersonId: COORD, staffRole: "coordinator", studentPersonId: S1, studentRepliedAt: at(90) },
      { scope: { channelId: 5, threadId: null }, messageId: 8, sentAt: at(115 + D), staffPersonId: COORD, staffRole: "coordinator", studentPersonId: S1, studentRepliedAt: null },
      { scope: { channelId: 5, threadId: null }, messageId: 9, sentAt: at(115 + D + 60), staffPersonId: COORD, staffRole: "coordinator", studentPersonId: S1, studentRepliedAt: null },
    ]);
  });

  it("bots, staff stickers and group chats make no contacts", () => {
    expect(contacts(DM, [msg(1, 0, BOT), msg(2, 100, MENTOR, { kind: "sticker" })])).toEqual([]);
    expect(contacts(G, [msg(1, 0, MENTOR)])).toEqual([]);
  });

  it("DM without a known student: the first student author, else null", () => {
    const dm = channel({ id: 10, kind: "dm" });
    expect(contacts(dm, [msg(1, 0, MENTOR), msg(2, 5, S2)])).toMatchObject([{ messageId: 1, studentPersonId: S2, studentRepliedAt: at(5) }]);
    expect(contacts(dm, [msg(1, 0, MENTOR)])).toMatchObject([{ messageId: 1, studentPersonId: null, studentRepliedAt: null }]);
  });

  it("a staff message while an episode is open answers it and is no contact", () => {
    expect(contacts(DM, [msg(1, 0, S1), msg(2, 600, MENTOR)])).toEqual([]);
  });
});

describe("input hygiene and keys", () => {
  it("duplicate message ids throw", () => {
    expect(() => run({ messages: [msg(1, 0, S1), msg(1, 1, S2)] })).toThrow(/duplicate message id 1/);
  });

  it("scopeKey uses thread 0 for the main timeline", () => {
    expect(scopeKey(5, null)).toBe("5:0");
    expect(scopeKey(5, 12)).toBe("5:12");
  });
});
