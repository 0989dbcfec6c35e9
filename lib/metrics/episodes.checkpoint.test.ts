import { describe, expect, it } from "vitest";
import {
  analyzeScope,
  compareEpisodes,
  deriveScopes,
  groupByScope,
  scopeKey,
  type Episode,
  type EpisodeChannel,
  type EpisodeMessage,
  type ResumeFrom,
  type ScopeCheckpoint,
  type ScopedEpisodeMessage,
} from "./episodes";
import { BOT, COORD, DAY, HOUR, MENTOR, S1, S2, S3, UNKNOWN, at, channel, msg, pick, prng, randomHistory, roleOf } from "./__fixtures__/episodes/builders";

/**
 * A resumed derivation (ScopeCheckpoint) must give exactly what deriving the whole scope gives: the
 * episodes closed before the checkpoint (kept from the first run) plus the resumed run's episodes equal
 * a full run over all messages, for every split, in every kind of scope but DMs (which take none).
 */

const CHANNELS: EpisodeChannel[] = [
  channel({ id: 1 }),
  channel({ id: 2, attribution: "fifo", purpose: "community" }),
  channel({ id: 5, kind: "forum", purpose: "community", ownerRole: "mentor", ownerPersonId: MENTOR }),
  channel({ id: 6, purpose: "community" }),
];
const CHANNEL_MAP = new Map(CHANNELS.map((c) => [c.id, c]));
const PEOPLE = [S1, S2, S3, UNKNOWN, S1, S2, MENTOR, COORD, BOT];

/** Random histories over ~20 days: ties in time, replies across the split, bots, quick deletions. */
function scenario(seed: number, size: number): ScopedEpisodeMessage[] {
  // A reply quotes an earlier message: a target delivered after its reply lands before the checkpoint,
  // which recompute treats as a change to the past (the whole scope is derived again).
  return randomHistory(seed, size, { channels: CHANNELS, people: PEOPLE, steps: 2900, earlierRepliesOnly: true });
}

const key = (m: { sentAt: Date; id: number }) => [m.sentAt.getTime(), m.id] as const;
const after = (m: { sentAt: Date; id: number }, c: ScopeCheckpoint) => {
  const [t, id] = key(m);
  return t > c.afterSentMs || (t === c.afterSentMs && id > c.afterId);
};

/** What recompute does with a checkpoint: the messages after it, and the earlier ones they quote. */
function resumeInput(all: readonly ScopedEpisodeMessage[], c: ScopeCheckpoint): { rest: ScopedEpisodeMessage[]; resume: ResumeFrom } {
  const rest = all.filter((m) => after(m, c));
  const restIds = new Set(rest.map((m) => m.externalId));
  const wanted = new Set(rest.map((m) => m.replyToExternalId).filter((x): x is string => x !== null && !restIds.has(x)));
  const quoted: EpisodeMessage[] = all.filter((m) => !after(m, c) && wanted.has(m.externalId));
  return { rest, resume: { checkpoint: c, quoted } };
}

/** Stored episodes after the two runs: the first run's closed before the point, then the resumed run's. */
function combined(first: readonly Episode[], c: ScopeCheckpoint, resumed: readonly Episode[]): Episode[] {
  const carried = new Set(c.unclosed.map((u) => u.episode.openedMessageId));
  const frozen = first.filter((e) => !after({ sentAt: e.openedAt, id: e.openedMessageId }, c) && !carried.has(e.openedMessageId));
  return [...frozen, ...resumed].sort(compareEpisodes);
}

const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);
/** How many checkpoints carried an unclosed episode or a quoted earlier message (the cases that matter). */
const exercised = { carried: 0, quoted: 0 };
const END = at(29_000);

