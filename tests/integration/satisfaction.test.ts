import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { satisfactionReport } from "@/lib/reports/satisfaction";
import type { IngestEvent } from "@/lib/ingest/types";
import { sql } from "drizzle-orm";
import { rows } from "@/db/client";
import { listSchools } from "@/db/queries/schools";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { seedDemo } from "@/db/seed/demo";
import { csatReport } from "@/lib/reports/csat";
import { renderReport } from "@/lib/cli/episode-commands";
import { DateTime } from "luxon";

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

    // Ratings and surveys are counted over each week's range of instants (csat.ts weeksOf): its bounds are
    // the local Monday midnights, in zones with a 45-minute offset, a one-hour DST change or a 30-minute
    // one, checked a millisecond either side; a period that cuts its first and last weeks counts within it.
    it.each(["Asia/Kathmandu", "America/New_York", "Australia/Lord_Howe"])("counts ratings and surveys in the school's local weeks (%s)", async (zone) => {
      const s = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: `w-${zone.replace("/", "-").toLowerCase()}`, name: zone, timezone: zone });
      const sent: Date[] = [];
      // Monday midnights around the zones' 2026 DST changes (New York: 8 March, Lord Howe: 5 April).
      for (const monday of ["2026-03-02", "2026-03-09", "2026-03-16", "2026-04-06", "2026-04-13"]) {
        const midnight = DateTime.fromISO(monday, { zone }).toJSDate().getTime();
        for (const dt of [-900_001, -1, 0, 1, 899_999, 3_600_000 * 5]) sent.push(new Date(midnight + dt));
      }
      // Per week: surveys, CSAT answers (scores 1–5 in turn, on the same instants) and their sum, NPS answers.
      const expected = new Map<string, { surveys: number; n: number; sum: number; nps: number }>();
      const ratingsAt: IngestEvent[] = [];
      sent.forEach((t, i) => {
        const week = DateTime.fromJSDate(t, { zone }).startOf("week").toISODate() ?? "";
        const w = expected.get(week) ?? { surveys: 0, n: 0, sum: 0, nps: 0 };
        const nps = i % 4 === 3;
        const score = nps ? 9 : 1 + (i % 5);
        w.surveys++;
        if (nps) w.nps++;
        else {
          w.n++;
          w.sum += score;
        }
        expected.set(week, w);
        ratingsAt.push({ type: "rating", source: src, externalId: `a${i}`, kind: nps ? "nps" : "csat", rater: { externalId: `r${i % 3}` }, rawScore: score, scaleMax: nps ? 10 : 5, givenAt: t });
      });
      await storeEvents(h.db, s.id, [...ratingsAt, ...sent.map((t, i): IngestEvent => ({ type: "survey", source: src, externalId: `q${i}`, kind: "csat", recipient: { externalId: `r${i % 3}` }, sentAt: t }))]);
      const want = [...expected].sort(([a], [b]) => a.localeCompare(b));
      const total = want.reduce((a, [, x]) => ({ n: a.n + x.n, sum: a.sum + x.sum }), { n: 0, sum: 0 });
      // The whole period, and one that cuts the first and last weeks (Tuesday to Sunday).
      for (const [from, to] of [["2026-02-23", "2026-04-20"], ["2026-03-03", "2026-04-19"]] as const) {
        const d = await satisfactionReport(h.db, s, { from, to, groupBy: "week" }, at(28));
        const inside = sent.filter((t) => DateTime.fromJSDate(t, { zone }).toISODate()! >= from && DateTime.fromJSDate(t, { zone }).toISODate()! < to).length;
        expect(d.report.total.surveysSent).toBe(inside);
        expect(d.report.total.n + d.report.total.npsN).toBe(inside);
        if (from !== "2026-02-23") continue;
        expect(d.report.total.mean).toBeCloseTo(total.sum / total.n, 9);
        expect(d.report.groups.map((g) => [g.key, g.surveysSent, g.n, g.npsN])).toEqual(want.map(([w, x]) => [w, x.surveys, x.n, x.nps]));
        for (const [i, g] of d.report.groups.entries()) {
          const x = want[i]?.[1];
          expect(g.mean).toBeCloseTo((x?.sum ?? 0) / (x?.n ?? 1), 9);
        }
      }
      expect(expected.size).toBe(7);
    });
  });
}

/**
 * The satisfaction filters (issue #5) on the demo seed: a filtered total equals a direct SQL count of the
 * ratings the filter names, the comments are those ratings' comments, and `cli report csat --cohort`
 * prints the page's numbers.
 */
