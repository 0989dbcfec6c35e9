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
