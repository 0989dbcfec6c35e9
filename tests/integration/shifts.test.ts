import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { DateTime } from "luxon";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { channels, episodes, messages, people, shifts } from "@/db/schema";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { endShift, episodeHourStats, insertShift } from "@/db/queries/reports/shifts";
import { importShifts, parseAdd, roleShifts, shiftsPlan, weeklyShiftTimes } from "@/lib/reports/shifts";
import { agentsNeeded, neededPerHour, shiftsToIcal } from "@/lib/metrics/staffing";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";
import type { SchoolConfigInput } from "@/lib/config/schema";

/**
 * A hand-built staffing dataset, Moscow time (no DST). Plan week = the week of the newest episode,
 * Monday 2026-03-09. With weeks=2 the history is 02-16, 02-23, 03-02 (the oldest only for the backtest).
 * Coordinator episodes: Monday 10:xx — 1, 2, 4 in those weeks; Tuesday 23:30 — 1 in week 03-02 (20:30
 * UTC: the hour is local). One mentor episode Monday 10:15 of week 03-02 must not count for coordinators.
 * Shifts: Анна Mon 09:00–18:00 weekly from 02-02; Ольга Mon 09:30–12:00 weekly from 03-02.
 */
const TZ = "Europe/Moscow";
const msk = (day: string, hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: TZ }).toJSDate();
const NOW = msk("2026-03-12", "12:00");
const src = { kind: "telegram" as const, externalId: "tg" };
const G1 = { externalId: "-100", kind: "group" as const, title: "Кураторский чат" };
const roster: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "olga", name: "Ольга", email: "olga@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
];
const config: SchoolConfigInput = {
  calendars: [{ name: "Офис", timezone: TZ, default: true, weekly: { "mon-fri": ["09:00-18:00"] } }],
  slaPolicies: [
    { name: "coordinator 2h", ownerRole: "coordinator", targetMinutes: 120, clock: "business" },
    { name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" },
  ],
  channels: [{ source: "telegram", externalId: "-100", ownerRole: "coordinator" }],
};

interface Ep {
  at: Date;
  role: "coordinator" | "mentor";
  breached?: boolean;
}
const eps: Ep[] = [
  { at: msk("2026-02-16", "10:05"), role: "coordinator" },
  { at: msk("2026-02-23", "10:05"), role: "coordinator" },
  { at: msk("2026-02-23", "10:40"), role: "coordinator" },
  { at: msk("2026-03-02", "10:01"), role: "coordinator" },
  { at: msk("2026-03-02", "10:20"), role: "coordinator" },
  { at: msk("2026-03-02", "10:30"), role: "coordinator" },
  { at: msk("2026-03-02", "10:59"), role: "coordinator", breached: true },
  { at: msk("2026-03-03", "23:30"), role: "coordinator" },
  { at: msk("2026-03-02", "10:15"), role: "mentor" },
  // The plan week's own episode anchors the plan week; it is not history.
  { at: msk("2026-03-09", "10:10"), role: "coordinator" },
];

for (const engine of engines()) {
  describe(`staffing plan on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    const ids = new Map<string, number>();
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "st", name: "ST", timezone: TZ });
      const msgs: MessageEvent[] = eps.map((e, i) => ({ type: "message", action: "create", source: src, channel: G1, externalId: `m${i}`, author: { externalId: `s${i}` }, sentAt: e.at, text: `Вопрос ${i}` }));
      await storeEvents(h.db, school.id, [...roster, ...msgs]);
      await applyConfig(h.db, school.id, config);
      for (const p of await h.db.select({ id: people.id, email: people.email }).from(people).where(eq(people.schoolId, school.id))) if (p.email) ids.set(p.email, p.id);
      const [ch] = await h.db.select({ id: channels.id }).from(channels).where(eq(channels.schoolId, school.id));
      const ms = await h.db.select({ id: messages.id, ext: messages.externalId, author: messages.authorPersonId }).from(messages).where(eq(messages.schoolId, school.id));
      const byExt = new Map(ms.map((m) => [m.ext, m]));
      await h.db.insert(episodes).values(
        eps.map((e, i) => {
          const m = byExt.get(`m${i}`)!;
          return {
            schoolId: school.id, channelId: ch!.id, studentPersonId: m.author, openedMessageId: m.id, openedAt: e.at, lastStudentMessageAt: e.at, messageCount: 1,
            kind: "first" as const, status: "answered" as const, ownerRole: e.role, answeredAt: new Date(e.at.getTime() + 600_000), targetMinutes: e.role === "mentor" ? 1440 : 120,
            clock: "business" as const, responseBusinessMinutes: e.breached ? 200 : 10, responseCalendarMinutes: e.breached ? 200 : 10, breached: e.breached ?? false,
          };
        }),
      );
      await h.db.insert(shifts).values([
        { schoolId: school.id, personId: ids.get("anna@s.test")!, role: "coordinator", startsAt: msk("2026-02-02", "09:00"), endsAt: msk("2026-02-02", "18:00"), weekly: true },
        { schoolId: school.id, personId: ids.get("olga@s.test")!, role: "coordinator", startsAt: msk("2026-03-02", "09:30"), endsAt: msk("2026-03-02", "12:00"), weekly: true },
        { schoolId: school.id, personId: ids.get("mark@s.test")!, role: "mentor", startsAt: msk("2026-02-03", "10:00"), endsAt: msk("2026-02-03", "14:00"), weekly: true },
      ]);
    });
    afterAll(async () => h?.drop());

    it("counts episodes per local week and hour-of-week, by owner role, with SLA outcomes", async () => {
      const c = (await episodeHourStats(h.db, school.id, TZ, "coordinator", { from: "2026-02-16", to: "2026-03-09" }, NOW)).counts;
      expect(c.map((x) => [x.week, x.hour, x.opened, x.known, x.met])).toEqual([
        ["2026-02-16", 10, 1, 1, 1],
        ["2026-02-23", 10, 2, 2, 2],
        ["2026-03-02", 10, 4, 4, 3],
        ["2026-03-02", 47, 1, 1, 1],
      ]);
    });

    it("forecasts per hour-of-week from stored episodes and backtests on the held-out week", async () => {
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      expect(d.planWeek).toBe("2026-03-09");
      expect(d.weeksUsed).toEqual(["2026-03-02", "2026-02-23"]);
      // Weights 2 (newest), 1: Monday 10:00 = (2·4 + 1·2) / 3; Tuesday 23:00 = 2·1 / 3.
      expect(d.forecast[10]).toBeCloseTo(10 / 3, 12);
      expect(d.forecast[47]).toBeCloseTo(2 / 3, 12);
      expect(d.forecast.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 12);
      // Held-out 03-02 from 02-23 (w 2) and 02-16 (w 1): hour 10 → 5/3 vs 4, hour 47 → 0 vs 1.
      expect(d.backtest?.weekStart).toBe("2026-03-02");
      expect(d.backtest?.mae).toBeCloseTo((7 / 3 + 1) / 168, 12);
      expect(d.backtest?.wape).toBeCloseTo(10 / 3 / 5, 12);
    });

    it("expands stored weekly shifts into staff per hour of the plan week", async () => {
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      expect(d.scheduled.slice(8, 19)).toEqual([0, 1.5, 2, 2, 1, 1, 1, 1, 1, 1, 0]);
      expect(d.scheduled.slice(24).every((x) => x === 0)).toBe(true);
      expect(d.shifts.map((s) => [s.personName, s.weekday, s.start, s.end])).toEqual([["Анна", 1, "09:00", "18:00"], ["Ольга", 1, "09:30", "12:00"]]);
      // Measured at the same staffing: Monday 10:00 had 2 on shift only in week 03-02 (3 of 4 in target).
      expect(d.measured[10]).toEqual({ measured: 0.75, episodes: 4, weeks: 1, lowConfidence: true });
      // Monday 09:00 with 1.5 (rounds to 2) matched no past week with 2 at 09:00 (Ольга from 09:30 gave 1.5 too).
      expect(d.measured[9]?.weeks).toBe(1);
    });

    it("needs staff by Erlang C with the page's defaults, the same functions as the textbook case", async () => {
      // Textbook (Call Centre Helper): 100 calls / 30 min, AHT 180 s, 80 % in 20 s → 14 agents; 30 % shrinkage → 20.
      const tb = agentsNeeded({ arrivals: 100, intervalSeconds: 1800, ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8, shrinkage: 0.3 });
      expect([tb.agents, tb.rostered]).toEqual([14, 20]);
      expect(tb.serviceLevel).toBeCloseTo(0.8884, 4);
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      expect(d.model).toBe("erlang");
      expect(d.params).toEqual({ role: "coordinator", weeks: 2, ahtSeconds: 600, serviceLevel: 0.8, shrinkage: 0.3, concurrency: 2 });
      expect(d.needed).toEqual(neededPerHour({ arrivals: d.forecast, ahtSeconds: 600, targetAnswerSeconds: 7200, targetServiceLevel: 0.8, shrinkage: 0.3, concurrency: 2 }));
      // 10/3 questions × 300 s effective AHT = 0.28 Erlang: one agent, two rostered at 30 % shrinkage.
      expect([d.needed[10], d.needed[47], d.needed[11]]).toEqual([2, 2, 0]);
      expect(d.coverage.hours[10]?.status).toBe("ok");
      expect(d.coverage.hours[47]).toMatchObject({ status: "under", gap: -2 });
      // The textbook case through the page's own path: AHT 180 s, one chat at a time, no shrinkage.
      const tbPlan = neededPerHour({ arrivals: d.forecast.map((_, i) => (i === 0 ? 200 : 0)), ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8, concurrency: 1 });
      expect(tbPlan[0]).toBe(agentsNeeded({ arrivals: 200, intervalSeconds: 3600, ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8 }).agents);
    });

    it("uses the backlog model for a long target", async () => {
      const d = await shiftsPlan(h.db, school, { role: "mentor", weeks: "2" }, NOW);
      expect(d.model).toBe("backlog");
      expect(d.targetMinutes).toBe(1440);
      expect(d.backlog?.feasible).toBe(true);
      // A level plan over working hours 09–17, the same every day.
      const monday = d.needed.slice(0, 24);
      expect(monday.slice(0, 9).every((x) => x === 0)).toBe(true);
      expect(new Set(monday.slice(9, 18)).size).toBe(1);
      expect(d.needed.slice(24, 48)).toEqual(monday);
    });

    it("what-if: adds and removes shifts from the URL, recomputing the prediction without storing", async () => {
      const anna = ids.get("anna@s.test")!;
      const base = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      const olga = base.shifts.find((s) => s.personName === "Ольга")!;
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2", add: [`${anna}.2.2200.0100`, "bad"], remove: olga.id }, NOW);
      expect(d.errors).toEqual(["add=bad"]);
      expect(d.whatIf?.scheduled[46]).toBe(1);
      expect(d.whatIf?.scheduled[47]).toBe(1);
      expect(d.whatIf?.scheduled[48]).toBe(1);
      expect(d.whatIf?.scheduled[10]).toBe(1);
      expect(d.predicted.hours[47]?.slaCompliance).toBe(0);
      // One on shift = 0.7 productive agents at 30 % shrinkage: SL interpolated between 0 agents (0) and 1 (≈ 1).
      expect(d.whatIf?.predicted.hours[47]?.slaCompliance).toBeCloseTo(0.7, 6);
      expect(d.whatIf?.changedHours).toEqual(expect.arrayContaining([9, 10, 11, 46, 47, 48]));
      expect(d.shifts.find((s) => s.added)).toMatchObject({ personName: "Анна", weekday: 2, start: "22:00", end: "01:00" });
      expect(d.shifts.find((s) => s.id === olga.id)?.removed).toBe(true);
      // Nothing stored.
      expect((await h.db.select().from(shifts).where(eq(shifts.schoolId, school.id))).length).toBe(3);
    });

    it("what-if move: the same person's shift at a new time, as one remove and one add", async () => {
      const base = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      const olga = base.shifts.find((s) => s.personName === "Ольга")!;
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2", move: [`${olga.id}.2.2200.0000`, "999999.1.0900.1000"] }, NOW);
      expect(d.errors).toEqual(["move=999999.1.0900.1000"]);
      expect(d.moves).toEqual([{ shiftId: olga.id, weekday: 2, start: "22:00", end: "00:00" }]);
      expect(d.whatIf?.scheduled[10]).toBe(1);
      expect(d.whatIf?.scheduled[46]).toBe(1);
      expect(d.whatIf?.scheduled[47]).toBe(1);
      expect(d.whatIf?.predicted.hours[47]?.slaCompliance).toBeCloseTo(0.7, 6);
      expect(d.whatIf?.predicted.slaCompliance).not.toBe(d.predicted.slaCompliance);
      expect(d.whatIf?.predicted.serviceLevel).not.toBe(d.predicted.serviceLevel);
      expect(d.shifts.find((s) => s.id === olga.id)).toMatchObject({ removed: true, movedFrom: olga.id });
      expect(d.shifts.find((s) => s.added)).toMatchObject({ personName: "Ольга", weekday: 2, start: "22:00", end: "00:00", movedFrom: olga.id });
      expect((await h.db.select().from(shifts).where(eq(shifts.schoolId, school.id))).length).toBe(3);
    });

    it("saves a shift and ends one from now on, keeping past weeks' staffing", async () => {
      const anna = ids.get("anna@s.test")!;
      const a = parseAdd(`${anna}.2.2200.0100`)!;
      const times = weeklyShiftTimes("2026-03-09", a, TZ)!;
      const id = await insertShift(h.db, { schoolId: school.id, personId: anna, role: "coordinator", ...times, weekly: true });
      const olga = await h.db.select().from(shifts).where(and(eq(shifts.schoolId, school.id), eq(shifts.personId, ids.get("olga@s.test")!)));
      expect(await endShift(h.db, school.id, olga[0]!.id, msk("2026-03-09", "00:00"))).toBe(true);
      expect(await endShift(h.db, school.id, 999_999, NOW)).toBe(false);
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      expect(d.scheduled[10]).toBe(1);
      expect(d.scheduled[47]).toBe(1);
      // Week 03-02 still had Ольга: the measured cell for 1 on shift at Monday 10:00 pools 02-16 and 02-23.
      expect(d.measured[10]).toMatchObject({ episodes: 3, weeks: 2, measured: 1 });
      const ics = shiftsToIcal(await roleShifts(h.db, school.id, "coordinator"), { timezone: TZ, dtstamp: NOW, uidDomain: "st.shifts" });
      expect(ics).toContain(`UID:shift-${id}@st.shifts`);
      expect(ics).toContain("DTSTART;TZID=Europe/Moscow:20260310T220000");
    });

    it("imports a CSV whole or not at all, resolving people by email, messenger id or name; a re-upload adds nothing", async () => {
      const count = async () => (await h.db.select().from(shifts).where(eq(shifts.schoolId, school.id))).length;
      const before = await count();
      const bad = ["person,role,start,end", "nobody@s.test,coordinator,Wed 09:00,12:00", "mark@s.test,coordinator,Wed 09:00,12:00", "anna@s.test,coordinator,Wed 25:00,12:00", "anna@s.test,coordinator,Thu 09:00,12:00"].join("\n");
      const r1 = await importShifts(h.db, school, bad, NOW);
      expect(r1.ok).toBe(false);
      expect(r1.errors.map((e) => e.line)).toEqual([2, 3, 4]);
      expect(r1.errors[0]?.message).toMatch(/not a person of this school/);
      expect(r1.errors[1]?.message).toMatch(/does not hold the role coordinator/);
      expect(await count()).toBe(before);
      const good = ["person,role,start,end,weekly,repeat_until", "ANNA@s.test,coordinator,Wed 09:00,12:00,yes,", "Ольга,coordinator,2026-03-13 10:00,14:00,no,", "olga,coordinator,Thu 09:00,10:00,да,2026-04-30"].join("\r\n");
      const r2 = await importShifts(h.db, school, good, NOW);
      expect(r2).toMatchObject({ ok: true, rows: 3, inserted: 3, existing: 0, weekStart: "2026-03-09" });
      expect(await count()).toBe(before + 3);
      const r3 = await importShifts(h.db, school, good, NOW);
      expect(r3).toMatchObject({ ok: true, inserted: 0, existing: 3 });
      expect(await count()).toBe(before + 3);
      const d = await shiftsPlan(h.db, school, { role: "coordinator", weeks: "2" }, NOW);
      expect(d.scheduled[2 * 24 + 9]).toBe(1); // Wednesday 09:00, Анна
      expect(d.scheduled[3 * 24 + 9]).toBe(1); // Thursday 09:00, Ольга by her messenger id
      expect(d.scheduled[4 * 24 + 10]).toBe(1); // Friday 2026-03-13 10:00, once, by name
    });
  });
}
