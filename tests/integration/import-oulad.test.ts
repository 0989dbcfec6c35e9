import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import Papa from "papaparse";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { runImport } from "@/lib/cli/import/run";
import { sharedDataPath } from "@/lib/ingest/common/shared-data";

/**
 * The whole OULAD folder (../shared/data/oulad) through the CLI runner, counts checked against the CSVs.
 * Measured on this machine: ~35 s on PGlite (≈3,100 records/s), less on PostgreSQL — seconds, not
 * minutes, so it runs on both engines. The re-import (no count may change) runs on both too.
 */
const csv = (name: string) => Papa.parse<Record<string, string>>(fs.readFileSync(sharedDataPath("oulad", name), "utf8").trim(), { header: true }).data;

for (const engine of engines()) {
  describe(`OULAD import on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const n = async (q: ReturnType<typeof sql>) => (await rows<{ n: number }>(h.db, q))[0]?.n ?? -1;
    beforeAll(async () => {
      h = await engine.open();
      await ensureSchool(h.db, { organisation: { slug: "ou", name: "OU" }, slug: "ou", name: "Open University", timezone: "Europe/London" });
    });
    afterAll(async () => h?.drop());

    it("imports whole: enrollments, submissions, click aggregates, the assessment schedule, linked to enrollments", async () => {
      const info = csv("studentInfo.csv");
      const subs = csv("studentAssessment.csv");
      const assessments = csv("assessments.csv");
      const vle = csv("studentVle_rows1-14999_AAA2013J.csv");
      const clickDays = new Set(vle.map((r) => `${r.code_module}-${r.code_presentation}:${r.id_student}:${r.id_site}:${r.date}`)).size;
      const summary = await runImport(h.db, { format: "oulad", paths: [sharedDataPath("oulad")], school: "ou" });
      expect(summary.rejected).toBe(0);
      expect(summary.notes.startDates).toMatchObject({ "AAA-2013J": "2013-10-01", "BBB-2013B": "2013-02-01" });
      expect(await n(sql`select count(*)::int as n from enrollments`)).toBe(info.length);
      expect(await n(sql`select count(*)::int as n from enrollments where status = 'withdrawn'`)).toBe(info.filter((r) => r.final_result === "Withdrawn").length);
      expect(await n(sql`select count(*)::int as n from lms_events where verb = 'submitted'`)).toBe(subs.length);
      expect(await n(sql`select count(*)::int as n from lms_events where verb = 'experienced'`)).toBe(clickDays);
      expect(await n(sql`select coalesce(sum(amount), 0)::int as n from lms_events where verb = 'experienced'`)).toBe(vle.reduce((s, r) => s + Number(r.sum_click), 0));
      expect(await n(sql`select count(*)::int as n from lms_items`)).toBe(assessments.length);
      expect(await n(sql`select count(*)::int as n from lms_items where due_at is null`)).toBe(assessments.filter((a) => a.date === "").length);
      expect(await n(sql`select count(*)::int as n from cohorts`)).toBe(csv("courses.csv").length);
      // Every submission belongs to an enrollment of its student in its cohort (the dataset is consistent).
      expect(await n(sql`select count(*)::int as n from lms_events where enrollment_id is null`)).toBe(0);
      const [first] = await rows<{ due: string }>(h.db, sql`select to_char(due_at at time zone 'UTC', 'YYYY-MM-DD') as due from lms_items where external_id = '1752'`);
      expect(first?.due).toBe("2013-10-20"); // AAA 2013J starts 2013-10-01; assessment 1752 is due on day 19
      console.log(`OULAD on ${engine.name}: ${summary.read} records in ${summary.seconds} s (${summary.perSecond}/s)`);
    });

    it("a second import changes no count", async () => {
      const tables = ["enrollments", "enrollment_events", "lms_events", "lms_items", "people", "source_identities", "cohorts", "courses"];
      const snap = async () => Promise.all(tables.map((t) => n(sql`select count(*)::int as n from ${sql.identifier(t)}`)));
      const before = await snap();
      const again = await runImport(h.db, { format: "oulad", paths: [sharedDataPath("oulad")], school: "ou" });
      expect(await snap()).toEqual(before);
      expect(again.stored + again.updated).toBe(0);
    });
  });
}
