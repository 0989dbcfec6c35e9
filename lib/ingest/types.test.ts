import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "./types";

// LMS verbs and object ids are btree index keys (lms_events_person_cover_idx): bounded in bytes, so an
// oversized one is refused by itself with a reason instead of failing the insert of its whole batch.
describe("LMS event key sizes", () => {
  const lms = (over: Record<string, unknown>) => ({
    type: "lms",
    source: { kind: "xapi", externalId: "lrs" },
    externalId: "st-1",
    actor: { externalId: "u1" },
    verb: "completed",
    occurredAt: new Date("2026-03-02T10:00:00Z"),
    ...over,
  });

  it.each([
    ["an ordinary IRI", { objectId: "https://lms.example/course/py-101/assignment/7" }, true],
    ["1,024 ASCII bytes", { objectId: "a".repeat(1024) }, true],
    ["1,025 ASCII bytes", { objectId: "a".repeat(1025) }, false],
    ["512 two-byte letters (1,024 bytes)", { objectId: "я".repeat(512) }, true],
    ["513 two-byte letters (1,026 bytes, 513 characters)", { objectId: "я".repeat(513) }, false],
    ["a verb of 256 bytes", { verb: "v".repeat(256) }, true],
    ["a verb of 257 bytes", { verb: "v".repeat(257) }, false],
    ["an empty verb", { verb: "" }, false],
  ] as const)("%s", (_name, over, ok) => {
    const r = ingestEventSchema.safeParse(lms(over));
    expect(r.success).toBe(ok);
    if (!r.success && "objectId" in over) expect(r.error.issues[0]?.message).toMatch(/object id longer than 1024 bytes/);
  });
});

// An answer outside its scale is refused (the rating hook's bounds): normalised, it would fall outside
// 1..5 (CSAT) or 0..10 (NPS) and skew every mean and share it enters.
describe("rating scores within their scale", () => {
  const rating = (kind: "csat" | "nps", rawScore: number, scaleMax: number) => ({
    type: "rating",
    source: { kind: "telegram", externalId: "bot" },
    externalId: "r-1",
    kind,
    rater: { externalId: "u1" },
    rawScore,
    scaleMax,
    givenAt: new Date("2026-03-02T10:00:00Z"),
  });

  it.each([
    ["CSAT 1 of 5", "csat", 1, 5, true],
    ["CSAT 5 of 5", "csat", 5, 5, true],
    ["CSAT 0 of 5", "csat", 0, 5, false],
    ["CSAT 6 of 5", "csat", 6, 5, false],
    ["CSAT 0 of 10 (a 0..10 scale)", "csat", 0, 10, true],
    ["CSAT 10 of 10", "csat", 10, 10, true],
    ["CSAT 11 of 10", "csat", 11, 10, false],
    ["CSAT 0 of 3 (a 1..3 scale)", "csat", 0, 3, false],
    ["CSAT 2.5 of 3", "csat", 2.5, 3, true],
    ["CSAT -1 of 5", "csat", -1, 5, false],
    ["NPS 0", "nps", 0, 10, true],
    ["NPS 10", "nps", 10, 10, true],
    ["NPS 11", "nps", 11, 10, false],
    ["NPS -1", "nps", -1, 10, false],
  ] as const)("%s", (_name, kind, score, scale, ok) => {
    const r = ingestEventSchema.safeParse(rating(kind, score, scale));
    expect(r.success).toBe(ok);
    if (!r.success) expect(r.error.issues[0]?.path).toEqual(["rawScore"]);
  });
});
