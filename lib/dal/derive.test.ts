import { describe, expect, it } from "vitest";
import { busyDelayMs, DERIVE_BUSY_DELAY_MS, DERIVE_DEBOUNCE_MS, FRESHNESS_BUDGET_MS } from "./derive";

describe("busyDelayMs: the pause between derivation runs under a steady webhook load", () => {
  it("is the busy delay while runs are short", () => {
    expect(busyDelayMs(100)).toBe(DERIVE_BUSY_DELAY_MS);
  });
  it("shrinks so that a run missed, the delay and the next run stay within the freshness budget", () => {
    for (const run of [400, 500, 600]) expect(run + busyDelayMs(run) + run).toBeLessThanOrEqual(FRESHNESS_BUDGET_MS);
  });
  it("never goes below the idle debounce", () => {
    expect(busyDelayMs(5_000)).toBe(DERIVE_DEBOUNCE_MS);
  });
});
