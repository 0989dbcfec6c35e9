import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { slaHeatmap, slaSummary } from "@/db/queries/reports/sla";
import { staffLoad } from "@/db/queries/reports/load";
import { csatReport } from "@/db/queries/reports/csat";
import { renderReport } from "@/lib/cli/episode-commands";
import { percentile } from "@/lib/metrics/sla";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";
import type { SchoolConfigInput } from "@/lib/config/schema";

/**
 * A small school built by hand, every expectation worked out on paper (comments give the arithmetic).
 * Calendar: Mon–Fri 09:00–18:00 Moscow (UTC+3), holiday Mon 2026-03-09. "Now" is Thu 2026-03-12 12:00.
 * Policies: coordinator 120 business; coordinator+dm 60 business; mentor 1440 calendar; urgent 15 calendar.
 */
const msk = (day: string, hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: "Europe/Moscow" }).toJSDate();
const NOW = msk("2026-03-12", "12:00");
const PERIOD = { from: "2026-02-23", to: "2026-03-13" };
const src = { kind: "telegram" as const, externalId: "tg" };
const G1 = { externalId: "-100", kind: "group" as const, title: "Кураторский чат" };
const G2 = { externalId: "-200", kind: "group" as const, title: "Менторский чат" };
const DM4 = { externalId: "501", kind: "dm" as const };
const DM1 = { externalId: "502", kind: "dm" as const };
const T1 = { externalId: "t1", kind: "thread" as const };

let seq = 0;
const m = (channel: MessageEvent["channel"], author: string, at: Date, text: string, extra: Partial<MessageEvent> = {}): MessageEvent & { externalId: string } => ({
  type: "message", action: "create", source: src, channel, externalId: `m${++seq}`, author: { externalId: author, isBot: author === "bot" }, sentAt: at, text, ...extra,
});
const reply = (q: { externalId: string; author: { externalId: string } }) => ({ replyTo: { externalId: q.externalId, author: { externalId: q.author.externalId } } });

const q1 = m(G1, "s1", msk("2026-03-02", "10:00"), "Когда дедлайн?");
const a1 = m(G1, "anna", msk("2026-03-02", "10:30"), "До пятницы", reply(q1)); // E1: 30 bus, met
const q2 = m(G1, "s2", msk("2026-03-02", "17:00"), "Как сдать проект?");
const a2 = m(G1, "anna", msk("2026-03-03", "10:00"), "Через форму", reply(q2)); // E2: 60 + 60 = 120 bus = target: met
const q3 = m(G1, "s1", msk("2026-03-06", "17:30"), "А где лекция?"); // E3 (next): Fri 30 + holiday Mon 0 + Tue 30 = 60 bus
const q4 = m(G1, "s3", msk("2026-03-04", "10:00"), "Не открывается видео, помогите?");
const q5 = m(G2, "s2", msk("2026-03-02", "12:00"), "Почему тест не проходит?");
const q6 = m(G2, "s3", msk("2026-03-03", "10:00"), "Ужас, никто не отвечает, где доступ?"); // negative → urgent
const a6 = m(G2, "mark", msk("2026-03-03", "10:10"), "Выдал доступ", reply(q6)); // E6: 10 cal, met
const q13 = m(G1, "s4", msk("2026-02-26", "10:00"), "Как получить доступ?");
const messages: MessageEvent[] = [
  q1, a1, m(G1, "s1", msk("2026-03-02", "10:35"), "спасибо"), q2, a2, q3,
  m(G1, "anna", msk("2026-03-10", "09:30"), "Лекция в записи", { mentions: [{ externalId: "s1" }] }), // answers E3
  q4, m(G1, "anna", msk("2026-03-04", "13:00"), "Перезагрузите", reply(q4)), // E4: 180 bus > 120: breached
  q5, q6, a6, m(G2, "mark", msk("2026-03-03", "14:00"), "Смотрите тесты", reply(q5)), // E5: 26 h = 1560 cal > 1440: breached
  m(G2, "s4", msk("2026-03-03", "11:00"), "Вопрос по модулю?", { thread: T1 }), // E7 in the thread
  m(G2, "bot", msk("2026-03-03", "11:01"), "Мы ответим скоро", { thread: T1 }),
  m(G2, "mark", msk("2026-03-03", "11:41"), "Вот ответ", { thread: T1 }), // E7: 41 cal, met, bot first
  m(DM4, "s4", msk("2026-03-04", "20:00"), "Можно перенести дедлайн?"),
  m(DM4, "anna", msk("2026-03-05", "09:20"), "Да"), // E8: DM → coordinator+dm policy: 0 + 20 = 20 bus, met; 800 cal
  m(G1, "s3", msk("2026-03-12", "09:30"), "Где материалы?"), // E10: open, 150 bus at now > 120: breaching now
  m(G1, "anna", msk("2026-03-12", "10:00"), "Всем привет, вебинар в 19:00"), // addressed to nobody: answers nothing
  m(G1, "s2", msk("2026-03-12", "11:00"), "А сертификат когда?"), // E9: open, 60 of 120: neither
  m(G2, "s1", msk("2026-03-11", "16:00"), "Как решить задачу?"), // E11: open, 1200 cal > 80 % of 1440: at risk
  m(G2, "s4", msk("2026-02-25", "10:00"), "Когда будет вебинар?"), // E12: never answered: abandoned, breached
  q13, m(G1, "bot", msk("2026-02-26", "10:01"), "Ссылка на инструкцию", reply(q13)), // E13: resolved by bot
  m(DM1, "anna", msk("2026-03-10", "10:00"), "Привет! Как дела с курсом?"), // a check-in of an assigned student
  m(DM1, "s1", msk("2026-03-10", "10:20"), "спасибо"),
];

