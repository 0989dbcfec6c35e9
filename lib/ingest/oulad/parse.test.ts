import Papa from "papaparse";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestEventSchema, type EnrollmentEvent, type LmsEvent } from "../types";
import { readSharedData } from "../common/shared-data";
import { defaultOuladStartDate } from "./dates";
import { parseOulad, type OuladFiles, type OuladResult } from "./parse";

const VLE = "studentVle_rows1-14999_AAA2013J.csv";
const read = (f: string) => readSharedData("oulad", f);
const table = (f: string) => Papa.parse<Record<string, string>>(read(f), { header: true, skipEmptyLines: true }).data;

let files: OuladFiles;
let result: OuladResult;
beforeAll(() => {
  files = {
    courses: read("courses.csv"),
    assessments: read("assessments.csv"),
    studentInfo: read("studentInfo.csv"),
    studentRegistration: read("studentRegistration.csv"),
    studentAssessment: read("studentAssessment.csv"),
    vle: read("vle.csv"),
    studentVle: read(VLE),
  };
  result = parseOulad(files);
}, 60_000);

const enrollments = () => result.events.filter((e): e is EnrollmentEvent & { type: "enrollment" } => e.type === "enrollment");
const lms = (verb: string) => result.events.filter((e): e is LmsEvent & { type: "lms" } => e.type === "lms" && e.verb === verb);

