import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines, openDemoSchool } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import type { SchoolRow } from "@/db/queries/schools";
import { episodeGroupKey, flagSets, float64Base64, fromFloat64Base64, inPeriod, labelsFor, num, numOrNull, openEpisodes, openFlags, periodBoundsMs, responseMinutes, slaFlags, type GroupBy } from "@/db/queries/reports/common";
import { combineSlaRoleParts, packSlaRolePart, slaHeatmap, slaRolePart, slaSummaries, slaSummary, unpackSlaRolePart } from "@/db/queries/reports/sla";
import { completionCounts } from "@/db/queries/reports/kpi-completion";
import { csatByResponder, csatByResponderOf, csatCountsByResponder, csatFromParts, csatPart, csatPartsOfRange, csatReport, csatTotal, type CsatPart } from "@/db/queries/reports/csat";

import { episodeHourStats, hourPart, packHourPart, unpackHourPart, type StoredHourPart } from "@/db/queries/reports/shifts";
import { combineSlaPageParts, packSlaPagePart, slaPagePart, unpackSlaPagePart, type StoredSlaPagePart } from "@/db/queries/reports/sla-page-part";
import { slaBreakdown, slaHeatmapFiltered, slaWeekly } from "@/db/queries/reports/episode-detail-sla";
import { botAndPeerCounts, episodesByCategory } from "@/db/queries/reports/sla-extra";
import { assignedCounts, loadUntil, packStaffPart, staffLoad, staffPart, staffRoster, unpackStaffPart, type StoredStaffPart } from "@/db/queries/reports/load";
import { outcomesReport, periodAsOf } from "@/lib/reports/outcomes";
import { daysOf, type Period } from "@/lib/period";
import { answeredPairs, movableItems, movableItemsWithStored, type MovableItem } from "@/db/queries/reports/rebalance";

/** Part rows in a fixed order (the statements give no order): the total last, then by key. */
const rowOrder = (a: { key: string | null; total: boolean }, b: { key: string | null; total: boolean }) => Number(a.total) - Number(b.total) || String(a.key).localeCompare(String(b.key));

/**
 * The SLA summary, heatmap and KPI completion read their figures by faster paths (issue #9): several
 * periods in one statement, the role key by a join, the heatmap's local hour by offset segments instead
 * of a time-zone conversion per episode, completion from counts. Each must equal the plain per-row
 * definition on the demo seed, in zones with and without daylight saving and with :30 / :45 offsets.
 */

const anchor = new Date("2026-11-27T00:00:00Z");
const now = new Date("2026-11-28T12:00:00Z");

/** The heatmap as it was defined: extract(isodow / hour) of each episode's local opening time. */
async function heatmapByConversion(db: DbHandle["db"], schoolId: number, tz: string, p: Period) {
  const f = slaFlags(await openFlags(db, schoolId, tz, p, now));
  const r = await rows<{ dow: unknown; hour: unknown; opened: unknown; median: unknown; met: unknown; known: unknown }>(
    db,
    sql`select extract(isodow from e.opened_at at time zone ${tz})::int as dow, extract(hour from e.opened_at at time zone ${tz})::int as hour,
          count(*)::int as opened, percentile_cont(0.5) within group (order by ${responseMinutes}) as median,
          count(*) filter (where ${f.met})::int as met, count(*) filter (where ${f.known})::int as known
        from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, p)} group by 1, 2`,
  );
  return new Map(r.map((x) => [`${num(x.dow)}:${num(x.hour)}`, { opened: num(x.opened), median: numOrNull(x.median), met: num(x.met), known: num(x.known) }]));
}

/** The summary as it was defined: the group key per row (role by the correlated staffRoleOf subquery). */
async function summaryByRow(db: DbHandle["db"], schoolId: number, tz: string, p: Period, groupBy: GroupBy) {
  const f = slaFlags(await openFlags(db, schoolId, tz, p, now));
  return rows<{ key: string | null; is_total: unknown; episodes: unknown; met: unknown; known: unknown; breached: unknown; median: unknown; p90: unknown }>(
    db,
    sql`with base as (select ${episodeGroupKey(groupBy)} as key, ${responseMinutes} as rm, ${f.breached} as breached, ${f.known} as known, ${f.met} as met
          from episodes e where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, p)})
        select key, grouping(key) as is_total, count(*)::int as episodes, count(*) filter (where met)::int as met, count(*) filter (where known)::int as known,
          count(*) filter (where breached)::int as breached, percentile_cont(0.5) within group (order by rm) as median, percentile_cont(0.9) within group (order by rm) as p90
        from base group by grouping sets ((key), ()) order by is_total desc, episodes desc, key`,
  );
}

