import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { satisfactionReport } from "@/lib/reports/satisfaction";
import type { IngestEvent } from "@/lib/ingest/types";

const src = { kind: "telegram" as const, externalId: "bot" };
const at = (d: number, h = 12) => new Date(Date.UTC(2026, 2, d, h));
const rating = (id: string, score: number, day: number, comment?: string, fromDm = false, kind: "csat" | "nps" = "csat", scaleMax = kind === "nps" ? 10 : 5): IngestEvent => ({
  type: "rating", source: src, externalId: id, kind, rater: { externalId: `s${id}` }, rawScore: score, scaleMax, comment, fromDm, givenAt: at(day),
});

for (const engine of engines()) {
  describe(`satisfaction report on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "Europe/Moscow" });
      await storeEvents(h.db, school.id, [
        rating("1", 5, 2, "Спасибо, очень быстро!"),
        rating("2", 4, 3),
        rating("3", 2, 4, "Ждал ответа два дня"),
        rating("4", 8, 5, undefined, false, "csat", 10), // 1–10 scale: 0..10 maps 8 → 4.2, satisfied
        rating("5", 1, 6, "личное: не могу больше", true),
        rating("6", 10, 7, undefined, false, "nps"),
        rating("7", 3, 8, undefined, false, "nps"),
        rating("8", 5, 20, "вне периода"),
      ]);
    });
    afterAll(async () => h?.drop());

    it("counts CSAT, mean and NPS exactly as METRICS.md defines them", async () => {
      const d = await satisfactionReport(h.db, school, { from: "2026-03-01", to: "2026-03-10" }, at(28));
      const t = d.report.total;
      // CSAT answers 5, 4, 2, 4.2, 1 → 3 of 5 are ≥ 4.
      expect(t.n).toBe(5);
      expect(t.csatPercent).toBeCloseTo(60, 6);
      expect(t.mean).toBeCloseTo((5 + 4 + 2 + 4.2 + 1) / 5, 6);
      // NPS: one promoter (10), one detractor (3) of 2 → 0.
      expect(t.npsN).toBe(2);
      expect(t.nps).toBe(0);
    });

    it("lists comments of the period, never one given in a DM", async () => {
      const d = await satisfactionReport(h.db, school, { from: "2026-03-01", to: "2026-03-10" }, at(28));
      expect(d.comments.map((c) => c.comment).sort()).toEqual(["Ждал ответа два дня", "Спасибо, очень быстро!"]);
      expect(d.comments[0]?.givenAt).toBe("2026-03-04 15:00");
    });

    it("groups by ISO week (Monday first); NPS answers do not count as CSAT answers", async () => {
      const d = await satisfactionReport(h.db, school, { from: "2026-03-01", to: "2026-03-10", groupBy: "week" }, at(28));
      expect(d.report.groups.map((g) => [g.key, g.n, g.npsN])).toEqual([["2026-03-02", 5, 2]]);
    });
  });
}
