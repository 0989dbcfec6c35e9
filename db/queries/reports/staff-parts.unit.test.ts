import { describe, expect, it } from "vitest";
import { mergeStaffParts, unionSize, type StaffPart } from "./load";
import { percentiles } from "@/lib/metrics/sla";

const f = (xs: number[]) => Float64Array.from(xs);

describe("load parts (ADR 0011)", () => {
  it.each([
    { a: [], b: [], n: 0 },
    { a: [1, 2, 3], b: [], n: 3 },
    { a: [1, 3, 5], b: [2, 3, 6], n: 5 },
    { a: [1, 2], b: [1, 2], n: 2 },
    { a: [10], b: [1, 2, 3], n: 4 },
    // One list over 16 times the other's length: the short one looked up in the long one.
    { a: Array.from({ length: 100 }, (_, i) => 2 * i), b: [0, 1, 39, 78, 79, 198, 199], n: 104 },
    { a: Array.from({ length: 100 }, (_, i) => 2 * i), b: [-1], n: 101 },
    { a: Array.from({ length: 100 }, (_, i) => 2 * i), b: [], n: 100 },
  ])("unionSize($a, $b) = $n", ({ a, b, n }) => {
    expect(unionSize(f(a), f(b))).toBe(n);
    expect(unionSize(f(b), f(a))).toBe(n);
  });

  it("merges answered counts, response percentiles, distinct students, breaches and messages across parts", () => {
    const p1: StaffPart = { answered: [{ id: 7, n: 3, responses: f([1, 4, 9]), students: f([100, 101]) }], breached: [[7, 1]], sent: [[7, 10], [8, 2]] };
    const p2: StaffPart = { answered: [{ id: 7, n: 2, responses: f([2, 30]), students: f([101, 102]) }, { id: 8, n: 1, responses: f([5]), students: f([200]) }], breached: [[8, 2], [7, 1]], sent: [[7, 1]] };
    const m = mergeStaffParts([p1, p2]);
    const [median, p90] = percentiles([1, 4, 9, 2, 30], [0.5, 0.9]);
    expect(m.answered.get(7)).toEqual({ n: 5, students: 3, median, p90 });
    expect(m.answered.get(8)).toEqual({ n: 1, students: 1, median: 5, p90: 5 });
    expect([...m.breaches].sort()).toEqual([[7, 2], [8, 2]]);
    expect([...m.sent].sort()).toEqual([[7, 11], [8, 2]]);
    // Three parts (the union of the first two, then the size with the third), in any order.
    const p3: StaffPart = { answered: [{ id: 7, n: 1, responses: f([3]), students: f([99, 102, 103]) }], breached: [], sent: [] };
    for (const order of [[p1, p2, p3], [p3, p1, p2], [p2, p3, p1]]) expect(mergeStaffParts(order).answered.get(7)?.students).toBe(5);
    // An empty part changes nothing.
    expect(mergeStaffParts([p1, { answered: [], breached: [], sent: [] }])).toEqual(mergeStaffParts([p1]));
  });
});
