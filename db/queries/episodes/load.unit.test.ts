import { describe, expect, it } from "vitest";
import { batchScopes, QUICK_SCOPE_MESSAGES, runBatches, type ScopeCount } from "./load";

const scope = (channelId: number, messages: number): ScopeCount => ({ channelId, threadId: 0, messages });

describe("runBatches", () => {
  const cases: Array<{ name: string; scopes: ScopeCount[]; max: number; want: number[][] }> = [
    { name: "small scopes first, each group in its own order", scopes: [scope(1, 5_000), scope(2, 3), scope(3, 900), scope(4, 1)], max: 25_000, want: [[2, 4], [1, 3]] },
    { name: "a small scope never shares a batch with a big one", scopes: [scope(1, QUICK_SCOPE_MESSAGES), scope(2, QUICK_SCOPE_MESSAGES - 1)], max: 25_000, want: [[2], [1]] },
    { name: "only small", scopes: [scope(1, 10), scope(2, 20)], max: 25, want: [[1], [2]] },
    { name: "only big: as batchScopes", scopes: [scope(1, 300), scope(2, 400), scope(3, 500)], max: 800, want: [[1, 2], [3]] },
    { name: "none", scopes: [], max: 10, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(runBatches(c.scopes, c.max, 5_000).map((b) => b.map((s) => s.channelId))).toEqual(c.want);
    });
  }

  it("keeps every scope exactly once", () => {
    const scopes = Array.from({ length: 500 }, (_, i) => scope(i + 1, (i * 7919) % 1_000));
    const flat = runBatches(scopes, 2_000, 50).flat().map((s) => s.channelId).sort((a, b) => a - b);
    expect(flat).toEqual(scopes.map((s) => s.channelId));
    expect(batchScopes(scopes, 2_000, 50).flat()).toHaveLength(500);
  });
});