for (const engine of engines()) {
  describe(`SLA fast paths equal their definitions (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;

    beforeAll(async () => {
      ({ h, school } = await openDemoSchool(engine, anchor, now));
    });
    afterAll(async () => {
      await h?.drop();
    });

    // Periods across both daylight-saving changes of the northern and southern hemispheres.
    const periods: Period[] = [
      { from: "2025-11-28", to: "2026-11-28" },
      { from: "2026-10-15", to: "2026-11-15" },
      { from: "2026-03-20", to: "2026-04-10" },
    ];
    const zones = ["Europe/Moscow", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Kolkata"];

    it("heatmap: every cell equals the per-episode time-zone conversion", async () => {
      let seen = 0;
      let breaching = 0;
      for (const tz of zones) {
        for (const p of periods) {
          const want = await heatmapByConversion(h.db, school.id, tz, p);
          const cells = await slaHeatmap(h.db, school.id, tz, p, now);
          // Open episodes breaching now count as known: slaHeatmap adds them beside its statement (countOpen).
          breaching += (await openFlags(h.db, school.id, tz, p, now)).breachingNow.length;
          expect(cells).toHaveLength(168);
          for (const c of cells) {
            const w = want.get(`${c.weekday}:${c.hour}`);
            expect([c.opened, c.medianMinutes, c.met, c.known], `${tz} ${p.from} ${c.weekday}:${c.hour}`).toEqual(w ? [w.opened, w.median, w.met, w.known] : [0, null, 0, 0]);
            seen += c.opened;
          }
        }
      }
      expect(seen).toBeGreaterThan(0);
      expect(breaching).toBeGreaterThan(0);
    });

    it("summary: each period of one statement equals the per-row definition, for every grouping", async () => {
      const tz = school.timezone;
      const [cur, prev] = [periods[1]!, { from: "2026-09-15", to: "2026-10-15" }];
      for (const g of ["role", "person", "cohort", "channel"] as const) {
        const both = await slaSummaries(h.db, school.id, tz, [cur, prev], g, now);
        for (const [i, p] of [cur, prev].entries()) {
          const want = await summaryByRow(h.db, school.id, tz, p, g);
          const got = both[i]!;
          expect(got).toEqual(await slaSummary(h.db, school.id, tz, p, g, now));
          const rowsGot = [got.total, ...got.groups].map((x) => [x.episodes, x.met, x.known, x.breached, x.medianMinutes, x.p90Minutes]);
          const keysGot = [null, ...got.groups.map((x) => x.key)];
          expect(rowsGot, `${g} ${p.from}`).toEqual(want.map((x) => [num(x.episodes), num(x.met), num(x.known), num(x.breached), numOrNull(x.median), numOrNull(x.p90)]));
          expect(keysGot).toEqual(want.map((x) => (num(x.is_total) === 1 ? null : x.key)));
        }
        expect(both[0]!.total.episodes).toBeGreaterThan(0);
      }
    });

    it("summary by role from parts: any split of a period into day ranges, stored and read back, equals the whole", async () => {
      // ADR 0011: the KPI cards store the part before yesterday and read the rest live. Cut points at the
      // period's ends (one part empty), inside it, and several at once; in zones either side of UTC.
      let open = 0;
      for (const tz of ["Europe/Moscow", "America/New_York", "Asia/Kathmandu"]) {
        const p: Period = { from: "2026-10-27", to: "2026-11-28" };
        const whole = await slaSummary(h.db, school.id, tz, p, "role", now);
        const judged = flagSets(await openFlags(h.db, school.id, tz, p, now));
        for (const cuts of [[p.from], [p.to], ["2026-11-27"], ["2026-11-01", "2026-11-20", "2026-11-27"]]) {
          const bounds = [p.from, ...cuts, p.to];
          const parts = await Promise.all(bounds.slice(1).map((to, i) => slaRolePart(h.db, school.id, tz, { from: bounds[i]!, to })));
          const stored = parts.map((x) => unpackSlaRolePart(JSON.parse(JSON.stringify(packSlaRolePart(x))) as ReturnType<typeof packSlaRolePart>));
          const labels = await labelsFor(h.db, school.id, "role", [...new Set(parts.flatMap((x) => x.groups.map((g) => g.key)))]);
          expect(combineSlaRoleParts(stored, judged, labels), `${tz} ${cuts.join(",")}`).toEqual({ total: whole.total, groups: whole.groups });
        }
        expect(whole.total.answered).toBeGreaterThan(0);
        open += whole.total.breachingNow + whole.total.atRisk;
      }
      // The open episodes' flags are part of what was compared.
      expect(open).toBeGreaterThan(0);
    });

    it("movable items from a stored part of answered episodes and the rest live equal the whole period's, for any people asked", async () => {
      // The team page's rebalancing with its run (ADR 0011): answered episodes before a cut day per
      // responder, channel and student (answeredPairs, through its stored form); the rest read live.
      const flat = (m: Map<number, MovableItem[]>) => [...m].flatMap(([person, l]) => l.map((i) => [person, i.kind, i.id, i.label, i.episodes].join(":"))).sort();
      let items = 0;
      // The open episodes come from the kept list (round 28): the owned ones (opened on 2026-11-26) count in
      // the long periods and not in the one that ends before them.
      const open = await openEpisodes(h.db, school.id);
      const openIn: number[] = [];
      for (const [tz, p] of [
        ["Europe/Moscow", { from: "2026-10-27", to: "2026-11-28" }],
        ["America/New_York", { from: "2026-10-27", to: "2026-11-28" }],
        ["Europe/Moscow", { from: "2026-11-01", to: "2026-11-26" }],
      ] as Array<[string, Period]>) {
        const until = (await loadUntil(h.db, tz, p, now)).until;
        const everyone = await movableItems(h.db, school.id, tz, p, until);
        const people = [...everyone.keys()];
        expect(people.length).toBeGreaterThan(2);
        const b = await periodBoundsMs(h.db, tz, p);
        openIn.push(open.filter((o) => o.ownerPersonId !== null && people.includes(o.ownerPersonId) && o.openedMs >= b.from && o.openedMs < b.to).length);
        for (const only of [people, people.slice(0, 2), [...people.slice(0, 1), -1]]) {
          const whole = await movableItems(h.db, school.id, tz, p, until, only);
          for (const upTo of [p.from, "2026-11-10", "2026-11-27", p.to].filter((d) => d >= p.from && d <= p.to)) {
            const pairs = fromFloat64Base64(float64Base64(await answeredPairs(h.db, school.id, tz, { from: p.from, to: upTo })));
            expect(flat(await movableItemsWithStored(h.db, school.id, tz, p, until, only, { upTo, pairs })), `${tz} ${upTo} ${only.length}`).toEqual(flat(whole));
          }
          items += whole.size;
        }
      }
      expect(items).toBeGreaterThan(0);
      expect(openIn[0]).toBeGreaterThan(0);
      expect(openIn).toEqual([openIn[0], openIn[0], 0]);
    });

    it("load per person from parts: a stored part before a cut day and the rest live equal the whole period's load", async () => {
      // ADR 0011 for the team page: answered episodes (counts, medians, p90s, distinct students), closed
      // breaches and messages sent add up across parts; open episodes are read live for the whole period.
      for (const tz of ["Europe/Moscow", "America/New_York"]) {
        const p: Period = { from: "2026-10-27", to: "2026-11-28" };
        const whole = await staffLoad(h.db, school.id, tz, p, now);
        // Assigned students as the run counts them: at the instant the load is judged at.
        const assigned = await assignedCounts(h.db, school.id, (await loadUntil(h.db, tz, p, now)).until);
        const roster = await staffRoster(h.db, school.id);
        for (const upTo of [p.from, "2026-11-10", "2026-11-27", p.to]) {
          const part = await staffPart(h.db, school.id, tz, { from: p.from, to: upTo });
          const stored = unpackStaffPart(JSON.parse(JSON.stringify(packStaffPart(part))) as StoredStaffPart);
          expect(await staffLoad(h.db, school.id, tz, p, now, Promise.resolve({ upTo, part: stored, assigned, csat: [], pairs: new Float64Array(0), roster })), `${tz} ${upTo}`).toEqual(whole);
        }
        expect(whole.staff.some((x) => x.assignedStudents > 0 && x.checkedIn > 0)).toBe(true);
        const busy = whole.staff.filter((x) => x.episodesAnswered > 0);
        expect(busy.length).toBeGreaterThan(0);
        // What the comparison covered: distinct students below answers somewhere, breaches and messages.
        expect(busy.some((x) => x.studentsAnswered < x.episodesAnswered)).toBe(true);
        expect(whole.staff.some((x) => x.breaches > 0) && whole.staff.some((x) => x.messagesSent > 0) && whole.staff.some((x) => x.openOwned > 0)).toBe(true);
      }
    });

    it("the CSAT total alone (the KPI cards') equals every grouping's total, filtered or not", async () => {
      const [cohort] = await rows<{ id: number | string }>(h.db, sql`select cohort_id as id from ratings where school_id = ${school.id} and cohort_id is not null limit 1`);
      let answers = 0;
      for (const p of periods) {
        for (const filter of [{}, { role: "mentor" }, { role: "none" }, { cohortId: Number(cohort!.id) }, { source: "telegram" }]) {
          const total = await csatTotal(h.db, school.id, school.timezone, p, filter);
          for (const g of ["person", "week", "role"] as const) expect(total, `${p.from} ${JSON.stringify(filter)} ${g}`).toEqual((await csatReport(h.db, school.id, school.timezone, p, g, filter)).total);
          answers += total.n + total.npsN;
        }
      }
      expect(answers).toBeGreaterThan(0);
    });

    it("several groupings' parts in one statement (the satisfaction page's live days) equal each grouping's own part; known labels are not read again", async () => {
      const [cohort] = await rows<{ id: number | string }>(h.db, sql`select cohort_id as id from ratings where school_id = ${school.id} and cohort_id is not null limit 1`);
      const groupings = [["person", "week"], ["week"], ["cohort", "week"], ["channel", "role", "week"]] as const;
      let rated = 0;
      for (const p of periods) {
        for (const filter of [{}, { role: "mentor" }, { cohortId: Number(cohort!.id) }, { source: "telegram" }]) {
          for (const gs of groupings) {
            const one = await csatPartsOfRange(h.db, school.id, school.timezone, p, gs, filter);
            const each = await Promise.all(gs.map((g) => csatPart(h.db, school.id, school.timezone, p, g, filter)));
            const sorted = (x: CsatPart) => ({ rated: [...x.rated].sort((a, b) => rowOrder(a, b)), sent: [...x.sent].sort((a, b) => rowOrder(a, b)) });
            expect(one.map(sorted), `${p.from} ${JSON.stringify(filter)} ${gs.join(",")}`).toEqual(each.map(sorted));
            rated += one[0]!.rated.find((r) => r.total)?.rated ?? 0;
          }
        }
      }
      expect(rated).toBeGreaterThan(0);
      // Labels: those given are used as given (a stored run's, which may lag a rename); those missing are read.
      const p = periods[0]!;
      const report = await csatReport(h.db, school.id, school.timezone, p, "person");
      const named = report.groups.filter((g) => g.key !== null);
      expect(named.length).toBeGreaterThan(1);
      const known = new Map([[named[0]!.key!, "Старое имя"]]);
      const fromParts = await csatFromParts(h.db, school.id, "person", [await csatPart(h.db, school.id, school.timezone, p, "person")], known);
      expect(fromParts.groups.map((g) => g.label)).toEqual(report.groups.map((g, i) => (i === report.groups.indexOf(named[0]!) ? "Старое имя" : g.label)));
    });

    it("CSAT per responder (the team page's) equals the CSAT report by person", async () => {
      let seen = 0;
      for (const p of periods) {
        const report = await csatReport(h.db, school.id, school.timezone, p, "person");
        const fast = await csatByResponder(h.db, school.id, school.timezone, p);
        const want = report.groups.filter((g) => g.key !== null && g.n > 0).map((g) => [g.key, g.n, g.csatPercent]);
        expect([...fast].filter(([, v]) => v.n > 0).map(([k, v]) => [k, v.n, v.csatPercent]).sort(), p.from).toEqual(want.sort());
        seen += want.length;
        // The team page's stored part and live days (ADR 0011): counts of a cut period add up to the whole.
        for (const cut of [p.from, daysOf(p)[Math.floor(daysOf(p).length / 2)]!, p.to]) {
          const parts = await Promise.all([csatCountsByResponder(h.db, school.id, school.timezone, { from: p.from, to: cut }), csatCountsByResponder(h.db, school.id, school.timezone, { from: cut, to: p.to })]);
          expect(csatByResponderOf(parts), `${p.from} cut ${cut}`).toEqual(fast);
        }
      }
      expect(seen).toBeGreaterThan(0);
    });

    it("the SLA page's aggregates from parts equal the page's own statements, filtered or not", async () => {
      let open = 0;
      for (const tz of ["Europe/Moscow", "America/New_York"]) {
        for (const filter of [{}, { role: "mentor" }, { channelId: -1 }]) {
          const p: Period = { from: "2026-10-27", to: "2026-11-28" };
          const judged = await openFlags(h.db, school.id, tz, p, now);
          const heat = await slaHeatmapFiltered(h.db, school.id, tz, p, filter, now);
          const want = {
            breakdown: await slaBreakdown(h.db, school.id, tz, p, filter, now),
            weekly: await slaWeekly(h.db, school.id, tz, p, filter, now),
            cells: heat.cells.map(({ staffOnShift: _, ...c }) => c),
            categories: await episodesByCategory(h.db, school.id, tz, p, filter, now),
            bot: await botAndPeerCounts(h.db, school.id, tz, p, filter, now),
          };
          for (const cuts of [[p.from], ["2026-11-27"], ["2026-11-02", "2026-11-16"], [p.to]]) {
            const bounds = [p.from, ...cuts, p.to];
            const parts = await Promise.all(bounds.slice(1).map((to, i) => slaPagePart(h.db, school.id, tz, { from: bounds[i]!, to }, filter)));
            const stored = parts.map((x) => unpackSlaPagePart(JSON.parse(JSON.stringify(packSlaPagePart(x))) as StoredSlaPagePart));
            expect(await combineSlaPageParts(h.db, school.id, stored, flagSets(judged)), `${tz} ${JSON.stringify(filter)} ${cuts.join(",")}`).toEqual(want);
          }
          open += want.breakdown.total.breachingNow + want.breakdown.total.atRisk;
          if (Object.keys(filter).length === 0) {
            // What the comparison covered: answers, several policies and categories, bot handoffs, peers.
            expect(want.breakdown.total.answered).toBeGreaterThan(0);
            expect(want.breakdown.byPolicy.length).toBeGreaterThan(want.breakdown.byRole.length);
            expect(want.categories.length).toBeGreaterThan(1);
            expect(want.weekly.length).toBeGreaterThan(0);
            expect(want.bot.handedOff + want.bot.peerReplied).toBeGreaterThan(0);
          }
        }
      }
      expect(open).toBeGreaterThan(0);
    });

    it("openFlags: calls at once for the same school, period and instant share one read; the shared flags cannot be changed", async () => {
      const tz = "Europe/Moscow";
      const p: Period = { from: "2026-10-27", to: "2026-11-28" };
      const first = openFlags(h.db, school.id, tz, p, now);
      // The SLA page's two reports, rendered with one instant.
      expect(openFlags(h.db, school.id, tz, p, now)).toBe(first);
      // Anything else reads for itself: another instant, period, time zone, or no period.
      const others = [
        openFlags(h.db, school.id, tz, p, new Date(now.getTime() + 1)),
        openFlags(h.db, school.id, tz, { ...p, from: "2026-10-28" }, now),
        openFlags(h.db, school.id, "America/New_York", p, now),
        openFlags(h.db, school.id, tz, null, now),
      ];
      for (const o of others) expect(o).not.toBe(first);
      const flags = await first;
      await Promise.all(others);
      expect(flags.breachingNow.length + flags.atRisk.length).toBeGreaterThan(0);
      // Once it has settled, the next call reads again, with the same answer.
      const again = openFlags(h.db, school.id, tz, p, now);
      expect(again).not.toBe(first);
      expect(await again).toEqual(flags);
      expect(() => (flags.breachingNow as number[]).push(1)).toThrow(TypeError);
      expect(() => (flags.atRisk as number[]).push(1)).toThrow(TypeError);
    });

    it("shift planner: episodes per local week and hour of week equal the per-row time-zone conversion", async () => {
      let seen = 0;
      let answered = 0;
      let breaching = 0;
      for (const tz of zones) {
        // The year too: its last days hold open episodes breaching now, which count as known.
        for (const p of periods) {
          const f = slaFlags(await openFlags(h.db, school.id, tz, p, now));
          const local = sql`(e.opened_at at time zone ${tz})`;
          const want = await rows<{ week: string; hour: unknown; opened: unknown; known: unknown; met: unknown; breaching: unknown }>(
            h.db,
            sql`select to_char(date_trunc('week', ${local}), 'YYYY-MM-DD') as week, ((extract(isodow from ${local})::int - 1) * 24 + extract(hour from ${local})::int) as hour,
                  count(*) as opened, count(*) filter (where ${f.known}) as known, count(*) filter (where ${f.met}) as met, count(*) filter (where ${f.breachingNow}) as breaching
                from episodes e where e.school_id = ${school.id} and e.owner_role::text = 'mentor' and ${inPeriod(sql`e.opened_at`, tz, p)}
                group by 1, 2 order by 1, 2`,
          );
          const got = await episodeHourStats(h.db, school.id, tz, "mentor", p, now);
          expect(got.counts, `${tz} ${p.from}`).toEqual(want.map((x) => ({ week: x.week, hour: num(x.hour), opened: num(x.opened), known: num(x.known), met: num(x.met) })));
          // The median beside the counts: the role's answered episodes of the period, as one statement computes it.
          const [m] = await rows<{ median: unknown; n: unknown }>(
            h.db,
            sql`select percentile_cont(0.5) within group (order by e.response_business_minutes) as median, count(e.response_business_minutes) as n
                from episodes e where e.school_id = ${school.id} and e.owner_role::text = 'mentor' and e.status = 'answered' and ${inPeriod(sql`e.opened_at`, tz, p)}`,
          );
          expect({ median: got.medianResponseBusinessMinutes, n: got.answered }, `${tz} ${p.from}`).toEqual({ median: m?.median === null ? null : num(m?.median), n: num(m?.n) });
          seen += got.counts.length;
          answered += got.answered;
          breaching += want.reduce((n, x) => n + num(x.breaching), 0);
        }
      }
      expect(seen).toBeGreaterThan(0);
      expect(answered).toBeGreaterThan(0);
      expect(breaching).toBeGreaterThan(0);
    });

    it("shift planner from parts: a stored part before a cut day and the rest live equal the whole period's figures", async () => {
      // ADR 0011 for the planner: counts per local hour add up across parts, the open episodes' ids of both
      // are judged when read, and the response times of the parts merged give the whole period's median.
      let breaching = 0;
      for (const tz of ["Europe/Moscow", "America/New_York", "Asia/Kathmandu"]) {
        for (const role of ["mentor", "coordinator"] as const) {
          // Seven weeks up to the seed's last days, which hold open episodes breaching now.
          const p: Period = { from: "2026-10-12", to: "2026-11-30" };
          const whole = await episodeHourStats(h.db, school.id, tz, role, p, now);
          for (const upTo of [p.from, "2026-10-26", "2026-11-27", "2026-11-28", p.to]) {
            const part = await hourPart(h.db, school.id, tz, role, { from: p.from, to: upTo });
            const stored = unpackHourPart(JSON.parse(JSON.stringify(packHourPart(part))) as StoredHourPart);
            expect(await episodeHourStats(h.db, school.id, tz, role, p, now, Promise.resolve({ upTo, part: stored })), `${tz} ${role} ${upTo}`).toEqual(whole);
          }
          expect(whole.answered).toBeGreaterThan(1);
          const f = await openFlags(h.db, school.id, tz, p, now);
          breaching += f.breachingNow.length;
        }
      }
      // What the comparison covered: open episodes counted as known because they breach now.
      expect(breaching).toBeGreaterThan(0);
    });

    it("KPI completion counts equal the outcomes report's total", async () => {
      for (const p of [periods[0]!, { from: "2025-10-28", to: "2026-10-28" }]) {
        const report = await outcomesReport(h.db, school, { from: p.from, to: periods[0] === p ? "2026-11-27" : "2026-10-27" }, now);
        expect(report.period).toEqual(p);
        const c = await completionCounts(h.db, school.id, school.timezone, p, periodAsOf(p, school.timezone, now), null);
        expect(c.enrollments).toBe(report.enrollments);
        expect({ successes: c.completed, n: c.completed + c.withdrawn }).toEqual({ successes: report.total.successes, n: report.total.n });
        expect(report.total.n).toBeGreaterThan(0);
      }
    });
  });
}