const people: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A", assignedStudentExternalIds: ["s1", "s2", "s3"] },
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
  { type: "roster", source: src, identity: { externalId: "sam", name: "Сэм", email: "sam@s.test" }, role: "support", team: "A" },
  { type: "roster", source: src, identity: { externalId: "bot", name: "Бот", isBot: true }, role: "bot" },
  ...["s1", "s2", "s3", "s4"].map((s): IngestEvent => ({ type: "enrollment", source: src, student: { externalId: s }, course: { externalId: "py" }, cohort: { externalId: s === "s4" ? "c2" : "c1", title: s === "s4" ? "Поток 2" : "Поток 1" }, status: "active" })),
];
const rating = (id: string, kind: "csat" | "nps", who: string, raw: number, scale: number, at: Date, about?: { channel: string; message: string }): IngestEvent => ({
  type: "rating", source: src, externalId: id, kind, rater: { externalId: who }, rawScore: raw, scaleMax: scale, givenAt: at,
  ...(about ? { channelExternalId: about.channel, aboutMessageExternalId: about.message } : {}),
});
const survey = (id: string, kind: "csat" | "nps", who: string, at: Date): IngestEvent => ({ type: "survey", source: src, externalId: id, kind, recipient: { externalId: who }, sentAt: at });
const feedback: IngestEvent[] = [
  rating("r1", "csat", "s1", 5, 5, msk("2026-03-02", "11:00"), { channel: "-100", message: a1.externalId }),
  rating("r2", "csat", "s2", 3, 5, msk("2026-03-03", "11:00"), { channel: "-100", message: a2.externalId }),
  rating("r3", "csat", "s3", 8, 10, msk("2026-03-03", "11:00"), { channel: "-200", message: a6.externalId }), // 1 + 8·4/10 = 4.2
  rating("n1", "nps", "s1", 9, 10, msk("2026-03-04", "12:00")),
  rating("n2", "nps", "s2", 6, 10, msk("2026-03-04", "12:00")),
  rating("n3", "nps", "s3", 8, 10, msk("2026-03-04", "12:00")),
  rating("n4", "nps", "s4", 10, 10, msk("2026-02-27", "12:00")),
  ...["s1", "s2", "s3", "s4"].map((s, i) => survey(`sc${i}`, "csat", s, msk("2026-03-03", "10:00"))),
  ...["s1", "s2", "s3"].map((s, i) => survey(`sn${i}`, "nps", s, msk("2026-03-04", "11:00"))),
  survey("sn4", "nps", "s4", msk("2026-02-27", "11:00")),
];
const config: SchoolConfigInput = {
  calendars: [{ name: "Офис", timezone: "Europe/Moscow", default: true, weekly: { "mon-fri": ["09:00-18:00"] }, holidays: ["2026-03-09"] }],
  slaPolicies: [
    { name: "coordinator 2h", ownerRole: "coordinator", targetMinutes: 120, clock: "business" },
    { name: "coordinator dm 1h", ownerRole: "coordinator", channelKind: "dm", targetMinutes: 60, clock: "business" },
    { name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" },
    { name: "urgent 15m", priority: "urgent", targetMinutes: 15, clock: "calendar" },
  ],
  channels: [
    { source: "telegram", externalId: "-100", ownerRole: "coordinator", ownerEmail: "anna@s.test", cohort: "c1" },
    { source: "telegram", externalId: "-200", ownerRole: "mentor" },
  ],
  capacities: [{ email: "anna@s.test", maxStudents: 2 }, { email: "mark@s.test", episodesPerHour: 0.02 }],
  roleLabels: { ru: { coordinator: "куратор", mentor: "наставник" } },
};

for (const engine of engines()) {
  describe(`reports on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "hand", name: "Hand", timezone: "Europe/Moscow" });
      await storeEvents(h.db, school.id, [...people, ...messages]);
      await applyConfig(h.db, school.id, config);
      await storeEvents(h.db, school.id, feedback);
      const res = await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
      expect(res).toMatchObject({ episodes: 13, warnings: [], ratingsLinked: 3 });
    });
    afterAll(async () => h?.drop());

    it("summarises SLA by role with compliance over known outcomes", async () => {
      const r = await slaSummary(h.db, school.id, school.timezone, PERIOD, "role", NOW);
      // Known = answered + abandoned + breaching now; open within target and resolved-by-bot are left out.
      expect(r.total).toEqual({ episodes: 13, answered: 8, open: 3, breachingNow: 1, atRisk: 1, breached: 4, met: 6, known: 10, compliance: 0.6, medianMinutes: 50.5, p90Minutes: expect.closeTo(594, 6) });
      expect(r.groups.map((g) => [g.key, g.label])).toEqual([["coordinator", "куратор"], ["mentor", "наставник"]]);
      // Coordinator: E1 30, E2 120, E3 60, E4 180 (breached), E8 20 (DM policy); E9 open, E10 breaching now, E13 by bot.
      expect(r.groups[0]).toMatchObject({ episodes: 8, answered: 5, open: 2, breachingNow: 1, atRisk: 0, breached: 2, met: 4, known: 6, medianMinutes: 60, p90Minutes: expect.closeTo(156, 6) });
      expect(r.groups[0]?.compliance).toBeCloseTo(4 / 6, 9);
      // Mentor: E5 1560 (breached), E6 10 (urgent policy), E7 41; E11 at risk; E12 abandoned. p90 = 41 + 0.8 · 1519.
      expect(r.groups[1]).toMatchObject({ episodes: 5, answered: 3, open: 1, breachingNow: 0, atRisk: 1, breached: 2, met: 2, known: 4, compliance: 0.5, medianMinutes: 41, p90Minutes: expect.closeTo(1256.2, 4) });
    });

    it("groups by person, channel and cohort", async () => {
      const by = async (g: "person" | "channel" | "cohort") => (await slaSummary(h.db, school.id, school.timezone, PERIOD, g, NOW)).groups.map((x) => [x.label, x.episodes, x.met, x.known]);
      // Unanswered episodes belong to the owner (Анна owns the coordinators' chat); the mentors' chat has none.
      expect(await by("person")).toEqual([["Анна", 8, 4, 6], ["Марк", 3, 2, 3], ["—", 2, 0, 1]]);
      expect(await by("channel")).toEqual([["Кураторский чат", 7, 3, 5], ["Менторский чат", 5, 2, 4], ["501", 1, 1, 1]]);
      // The coordinators' chat is Поток 1; elsewhere the student's enrollment decides (s4 is in Поток 2).
      expect(await by("cohort")).toEqual([["Поток 1", 10, 4, 7], ["Поток 2", 3, 2, 3]]);
    });

    it("agrees with lib/metrics/sla percentile on the stored response times", async () => {
      const values = (await rows<{ v: number }>(h.db, sql`select (case when clock = 'business' then response_business_minutes else response_calendar_minutes end)::float8 as v from episodes where school_id = ${school.id} and status = 'answered'`)).map((x) => Number(x.v));
      for (const p of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
        const [db] = await rows<{ v: number }>(h.db, sql`select percentile_cont(${p}::float8) within group (order by (case when clock = 'business' then response_business_minutes else response_calendar_minutes end)) as v from episodes where school_id = ${school.id} and status = 'answered'`);
        expect(Number(db?.v)).toBeCloseTo(percentile(values, p) ?? NaN, 9);
      }
    });

    it("fills a 7 × 24 heatmap in the school's time zone", async () => {
      const cells = await slaHeatmap(h.db, school.id, school.timezone, PERIOD, NOW);
      expect(cells).toHaveLength(168);
      expect(cells.reduce((n, c) => n + c.opened, 0)).toBe(13);
      const cell = (wd: number, hour: number) => cells.find((c) => c.weekday === wd && c.hour === hour);
      expect(cell(1, 10)).toEqual({ weekday: 1, hour: 10, opened: 1, medianMinutes: 30, met: 1, known: 1, compliance: 1, lowConfidence: true });
      expect(cell(3, 20)).toMatchObject({ opened: 1, medianMinutes: 20 }); // the DM at 20:00 local
      expect(cell(4, 9)).toMatchObject({ opened: 1, medianMinutes: null, met: 0, known: 1, compliance: 0 }); // breaching now
      expect(cell(4, 10)).toMatchObject({ opened: 1, known: 0, compliance: null }); // resolved by bot
      expect(cell(7, 3)).toMatchObject({ opened: 0, medianMinutes: null, compliance: null, lowConfidence: true });
    });

    it("computes load per staff member with check-in coverage and overload", async () => {
      const r = await staffLoad(h.db, school.id, school.timezone, PERIOD, NOW);
      // Working hours to now on the default calendar: 45 + 45 + (0 holiday + 9 + 9 + 3) = 111.
      expect(r.workingHours).toBe(111);
      expect(r.workingHoursBasis).toBe("default-calendar");
      const [anna, mark, sam] = r.staff;
      expect(anna).toMatchObject({ name: "Анна", role: "coordinator", team: "A", messagesSent: 7, episodesAnswered: 5, studentsAnswered: 4, openOwned: 2, medianMinutes: 60, breaches: 2, assignedStudents: 3, checkedIn: 1, capacityPerHour: null, maxStudents: 2, overAssigned: true });
      expect(anna?.checkInCoverage).toBeCloseTo(1 / 3, 9);
      expect(anna?.loadPerHour).toBeCloseTo(7 / 111, 9);
      // No capacity: judged against 1.5 × the team median (median of 7/111, 3/111, 0 = 3/111).
      expect(anna?.teamMedianPerHour).toBeCloseTo(3 / 111, 9);
      expect(anna?.overloaded).toBe(true);
      // Capacity 0.02 per hour < 3/111 = 0.027.
      expect(mark).toMatchObject({ name: "Марк", messagesSent: 3, episodesAnswered: 3, studentsAnswered: 3, openOwned: 0, medianMinutes: 41, breaches: 1, capacityPerHour: 0.02, overloaded: true, checkInCoverage: null });
      expect(sam).toMatchObject({ name: "Сэм", messagesSent: 0, episodesAnswered: 0, loadPerHour: 0, overloaded: false });
    });

    it("reports CSAT, NPS and response rate by responder, cohort and week", async () => {
      const byPerson = await csatReport(h.db, school.id, school.timezone, PERIOD, "person");
      // CSAT 5, 3, 4.2 (a 8/10 normalised); NPS 9, 6, 8, 10; 7 answers to 8 surveys.
      expect(byPerson.total).toMatchObject({ n: 3, npsN: 4, promoters: 2, detractors: 1, nps: 25, surveysSent: 8, responseRate: 7 / 8 });
      expect(byPerson.total.csatPercent).toBeCloseTo(200 / 3, 9);
      expect(byPerson.total.mean).toBeCloseTo((5 + 3 + 4.2) / 3, 5);
      expect(byPerson.groups.map((g) => [g.label, g.n, g.csatPercent, g.npsN])).toEqual([["—", 0, null, 4], ["Анна", 2, 50, 0], ["Марк", 1, 100, 0]]);
      const byCohort = await csatReport(h.db, school.id, school.timezone, PERIOD, "cohort");
      expect(byCohort.groups.map((g) => [g.label, g.n, g.npsN, g.nps])).toEqual([["Поток 1", 3, 3, 0], ["Поток 2", 0, 1, 100]]);
      const byWeek = await csatReport(h.db, school.id, school.timezone, PERIOD, "week");
      expect(byWeek.groups.map((g) => [g.key, g.n, g.npsN, g.surveysSent, g.responseRate])).toEqual([["2026-02-23", 0, 1, 1, 1], ["2026-03-02", 3, 3, 7, 6 / 7]]);
    });

    it("prints the CLI reports: episodes as CSV and JSON, summaries as JSON", async () => {
      const csv = await renderReport(h.db, school, "episodes", { format: "csv" }, NOW);
      const lines = csv.replace(/^\uFEFF/, "").trim().split("\r\n");
      expect(lines[0]).toBe("source,channel,thread,student,opened_at,answered_at,responder,first_bot_reply_at,kind,calendar_minutes,business_minutes,policy,target_minutes,status,breached");
      expect(lines).toHaveLength(14);
      // Telegram chat ids are negative numbers: exported as the source gives them, not quote-prefixed.
      expect(lines.filter((l) => l.startsWith("telegram,-100,"))).toHaveLength(7);
      const json = JSON.parse(await renderReport(h.db, school, "episodes", { json: true }, NOW)) as { episodes: Array<Record<string, unknown>> };
      expect(json.episodes.find((e) => e.channel === "501")).toEqual({
        source: "telegram", channel: "501", thread: null, student: "s4", openedAt: "2026-03-04T17:00:00.000Z", answeredAt: "2026-03-05T06:20:00.000Z",
        responder: "anna", firstBotReplyAt: null, kind: "first", calendarMinutes: 800, businessMinutes: 20, policy: "coordinator dm 1h",
        targetMinutes: 60, status: "answered", breached: false,
      });
      expect(json.episodes.find((e) => e.thread === "t1")).toMatchObject({ channel: "-200", student: "s4", responder: "mark", firstBotReplyAt: "2026-03-03T08:01:00.000Z", calendarMinutes: 41, policy: "mentor 24h" });
      expect(json.episodes.filter((e) => e.breached).map((e) => e.status).sort()).toEqual(["abandoned", "answered", "answered", "open"]);
      const sla = JSON.parse(await renderReport(h.db, school, "sla", { from: "2026-02-23", to: "2026-03-12", groupBy: "role", json: true }, NOW)) as Record<string, unknown>;
      expect(sla).toMatchObject({ school: "hand", period: PERIOD, groupBy: "role", total: { episodes: 13, compliance: 0.6 } });
      const load = JSON.parse(await renderReport(h.db, school, "load", { from: "2026-02-23", to: "2026-03-12", json: true }, NOW)) as { staff: unknown[] };
      expect(load.staff).toHaveLength(3);
      const csat = JSON.parse(await renderReport(h.db, school, "csat", { from: "2026-02-23", to: "2026-03-12", groupBy: "week", json: true }, NOW)) as { groups: unknown[] };
      expect(csat.groups).toHaveLength(2);
      expect(await renderReport(h.db, school, "sla", { from: "2026-02-23", to: "2026-03-12" }, NOW)).toMatch(/куратор\s+8\s+5\s+2\s+1\s+0\s+66\.7%/);
      await expect(renderReport(h.db, school, "load", { groupBy: "cohort" }, NOW)).rejects.toThrow(/group by must be one of person/);
    });
  });
}
