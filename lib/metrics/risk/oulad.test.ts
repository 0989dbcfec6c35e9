import { beforeAll, describe, expect, it } from "vitest";
import { parseOulad } from "@/lib/ingest/oulad";
import { readSharedData } from "@/lib/ingest/common/shared-data";
import { readCsvRows } from "@/lib/ingest/common/csv-rows";
import { indexOulad, ouladCasesAt, type OuladIndex } from "./oulad";

const read = (f: string) => readSharedData("oulad", f);
let index: OuladIndex;
let registration: Map<string, { reg: number | null; unreg: number | null; result: string }>;
beforeAll(() => {
  index = indexOulad(parseOulad({ courses: read("courses.csv"), assessments: read("assessments.csv"), studentInfo: read("studentInfo.csv"), studentRegistration: read("studentRegistration.csv"), studentAssessment: read("studentAssessment.csv"), vle: read("vle.csv") }));
  registration = new Map();
  const result = new Map(readCsvRows(read("studentInfo.csv")).rows.map((r) => [`${r.cells.code_module}-${r.cells.code_presentation}|${r.cells.id_student}`, r.cells.final_result ?? ""]));
  for (const r of readCsvRows(read("studentRegistration.csv")).rows) {
    const k = `${r.cells.code_module}-${r.cells.code_presentation}|${r.cells.id_student}`;
    const n = (s: string | undefined) => (s ? Number(s) : null);
    registration.set(k, { reg: n(r.cells.date_registration), unreg: n(r.cells.date_unregistration), result: result.get(k) ?? "" });
  }
}, 60_000);

describe("OULAD validation cases (real data)", { timeout: 30_000 }, () => {
  it.each([30, 60, 100])("day %i: only enrollments active that day, labelled by a later withdrawal, with no data from after the day", (d) => {
    const cases = ouladCasesAt(index, d);
    let expected = 0;
    for (const r of registration.values()) {
      const withdrawn = r.result === "Withdrawn";
      if (r.reg !== null && r.reg > d) continue;
      if (withdrawn && (r.unreg === null || r.unreg <= d)) continue;
      expected++;
    }
    expect(cases.length).toBe(expected);
    for (const c of cases) {
      const r = registration.get(`${c.cohort}|${c.student}`);
      expect(c.label).toBe(r?.result === "Withdrawn");
      if (c.label) expect(r?.unreg ?? -Infinity).toBeGreaterThan(d);
      const asOf = c.snapshot.asOf.getTime();
      expect(Math.round((asOf - c.snapshot.startsAt.getTime()) / 86_400_000)).toBe(d);
      for (const s of c.snapshot.submissions) expect(s.submittedAt.getTime()).toBeLessThanOrEqual(asOf);
    }
  });
  it("filters one presentation", () => {
    const b = ouladCasesAt(index, 60, "2013B");
    expect(b.length).toBeGreaterThan(0);
    expect(new Set(b.map((c) => c.presentation))).toEqual(new Set(["2013B"]));
  });
});
