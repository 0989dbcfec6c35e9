import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { sharedSamplePath } from "../common/shared-samples";
import { mapXapiToLmsEvents } from "./map";
import { parseXapiFile, parseXapiStatements } from "./parse";

const NOW = new Date("2025-03-01T12:00:00Z");
const dir = () => sharedSamplePath("xapi-openedx", "expected_xapi");
const samples = () => fs.readdirSync(dir()).filter((f) => f.endsWith(".json")).map((f) => ({ file: f, json: JSON.parse(fs.readFileSync(`${dir()}/${f}`, "utf8")) as Record<string, unknown> }));

const base = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: "12345678-1234-4678-9234-567812345678",
  actor: { mbox: "mailto:Kate@School.Example", name: "Kate" },
  verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
  object: { id: "http://lms.example/course/python-101/lesson/3", definition: { type: "http://adlnet.gov/expapi/activities/lesson" } },
  timestamp: "2025-03-01T10:00:00.000+03:00",
  ...extra,
});

describe("parseXapiStatements on the real Open edX xAPI samples", () => {
  it("every expected_xapi statement is valid 1.0.3 and maps to one valid LMS event", () => {
    const all = samples();
    const r = parseXapiStatements(all.map((s) => s.json), { version: "1.0.3", now: NOW });
    expect(r.errors).toEqual([]);
    expect(r.statements).toHaveLength(all.length);
    const m = mapXapiToLmsEvents(r.statements);
    expect(m.events).toHaveLength(all.length);
    expect(m.skipped).toEqual([]);
    for (const e of m.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    for (const s of all) {
      const e = m.events.find((x) => x.externalId === s.json.id);
      const verbId = (s.json.verb as { id: string }).id;
      expect(e?.verb).toBe(verbId.split("/").pop());
      expect((e?.occurredAt as Date).getTime()).toBe(Date.parse(s.json.timestamp as string));
    }
  });

  it("also validates them as 2.0 (they carry offsets and context arrays)", () => {
    const all = samples().map((s) => ({ ...s.json, version: undefined }));
    const r = parseXapiStatements(JSON.parse(JSON.stringify(all)) as unknown[], { version: "2.0.0", now: NOW });
    expect(r.errors).toEqual([]);
  });
});

describe("parseXapiStatements: bad-input corpus", () => {
  const A = base();
  const cases: Array<[string, unknown, { version?: string; statementId?: string }?]> = [
    ["body is a string", "statement"],
    ["body is null", null],
    ["statement is a number inside an array", [1]],
    ["unsupported version header", A, { version: "3.0.0" }],
    ["statement version 0.95", base({ version: "0.95" })],
    ["statement version 1.0 (not semver)", base({ version: "1.0" })],
    ["bad id", base({ id: "not-a-uuid" })],
    ["id of the wrong variant", base({ id: "12345678-1234-4678-c234-567812345678" })],
    ["no actor", base({ actor: undefined })],
    ["actor without identifier", base({ actor: { name: "Kate" } })],
    ["actor with two identifiers", base({ actor: { mbox: "mailto:a@b.c", openid: "http://id.example/a" } })],
    ["mbox without mailto:", base({ actor: { mbox: "kate@school.example" } })],
    ["mbox_sha1sum too short", base({ actor: { mbox_sha1sum: "abc" } })],
    ["account homePage without scheme", base({ actor: { account: { homePage: "lms.example", name: "42" } } })],
    ["anonymous Group without members", base({ actor: { objectType: "Group", name: "team" } })],
    ["actor objectType 'Person'", base({ actor: { objectType: "Person", mbox: "mailto:a@b.c" } })],
    ["verb id not an IRI", base({ verb: { id: "completed" } })],
    ["verb display with a bad language tag", base({ verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en US": "completed" } } })],
    ["object without id", base({ object: { definition: {} } })],
    ["StatementRef with a bad id", base({ object: { objectType: "StatementRef", id: "x" } })],
    ["Agent object without objectType and without id", base({ object: { mbox: "mailto:a@b.c" } })],
    ["nested SubStatement", base({ object: { objectType: "SubStatement", actor: { mbox: "mailto:a@b.c" }, verb: { id: "http://x.example/v" }, object: { objectType: "SubStatement" } } })],
    ["unknown top-level property", base({ colour: "red" })],
    ["unknown property in result", base({ result: { grade: "A" } })],
    ["null value", base({ result: { response: null } })],
    ["score as a string", base({ result: { score: { raw: "80", min: 0, max: 100 } } })],
    ["success as a string", base({ result: { success: "true" } })],
    ["scaled score above 1", base({ result: { score: { scaled: 1.5 } } })],
    ["raw score above max", base({ result: { score: { raw: 110, min: 0, max: 100 } } })],
    ["min not below max", base({ result: { score: { min: 10, max: 10 } } })],
    ["duration not ISO 8601", base({ result: { duration: "3 minutes" } })],
    ["extension key not an IRI", base({ result: { extensions: { progress: 50 } } })],
    ["registration not a UUID", base({ context: { registration: "abc" } })],
    ["timestamp not a date", base({ timestamp: "yesterday" })],
    ["timestamp with -00:00", base({ timestamp: "2025-03-01T10:00:00-00:00" })],
    ["2.0 timestamp without offset", base({ timestamp: "2025-03-01T10:00:00" }), { version: "2.0.0" }],
    ["2.0 single context Activity (not an array)", base({ context: { contextActivities: { parent: { id: "http://lms.example/course/1" } } } }), { version: "2.0.0" }],
    ["voiding a non-StatementRef", base({ verb: { id: "http://adlnet.gov/expapi/verbs/voided" } })],
    ["platform with an Agent object", base({ object: { objectType: "Agent", mbox: "mailto:a@b.c" }, context: { platform: "LMS" } })],
    ["PUT id differs from statementId", A, { statementId: "00000000-0000-4000-8000-000000000001" }],
    ["PUT with a non-UUID statementId", A, { statementId: "abc" }],
    ["PUT with two statements", [A, A], { statementId: "12345678-1234-4678-9234-567812345678" }],
    ["same id twice, different content (409)", [A, base({ verb: { id: "http://adlnet.gov/expapi/verbs/passed" } })]],
  ];
  it.each(cases)("%s", (_n, body, o) => {
    const r = parseXapiStatements(body, { now: NOW, ...(o ?? {}) });
    expect(r.errors.length).toBeGreaterThan(0);
    for (const e of r.errors) expect(e.reason.length).toBeGreaterThan(0);
  });
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));

  it("accepts what the spec allows", () => {
    const ok: Array<[unknown, { version?: string }?]> = [
      [base()],
      [[]],
      [base({ id: undefined })],
      [base({ timestamp: undefined })],
      [base({ timestamp: "2025-03-01T10:00:00" }), { version: "1.0.3" }],
      [base({ timestamp: "2025-03-01T10:00:00.1234567Z" })],
      [base({ context: { contextActivities: { parent: { id: "http://lms.example/course/1" } } } })],
      [base({ result: { extensions: { "http://x.example/ext": null } } })],
      [base({ actor: { objectType: "Group", member: [{ mbox: "mailto:a@b.c" }] } })],
      [base({ object: { objectType: "StatementRef", id: "12345678-1234-4678-9234-567812345679" } })],
      [base({ version: "2.0.0", context: { contextAgents: [{ objectType: "contextAgent", agent: { mbox: "mailto:t@b.c" } }] } }), { version: "2.0.0" }],
      [[base(), base()]],
    ];
    for (const [body, o] of ok) expect(parseXapiStatements(body, { now: NOW, ...(o ?? {}) }).errors).toEqual([]);
  });
});

describe("ids, timestamps and batches", () => {
  it("a statement without id gets a stable UUID derived from its content", () => {
    const a = parseXapiStatements(base({ id: undefined }), { now: NOW }).statements[0];
    const b = parseXapiStatements(base({ id: undefined }), { now: NOW }).statements[0];
    expect(a?.id).toBe(b?.id);
    expect(a?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a?.idAssigned).toBe(true);
    expect(parseXapiStatements(base({ id: undefined, verb: { id: "http://adlnet.gov/expapi/verbs/passed" } }), { now: NOW }).statements[0]?.id).not.toBe(a?.id);
  });

  it("ids are case-insensitive (lower-cased); the PUT statementId is used", () => {
    expect(parseXapiStatements(base({ id: "12345678-1234-4678-9234-56781234ABCD" }), { now: NOW }).statements[0]?.id).toBe("12345678-1234-4678-9234-56781234abcd");
    const put = parseXapiStatements(base({ id: undefined }), { now: NOW, statementId: "00000000-0000-4000-8000-000000000001" });
    expect(put.statements[0]?.id).toBe("00000000-0000-4000-8000-000000000001");
  });

  it("an offset timestamp is the right instant; a missing one is `now`", () => {
    expect(parseXapiStatements(base(), { now: NOW }).statements[0]?.timestamp).toEqual(new Date("2025-03-01T07:00:00Z"));
    const s = parseXapiStatements(base({ timestamp: undefined }), { now: NOW }).statements[0];
    expect(s?.timestamp).toEqual(NOW);
    expect(s?.timestampAssigned).toBe(true);
  });

  it("the same statement twice in a batch is kept once", () => {
    const r = parseXapiStatements([base(), base({ stored: "2025-03-01T08:00:00Z" })], { now: NOW });
    expect(r.errors).toEqual([]);
    expect(r.statements).toHaveLength(1);
  });
});

describe("parseXapiFile", () => {
  it("reads a JSON array, NDJSON and an LRS query result alike", () => {
    const a = base();
    const b = base({ id: "12345678-1234-4678-9234-567812345679" });
    for (const text of [JSON.stringify([a, b]), `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`, JSON.stringify({ statements: [a, b], more: "" })]) {
      const r = parseXapiFile(text, { now: NOW });
      expect(r.errors).toEqual([]);
      expect(r.statements).toHaveLength(2);
    }
  });

  it("reports the line of a bad statement and of broken JSON", () => {
    const text = [JSON.stringify(base()), "{broken", JSON.stringify(base({ id: "bad" }))].join("\n");
    const r = parseXapiFile(text, { now: NOW });
    expect(r.statements).toHaveLength(1);
    expect(r.errors.map((e) => e.line).sort()).toEqual([2, 3]);
  });
});
