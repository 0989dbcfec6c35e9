import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { calendarDays, channels as channelsTable, people as peopleTable, shifts, slaPolicies } from "@/db/schema";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { loadCalendars, loadSchoolContext } from "@/db/queries/episodes/context";
import { slaHeatmap, slaSummary } from "@/db/queries/reports/sla";
import { FILTER_OPTIONS_KEEP_MS, episodeList, filterOptions, forgetFilterOptions } from "@/db/queries/reports/episode-detail";
import { currentEpisodeId, episodeTimeline, getEpisodeView } from "@/db/queries/reports/episode-detail-view";
import { slaBreakdown, slaHeatmapFiltered, slaWeekly, staffOnShift } from "@/db/queries/reports/episode-detail-sla";
import { rows } from "@/db/client";
import { judgeOpenEpisodes, judgedOpenEpisodes } from "@/db/queries/reports/common";
import { and, eq, sql } from "drizzle-orm";
import { linkedEpisodeId, parseFilter } from "@/lib/reports/episode-detail";
import { episodeHref } from "@/lib/episode-href";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";
import type { SchoolConfigInput } from "@/lib/config/schema";

/**
 * The SLA page's filtered figures, the episodes behind them and the episode view, on the hand-made
 * school of reports.test.ts (same messages, calendar and policies; expectations worked out there).
 */
const msk = (day: string, hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: "Europe/Moscow" }).toJSDate();
const NOW = msk("2026-03-12", "12:00");
const PERIOD = { from: "2026-02-23", to: "2026-03-13" };
const src = { kind: "telegram" as const, externalId: "tg" };
const G1 = { externalId: "-100", kind: "group" as const, title: "Кураторский чат" };
const G2 = { externalId: "-200", kind: "group" as const, title: "Менторский чат" };
const DM4 = { externalId: "501", kind: "dm" as const };
const T1 = { externalId: "t1", kind: "thread" as const };

let seq = 0;
const m = (channel: MessageEvent["channel"], author: string, at: Date, text: string, extra: Partial<MessageEvent> = {}): MessageEvent & { externalId: string } => ({
  type: "message", action: "create", source: src, channel, externalId: `m${++seq}`, author: { externalId: author, isBot: author === "bot" }, sentAt: at, text, ...extra,
});
const reply = (q: { externalId: string; author: { externalId: string } }) => ({ replyTo: { externalId: q.externalId, author: { externalId: q.author.externalId } } });

const q1 = m(G1, "s1", msk("2026-03-02", "10:00"), "Когда дедлайн?");
const q2 = m(G1, "s2", msk("2026-03-02", "17:00"), "Как сдать проект?");
const q4 = m(G1, "s3", msk("2026-03-04", "10:00"), "Не открывается видео, помогите?");
const q5 = m(G2, "s2", msk("2026-03-02", "12:00"), "Почему тест не проходит?");
const q6 = m(G2, "s3", msk("2026-03-03", "10:00"), "Ужас, никто не отвечает, где доступ?");
const q13 = m(G1, "s4", msk("2026-02-26", "10:00"), "Как получить доступ?");
const messages: MessageEvent[] = [
  q1, m(G1, "anna", msk("2026-03-02", "10:30"), "До пятницы", reply(q1)), m(G1, "s1", msk("2026-03-02", "10:35"), "спасибо"),
  q2, m(G1, "anna", msk("2026-03-03", "10:00"), "Через форму", reply(q2)), m(G1, "s1", msk("2026-03-06", "17:30"), "А где лекция?"),
  m(G1, "anna", msk("2026-03-10", "09:30"), "Лекция в записи", { mentions: [{ externalId: "s1" }] }),
  q4, m(G1, "anna", msk("2026-03-04", "13:00"), "Перезагрузите", reply(q4)),
  q5, q6, m(G2, "mark", msk("2026-03-03", "10:10"), "Выдал доступ", reply(q6)), m(G2, "mark", msk("2026-03-03", "14:00"), "Смотрите тесты", reply(q5)),
  m(G2, "s4", msk("2026-03-03", "11:00"), "Вопрос по модулю?", { thread: T1 }), m(G2, "bot", msk("2026-03-03", "11:01"), "Мы ответим скоро", { thread: T1 }),
  m(G2, "mark", msk("2026-03-03", "11:41"), "Вот ответ", { thread: T1 }),
  m(DM4, "s4", msk("2026-03-04", "20:00"), "Можно перенести дедлайн?"), m(DM4, "anna", msk("2026-03-05", "09:20"), "Да"),
  m(G1, "s3", msk("2026-03-12", "09:30"), "Где материалы?"), m(G1, "anna", msk("2026-03-12", "10:00"), "Всем привет, вебинар в 19:00"),
  m(G1, "s2", msk("2026-03-12", "11:00"), "А сертификат когда?"), m(G2, "s1", msk("2026-03-11", "16:00"), "Как решить задачу?"),
  m(G2, "s4", msk("2026-02-25", "10:00"), "Когда будет вебинар?"), q13, m(G1, "bot", msk("2026-02-26", "10:01"), "Ссылка на инструкцию", reply(q13)),
];
const people: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
  { type: "roster", source: src, identity: { externalId: "bot", name: "Бот", isBot: true }, role: "bot" },
  ...["s1", "s2", "s3", "s4"].map((s): IngestEvent => ({ type: "enrollment", source: src, student: { externalId: s }, course: { externalId: "py" }, cohort: { externalId: s === "s4" ? "c2" : "c1", title: s === "s4" ? "Поток 2" : "Поток 1" }, status: "active" })),
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
  roleLabels: { ru: { coordinator: "куратор", mentor: "наставник" } },
};

