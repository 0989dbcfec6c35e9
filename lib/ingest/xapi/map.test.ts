import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { mapXapiToLmsEvents, verbShortName } from "./map";
import { parseXapiStatements } from "./parse";

const NOW = new Date("2025-03-01T12:00:00Z");
const stmt = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  actor: { mbox: "mailto:Kate@School.Example", name: "Kate" },
  verb: { id: "http://adlnet.gov/expapi/verbs/passed" },
  object: { id: "http://lms.example/quiz/7", definition: { type: "http://adlnet.gov/expapi/activities/assessment" } },
  timestamp: "2025-03-01T10:00:00Z",
  ...extra,
});
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const run = (body: unknown[]) => {
  const p = parseXapiStatements(body, { now: NOW });
  expect(p.errors).toEqual([]);
  const m = mapXapiToLmsEvents(p.statements);
  for (const e of m.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  return m;
};

describe("mapXapiToLmsEvents", () => {
  it("maps the ADL verbs to their short names", () => {
    const verbs = ["registered", "attended", "experienced", "progressed", "completed", "passed", "failed", "answered", "launched", "initialized", "terminated", "scored", "attempted", "mastered"];
    const m = run(verbs.map((v, i) => stmt(ID(i + 1), { verb: { id: `http://adlnet.gov/expapi/verbs/${v}` } })));
    expect(m.events.map((e) => e.verb)).toEqual(verbs);
    expect(verbShortName("https://w3id.org/xapi/video/verbs/played")).toBe("played");
    expect(verbShortName("http://id.tincanapi.com/verb/earned")).toBe("earned");
  });

  it("identities: mbox (lower-cased, with email), account, openid, sha1", () => {
    const m = run([
      stmt(ID(1)),
      stmt(ID(2), { actor: { account: { homePage: "https://lms.example", name: "42" } } }),
      stmt(ID(3), { actor: { openid: "https://id.example/kate" } }),
      stmt(ID(4), { actor: { mbox_sha1sum: "A".repeat(40) } }),
    ]);
    expect(m.events.map((e) => e.actor)).toEqual([
      { externalId: "mailto:kate@school.example", email: "kate@school.example", name: "Kate" },
      { externalId: "account:https://lms.example|42", username: "42" },
      { externalId: "openid:https://id.example/kate" },
      { externalId: `sha1:${"a".repeat(40)}` },
    ]);
  });

  it("score raw/max, or scaled out of 1; success, completion, duration and cmi5 progress in extra", () => {
    const m = run([
      stmt(ID(1), { result: { score: { raw: 7, min: 0, max: 10 }, success: true, duration: "PT5M" } }),
      stmt(ID(2), { result: { score: { scaled: 0.5 }, completion: true, extensions: { "https://w3id.org/xapi/cmi5/result/extensions/progress": 40 } } }),
    ]);
    expect(m.events[0]).toMatchObject({ score: 7, maxScore: 10, extra: { success: true, duration: "PT5M" } });
    expect(m.events[1]).toMatchObject({ score: 0.5, maxScore: 1, extra: { completion: true, progress: 40 } });
  });

  it("course and cohort from context activities and extensions", () => {
    const m = run([
      stmt(ID(1), { context: { contextActivities: { parent: [{ id: "http://lms.example/course/py", definition: { type: "http://adlnet.gov/expapi/activities/course" } }], grouping: [{ id: "http://lms.example/cohort/py-2025-03", definition: { type: "http://lms.example/types/cohort" } }] } } }),
      stmt(ID(2), { context: { extensions: { "http://lms.example/ext/course_id": "py", "http://lms.example/ext/cohort": "py-2025-03" } } }),
      stmt(ID(3), { verb: { id: "http://adlnet.gov/expapi/verbs/registered" }, object: { id: "http://lms/course/course-v1:Org+Py+2025", definition: { type: "http://adlnet.gov/expapi/activities/course" } } }),
    ]);
    expect(m.events[0]).toMatchObject({ courseExternalId: "http://lms.example/course/py", cohortExternalId: "http://lms.example/cohort/py-2025-03" });
    expect(m.events[1]).toMatchObject({ courseExternalId: "py", cohortExternalId: "py-2025-03" });
    expect(m.events[2]).toMatchObject({ courseExternalId: "course-v1:Org+Py+2025", objectId: "course-v1:Org+Py+2025", objectKind: "course" });
  });

  it("voiding: the target in the batch is voided, and the void is reported", () => {
    const m = run([stmt(ID(1)), stmt(ID(2), { verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: ID(1) }, timestamp: "2025-03-01T11:00:00Z" })]);
    expect(m.events.find((e) => e.externalId === ID(1))?.voided).toBe(true);
    expect(m.events.find((e) => e.externalId === ID(2))).toMatchObject({ verb: "voided", objectId: ID(1), objectKind: "statement" });
    expect(m.voids).toEqual([{ targetId: ID(1), byStatementId: ID(2), voidedAt: new Date("2025-03-01T11:00:00Z") }]);
  });

  it("voiding a statement stored earlier is reported for the store; a voiding statement cannot be voided", () => {
    const m = run([
      stmt(ID(2), { verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: ID(9) } }),
      stmt(ID(3), { verb: { id: "http://adlnet.gov/expapi/verbs/voided" }, object: { objectType: "StatementRef", id: ID(2) } }),
    ]);
    expect(m.voids.map((v) => v.targetId)).toEqual([ID(9), ID(2)]);
    expect(m.events.find((e) => e.externalId === ID(2))?.voided).toBeUndefined();
  });

  it("an anonymous Group actor is skipped with a reason", () => {
    const m = run([stmt(ID(1), { actor: { objectType: "Group", member: [{ mbox: "mailto:a@b.c" }] } })]);
    expect(m.events).toEqual([]);
    expect(m.skipped[0]?.reason).toContain("anonymous Group");
  });
});
