import { describe, expect, it } from "vitest";
import {
  compareEpisodes,
  deriveEpisodes,
  deriveScopes,
  groupByScope,
  scopeKey,
  type Episode,
  type EpisodeChannel,
  type EpisodeStatus,
  type ScopedEpisodeMessage,
  type ScopesDerivation,
} from "./episodes";
import { BOT, COORD, MENTOR, S1, S2, S3, UNKNOWN, at, channel, prng, randomHistory, roleOf, shuffle } from "./__fixtures__/episodes/builders";

/** Out-of-order arrival and incremental recomputation must not change any scope's episodes. */

const CHANNELS: EpisodeChannel[] = [
  channel({ id: 1 }),
  channel({ id: 2, attribution: "fifo", purpose: "community" }),
  channel({ id: 3, kind: "dm", dmStudentPersonId: S1 }),
  channel({ id: 4, kind: "dm" }),
  channel({ id: 5, kind: "forum", purpose: "community", ownerRole: "mentor", ownerPersonId: MENTOR }),
];
const CHANNEL_MAP = new Map(CHANNELS.map((c) => [c.id, c]));
const PEOPLE = [S1, S2, S3, UNKNOWN, S1, S2, MENTOR, COORD, BOT];
const NOW = at(12 * 24 * 60);

/** A random but plausible message history: ties in time, replies inside the scope and outside the data, bots, deletions. */
function scenario(seed: number, size: number): ScopedEpisodeMessage[] {
  // Minutes spread over ~11 days, in 10-minute steps so equal times happen.
  return randomHistory(seed, size, {
    channels: CHANNELS,
    people: PEOPLE,
    steps: 1600,
    authorsIn: (ch) => (ch.id === 3 ? [S1, S1, S2, MENTOR, COORD, BOT] : PEOPLE),
    categories: true,
  });
}

const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

describe("out-of-order arrival", () => {
  it.each(SEEDS)("seed %i: every shuffle gives the same episodes and contacts", (seed) => {
    const messages = scenario(seed, 250);
    const expected = deriveScopes({ channels: CHANNEL_MAP, messages, roleOf, now: NOW });
    const rand = prng(seed * 7919);
    for (let round = 0; round < 5; round++) {
      const shuffled = shuffle(messages, rand);
      expect(deriveScopes({ channels: CHANNEL_MAP, messages: shuffled, roleOf, now: NOW })).toEqual(expected);
    }
  });

  it("the generated histories exercise every status and kind", () => {
    const statuses = new Set<EpisodeStatus>();
    const kinds = new Set<string>();
    let peer = 0;
    let handoffs = 0;
    for (const seed of SEEDS) {
      for (const e of deriveScopes({ channels: CHANNEL_MAP, messages: scenario(seed, 250), roleOf, now: NOW }).episodes) {
        statuses.add(e.status);
        kinds.add(e.kind);
        if (e.firstPeerReplyAt) peer++;
        if (e.handoffMinutes !== null) handoffs++;
      }
    }
    expect([...statuses].sort()).toEqual(["abandoned", "answered", "open", "resolved_by_bot"]);
    expect([...kinds].sort()).toEqual(["first", "next"]);
    expect(peer).toBeGreaterThan(0);
    expect(handoffs).toBeGreaterThan(0);
  });
});

describe("incremental recomputation equals a full derivation", () => {
  it.each(SEEDS)("seed %i: per-scope derivations, united, equal deriving everything", (seed) => {
    const messages = scenario(seed, 250);
    const full = deriveScopes({ channels: CHANNEL_MAP, messages, roleOf, now: NOW }).episodes;
    const united: Episode[] = [];
    for (const group of groupByScope(messages)) {
      const ch = CHANNEL_MAP.get(group.scope.channelId);
      if (!ch) throw new Error("unknown channel");
      united.push(...deriveEpisodes({ channel: ch, threadId: group.scope.threadId, messages: group.messages, roleOf, now: NOW }));
    }
    expect(united.sort(compareEpisodes)).toEqual(full);
  });

  it.each(SEEDS)("seed %i: batches arriving out of order, recomputing only dirty scopes, end where a full run does", (seed) => {
    const rand = prng(seed * 31);
    const messages = scenario(seed, 250);
    const arrival = shuffle(messages, rand);
    const stored: ScopedEpisodeMessage[] = [];
    const byScope = new Map<string, ScopesDerivation>();
    while (arrival.length > 0) {
      const batch = arrival.splice(0, 1 + Math.floor(rand() * 40));
      stored.push(...batch);
      const dirty = new Set(batch.map((m) => scopeKey(m.channelId, m.threadId)));
      const touched = stored.filter((m) => dirty.has(scopeKey(m.channelId, m.threadId)));
      for (const group of groupByScope(touched)) {
        byScope.set(scopeKey(group.scope.channelId, group.scope.threadId), deriveScopes({ channels: CHANNEL_MAP, messages: group.messages, roleOf, now: NOW }));
      }
    }
    const full = deriveScopes({ channels: CHANNEL_MAP, messages, roleOf, now: NOW });
    const results = [...byScope.values()];
    expect(results.flatMap((r) => r.episodes).sort(compareEpisodes)).toEqual(full.episodes);
    expect(new Set(results.flatMap((r) => r.contacts.map((c) => c.messageId)))).toEqual(new Set(full.contacts.map((c) => c.messageId)));
    expect(results.flatMap((r) => r.contacts).length).toBe(full.contacts.length);
  });
});

describe("invariants", () => {
  it.each(SEEDS)("seed %i: episodes of a student in a scope never overlap, and answers follow openings", (seed) => {
    const { episodes } = deriveScopes({ channels: CHANNEL_MAP, messages: scenario(seed, 250), roleOf, now: NOW });
    const byStudent = new Map<string, Episode[]>();
    for (const e of episodes) {
      expect(e.messageCount).toBeGreaterThanOrEqual(1);
      expect(e.lastStudentMessageAt.getTime()).toBeGreaterThanOrEqual(e.openedAt.getTime());
      expect(e.status === "answered").toBe(e.answeredAt !== null);
      expect(e.responderPersonId === null).toBe(e.answeredAt === null);
      if (e.answeredAt) expect(e.answeredAt.getTime()).toBeGreaterThanOrEqual(e.lastStudentMessageAt.getTime());
      if (e.handoffMinutes !== null) expect(e.handoffMinutes).toBeGreaterThanOrEqual(0);
      if (e.responderPersonId !== null) expect(e.responderPersonId).not.toBe(e.studentPersonId);
      const key = `${scopeKey(e.scope.channelId, e.scope.threadId)}/${e.studentPersonId}`;
      byStudent.set(key, [...(byStudent.get(key) ?? []), e]);
    }
    for (const list of byStudent.values()) {
      list.forEach((e, i) => {
        expect(e.kind).toBe(i === 0 ? "first" : "next");
        const next = list[i + 1];
        if (next) expect(next.openedAt.getTime()).toBeGreaterThanOrEqual((e.answeredAt ?? e.lastStudentMessageAt).getTime());
        if (next) expect(["answered", "abandoned", "resolved_by_bot"]).toContain(e.status);
      });
    }
  });
});