for (const engine of engines()) {
  describe(`satisfaction filters on the demo seed (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    const now = new Date("2026-11-28T12:00:00Z");
    beforeAll(async () => {
      h = await engine.open();
      await seedDemo(h.db, { scale: "small", anchor: new Date("2026-11-27T00:00:00Z") });
      school = (await listSchools(h.db))[0]!;
      await recomputeEpisodes(h.db, school.id, { scopes: "all", now });
    });
    afterAll(async () => h?.drop());

    it("filters by source and channel through the rated episode, as a direct SQL count says", async () => {
      const all = await satisfactionReport(h.db, school, { days: "60" }, now);
      const p = all.report.period;
      const tz = school.timezone;
      const counts = await rows<{ source: string; channel: unknown; n: unknown; satisfied: unknown }>(
        h.db,
        sql`select s.kind::text as source, e.channel_id as channel, count(*)::int as n, count(*) filter (where r.score >= 4)::int as satisfied
            from ratings r join episodes e on e.id = r.episode_id join channels c on c.id = e.channel_id join sources s on s.id = c.source_id
            where r.school_id = ${school.id} and r.kind = 'csat'
              and r.given_at >= (${p.from}::date)::timestamp at time zone ${tz} and r.given_at < (${p.to}::date)::timestamp at time zone ${tz}
            group by 1, 2 order by 3 desc, 2`,
      );
      expect(counts.length).toBeGreaterThan(0);
      const top = counts[0]!;
      const bySource = counts.filter((c) => c.source === top.source).reduce((a, c) => a + Number(c.n), 0);
      const q = { from: p.from, to: lastDayOf(p.to) };
      const src = await satisfactionReport(h.db, school, { ...q, source: top.source }, now);
      expect(src.report.filter).toEqual({ source: top.source });
      expect(src.report.total.n).toBe(bySource);
      const ch = await satisfactionReport(h.db, school, { ...q, channel: String(top.channel), groupBy: "week" }, now);
      expect(ch.report.total.n).toBe(Number(top.n));
      expect(ch.report.total.csatPercent).toBeCloseTo((100 * Number(top.satisfied)) / Number(top.n), 9);
      // The weekly trend and the grouped table are under the same filter.
      expect(ch.weekly.groups.reduce((a, g) => a + g.n, 0)).toBe(Number(top.n));
      expect(ch.report.total.n).toBeLessThanOrEqual(all.report.total.n);
    });

    it("filters by cohort as the cohort grouping counts it, comments included, and the CLI prints the same", async () => {
      const byCohort = await csatReport(h.db, school, { days: "60", groupBy: "cohort" }, now);
      const group = byCohort.groups.find((g) => g.key !== null && g.n > 0)!;
      expect(group).toBeDefined();
      const d = await satisfactionReport(h.db, school, { days: "60", cohort: group.key! }, now);
      expect(d.report.total.n).toBe(group.n);
      expect(d.report.total.csatPercent).toBe(group.csatPercent);
      const tz = school.timezone;
      const p = d.report.period;
      const [c] = await rows<{ n: unknown }>(
        h.db,
        sql`select count(*)::int as n from ratings r where r.school_id = ${school.id} and r.comment is not null and not r.from_dm
              and r.given_at >= (${p.from}::date)::timestamp at time zone ${tz} and r.given_at < (${p.to}::date)::timestamp at time zone ${tz}
              and coalesce(r.cohort_id, (select en.cohort_id from enrollments en where en.school_id = r.school_id and en.person_id = r.person_id
                   order by en.enrolled_at desc nulls last, en.id desc limit 1)) = ${Number(group.key)}`,
      );
      expect(d.comments.length).toBe(Math.min(200, Number(c!.n)));
      const json = JSON.parse(await renderReport(h.db, school, "csat", { days: "60", cohort: group.key!, json: true }, now)) as { total: { n: number; csatPercent: number | null }; filter: unknown };
      expect(json.filter).toEqual({ cohortId: Number(group.key) });
      expect(json.total).toMatchObject({ n: d.report.total.n, csatPercent: d.report.total.csatPercent });
      expect(await renderReport(h.db, school, "csat", { days: "60", cohort: group.key! }, now)).toContain("filter");
    });
  });
}

/** The period's inclusive last day from its exclusive end. */
function lastDayOf(to: string): string {
  return new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
