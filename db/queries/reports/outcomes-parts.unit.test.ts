import { describe, expect, it } from "vitest";
import { mergeParts } from "./outcomes";

describe("mergeParts", () => {
  const id = (r: { id: number }) => r.id;
  it.each([
    { name: "two interleaved parts", parts: [[1, 3, 5], [2, 4, 6]], want: [1, 2, 3, 4, 5, 6] },
    { name: "one part empty", parts: [[], [2, 7]], want: [2, 7] },
    { name: "all empty", parts: [[], []], want: [] },
    { name: "uneven lengths", parts: [[10], [1, 2, 3, 11]], want: [1, 2, 3, 10, 11] },
    { name: "three parts", parts: [[3, 6], [1, 4], [2, 5]], want: [1, 2, 3, 4, 5, 6] },
  ])("$name", ({ parts, want }) => {
    expect(mergeParts(parts.map((p) => p.map((n) => ({ id: n }))), id).map(id)).toEqual(want);
  });

  it("keeps every row, equal keys included", () => {
    const out = mergeParts([[{ id: 1, p: "a" }, { id: 2, p: "a" }], [{ id: 1, p: "b" }]], (r) => r.id);
    expect(out.map((r) => `${r.id}${r.p}`)).toEqual(["1a", "1b", "2a"]);
  });
});
