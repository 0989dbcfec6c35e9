import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq, inArray, sql } from "drizzle-orm";
import { DateTime } from "luxon";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { channels, people, personRoles, shifts } from "@/db/schema";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { upsertSource } from "@/db/queries/sources";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { CHANNEL_LABELS_KEEP_MS, QUEUE_ROSTER_KEEP_MS, channelLabels, forgetQueueKept, liveQueue, queueRoster, staffAt, nameQueueEntries, shiftCovers, suggestTaker, type QueueStaff } from "@/db/queries/reports/queue";
import { forgetOpenEpisodes, openEpisodes } from "@/db/queries/reports/common";
import { QUEUE_MAX_ROWS, QUEUE_PAGE, queueCounts, queueReport } from "@/lib/reports/queue";
import { handleWebhookWith } from "@/lib/dal/webhooks";
import { deriveIdle } from "@/lib/dal/derive";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";
import type { SchoolConfigInput } from "@/lib/config/schema";

/**
 * A hand-built queue. Calendar Mon–Fri 09:00–18:00 Moscow; "now" is Thu 2026-03-12 12:00.
 * Policies: coordinator 120 business; mentor 1440 calendar; urgent 15 calendar. Marк is on a weekly
 * Thursday 10:00–14:00 shift created a week earlier; Olga's Monday shift is not on now.
 */