for (const engine of engines()) {
  describe(`SLA page queries on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    const page = { limit: 50, offset: 0 };
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "hand", name: "Hand", timezone: "Europe/Moscow" });
      await storeEvents(h.db, school.id, [...people, ...messages]);
      await applyConfig(h.db, school.id, config);
      const res = await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
      expect(res).toMatchObject({ episodes: 13, warnings: [] });
    });
    afterAll(async () => h?.drop());

    it("with no filter equals the CLI's SLA summary and heatmap", async () => {
      const b = await slaBreakdown(h.db, school.id, school.timezone, PERIOD, {}, NOW);
      const s = await slaSummary(h.db, school.id, school.timezone, PERIOD, "role", NOW);
      expect(b.total).toEqual(s.total);
      expect(b.byRole.map(({ role, roleLabel, ...st }) => ({ key: role, label: roleLabel, ...st }))).toEqual(s.groups);
      const heat = await slaHeatmapFiltered(h.db, school.id, school.timezone, PERIOD, {}, NOW);
      expect(heat.hasShifts).toBe(false);
      expect(heat.cells.map(({ staffOnShift, ...c }) => (expect(staffOnShift).toBeNull(), c))).toEqual(await slaHeatmap(h.db, school.id, school.timezone, PERIOD, NOW));
    });

    it("splits compliance by policy within role", async () => {
      const b = await slaBreakdown(h.db, school.id, school.timezone, PERIOD, {}, NOW);
      // Coordinator: E1–E4, E9, E10, E13 on "coordinator 2h", the DM E8 on "coordinator dm 1h"; mentor: E6 urgent, the rest 24 h.
      expect(b.byPolicy.map((g) => [g.roleLabel, g.policy, g.episodes, g.met, g.known])).toEqual([
        ["куратор", "coordinator 2h", 7, 3, 5], ["наставник", "mentor 24h", 4, 1, 3], ["куратор", "coordinator dm 1h", 1, 1, 1], ["наставник", "urgent 15m", 1, 1, 1],
      ]);
      expect(b.byPolicy.find((g) => g.policy === "urgent 15m")).toMatchObject({ targetMinutes: 15, clock: "calendar", medianMinutes: 10 });
    });

    it("filters by role, cohort and source as the groups count them", async () => {
      const mentor = await slaBreakdown(h.db, school.id, school.timezone, PERIOD, { role: "mentor" }, NOW);
      const all = await slaSummary(h.db, school.id, school.timezone, PERIOD, "role", NOW);
      const { key: _k, label: _l, ...mentorGroup } = all.groups.find((g) => g.key === "mentor") ?? { key: null, label: "" };
      expect(mentor.total).toEqual(mentorGroup);
      expect(mentor.total).toMatchObject({ episodes: 5, met: 2, known: 4, atRisk: 1 });
      const cohorts = await slaSummary(h.db, school.id, school.timezone, PERIOD, "cohort", NOW);
      const c2 = cohorts.groups.find((g) => g.label === "Поток 2");
      const byCohort = await slaBreakdown(h.db, school.id, school.timezone, PERIOD, { cohortId: Number(c2?.key) }, NOW);
      expect(byCohort.total.episodes).toBe(3);
      expect((await slaBreakdown(h.db, school.id, school.timezone, PERIOD, { source: "telegram" }, NOW)).total.episodes).toBe(13);
      expect((await slaBreakdown(h.db, school.id, school.timezone, PERIOD, { source: "slack" }, NOW)).total).toMatchObject({ episodes: 0, compliance: null });
      expect(parseFilter({ role: "mentor", cohort: "x", weekday: "8", hour: "23", breached: "1", source: "'; drop" })).toEqual({ role: "mentor", hour: 23, breached: true });
    });

    it("trends compliance per local week and role", async () => {
      const w = await slaWeekly(h.db, school.id, school.timezone, PERIOD, {}, NOW);
      const totals = w.filter((p) => p.role === "total");
      expect(totals.map((p) => p.week)).toEqual(["2026-02-23", "2026-03-02", "2026-03-09"]);
      expect(totals.reduce((a, p) => a + p.known, 0)).toBe(10);
      expect(totals.reduce((a, p) => a + p.met, 0)).toBe(6);
      // Week of 9 March: E9 open within target (unknown), E10 breaching now, E11 at risk (unknown).
      expect(w.find((p) => p.week === "2026-03-09" && p.role === "coordinator")).toMatchObject({ episodes: 2, met: 0, known: 1, compliance: 0 });
    });

    it("lists the episodes behind a heatmap cell and the breached ones, newest first", async () => {
      const cells = (await slaHeatmapFiltered(h.db, school.id, school.timezone, PERIOD, {}, NOW)).cells.filter((c) => c.opened > 0);
      for (const c of cells) {
        const list = await episodeList(h.db, school.id, school.timezone, PERIOD, { weekday: c.weekday, hour: c.hour }, NOW, page);
        expect(list.total).toBe(c.opened);
        for (const r of list.rows) {
          const local = DateTime.fromISO(r.openedAt, { zone: "Europe/Moscow" });
          expect([local.weekday, local.hour]).toEqual([c.weekday, c.hour]);
        }
      }
      const breached = await episodeList(h.db, school.id, school.timezone, PERIOD, { breached: true }, NOW, page);
      // E10 breaching now, E4 answered late, E5 answered late, E12 abandoned.
      expect(breached.rows.map((r) => [r.openedAt, r.status, r.breachingNow])).toEqual([
        ["2026-03-12T06:30:00.000Z", "open", true], ["2026-03-04T07:00:00.000Z", "answered", false],
        ["2026-03-02T09:00:00.000Z", "answered", false], ["2026-02-25T07:00:00.000Z", "abandoned", false],
      ]);
      expect(breached.rows[1]).toMatchObject({ student: "s3", responder: "Анна", roleLabel: "куратор", policy: "coordinator 2h", targetMinutes: 120, responseMinutes: 180 });
      const second = await episodeList(h.db, school.id, school.timezone, PERIOD, { breached: true }, NOW, { limit: 2, offset: 2 });
      expect(second.total).toBe(4);
      expect(second.rows.map((r) => r.status)).toEqual(["answered", "abandoned"]);
      expect((await episodeList(h.db, school.id, school.timezone, PERIOD, { role: "none" }, NOW, page)).total).toBe(0);
    });

    it("shows one episode with its timeline; DM text never", async () => {
      const list = await episodeList(h.db, school.id, school.timezone, PERIOD, { role: "coordinator" }, NOW, page);
      const dm = list.rows.find((r) => r.channelKind === "dm");
      const v = await getEpisodeView(h.db, school.id, school.timezone, dm?.id ?? -1, NOW);
      expect(v).toMatchObject({ student: "s4", responder: "Анна", policy: "coordinator dm 1h", targetMinutes: 60, clock: "business", calendar: "Офис", calendarMinutes: 800, businessMinutes: 20, status: "answered", breached: false });
      const t = await episodeTimeline(h.db, school.id, dm?.id ?? -1);
      expect(t.messages.map((x) => [x.author, x.authorRole, x.text, x.isOpening, x.isAnswer])).toEqual([["s4", "student", null, true, false], ["Анна", "coordinator", null, false, true]]);
      expect(t.messages[0]?.textLength).toBeGreaterThan(0);
      expect(await getEpisodeView(h.db, school.id + 1000, school.timezone, dm?.id ?? -1, NOW)).toBeNull();

      const e1 = list.rows.find((r) => r.openedAt === "2026-03-02T07:00:00.000Z");
      const t1 = await episodeTimeline(h.db, school.id, e1?.id ?? -1);
      expect(t1.messages.map((x) => [x.author, x.authorRoleLabel, x.text])).toEqual([["s1", "student", "Когда дедлайн?"], ["Анна", "куратор", "До пятницы"]]);
      expect(t1.messages[1]?.replyToId).toBe(t1.messages[0]?.id);
      // E3 was answered by a mention: the timeline runs from its opening to that answer.
      const e3 = list.rows.find((r) => r.openedAt === "2026-03-06T14:30:00.000Z");
      const t3 = await episodeTimeline(h.db, school.id, e3?.id ?? -1);
      expect(t3.messages.at(-1)).toMatchObject({ author: "Анна", mentions: ["s1"], isAnswer: true });
    });

    it("counts staff on shift per hour of the week when shifts are recorded", async () => {
      const ids = new Map((await h.db.select({ id: peopleTable.id, email: peopleTable.email }).from(peopleTable)).map((p) => [p.email, p.id]));
      await h.db.insert(shifts).values([
        { schoolId: school.id, personId: ids.get("anna@s.test")!, role: "coordinator", startsAt: msk("2026-02-23", "09:00"), endsAt: msk("2026-02-23", "18:00"), weekly: true, repeatUntil: msk("2026-03-31", "00:00") },
        { schoolId: school.id, personId: ids.get("mark@s.test")!, role: "mentor", startsAt: msk("2026-03-03", "10:00"), endsAt: msk("2026-03-03", "12:00"), weekly: false },
      ]);
      const heat = await slaHeatmapFiltered(h.db, school.id, school.timezone, PERIOD, {}, NOW);
      const cell = (wd: number, hr: number) => heat.cells.find((c) => c.weekday === wd && c.hour === hr)?.staffOnShift;
      expect(heat.hasShifts).toBe(true);
      expect(cell(1, 9)).toBe(1); // three Mondays, Anna on each
      expect(cell(1, 18)).toBe(0); // her shift ends at 18:00
      expect(cell(2, 10)).toBeCloseTo(1 / 3, 9); // Mark on one of three Tuesdays
      const mentors = await slaHeatmapFiltered(h.db, school.id, school.timezone, PERIOD, { role: "mentor" }, NOW);
      expect(mentors.cells.find((c) => c.weekday === 1 && c.hour === 9)?.staffOnShift).toBe(0);

      // Every hour against every occurrence (the definition, as first written) equals the hours each
      // occurrence lists: shifts begun long before the period, ending inside it, overnight, on half hours,
      // one repeating only until mid-period, in zones with daylight saving and with :30 / :45 offsets.
      await h.db.insert(shifts).values([
        { schoolId: school.id, personId: ids.get("anna@s.test")!, role: "coordinator", startsAt: msk("2025-06-02", "22:30"), endsAt: msk("2025-06-03", "06:30"), weekly: true },
        { schoolId: school.id, personId: ids.get("mark@s.test")!, role: "mentor", startsAt: msk("2025-11-04", "08:15"), endsAt: msk("2025-11-04", "13:45"), weekly: true, repeatUntil: msk("2026-03-05", "00:00") },
        { schoolId: school.id, personId: ids.get("mark@s.test")!, role: "mentor", startsAt: msk("2026-03-07", "23:00"), endsAt: msk("2026-03-08", "02:00"), weekly: false },
        { schoolId: school.id, personId: ids.get("anna@s.test")!, role: "coordinator", startsAt: msk("2026-03-12", "20:00"), endsAt: msk("2026-03-14", "01:00"), weekly: false },
      ]);
      let seen = 0;
      for (const tz of ["Europe/Moscow", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]) {
        for (const period of [PERIOD, { from: "2026-03-01", to: "2026-03-16" }]) {
          for (const role of [undefined, "mentor"]) {
            const got = await staffOnShift(h.db, school.id, tz, period, role);
            const want = await staffOnShiftByJoin(h.db, school.id, tz, period, role);
            // Means of whole counts: the same to the last bits or so (PostgreSQL averages in numeric).
            const round = (m: Map<string, number> | null) => (m === null ? null : [...m].map(([k, v]) => [k, Math.round(v * 1e9) / 1e9]).sort());
            expect(round(got), `${tz} ${period.from} ${role}`).toEqual(round(want));
            seen += [...want.values()].filter((v) => v > 0).length;
          }
        }
      }
      expect(seen).toBeGreaterThan(0);
    });

    // Last: it answers an open episode, which changes the figures the tests above expect.
    it("shares a read of the calendars asked while one runs; a read asked after it reads them again, and builds them again only when a row changed", async () => {
      const [a, b] = await Promise.all([loadCalendars(h.db, school.id), loadCalendars(h.db, school.id)]);
      expect(b).toBe(a);
      const def = a.defaultCalendarId!;
      expect(a.calendars.get(def)?.holidays.has("2026-03-09")).toBe(true);
      // What the derivation builds from the rows as it reads them (three statements of its own).
      const ctx = await loadSchoolContext(h.db, school.id, NOW);
      expect({ calendars: a.calendars, defaultCalendarId: a.defaultCalendarId }).toEqual({ calendars: ctx.calendars, defaultCalendarId: ctx.defaultCalendarId });
      // Every policy of the school, none with a calendar of its own (the default's).
      const policies = await h.db.select({ id: slaPolicies.id }).from(slaPolicies).where(eq(slaPolicies.schoolId, school.id));
      expect(policies.length).toBeGreaterThan(0);
      expect(a.policyCalendars).toEqual(new Map(policies.map((p) => [p.id, null])));
      // The same rows: the calendars as built.
      expect(await loadCalendars(h.db, school.id)).toBe(a);
      await h.db.insert(calendarDays).values({ schoolId: school.id, calendarId: def, day: "2026-03-10", kind: "holiday", note: "test" });
      try {
        const edited = await loadCalendars(h.db, school.id);
        expect(edited).not.toBe(a);
        expect(edited.calendars.get(def)?.holidays.has("2026-03-10")).toBe(true);
        const ctx2 = await loadSchoolContext(h.db, school.id, NOW);
        expect({ calendars: edited.calendars, defaultCalendarId: edited.defaultCalendarId }).toEqual({ calendars: ctx2.calendars, defaultCalendarId: ctx2.defaultCalendarId });
      } finally {
        await h.db.delete(calendarDays).where(and(eq(calendarDays.schoolId, school.id), eq(calendarDays.day, "2026-03-10")));
      }
      expect(await loadCalendars(h.db, school.id)).toEqual(a);
      // A policy given a calendar of its own shows at the next read, its episodes unchanged.
      const first = policies[0]!.id;
      await h.db.update(slaPolicies).set({ calendarId: def }).where(eq(slaPolicies.id, first));
      try {
        const moved = await loadCalendars(h.db, school.id);
        expect(moved.policyCalendars.get(first)).toBe(def);
        expect(moved.calendars).toEqual(a.calendars);
      } finally {
        await h.db.update(slaPolicies).set({ calendarId: null }).where(eq(slaPolicies.id, first));
      }
      expect(await loadCalendars(h.db, school.id)).toEqual(a);
    });

    it("judges the kept open episodes at each moment from one preparation; a calendar edit shows at the next view", async () => {
      // The reference: each open episode judged by judgeOpenEpisodes from its row, its policy's calendar named.
      const reference = async (at: Date) => {
        const open = await rows<{ id: unknown; opened_at: string; target_minutes: unknown; clock: string; calendar_id: unknown }>(
          h.db,
          sql`select e.id, to_char(e.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at, e.target_minutes, e.clock::text as clock, p.calendar_id
              from episodes e left join sla_policies p on p.id = e.policy_id where e.school_id = ${school.id} and e.status = 'open' and e.target_minutes is not null`,
        );
        const judged = await judgeOpenEpisodes(h.db, school.id, open.map((o) => ({ id: Number(o.id), openedAt: new Date(o.opened_at), target: Number(o.target_minutes), clock: o.clock === "business" ? "business" : "calendar", calendarId: o.calendar_id === null ? null : Number(o.calendar_id) })), at);
        return Object.fromEntries([...judged].map(([id, j]) => [id, [j.breachingNow, j.atRisk]]));
      };
      const judge = async (at: Date, withPeople = false) =>
        Object.fromEntries((await judgedOpenEpisodes(h.db, school.id, school.timezone, null, at, withPeople)).flatMap((e) => (withPeople && !(String(e.id) in byId) ? [] : [[e.id, [e.breachingNow, e.atRisk]]])));
      const byId: Record<string, unknown> = await reference(NOW);
      // Before and after a closing time, across a night and on the next working morning.
      const moments = [NOW, new Date(NOW.getTime() + 40 * 60_000), msk("2026-03-12", "19:00"), msk("2026-03-13", "10:00"), NOW];
      const seen = new Set<string>();
      for (const at of moments) {
        const expected = await reference(at);
        expect(await judge(at), at.toISOString()).toEqual(expected);
        expect(await judge(at, true), at.toISOString()).toEqual(expected);
        seen.add(JSON.stringify(expected));
      }
      // The moments judge differently (the episodes' states move on).
      expect(seen.size).toBeGreaterThanOrEqual(3);
      // The open episodes of 2026-03-12 waited in business time; with that day a holiday they have waited none.
      const def = (await loadCalendars(h.db, school.id)).defaultCalendarId!;
      const before = await judge(NOW);
      await h.db.insert(calendarDays).values({ schoolId: school.id, calendarId: def, day: "2026-03-12", kind: "holiday", note: "test" });
      try {
        const holiday = await judge(NOW);
        expect(holiday).toEqual(await reference(NOW));
        expect(holiday).not.toEqual(before);
      } finally {
        await h.db.delete(calendarDays).where(and(eq(calendarDays.schoolId, school.id), eq(calendarDays.day, "2026-03-12")));
      }
      expect(await judge(NOW)).toEqual(before);
    });

    it("keeps the filter choices for FILTER_OPTIONS_KEEP_MS: a renamed or added channel shows once they are older", async () => {
      const t0 = 30_000_000; // the process clock (performance.now()), given
      forgetFilterOptions(h.db);
      const first = await filterOptions(h.db, school.id, t0);
      expect(first.channels.map((c) => c.title)).toEqual(["Кураторский чат", "Менторский чат"]);
      expect(first.roles.find((r) => r.key === "coordinator")?.label).toBe("куратор");
      expect(first.cohorts.map((c) => c.title)).toEqual(["Поток 1", "Поток 2"]);
      const [g2] = await h.db.select({ id: channelsTable.id }).from(channelsTable).where(and(eq(channelsTable.schoolId, school.id), eq(channelsTable.externalId, G2.externalId)));
      await h.db.update(channelsTable).set({ title: "Менторский чат 2" }).where(eq(channelsTable.id, g2!.id));
      try {
        expect(await filterOptions(h.db, school.id, t0 + FILTER_OPTIONS_KEEP_MS - 1)).toBe(first);
        const later = await filterOptions(h.db, school.id, t0 + FILTER_OPTIONS_KEEP_MS);
        expect(later.channels.map((c) => c.title)).toEqual(["Кураторский чат", "Менторский чат 2"]);
        // Kept per handle and school: another school's choices are its own (none here), read at once.
        expect((await filterOptions(h.db, school.id + 1000, t0)).channels).toEqual([]);
        // Forgotten (tests, the bench's first views), they are read at once.
        await h.db.update(channelsTable).set({ title: G2.title }).where(eq(channelsTable.id, g2!.id));
        forgetFilterOptions(h.db);
        expect(await filterOptions(h.db, school.id, t0 + FILTER_OPTIONS_KEEP_MS + 1)).toEqual(first);
      } finally {
        await h.db.update(channelsTable).set({ title: G2.title }).where(eq(channelsTable.id, g2!.id));
        forgetFilterOptions(h.db);
      }
    });

    it("follows a link to an episode that changed to the episode its opening message opens now", async () => {
      const open = await episodeList(h.db, school.id, school.timezone, PERIOD, { status: "open" }, NOW, page);
      const asked = open.rows.find((r) => r.openedAt === "2026-03-12T08:00:00.000Z"); // s2: "А сертификат когда?"
      expect(asked).toBeDefined();
      const before = await getEpisodeView(h.db, school.id, school.timezone, asked!.id, NOW);
      expect(before).toMatchObject({ status: "open", openedMessageId: asked!.openedMessageId });
      const [q] = await rows<{ external_id: string }>(h.db, sql`select external_id from messages where id = ${asked!.openedMessageId}`);
      await storeEvents(h.db, school.id, [m(G1, "anna", msk("2026-03-12", "11:30"), "Через неделю", { replyTo: { externalId: q!.external_id, author: { externalId: "s2" } } })]);
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });

      // Answered, the episode is stored anew: its old id names nothing (replaceEpisodes) ...
      expect(await currentEpisodeId(h.db, school.id, asked!.id, null)).toBeNull();
      expect(await getEpisodeView(h.db, school.id, school.timezone, asked!.id, NOW)).toBeNull();
      // ... and the link's opening message finds the current one.
      const now = await currentEpisodeId(h.db, school.id, asked!.id, asked!.openedMessageId);
      expect(now).not.toBeNull();
      expect(now).not.toBe(asked!.id);
      expect(await getEpisodeView(h.db, school.id, school.timezone, now!, NOW)).toMatchObject({ status: "answered", responder: "Анна", openedMessageId: asked!.openedMessageId });
      // A live id is its own episode whatever the message says; another school's link finds nothing here.
      const other = open.rows.find((r) => r.id !== asked!.id)!;
      expect(await currentEpisodeId(h.db, school.id, other.id, asked!.openedMessageId)).toBe(other.id);
      expect(await currentEpisodeId(h.db, school.id + 1000, asked!.id, asked!.openedMessageId)).toBeNull();
      // The URL form (lib/reports linkedEpisodeId): `m` as the link carries it; a value that does not parse is no fallback.
      expect(await linkedEpisodeId(h.db, school, asked!.id, { m: String(asked!.openedMessageId) })).toBe(now);
      expect(await linkedEpisodeId(h.db, school, asked!.id, { m: "x1" })).toBeNull();
      expect(episodeHref("hand", now!, asked!.openedMessageId)).toBe(`/episodes/${now}?school=hand&m=${asked!.openedMessageId}`);
    });
  });
}

/** staffOnShift's definition, as first written: every hour of the period joined with every occurrence. */
async function staffOnShiftByJoin(db: DbHandle["db"], schoolId: number, tz: string, period: { from: string; to: string }, role?: string): Promise<Map<string, number>> {
  const start = sql`(${period.from}::date)::timestamp at time zone ${tz}`;
  const end = sql`(${period.to}::date)::timestamp at time zone ${tz}`;
  const roleCond = role && role !== "none" ? sql`and s.role::text = ${role}` : sql``;
  const found = await rows<{ dow: unknown; hour: unknown; staff: unknown }>(
    db,
    sql`with hours as (select h from generate_series(${start}, ${end} - interval '1 hour', interval '1 hour') h),
        occ as (
          select s.person_id, s.starts_at + k * interval '7 days' as st, s.ends_at + k * interval '7 days' as en
          from shifts s cross join lateral generate_series(0, case when s.weekly
            then greatest(0, ceil(extract(epoch from (least(coalesce(s.repeat_until, ${end}), ${end}) - s.starts_at)) / 604800))::int else 0 end) k
          where s.school_id = ${schoolId} ${roleCond} and (not s.weekly or s.repeat_until is null or s.starts_at + k * interval '7 days' <= s.repeat_until)),
        per_hour as (
          select h, count(distinct o.person_id) as n from hours left join occ o on o.st <= h and o.en > h group by h)
        select extract(isodow from h at time zone ${tz})::int as dow, extract(hour from h at time zone ${tz})::int as hour, avg(n)::float8 as staff
        from per_hour group by 1, 2`,
  );
  return new Map(found.map((r) => [`${Number(r.dow)}:${Number(r.hour)}`, Number(r.staff)]));
}
