import { describe, expect, it } from "vitest";
import { countOpen, flagSets, inQueueOrder } from "./common";
import { openFlagsOf, type OpenEpisodeState } from "./queue";

/**
 * The open flags counted in Node beside a statement that did not wait for them (countOpen), and the live
 * queue's judged states as open flags (openFlagsOf). The statements that use them are compared with the
 * reference reports in tests/integration (reports, episode-detail, overview-kpis).
 */

const sets = flagSets({ breachingNow: [3, 7, 11], atRisk: [4, 12] });

describe("countOpen", () => {
  it.each([
    { name: "no open episode in the group (string_agg of nothing is null)", ids: null, expected: { breachingNow: 0, atRisk: 0 } },
    { name: "an empty list", ids: "", expected: { breachingNow: 0, atRisk: 0 } },
    { name: "open, neither breaching nor at risk", ids: "1,2,5", expected: { breachingNow: 0, atRisk: 0 } },
    { name: "breaching and at risk among others", ids: "3,4,5,7", expected: { breachingNow: 2, atRisk: 1 } },
    { name: "one id, at risk", ids: "12", expected: { breachingNow: 0, atRisk: 1 } },
    // The statement saw an episode the judgement did not (opened between the two reads): not flagged.
    { name: "an id the judgement never saw", ids: "99", expected: { breachingNow: 0, atRisk: 0 } },
    { name: "ids as large as bigint ids get here", ids: "9007199254740991,11", expected: { breachingNow: 1, atRisk: 0 } },
    { name: "not a string (a driver that returned something else)", ids: 3, expected: { breachingNow: 0, atRisk: 0 } },
  ])("$name", ({ ids, expected }) => {
    expect(countOpen(ids, sets)).toEqual(expected);
  });

  it("an id in both lists counts as breaching only, as slaFlags reads breaching first", () => {
    expect(countOpen("5", flagSets({ breachingNow: [5], atRisk: [5] }))).toEqual({ breachingNow: 1, atRisk: 0 });
  });
});

describe("openFlagsOf", () => {
  const state = (episodeId: number, s: OpenEpisodeState["state"]): OpenEpisodeState => ({ episodeId, openedAt: "2026-11-27T10:00:00.000Z", ownerRole: null, channelId: 1, state: s });
  it("breaching → breaching now, at risk → at risk; ok and no SLA are neither", () => {
    const f = openFlagsOf([state(1, "breaching"), state(2, "atRisk"), state(3, "ok"), state(4, "noSla"), state(5, "breaching")]);
    expect(f).toEqual({ breachingNow: [1, 5], atRisk: [2] });
  });
  it("no open episode", () => {
    expect(openFlagsOf([])).toEqual({ breachingNow: [], atRisk: [] });
  });
});

describe("inQueueOrder", () => {
  // `order by e.opened_at, e.id`: PostgreSQL keeps microseconds, which the ISO instants (ms) have lost.
  const at = (iso: string, us: number) => Date.parse(iso) * 1000 + us;
  it.each([
    { name: "earlier first", list: [{ id: 1, openedUs: at("2026-03-12T09:00:01Z", 0) }, { id: 2, openedUs: at("2026-03-12T09:00:00Z", 0) }], expected: [2, 1] },
    { name: "same instant: lower id first", list: [{ id: 9, openedUs: at("2026-03-12T09:00:00Z", 0) }, { id: 4, openedUs: at("2026-03-12T09:00:00Z", 0) }], expected: [4, 9] },
    {
      name: "same millisecond, microseconds apart: the earlier first whatever the ids",
      list: [{ id: 4, openedUs: at("2026-03-12T09:00:00Z", 700) }, { id: 9, openedUs: at("2026-03-12T09:00:00Z", 200) }],
      expected: [9, 4],
    },
    { name: "a 2026 instant in microseconds is an exact integer", list: [{ id: 2, openedUs: at("2026-12-31T23:59:59.999Z", 999) }, { id: 1, openedUs: at("2026-12-31T23:59:59.999Z", 998) }], expected: [1, 2] },
  ])("$name", ({ list, expected }) => {
    expect([...list].sort(inQueueOrder).map((e) => e.id)).toEqual(expected);
  });
});