const msk = (day: string, hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: "Europe/Moscow" }).toJSDate();
const NOW = msk("2026-03-12", "12:00");
const src = { kind: "telegram" as const, externalId: "tg" };
const G1 = { externalId: "-100", kind: "group" as const, title: "Кураторский чат" };
const G2 = { externalId: "-200", kind: "group" as const, title: "Менторский чат" };
const G3 = { externalId: "-300", kind: "group" as const, title: "Общий чат" };
let seq = 0;
const m = (channel: MessageEvent["channel"], author: string, at: Date, text: string): MessageEvent => ({
  type: "message", action: "create", source: src, channel, externalId: `m${++seq}`, author: { externalId: author }, sentAt: at, text,
});
const roster: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "olga", name: "Ольга", email: "olga@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
  { type: "roster", source: src, identity: { externalId: "mia", name: "Мия", email: "mia@s.test" }, role: "mentor", team: "B" },
];
const messages: MessageEvent[] = [
  m(G1, "s1", msk("2026-03-12", "09:30"), "Где материалы?"), // Ea: coordinator, 150 bus > 120: breaching, deadline 11:30
  m(G1, "s2", msk("2026-03-12", "11:00"), "А сертификат когда?"), // Eb: 60 of 120: ok, deadline 13:00
  m(G2, "s1", msk("2026-03-11", "16:00"), "Как решить задачу?"), // Ec: mentor, 1200 of 1440 cal: at risk, deadline 03-12 16:00
  m(G2, "s3", msk("2026-03-12", "11:30"), "Почему тест не проходит?"), // Ed: ok, deadline 03-13 11:30
  m(G2, "s4", msk("2026-03-12", "11:50"), "Ужас, никто не отвечает, где доступ?"), // Ee: urgent 15 cal, 10 min: ok, deadline 12:05
  m(G3, "s2", msk("2026-03-12", "10:00"), "Кто знает, где запись?"), // Ef: no owner role, no policy: last
];
const config: SchoolConfigInput = {
  calendars: [{ name: "Офис", timezone: "Europe/Moscow", default: true, weekly: { "mon-fri": ["09:00-18:00"] } }],
  slaPolicies: [
    { name: "coordinator 2h", ownerRole: "coordinator", targetMinutes: 120, clock: "business" },
    { name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" },
    { name: "urgent 15m", priority: "urgent", targetMinutes: 15, clock: "calendar" },
  ],
  channels: [
    { source: "telegram", externalId: "-100", ownerRole: "coordinator", ownerEmail: "anna@s.test" },
    { source: "telegram", externalId: "-200", ownerRole: "mentor" },
    { source: "telegram", externalId: "-300", purpose: "support" },
  ],
};

describe("queue helpers (pure)", () => {
  const base = { personId: 1, startsAt: msk("2026-03-05", "10:00"), endsAt: msk("2026-03-05", "14:00"), weekly: true, repeatUntil: null };
  it.each([
    ["the same weekday a week later, inside", base, msk("2026-03-12", "12:00"), true],
    ["the same weekday, after the end", base, msk("2026-03-12", "14:00"), false],
    ["another weekday", base, msk("2026-03-13", "12:00"), false],
    ["before the first occurrence", base, msk("2026-03-05", "09:59"), false],
    ["past repeat_until", { ...base, repeatUntil: msk("2026-03-10", "00:00") }, msk("2026-03-12", "12:00"), false],
    ["a one-off shift, inside", { ...base, weekly: false }, msk("2026-03-05", "13:59"), true],
    ["a one-off shift, a week later", { ...base, weekly: false }, msk("2026-03-12", "12:00"), false],
    ["a night shift across midnight, after midnight", { ...base, startsAt: msk("2026-03-05", "22:00"), endsAt: msk("2026-03-06", "06:00") }, msk("2026-03-13", "03:00"), true],
  ])("shiftCovers: %s", (_name, shift, at, want) => {
    expect(shiftCovers(shift, at, "Europe/Moscow")).toBe(want);
  });

  it("keeps a weekly shift on local wall-clock hours across DST", () => {
    const berlin = (iso: string) => DateTime.fromISO(iso, { zone: "Europe/Berlin" }).toJSDate();
    const winter = { personId: 1, startsAt: berlin("2026-03-16T09:00"), endsAt: berlin("2026-03-16T10:00"), weekly: true, repeatUntil: null };
    // Clocks go forward on 2026-03-29: 09:30 local on Monday 2026-04-06 is covered, 08:30 local (= 09:30 winter time) is not.
    expect(shiftCovers(winter, berlin("2026-04-06T09:30"), "Europe/Berlin")).toBe(true);
    expect(shiftCovers(winter, berlin("2026-04-06T08:30"), "Europe/Berlin")).toBe(false);
  });

  const staff: QueueStaff[] = [
    { personId: 1, name: "Анна", role: "coordinator", team: "A", openOwned: 5, onShift: false },
    { personId: 2, name: "Борис", role: "coordinator", team: "A", openOwned: 1, onShift: true },
    { personId: 3, name: "Вера", role: "coordinator", team: "A", openOwned: 0, onShift: false },
    { personId: 4, name: "Глеб", role: "mentor", team: "B", openOwned: 2, onShift: false },
    { personId: 5, name: "Дина", role: "mentor", team: "B", openOwned: 2, onShift: false },
  ];
  it.each([
    ["the owner, however loaded", { ownerPersonId: 1, ownerRole: "coordinator" }, new Map<number, number>(), 1, "owner"],
    ["on shift beats less loaded off shift", { ownerPersonId: null, ownerRole: "coordinator" }, new Map<number, number>(), 2, "onShift"],
    ["nobody of the role on shift: least loaded, ties by name", { ownerPersonId: null, ownerRole: "mentor" }, new Map<number, number>(), 4, "leastLoaded"],
    ["suggestions already made count as load", { ownerPersonId: null, ownerRole: "mentor" }, new Map([[4, 1]]), 5, "leastLoaded"],
    ["no owner role: any staff, on shift first", { ownerPersonId: null, ownerRole: null }, new Map<number, number>(), 2, "onShift"],
  ] as const)("suggestTaker: %s", (_name, ep, extra, id, reason) => {
    expect(suggestTaker(ep, staff, new Map(extra))).toMatchObject({ person: { personId: id }, reason });
  });
  it("suggestTaker: nobody of the role", () => {
    expect(suggestTaker({ ownerPersonId: null, ownerRole: "reviewer" }, staff, new Map())).toBeNull();
  });
});

for (const engine of engines()) {
  describe(`queue on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "q", name: "Q", timezone: "Europe/Moscow" });
      await storeEvents(h.db, school.id, [...roster, ...messages]);
      await applyConfig(h.db, school.id, config);
      const ids = new Map((await h.db.select({ id: people.id, email: people.email }).from(people).where(and(eq(people.schoolId, school.id), inArray(people.email, ["mark@s.test", "olga@s.test"])))).map((p) => [p.email, p.id]));
      await h.db.insert(shifts).values([
        { schoolId: school.id, personId: ids.get("mark@s.test")!, role: "mentor", startsAt: msk("2026-03-05", "10:00"), endsAt: msk("2026-03-05", "14:00"), weekly: true },
        { schoolId: school.id, personId: ids.get("olga@s.test")!, role: "coordinator", startsAt: msk("2026-03-02", "09:00"), endsAt: msk("2026-03-02", "18:00"), weekly: true },
      ]);
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
    });
    afterAll(async () => h?.drop());

    it("orders open episodes by time left, judged at now on the policy's clock", async () => {
      const q = { items: await nameQueueEntries(h.db, school.id, (await liveQueue(h.db, school.id, school.timezone, NOW)).items) };
      const row = (text: string) => q.items.find((i) => i.openedAt === messages.find((x) => x.text === text)?.sentAt.toISOString());
      expect(q.items.map((i) => [i.studentName, i.channelTitle, i.state])).toEqual([
        ["s1", "Кураторский чат", "breaching"],
        ["s4", "Менторский чат", "ok"],
        ["s2", "Кураторский чат", "ok"],
        ["s1", "Менторский чат", "atRisk"],
        ["s3", "Менторский чат", "ok"],
        ["s2", "Общий чат", "noSla"],
      ]);
      expect(row("Где материалы?")).toMatchObject({ deadline: msk("2026-03-12", "11:30").toISOString(), atRiskAt: msk("2026-03-12", "11:06").toISOString(), elapsedMinutes: 150, targetMinutes: 120, clock: "business" });
      expect(row("Ужас, никто не отвечает, где доступ?")).toMatchObject({ priority: "urgent", targetMinutes: 15, deadline: msk("2026-03-12", "12:05").toISOString() });
      expect(row("Как решить задачу?")).toMatchObject({ deadline: msk("2026-03-12", "16:00").toISOString(), elapsedMinutes: 1200 });
      expect(row("Кто знает, где запись?")).toMatchObject({ deadline: null, targetMinutes: null, ownerRole: null });
    });

    it("suggests the owner, else the least-loaded staff of the role on shift", async () => {
      const q = await liveQueue(h.db, school.id, school.timezone, NOW);
      expect(q.staff.filter((s) => s.onShift).map((s) => s.name)).toEqual(["Марк"]);
      expect(q.staff.find((s) => s.name === "Анна")?.openOwned).toBe(2);
      expect(q.items.map((i) => [i.suggested?.name, i.suggested?.reason])).toEqual([
        ["Анна", "owner"], ["Марк", "onShift"], ["Анна", "owner"], ["Марк", "onShift"], ["Марк", "onShift"], ["Марк", "onShift"],
      ]);
      // An hour after Марк's shift nobody is on: the least loaded mentor, counting suggestions already made.
      const later = await liveQueue(h.db, school.id, school.timezone, msk("2026-03-12", "15:00"));
      expect(later.items.filter((i) => i.ownerRole === "mentor").map((i) => [i.suggested?.name, i.suggested?.reason])).toEqual([
        ["Марк", "leastLoaded"], ["Мия", "leastLoaded"], ["Марк", "leastLoaded"],
      ]);
    });

    it("filters by role, team and channel, and counts states", async () => {
      const all = await queueReport(h.db, school, {}, NOW);
      expect(all).toMatchObject({ totalOpen: 6, counts: { breaching: 1, atRisk: 1, ok: 3, noSla: 1 }, onShift: 1, staffCount: 4 });
      expect(all.options.teams).toEqual(["A", "B"]);
      const mentors = await queueReport(h.db, school, { role: "mentor" }, NOW);
      expect(mentors.items).toHaveLength(3);
      expect((await queueReport(h.db, school, { role: "none" }, NOW)).items.map((i) => i.channelTitle)).toEqual(["Общий чат"]);
      expect((await queueReport(h.db, school, { team: "B" }, NOW)).items).toHaveLength(0);
      const g1 = all.options.channels.find((c) => c.title === "Кураторский чат")!;
      expect((await queueReport(h.db, school, { channel: String(g1.id) }, NOW)).items.map((i) => i.state)).toEqual(["breaching", "ok"]);
      // A bad filter value is ignored, not an error.
      expect((await queueReport(h.db, school, { role: "boss", channel: "x" }, NOW)).items).toHaveLength(6);
    });

    it("shows the most urgent `limit` rows, named, and counts every row", async () => {
      const all = await queueReport(h.db, school, {}, NOW);
      expect(all).toMatchObject({ matched: 6, limit: QUEUE_PAGE });
      const two = await queueReport(h.db, school, { limit: "2" }, NOW);
      expect(two.items).toEqual(all.items.slice(0, 2));
      expect(two.items.map((i) => i.studentName)).toEqual(["s1", "s4"]);
      expect(two).toMatchObject({ matched: 6, limit: 2, totalOpen: 6, counts: all.counts, options: all.options });
      // Filters apply before the limit; a limit that does not parse is the first page.
      const mentors = await queueReport(h.db, school, { role: "mentor", limit: "1" }, NOW);
      expect(mentors).toMatchObject({ matched: 3, limit: 1 });
      expect(mentors.items.map((i) => i.ownerRole)).toEqual(["mentor"]);
      for (const bad of ["0", "-3", "1.5", "x"]) expect((await queueReport(h.db, school, { limit: bad }, NOW)).limit).toBe(QUEUE_PAGE);
      // More than the most a poll shows is that most ("show more" near the end cannot fall back to the first page).
      expect((await queueReport(h.db, school, { limit: "100000" }, NOW)).limit).toBe(QUEUE_MAX_ROWS);
      // Every row (the CSV), and none (an executive's counts).
      expect((await queueReport(h.db, school, { limit: "1" }, NOW, { limit: Infinity })).items).toEqual(all.items);
      expect(await queueReport(h.db, school, {}, NOW, { limit: 0 })).toMatchObject({ items: [], matched: 6, limit: 0, counts: all.counts });
    });

    it("counts as the report counts (the KPI cards' read): open total, states and opening instants under role and channel filters", async () => {
      const all = await queueReport(h.db, school, {}, NOW);
      const g1 = all.options.channels.find((c) => c.title === "Кураторский чат")!;
      for (const at of [NOW, msk("2026-03-12", "15:00"), msk("2026-03-16", "10:00")]) {
        for (const q of [{}, { role: "mentor" }, { role: "coordinator" }, { role: "none" }, { channel: String(g1.id) }, { role: "mentor", channel: String(g1.id) }, { role: "boss", channel: "x" }]) {
          const full = await queueReport(h.db, school, q, at);
          const slim = await queueCounts(h.db, school, q, at);
          expect(slim).toEqual({ totalOpen: full.totalOpen, counts: full.counts, items: expect.arrayContaining(full.items.map((i) => ({ openedAt: i.openedAt }))) });
          expect(slim.items).toHaveLength(full.matched);
        }
      }
      expect((await queueCounts(h.db, school, {}, NOW)).counts).toEqual({ breaching: 1, atRisk: 1, ok: 3, noSla: 1 });
    });

    it("reads only the shifts that can cover now, and still finds those that do", async () => {
      const [mia] = await h.db.select({ id: people.id }).from(people).where(and(eq(people.schoolId, school.id), eq(people.email, "mia@s.test")));
      const personId = mia!.id;
      const added = await h.db.insert(shifts).values([
        // Over before now; a weekly one whose repeats ended; one whose this-week occurrence starts past repeat_until.
        { schoolId: school.id, personId, role: "mentor", startsAt: msk("2026-03-12", "11:00"), endsAt: msk("2026-03-12", "11:59"), weekly: false },
        { schoolId: school.id, personId, role: "mentor", startsAt: msk("2026-02-19", "10:00"), endsAt: msk("2026-02-19", "14:00"), weekly: true, repeatUntil: msk("2026-03-01", "00:00") },
        { schoolId: school.id, personId, role: "mentor", startsAt: msk("2026-01-01", "11:00"), endsAt: msk("2026-01-01", "13:00"), weekly: true, repeatUntil: msk("2026-03-12", "10:00") },
      ]).returning({ id: shifts.id });
      expect((await liveQueue(h.db, school.id, school.timezone, NOW)).staff.filter((s) => s.onShift).map((s) => s.name)).toEqual(["Марк"]);
      // A weekly shift whose last occurrence (this Thursday 10:00–14:00) started before repeat_until is on.
      added.push(...(await h.db.insert(shifts).values({ schoolId: school.id, personId, role: "mentor", startsAt: msk("2026-02-26", "10:00"), endsAt: msk("2026-02-26", "14:00"), weekly: true, repeatUntil: msk("2026-03-12", "11:00") }).returning({ id: shifts.id })));
      expect((await liveQueue(h.db, school.id, school.timezone, NOW)).staff.filter((s) => s.onShift).map((s) => s.name)).toEqual(["Марк", "Мия"]);
      await h.db.delete(shifts).where(inArray(shifts.id, added.map((a) => a.id)));
    });

    it("derives a webhook's message in the background: the queue shows it within 2 s", async () => {
      const secret = "queue-test-secret-0123456789";
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot9", name: "Bot", secret });
      const sent = Math.floor(Date.now() / 1000);
      const update = { update_id: 9001, message: { message_id: 1, from: { id: 777001, is_bot: false, first_name: "Новый" }, chat: { id: 777001, type: "private", first_name: "Новый" }, date: sent, text: "Здравствуйте, не могу войти в курс" } };
      const t0 = performance.now();
      const res = await handleWebhookWith(h.db, "telegram", new Request("http://x/api/ingest/telegram?school=q&source=bot9", { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body: JSON.stringify(update) }), new Date());
      const answered = performance.now() - t0;
      expect(res.status).toBe(200);
      await deriveIdle(school.id);
      const visible = performance.now() - t0;
      const q = await liveQueue(h.db, school.id, school.timezone, new Date());
      expect((await nameQueueEntries(h.db, school.id, q.items)).some((i) => i.studentName === "Новый" && i.channelKind === "dm")).toBe(true);
      console.log(`webhook answered in ${answered.toFixed(0)} ms; episode derived ${visible.toFixed(0)} ms after the delivery`);
      expect(visible).toBeLessThan(2000);
    });

    it("keeps open episodes between polls by id, and shows a re-derived episode's new values at the next poll", async () => {
      const of = (r: Awaited<ReturnType<typeof queueReport>>, student: string) => r.items.filter((i) => i.studentName === student && i.channelTitle === "Менторский чат");
      const before = await queueReport(h.db, school, {}, NOW);
      const [ed] = of(before, "s3");
      // With the same open ids in the same order, a read returns the list it built last, as it is.
      const kept = await openEpisodes(h.db, school.id);
      expect(await openEpisodes(h.db, school.id)).toBe(kept);
      // Reads asked while one runs share it (the team page's load and its rebalancing items ask together).
      const [x, y] = [openEpisodes(h.db, school.id), openEpisodes(h.db, school.id)];
      expect(x).toBe(y);
      expect(await x).toBe(kept);
      const z = openEpisodes(h.db, school.id);
      expect(z).not.toBe(x);
      expect(await z).toBe(kept);
      expect(ed).toMatchObject({ messageCount: 1, lastStudentMessageAt: msk("2026-03-12", "11:30").toISOString() });
      // s3 writes again into their open episode: derivation replaces its row under a new id.
      await storeEvents(h.db, school.id, [m(G2, "s3", msk("2026-03-12", "11:40"), "И ещё: где логи?")]);
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
      const after = await queueReport(h.db, school, {}, NOW);
      expect(of(after, "s3")).toEqual([expect.objectContaining({ messageCount: 2, lastStudentMessageAt: msk("2026-03-12", "11:40").toISOString(), openedAt: ed!.openedAt })]);
      expect(of(after, "s3")[0]!.episodeId).not.toBe(ed!.episodeId);
      expect(after.items.some((i) => i.episodeId === ed!.episodeId)).toBe(false);
      expect(after.totalOpen).toBe(before.totalOpen);
      const changed = await openEpisodes(h.db, school.id);
      expect(changed).not.toBe(kept);
      expect(changed.map((o) => o.id)).not.toEqual(kept.map((o) => o.id));
      // A changed set is put in queue order in Node (its ids come in no promised order): as a read that kept
      // nothing orders it in its statement.
      forgetOpenEpisodes(h.db);
      expect(await openEpisodes(h.db, school.id)).toEqual(changed);
      // What a process that kept nothing reads.
      forgetOpenEpisodes(h.db);
      expect(await queueReport(h.db, school, {}, NOW)).toEqual(after);
    });

    it("keeps the channels' labels for CHANNEL_LABELS_KEEP_MS: a renamed channel shows once they are older, an unknown channel at once", async () => {
      const open = await openEpisodes(h.db, school.id);
      const t0 = 10_000_000; // the process clock (performance.now()), given
      const first = await channelLabels(h.db, school.id, open, t0);
      const [g2] = await h.db.select({ id: channels.id }).from(channels).where(and(eq(channels.schoolId, school.id), eq(channels.externalId, G2.externalId)));
      expect(first.get(g2!.id)?.title).toBe(G2.title);
      await h.db.update(channels).set({ title: "Менторский чат 2" }).where(eq(channels.id, g2!.id));
      try {
        expect((await channelLabels(h.db, school.id, open, t0 + CHANNEL_LABELS_KEEP_MS - 1)).get(g2!.id)?.title).toBe(G2.title);
        // A channel the kept labels do not have yet is read at once, beside the kept ones.
        const [g1] = await h.db.select({ id: channels.id }).from(channels).where(and(eq(channels.schoolId, school.id), eq(channels.externalId, G1.externalId)));
        await h.db.update(channels).set({ title: "Кураторский чат 2" }).where(eq(channels.id, g1!.id));
        const withoutG1 = open.filter((o) => o.channelId !== g1!.id);
        forgetQueueKept(h.db);
        await channelLabels(h.db, school.id, withoutG1, t0);
        const mixed = await channelLabels(h.db, school.id, open, t0 + 1);
        expect([mixed.get(g1!.id)?.title, mixed.get(g2!.id)?.title]).toEqual(["Кураторский чат 2", "Менторский чат 2"]);
        await h.db.update(channels).set({ title: G1.title }).where(eq(channels.id, g1!.id));
        // Once the kept labels are older than the window, every channel of the poll is read again.
        await h.db.update(channels).set({ title: G2.title }).where(eq(channels.id, g2!.id));
        expect((await channelLabels(h.db, school.id, open, t0 + 1 + CHANNEL_LABELS_KEEP_MS - 2)).get(g1!.id)?.title).toBe("Кураторский чат 2");
        const later = await channelLabels(h.db, school.id, open, t0 + CHANNEL_LABELS_KEEP_MS);
        expect([later.get(g1!.id)?.title, later.get(g2!.id)?.title]).toEqual([G1.title, G2.title]);
      } finally {
        await h.db.update(channels).set({ title: G2.title }).where(eq(channels.id, g2!.id));
        forgetQueueKept(h.db);
      }
      // What the queue shows: the labels of a read that kept nothing.
      const kept = await queueReport(h.db, school, {}, NOW);
      forgetQueueKept(h.db);
      forgetOpenEpisodes(h.db);
      expect(await queueReport(h.db, school, {}, NOW)).toEqual(kept);
    });

    it("keeps the roster for QUEUE_ROSTER_KEEP_MS and picks the roles valid at now: the staff PostgreSQL picks", async () => {
      // The staff as the queue read them before it kept them: one role per person valid at `at`, names in order.
      const byPostgres = async (at: Date) =>
        (
          await rows<{ id: number | string; name: string; role: string }>(
            h.db,
            sql`with staff as (
                  select distinct on (r.person_id) r.person_id, r.role::text as role from person_roles r
                  where r.school_id = ${school.id} and r.role::text in ('coordinator', 'mentor', 'reviewer', 'support', 'team_lead')
                    and (r.valid_from is null or r.valid_from <= ${at.toISOString()}::timestamptz) and (r.valid_to is null or r.valid_to > ${at.toISOString()}::timestamptz)
                  order by r.person_id, array_position(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead'], r.role::text))
                select p.id, p.display_name as name, x.role from staff x join people p on p.id = x.person_id and p.school_id = ${school.id}
                where not p.is_bot order by p.display_name, p.id`,
          )
        ).map((r) => ({ personId: Number(r.id), name: r.name, role: r.role }));
      const [s1] = await h.db.select({ id: people.id }).from(people).where(and(eq(people.schoolId, school.id), eq(people.displayName, "s1")));
      const t0 = 20_000_000;
      forgetQueueKept(h.db);
      try {
        // s1 becomes a mentor an hour after NOW, for a day: the kept roster shows it exactly then.
        await h.db.insert(personRoles).values({ schoolId: school.id, personId: s1!.id, role: "mentor", validFrom: new Date(NOW.getTime() + 3_600_000), validTo: new Date(NOW.getTime() + 86_400_000) });
        const roster = await queueRoster(h.db, school.id, t0);
        for (const at of [NOW, new Date(NOW.getTime() + 3_600_000 - 1), new Date(NOW.getTime() + 3_600_000), new Date(NOW.getTime() + 86_400_000)]) {
          expect(staffAt(roster, at.getTime()), at.toISOString()).toEqual(await byPostgres(at));
        }
        expect(staffAt(roster, NOW.getTime() + 3_600_000).some((x) => x.personId === s1!.id)).toBe(true);
        // A roster edit is seen once the kept roster is QUEUE_ROSTER_KEEP_MS old.
        await h.db.delete(personRoles).where(and(eq(personRoles.personId, s1!.id), eq(personRoles.role, "mentor")));
        expect((await queueRoster(h.db, school.id, t0 + QUEUE_ROSTER_KEEP_MS - 1)).roles.some((r) => r.personId === s1!.id && r.role === "mentor")).toBe(true);
        expect((await queueRoster(h.db, school.id, t0 + QUEUE_ROSTER_KEEP_MS)).roles.some((r) => r.personId === s1!.id && r.role === "mentor")).toBe(false);
      } finally {
        await h.db.delete(personRoles).where(and(eq(personRoles.personId, s1!.id), eq(personRoles.role, "mentor")));
        forgetQueueKept(h.db);
      }
      expect((await liveQueue(h.db, school.id, school.timezone, NOW)).staff.map((x) => ({ personId: x.personId, name: x.name, role: x.role }))).toEqual(await byPostgres(NOW));
    });

    it("judges kept episodes by their policy's calendar as it is now", async () => {
      const calendarOf = (r: Awaited<ReturnType<typeof liveQueue>>) => r.items.find((i) => i.openedAt === msk("2026-03-12", "09:30").toISOString());
      expect(calendarOf(await liveQueue(h.db, school.id, school.timezone, NOW))).toMatchObject({ elapsedMinutes: 150, state: "breaching" });
      // The coordinator policy moves to a calendar that opens at 11:00: Ea has waited 60 business minutes, not 150.
      await applyConfig(h.db, school.id, {
        ...config,
        calendars: [...(config.calendars ?? []), { name: "Поздний", timezone: "Europe/Moscow", weekly: { "mon-fri": ["11:00-18:00"] } }],
        slaPolicies: (config.slaPolicies ?? []).map((p) => (p.ownerRole === "coordinator" ? { ...p, calendar: "Поздний" } : p)),
      });
      expect(calendarOf(await liveQueue(h.db, school.id, school.timezone, NOW))).toMatchObject({ elapsedMinutes: 60, state: "ok" });
      await applyConfig(h.db, school.id, config);
      expect(calendarOf(await liveQueue(h.db, school.id, school.timezone, NOW))).toMatchObject({ elapsedMinutes: 150, state: "breaching" });
    });
  });
}

/**
 * Staff on shift through two DST changes in a zone that has them: the live queue reads only the weekly
 * shifts whose local week can put them on now (a filter in SQL), and must find every one shiftCovers finds
 * over all of them. Berlin: clocks go forward on 2026-03-29 at 02:00 and back on 2026-10-25 at 03:00.
 */
for (const engine of engines()) {
  describe(`staff on shift across DST on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    const berlin = (iso: string) => DateTime.fromISO(iso, { zone: "Europe/Berlin" }).toJSDate();
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "b", name: "B", timezone: "Europe/Berlin" });
      const names = ["a", "b", "c", "d", "e", "f"];
      await storeEvents(h.db, school.id, names.map((n): IngestEvent => ({ type: "roster", source: src, identity: { externalId: n, name: n.toUpperCase(), email: `${n}@b.test` }, role: "mentor" })));
      const ids = new Map((await h.db.select({ id: people.id, email: people.email }).from(people).where(eq(people.schoolId, school.id))).map((p) => [p.email, p.id]));
      const shift = (who: string, from: string, to: string, weekly = true, until: string | null = null) => ({
        schoolId: school.id, personId: ids.get(`${who}@b.test`)!, role: "mentor" as const, startsAt: berlin(from), endsAt: berlin(to), weekly, repeatUntil: until === null ? null : berlin(until),
      });
      await h.db.insert(shifts).values([
        shift("a", "2026-01-04T01:00", "2026-01-04T04:00"), // Sundays 01:00–04:00, over both changes
        shift("b", "2026-01-03T22:00", "2026-01-04T06:00"), // Saturday night to Sunday morning
        shift("c", "2026-01-05T09:00", "2026-01-05T17:00"), // Mondays
        shift("d", "2026-07-05T02:30", "2026-07-05T03:30"), // Sundays 02:30–03:30, created in summer time
        shift("e", "2026-01-01T00:00", "2026-01-07T23:00"), // almost the whole week
        shift("f", "2026-01-04T01:00", "2026-01-04T04:00", true, "2026-03-20T00:00"), // repeats ended before the change
      ]);
    });
    afterAll(async () => h?.drop());

    it("finds every weekly shift that covers now, hour by hour around both changes", async () => {
      const all = (await h.db.select().from(shifts).where(eq(shifts.schoolId, school.id))).map((s) => ({ personId: s.personId, startsAt: s.startsAt, endsAt: s.endsAt, weekly: s.weekly, repeatUntil: s.repeatUntil }));
      const names = new Map((await h.db.select({ id: people.id, name: people.displayName }).from(people).where(eq(people.schoolId, school.id))).map((p) => [p.id, p.name]));
      let covered = 0;
      for (const first of ["2026-03-28T20:00:00Z", "2026-10-24T20:00:00Z", "2026-06-06T20:00:00Z"]) {
        for (let i = 0; i < 40; i++) {
          const at = new Date(Date.parse(first) + i * 30 * 60_000);
          const want = [...new Set(all.filter((s) => shiftCovers(s, at, school.timezone)).map((s) => names.get(s.personId)))].sort();
          const got = (await liveQueue(h.db, school.id, school.timezone, at)).staff.filter((s) => s.onShift).map((s) => s.name).sort();
          expect([at.toISOString(), got]).toEqual([at.toISOString(), want]);
          covered += want.length;
        }
      }
      // The hours asked do put people on shift (a filter that dropped every shift would not pass).
      expect(covered).toBeGreaterThan(100);
    });
  });
}
