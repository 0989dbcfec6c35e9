import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines, openDemoSchool } from "./harness";
import type { DbHandle } from "@/db/client";
import type { SchoolRow } from "@/db/queries/schools";
import { shiftsPlan } from "@/lib/reports/shifts";
import { HOURS_PER_WEEK } from "@/lib/metrics/staffing";

/** The staffing page on the demo seed (weekly shifts, SLA policies): every role plans without error. */
const anchor = new Date("2026-03-01T00:00:00Z");
const now = new Date("2026-03-02T12:00:00Z");

for (const engine of engines()) {
  describe(`staffing plan on the demo seed (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      ({ h, school } = await openDemoSchool(engine, anchor, now));
    });
    afterAll(async () => h?.drop());

    it("forecasts, needs, schedules and measures for coordinators and mentors", async () => {
      for (const role of ["coordinator", "mentor"]) {
        const d = await shiftsPlan(h.db, school, { role }, now);
        expect(d.forecast).toHaveLength(HOURS_PER_WEEK);
        expect(d.forecast.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        expect(d.scheduled.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
        expect(d.backtest?.wape).not.toBeNull();
        expect(d.policy).not.toBeNull();
        expect(d.measured.some((m) => m.episodes > 0)).toBe(true);
        expect(d.staff.length).toBeGreaterThan(0);
      }
    });
  });
}
