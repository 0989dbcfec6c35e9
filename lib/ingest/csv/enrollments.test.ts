import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { parseEnrollmentsCsv } from "./enrollments";

const HEADER = "student_external_id,student_email,course,cohort,tier,status,enrolled_at,ended_at";

describe("parseEnrollmentsCsv", () => {
  it("imports good rows as valid enrollment events", () => {
    const text = [
      HEADER,
      "s1,Kate@Mail.Example,python,python-2025-03,premium,active,2025-03-01,",
      ",petr@mail.example,python,python-2025-03,,Завершил,01.03.2025,30.06.2025",
      "s3,,python,python-2025-03,none,withdrawn,2025-03-01T10:00:00+03:00,2025-04-15",
    ].join("\n");
    const r = parseEnrollmentsCsv(text, { timeZone: "Europe/Moscow" });
    expect(r.rejected).toEqual([]);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    const [a, b, c] = r.events;
    expect(a).toMatchObject({ student: { externalId: "s1", email: "kate@mail.example" }, tier: "premium", status: "active", enrolledAt: new Date("2025-02-28T21:00:00Z"), source: { kind: "lms_csv" } });
    expect(b).toMatchObject({ student: { externalId: "petr@mail.example" }, tier: "standard", status: "completed", endedAt: new Date("2025-06-29T21:00:00Z") });
    expect(c).toMatchObject({ status: "withdrawn", tier: "none", enrolledAt: new Date("2025-03-01T07:00:00Z") });
  });

  it("optional columns: titles, cohort dates (calendar dates), final result, school, source", () => {
    const text = "school,source,student_external_id,course,course_title,cohort,cohort_title,cohort_starts_on,cohort_ends_on,status,final_result\nAlpha,telegram:5001,42,py,Python,py-1,Поток 1,01.03.2025,2025-06-30,completed,Pass\n";
    const r = parseEnrollmentsCsv(text);
    expect(r.rows[0]?.school).toBe("Alpha");
    expect(r.events[0]).toMatchObject({ source: { kind: "telegram", externalId: "5001" }, course: { title: "Python" }, cohort: { title: "Поток 1", startsOn: "2025-03-01", endsOn: "2025-06-30" }, finalResult: "Pass" });
    expect(r.warnings[0]).toContain("completed without ended_at");
  });

  it("bad rows are rejected with their line and reason; the rest continue", () => {
    const text = [
      HEADER,
      "s1,,py,py-1,,active,2025-03-01,", // 2 ok
      ",,py,py-1,,active,,", // 3 no student
      "s2,bad-mail,py,py-1,,active,,", // 4
      "s3,,,py-1,,active,,", // 5 no course
      "s4,,py,py-1,,graduated,,", // 6 status
      "s5,,py,py-1,,completed,31.02.2025,", // 7 date
      "s6,,py,py-1,,completed,2025-03-10,2025-03-01", // 8 ended before enrolled
      "s7,,py,py-1,,active,2025-03-01,2025-04-01", // 9 active with end
      "s1,,py,py-1,,active,,", // 10 duplicate
      "s8,,py,py-1,,paused,yesterday,", // 11
    ].join("\n");
    const r = parseEnrollmentsCsv(text);
    expect(r.rejected.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(r.events).toHaveLength(1);
    expect(r.rejected.find((x) => x.line === 10)?.reason).toContain("first at line 2");
  });

  it("a file without the required columns is rejected whole", () => {
    expect(parseEnrollmentsCsv("course,cohort,status\npy,py-1,active\n").rejected[0]?.reason).toContain("student_external_id or student_email");
  });
});