// 110k events from real files: generous time for slow CI machines.
describe("parseOulad on the real 2013 presentations", { timeout: 30_000 }, () => {
  it("rejects nothing and every event passes the schema", () => {
    expect(result.rejected).toEqual([]);
    for (const e of result.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });

  it("enrollments, withdrawals and completions per presentation equal the counts in studentInfo.csv", () => {
    const info = table("studentInfo.csv");
    const expected = new Map<string, { all: number; withdrawn: number; completed: number; fail: number }>();
    for (const r of info) {
      const k = `${r.code_module}-${r.code_presentation}`;
      const c = expected.get(k) ?? { all: 0, withdrawn: 0, completed: 0, fail: 0 };
      c.all++;
      if (r.final_result === "Withdrawn") c.withdrawn++;
      else c.completed++;
      if (r.final_result === "Fail") c.fail++;
      expected.set(k, c);
    }
    const got = new Map<string, { all: number; withdrawn: number; completed: number; fail: number }>();
    for (const e of enrollments()) {
      const c = got.get(e.cohort.externalId) ?? { all: 0, withdrawn: 0, completed: 0, fail: 0 };
      c.all++;
      if (e.status === "withdrawn") c.withdrawn++;
      if (e.status === "completed") c.completed++;
      if (e.finalResult === "Fail") c.fail++;
      got.set(e.cohort.externalId, c);
    }
    expect(got).toEqual(expected);
    expect(enrollments()).toHaveLength(info.length);
  });

  it("Fail is a completion with finalResult Fail, ended at the presentation's end; tier is none", () => {
    const failed = enrollments().filter((e) => e.finalResult === "Fail");
    expect(failed.length).toBeGreaterThan(0);
    for (const e of failed) {
      expect(e.status).toBe("completed");
      expect((e.endedAt as Date).toISOString().slice(0, 10)).toBe(e.cohort.endsOn);
    }
    expect(new Set(enrollments().map((e) => e.tier))).toEqual(new Set(["none"]));
  });

  it("withdrawals end at start + date_unregistration (12:00 UTC); those without one have no end", () => {
    const reg = new Map(table("studentRegistration.csv").map((r) => [`${r.code_module}-${r.code_presentation}:${r.id_student}`, r]));
    const withdrawn = enrollments().filter((e) => e.status === "withdrawn");
    let without = 0;
    for (const e of withdrawn) {
      const r = reg.get(`${e.cohort.externalId}:${e.student.externalId}`);
      if (!r?.date_unregistration) {
        without++;
        expect(e.endedAt).toBeUndefined();
        continue;
      }
      const start = Date.parse(`${e.cohort.startsOn}T12:00:00Z`);
      expect((e.endedAt as Date).getTime()).toBe(start + Number(r.date_unregistration) * 86_400_000);
    }
    expect(without).toBe(3);
    expect(result.warnings.join(" ")).toContain("3 withdrawal(s) without date_unregistration");
  });

  it("cohort start dates follow the documented default: B in February, J in October (the 1st)", () => {
    expect(defaultOuladStartDate("2013B")).toBe("2013-02-01");
    expect(defaultOuladStartDate("2013J")).toBe("2013-10-01");
    const courses = table("courses.csv");
    expect(result.cohorts).toHaveLength(courses.length);
    const aaa = result.cohorts.find((c) => c.externalId === "AAA-2013J");
    expect(aaa).toMatchObject({ startsOn: "2013-10-01", endsOn: "2014-06-26", lengthDays: 268 });
  });

  it("one submitted event per studentAssessment row, with the score when there is one", () => {
    const rows = table("studentAssessment.csv");
    const submitted = lms("submitted");
    expect(submitted).toHaveLength(rows.length);
    expect(new Set(submitted.map((e) => e.externalId)).size).toBe(rows.length);
    expect(submitted.filter((e) => e.score === undefined)).toHaveLength(rows.filter((r) => r.score === "").length);
    expect(submitted.filter((e) => e.extra?.banked)).toHaveLength(rows.filter((r) => r.is_banked === "1").length);
    expect(result.assessments).toHaveLength(table("assessments.csv").length);
    expect(result.assessments.filter((a) => a.dueOn === undefined)).toHaveLength(table("assessments.csv").filter((a) => a.date === "").length);
  });

  it("clicks are summed per student, site and day; totals are preserved", () => {
    const rows = table(VLE);
    const keys = new Set(rows.map((r) => `${r.id_student}:${r.id_site}:${r.date}`));
    const experienced = lms("experienced");
    expect(experienced).toHaveLength(keys.size);
    expect(experienced.reduce((n, e) => n + (e.amount ?? 0), 0)).toBe(rows.reduce((n, r) => n + Number(r.sum_click), 0));
    // Row order does not change ids or amounts.
    const [header, ...body] = read(VLE).trimEnd().split("\n");
    const reversed = parseOulad({ ...files, studentVle: [header, ...body.reverse()].join("\n") });
    const ids = (r: OuladResult) => r.events.filter((e) => e.type === "lms" && e.verb === "experienced").map((e) => (e.type === "lms" ? `${e.externalId}=${e.amount}` : "")).sort();
    expect(ids(reversed)).toEqual(ids(result));
  });
});

describe("parseOulad options and bad rows", () => {
  const small = (info: string, extra: Partial<OuladFiles> = {}): OuladFiles => ({
    courses: '"code_module","code_presentation","module_presentation_length"\r\n"AAA","2014J","269"\r\n',
    assessments: '"code_module","code_presentation","id_assessment","assessment_type","date","weight"\r\n"AAA","2014J","1","TMA","20","10"\r\n',
    studentInfo: `"code_module","code_presentation","id_student","final_result"\r\n${info}`,
    studentRegistration: '"code_module","code_presentation","id_student","date_registration","date_unregistration"\r\n"AAA","2014J","5","-10",""\r\n',
    studentAssessment: '"id_assessment","id_student","date_submitted","is_banked","score"\r\n"1","5","25","0","80"\r\n"9","5","25","0","80"\r\n',
    vle: '"id_site","code_module","code_presentation","activity_type","week_from","week_to"\r\n',
    ...extra,
  });

  it("startDates override the default, per presentation or per module-presentation", () => {
    const r = parseOulad(small('"AAA","2014J","5","Pass"\r\n'), { startDates: { "2014J": "2014-10-04" } });
    expect(r.cohorts[0]?.startsOn).toBe("2014-10-04");
    const r2 = parseOulad(small('"AAA","2014J","5","Pass"\r\n'), { startDates: { "2014J": "2014-10-04", "AAA-2014J": "2014-10-11" } });
    const e = r2.events.find((x) => x.type === "enrollment");
    expect(e?.type === "enrollment" && e.enrolledAt).toEqual(new Date("2014-10-01T12:00:00Z"));
  });

  it("a late submission is marked late against the deadline", () => {
    const r = parseOulad(small('"AAA","2014J","5","Pass"\r\n'));
    const sub = r.events.find((e) => e.type === "lms");
    expect(sub?.type === "lms" && sub.extra).toMatchObject({ dueOn: "2014-10-21", late: true });
  });

  it("bad rows are rejected with file and line, the rest continue", () => {
    const r = parseOulad(small('"AAA","2014J","5","Pass"\r\n"AAA","2014J","x","Pass"\r\n"AAA","2014J","6","Unknown"\r\n"AAA","2014J","5","Pass"\r\n"AAA","2014X","7","Pass"\r\n'));
    expect(r.rejected.map((x) => [x.ref, x.line])).toEqual([
      ["studentInfo", 3],
      ["studentInfo", 4],
      ["studentInfo", 5],
      ["studentInfo", 6],
      ["studentAssessment", 3],
    ]);
    expect(r.events.filter((e) => e.type === "enrollment")).toHaveLength(1);
  });

  it("a file missing a column is rejected whole", () => {
    const r = parseOulad(small('"AAA","2014J","5","Pass"\r\n', { studentAssessment: '"id_assessment","id_student"\r\n"1","5"\r\n' }));
    expect(r.rejected[0]).toMatchObject({ ref: "studentAssessment", line: 1 });
  });
});