describe("checkpointed derivation", () => {
  it.each(SEEDS)("seed %i: first run up to a split, resumed run after it = one run over everything", (seed) => {
    const messages = scenario(seed, 300);
    const rand = prng(seed * 104_729);
    for (const group of groupByScope(messages)) {
      const ch = CHANNEL_MAP.get(group.scope.channelId);
      if (!ch) throw new Error("unknown channel");
      const full = analyzeScope({ channel: ch, threadId: group.scope.threadId, messages: group.messages, roleOf, now: END });
      for (let round = 0; round < 4; round++) {
        // The first run saw the messages up to `split` (its now), and left a checkpoint `lag` before its last one.
        const split = at(Math.floor(rand() * 29_000));
        const lag = pick([0, HOUR, 6 * HOUR, 3 * DAY], rand);
        const seen = group.messages.filter((m) => m.sentAt.getTime() <= split.getTime());
        const first = analyzeScope({ channel: ch, threadId: group.scope.threadId, messages: seen, roleOf, now: split, checkpoint: { lagMs: lag, minMessages: 0 } });
        const c = first.checkpoint;
        if (!c) {
          // None when no message precedes the lag window (nothing to skip next time).
          const last = Math.max(...seen.map((m) => m.sentAt.getTime()));
          expect(seen.every((m) => m.sentAt.getTime() >= last - lag)).toBe(true);
          continue;
        }
        // Round-trips through JSON as it is stored.
        const stored = JSON.parse(JSON.stringify(c)) as ScopeCheckpoint;
        const { rest, resume } = resumeInput(group.messages, stored);
        exercised.carried += stored.unclosed.length > 0 ? 1 : 0;
        exercised.quoted += resume.quoted.length > 0 ? 1 : 0;
        const resumed = analyzeScope({ channel: ch, threadId: group.scope.threadId, messages: rest, roleOf, now: END, resume, checkpoint: { lagMs: lag, minMessages: 0 } });
        expect(combined(first.episodes, stored, resumed.episodes)).toEqual([...full.episodes].sort(compareEpisodes));
        // And the resumed run's own checkpoint resumes as well (a chain of incremental runs).
        const c2 = resumed.checkpoint;
        if (!c2) throw new Error("a checkpoint was due");
        const second = resumeInput(group.messages, c2);
        const again = analyzeScope({ channel: ch, threadId: group.scope.threadId, messages: second.rest, roleOf, now: END, resume: second.resume });
        expect(combined(combined(first.episodes, stored, resumed.episodes), c2, again.episodes)).toEqual([...full.episodes].sort(compareEpisodes));
      }
    }
  });

  it("the random splits carried open episodes and quoted earlier messages", () => {
    expect(exercised.carried).toBeGreaterThan(50);
    expect(exercised.quoted).toBeGreaterThan(50);
  });

  it("deriveScopes resumes several scopes at once and re-judges a scope with nothing new", () => {
    const messages = scenario(99, 400);
    const firstNow = at(20_000);
    const early = messages.filter((m) => m.sentAt.getTime() <= firstNow.getTime());
    const first = deriveScopes({ channels: CHANNEL_MAP, messages: early, roleOf, now: firstNow, checkpoint: { lagMs: HOUR, minMessages: 0 } });
    expect(first.checkpoints.size).toBeGreaterThan(2);
    const resume = new Map<string, ResumeFrom>();
    const rest: ScopedEpisodeMessage[] = [];
    for (const group of groupByScope(messages)) {
      const k = scopeKey(group.scope.channelId, group.scope.threadId);
      const c = first.checkpoints.get(k);
      if (!c) continue;
      const r = resumeInput(group.messages, c);
      resume.set(k, r.resume);
      // One scope gets nothing after its checkpoint: its carried episodes are still judged at the new now.
      if (group.scope.channelId !== 1) rest.push(...r.rest.map((m) => ({ ...m, channelId: group.scope.channelId, threadId: group.scope.threadId })));
    }
    // Channel 1's messages after its checkpoint were never derived: the equal full run is without them.
    const c1 = first.checkpoints.get("1:0");
    if (!c1) throw new Error("channel 1 took a checkpoint");
    const full = deriveScopes({ channels: CHANNEL_MAP, messages: messages.filter((m) => m.channelId !== 1 || !after(m, c1)), roleOf, now: END });
    const resumed = deriveScopes({ channels: CHANNEL_MAP, messages: rest, roleOf, now: END, resume });
    const got: Episode[] = [];
    for (const [k, c] of resume) {
      const [ch, th] = k.split(":").map(Number);
      const inScope = (e: Episode) => e.scope.channelId === ch && (e.scope.threadId ?? 0) === th;
      got.push(...combined(first.episodes.filter(inScope), c.checkpoint, resumed.episodes.filter(inScope)));
    }
    expect(got.sort(compareEpisodes)).toEqual(full.episodes);
  });

  it("takes no checkpoint in a DM, below the minimum, or without a policy; refuses to resume a DM or an early message", () => {
    const dm = channel({ id: 3, kind: "dm", dmStudentPersonId: S1 });
    const list = [msg(1, 0, S1, { q: true }), msg(2, 60, MENTOR), msg(3, 600, S1, { q: true })];
    expect(analyzeScope({ channel: dm, threadId: null, messages: list, roleOf, now: END, checkpoint: { lagMs: 0, minMessages: 0 } }).checkpoint).toBeNull();
    const group = channel({ id: 1 });
    expect(analyzeScope({ channel: group, threadId: null, messages: list, roleOf, now: END, checkpoint: { lagMs: 0, minMessages: 3 } }).checkpoint).toBeNull();
    expect(analyzeScope({ channel: group, threadId: null, messages: list, roleOf, now: END }).checkpoint).toBeNull();
    const c = analyzeScope({ channel: group, threadId: null, messages: list, roleOf, now: END, checkpoint: { lagMs: 0, minMessages: 2 } }).checkpoint;
    expect(c).toMatchObject({ afterId: 2, messages: 2, seen: [S1] });
    expect(c?.unclosed.map((u) => u.episode.openedMessageId)).toEqual([1]);
    if (!c) throw new Error("a checkpoint was due");
    expect(() => analyzeScope({ channel: dm, threadId: null, messages: [], roleOf, now: END, resume: { checkpoint: c, quoted: [] } })).toThrow(/DM/);
    expect(() => analyzeScope({ channel: group, threadId: null, messages: list, roleOf, now: END, resume: { checkpoint: c, quoted: [] } })).toThrow(/after its checkpoint/);
  });

  it("carries an episode open across the checkpoint, then answers it after", () => {
    const group = channel({ id: 1 });
    const list = [msg(1, 0, S1, { q: true }), msg(2, 120, S2, { q: true }), msg(3, 180, MENTOR, { reply: 1 })];
    const first = analyzeScope({ channel: group, threadId: null, messages: list.slice(0, 2), roleOf, now: at(130), checkpoint: { lagMs: 0, minMessages: 0 } });
    const c = first.checkpoint;
    if (!c) throw new Error("a checkpoint was due");
    expect(c.unclosed.map((u) => u.episode.openedMessageId)).toEqual([1]);
    const quoted = [list[0]].filter((m): m is EpisodeMessage => m !== undefined);
    const resumed = analyzeScope({ channel: group, threadId: null, messages: list.slice(1), roleOf, now: at(200), resume: { checkpoint: c, quoted } });
    expect(resumed.episodes.map((e) => [e.openedMessageId, e.status, e.answerMessageId])).toEqual([
      [1, "answered", 3],
      [2, "open", null],
    ]);
  });
});
