import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Papa from "papaparse";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { schoolDataCredits } from "@/db/queries/reports/data-credits";
import { seedOulad, OULAD_SCHOOL } from "@/lib/cli/seed-oulad";
import { outcomesReport } from "@/lib/reports/outcomes";
import { sharedDataPath } from "@/lib/ingest/common/shared-data";

/**
 * `demo --oulad` / `seed-oulad`: the real OULAD in its own school, and the outcomes page's figures over
 * the period the page opens it on (its cohorts, to the last enrollment end) equal the counts straight
 * from studentInfo.csv: completed = Pass + Distinction + Fail (a Fail reached the end), ended = all rows
 * (every 2013 presentation is over), per METRICS.md "Completion and outcomes".
 */
const info = Papa.parse<Record<string, string>>(fs.readFileSync(sharedDataPath("oulad", "studentInfo.csv"), "utf8").trim(), { header: true }).data;
const now = new Date("2026-11-28T12:00:00Z");

for (const engine of engines()) {
  describe(`OULAD demo school on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    beforeAll(async () => {
      h = await engine.open();
    });
    afterAll(async () => h?.drop());

    it("imports OULAD into `ou` once, credits it, and its completion equals studentInfo.csv", async () => {
      const r = await seedOulad(h.db);
      expect(r.school).toMatchObject({ slug: OULAD_SCHOOL.slug, timezone: "Europe/London" });
      expect(r.summary?.rejected).toBe(0);
      const credits = await schoolDataCredits(h.db, r.school.id, r.school.timezone);
      expect(credits.oulad).toBe(true);
      expect(credits.cohortSpan?.from).toBe("2013-02-01");
      const report = await outcomesReport(h.db, r.school, { from: credits.cohortSpan!.from, to: credits.cohortSpan!.to }, now);
      const completed = info.filter((x) => x.final_result !== "Withdrawn").length;
      expect(report.enrollments).toBe(info.length);
      expect(report.total).toMatchObject({ successes: completed, n: info.length, notEnded: 0 });
      expect(report.total.rate).toBeCloseTo(completed / info.length, 12);
      console.log(`OULAD completion: ${completed} / ${info.length} = ${((100 * completed) / info.length).toFixed(2)} %`);
      const again = await seedOulad(h.db);
      expect(again.summary).toBeNull();
    });
  });
}
