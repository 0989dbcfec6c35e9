import { describe, expect, it } from "vitest";
import { statementsEqual } from "./equal";

const s = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "12345678-1234-4678-9234-567812345678",
  actor: { objectType: "Agent", mbox: "mailto:kate@school.example", name: "Kate" },
  verb: { id: "http://adlnet.gov/expapi/verbs/scored", display: { "en-US": "scored" } },
  object: { objectType: "Activity", id: "http://lms.example/quiz/1", definition: { name: { "en-US": "Quiz 1" } } },
  result: { score: { raw: 8, min: 0, max: 10 }, duration: "PT1H" },
  context: { registration: "aaaaaaaa-1234-4678-9234-567812345678", contextActivities: { parent: [{ id: "http://lms.example/course/1" }] } },
  timestamp: "2025-03-01T10:00:00.000Z",
  ...extra,
});

describe("statementsEqual (the 409 rule)", () => {
  const same: Array<[string, Record<string, unknown>]> = [
    ["stored, authority and version set by the LRS", s({ stored: "2025-03-02T00:00:00Z", authority: { mbox: "mailto:lrs@x.example" }, version: "1.0.3" })],
    ["the same instant in another offset", s({ timestamp: "2025-03-01T13:00:00+03:00" })],
    ["the same instant with other precision", s({ timestamp: "2025-03-01T10:00:00Z" })],
    ["timestamp missing on one side (the LRS fills it in)", s({ timestamp: undefined })],
    ["another verb display", s({ verb: { id: "http://adlnet.gov/expapi/verbs/scored", display: { fr: "a obtenu" } } })],
    ["another activity definition", s({ object: { objectType: "Activity", id: "http://lms.example/quiz/1", definition: { name: { "en-US": "Renamed" } } } })],
    ["objectType omitted (defaults)", s({ actor: { mbox: "mailto:kate@school.example", name: "Kate" }, object: { id: "http://lms.example/quiz/1" } })],
    ["e-mail domain in another case", s({ actor: { objectType: "Agent", mbox: "mailto:kate@SCHOOL.Example", name: "Kate" } })],
    ["registration UUID in upper case", s({ context: { registration: "AAAAAAAA-1234-4678-9234-567812345678", contextActivities: { parent: [{ id: "http://lms.example/course/1" }] } } })],
    ["1.0 single context Activity vs array", s({ context: { registration: "aaaaaaaa-1234-4678-9234-567812345678", contextActivities: { parent: { id: "http://lms.example/course/1" } } } })],
    ["attachments", s({ attachments: [{ usageType: "http://x.example/u", display: { en: "a" }, contentType: "text/plain", length: 1, sha2: "ab" }] })],
    ["key order", Object.fromEntries(Object.entries(s()).reverse())],
  ];
  it.each(same)("equal despite %s", (_n, b) => expect(statementsEqual(s(), b)).toBe(true));

  it("a Group's members in another order are equal", () => {
    const g = (members: string[]) => s({ actor: { objectType: "Group", member: members.map((m) => ({ mbox: `mailto:${m}@x.example` })) } });
    expect(statementsEqual(g(["a", "b", "c"]), g(["c", "a", "b"]))).toBe(true);
    expect(statementsEqual(g(["a", "b"]), g(["a", "c"]))).toBe(false);
  });

  const different: Array<[string, Record<string, unknown>]> = [
    ["another score", s({ result: { score: { raw: 9, min: 0, max: 10 }, duration: "PT1H" } })],
    ["an equivalent but differently written duration", s({ result: { score: { raw: 8, min: 0, max: 10 }, duration: "PT60M" } })],
    ["another instant", s({ timestamp: "2025-03-01T10:00:00.001Z" })],
    ["another instant below a millisecond", s({ timestamp: "2025-03-01T10:00:00.0000001Z" })],
    ["another actor", s({ actor: { objectType: "Agent", mbox: "mailto:other@school.example" } })],
    ["e-mail local part in another case", s({ actor: { objectType: "Agent", mbox: "mailto:Kate@school.example", name: "Kate" } })],
    ["another verb", s({ verb: { id: "http://adlnet.gov/expapi/verbs/passed" } })],
    ["another object", s({ object: { id: "http://lms.example/quiz/2" } })],
    ["a result added", s({ result: { score: { raw: 8, min: 0, max: 10 }, duration: "PT1H", success: true } })],
    ["a context activity added", s({ context: { registration: "aaaaaaaa-1234-4678-9234-567812345678", contextActivities: { parent: [{ id: "http://lms.example/course/1" }, { id: "http://lms.example/course/2" }] } } })],
  ];
  it.each(different)("different with %s", (_n, b) => expect(statementsEqual(s(), b)).toBe(false));

  it("non-objects are never equal", () => {
    expect(statementsEqual(null, s())).toBe(false);
    expect(statementsEqual([], [])).toBe(false);
  });
});
