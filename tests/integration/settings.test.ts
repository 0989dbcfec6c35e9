import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import { rows, sql, type DbHandle } from "@/db/client";
import { applyConfig } from "@/db/queries/config";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { settingsReport } from "@/db/queries/reports/settings";
import { applyConfigText, applyFieldEdit, applySourceSecret, importCalendarFile, importRosterText, settingsCsv, SETTINGS_TABLES } from "@/lib/dal/settings";
import { handleWebhookWith } from "@/lib/dal/webhooks";
import { deriveIdleAll } from "@/lib/dal/derive";
import { storeEvents } from "@/db/queries/ingest";
import { DEFAULT_RATING_POLICY } from "@/lib/ratings/policy";

const SECRET = "s3cr3t-do-not-show";

for (const engine of engines()) {
  describe(`settings page data on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot1", name: "Бот", secret: SECRET, storeGroupText: false });
      await upsertSource(h.db, { schoolId: school.id, kind: "xapi", externalId: "lrs", name: "LRS" });
      await applyConfig(h.db, school.id, {
        calendars: [{ name: "Москва", timezone: "Europe/Moscow", default: true, weekly: { "mon-fri": ["09:00-18:00"] }, holidays: ["2026-03-09"] }],
        slaPolicies: [{ name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" }],
      });
    });
    afterAll(async () => h?.drop());

    it("lists sources without their secrets, calendars and policies", async () => {
      const d = await settingsReport(h.db, school);
      const ratings = { ok: true, policy: DEFAULT_RATING_POLICY };
      expect(d.sources).toEqual([
        { kind: "telegram", externalId: "bot1", name: "Бот", storeGroupText: false, secretSet: true, webhookUrl: "/api/ingest/telegram?school=s&source=bot1", ratings },
        { kind: "xapi", externalId: "lrs", name: "LRS", storeGroupText: true, secretSet: false, webhookUrl: "/api/xapi/statements", ratings },
      ]);
      expect(JSON.stringify(d)).not.toContain(SECRET);
      expect(d.calendars).toHaveLength(1);
      expect(d.calendars[0]?.intervals).toHaveLength(5);
      expect(d.calendars[0]?.holidays).toBe(1);
      expect(d.policies.map((p) => [p.name, p.ownerRole, p.targetMinutes, p.clock, p.active])).toEqual([["mentor 24h", "mentor", 1440, "calendar", true]]);
      expect(d.channelCount).toBe(0);
      expect(d.unmappedCount).toBe(0);
    });

    it("applies a config document, changing a policy, and audits it", async () => {
      const doc = { slaPolicies: [{ name: "mentor 24h", ownerRole: "mentor", targetMinutes: 600, clock: "business" }] };
      const out = await applyConfigText(h.db, { schoolId: school.id, userId: null, text: JSON.stringify(doc) });
      expect(out.ok).toBe(true);
      const d = await settingsReport(h.db, school);
      expect(d.policies.map((p) => [p.name, p.targetMinutes, p.clock])).toEqual([["mentor 24h", 600, "business"]]);
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} order by id`);
      expect(log.map((r) => r.action)).toEqual(["config.apply"]);
    });

    it("refuses a bad document with JSON paths and changes nothing", async () => {
      const before = await settingsReport(h.db, school);
      const bad = { slaPolicies: [{ name: "mentor 24h", ownerRole: "mentor", targetMinutes: -5, clock: "business" }], calendars: [{ name: "X", timezone: "UTC", weekly: { mon: ["09:00-18:00"] }, files: ["/etc/passwd"] }] };
      const out = await applyConfigText(h.db, { schoolId: school.id, userId: null, text: JSON.stringify(bad) });
      expect(out.ok).toBe(false);
      if (out.ok) return;
      expect(out.issues.map((i) => i.path)).toContain("slaPolicies[0].targetMinutes");
      const after = await settingsReport(h.db, school);
      expect(after).toEqual(before);
      const withFile = { calendars: [{ name: "X", timezone: "UTC", weekly: { mon: ["09:00-18:00"] }, files: ["/etc/passwd"] }] };
      const fileOut = await applyConfigText(h.db, { schoolId: school.id, userId: null, text: JSON.stringify(withFile) });
      expect(fileOut.ok ? null : fileOut.issues.find((i) => i.path === "calendars[0].files[0]")?.message).toMatch(/not read from the settings page/);
      expect(await settingsReport(h.db, school)).toEqual(before);
      const notJson = await applyConfigText(h.db, { schoolId: school.id, userId: null, text: "{ nope" });
      expect(notJson.ok).toBe(false);
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} order by id`);
      expect(log.map((r) => r.action)).toEqual(["config.apply", "config.refused", "config.refused", "config.refused"]);
    });

    it("applies single fields through the same validated path, and audits each", async () => {
      const src = { kind: "telegram" as const, externalId: "bot1" };
      await storeEvents(h.db, school.id, [
        { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A" },
        { type: "enrollment", source: { kind: "lms_csv", externalId: "lms" }, student: { externalId: "st1", email: "st1@s.test" }, course: { externalId: "py" }, cohort: { externalId: "py-1", title: "Python 1" }, status: "active" },
        { type: "message", action: "create", source: src, channel: { externalId: "-100", kind: "group", title: "Чат потока" }, externalId: "m1", author: { externalId: "st1" }, sentAt: new Date("2026-03-02T10:00:00Z"), text: "Привет" },
      ]);
      const school2 = { id: school.id, slug: school.slug };
      const channel = { field: "channel", source: "telegram", sourceExternalId: "bot1", externalId: "-100" };
      const ok1 = await applyFieldEdit(h.db, { school: school2, userId: null, form: { ...channel, ownerRole: "coordinator", cohort: "py-1", attribution: "fifo", purpose: "" } });
      expect(ok1).toMatchObject({ ok: true, result: { channels: 1 } });
      const ok2 = await applyFieldEdit(h.db, { school: school2, userId: null, form: { field: "capacity", email: "anna@s.test", episodesPerHour: "2,5", maxStudents: "40" } });
      expect(ok2).toMatchObject({ ok: true, result: { capacities: 1 } });
      const ok3 = await applyFieldEdit(h.db, { school: school2, userId: null, form: { field: "policy", name: "mentor 24h", targetMinutes: "480" } });
      expect(ok3).toMatchObject({ ok: true, result: { policies: 1, policiesDeactivated: 0 } });
      const d = await settingsReport(h.db, school);
      expect(d.channels.map((c) => [c.externalId, c.ownerRole, c.cohortExternalId, c.attribution, c.purpose])).toEqual([["-100", "coordinator", "py-1", "fifo", "support"]]);
      expect(d.teams.flatMap((t) => t.members).map((m) => [m.email, m.episodesPerHour, m.maxStudents])).toEqual([["anna@s.test", 2.5, 40]]);
      expect(d.policies.map((p) => [p.name, p.targetMinutes, p.clock, p.active])).toEqual([["mentor 24h", 480, "business", true]]);
      // Clearing: "-" means null in the document.
      expect(await applyFieldEdit(h.db, { school: school2, userId: null, form: { ...channel, ownerRole: "-", cohort: "", attribution: "", purpose: "" } })).toMatchObject({ ok: true });
      expect((await settingsReport(h.db, school)).channels[0]?.ownerRole).toBeNull();

      const before = await settingsReport(h.db, school);
      const bad: Array<[Record<string, string>, string]> = [
        [{ ...channel, ownerRole: "", cohort: "no-such", attribution: "", purpose: "" }, "channels[0].cohort"],
        [{ field: "capacity", email: "nobody@s.test", episodesPerHour: "1", maxStudents: "" }, "capacities[0].email"],
        [{ field: "capacity", email: "anna@s.test", episodesPerHour: "lots", maxStudents: "" }, "episodesPerHour"],
        [{ field: "policy", name: "no such policy", targetMinutes: "60" }, "slaPolicies"],
        [{ field: "policy", name: "mentor 24h", targetMinutes: "0" }, "slaPolicies[0].targetMinutes"],
        [{ ...channel, ownerRole: "", cohort: "", attribution: "", purpose: "" }, "channels[0]"],
      ];
      for (const [form, path] of bad) {
        const out = await applyFieldEdit(h.db, { school: school2, userId: null, form });
        expect(out.ok).toBe(false);
        if (!out.ok) expect(out.issues.map((i) => i.path)).toContain(path);
      }
      expect(await settingsReport(h.db, school)).toEqual(before);
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} and (action = 'config.field' or details ? 'edit' or details ? 'form') order by id`);
      expect(log.map((r) => r.action)).toEqual([...Array(4).fill("config.field"), ...Array(6).fill("config.refused")]);
    });

    it("imports a roster CSV whole, or reports every bad line and writes nothing", async () => {
      const school2 = { id: school.id, slug: school.slug };
      const people = async () => Number((await rows<{ n: string }>(h.db, sql`select count(*)::text as n from people where school_id = ${school.id}`))[0]?.n);
      const before = await people();
      const bad = [
        "school,source,external_id,name,email,role,team",
        "s,telegram:bot1,u1,Юлия,yulia@s.test,mentor,A",
        "s,telegram:bot1,u2,Пётр,not-an-email,mentor,A",
        "other,telegram:bot1,u3,Ира,ira@s.test,student,",
        "s,telegram:bot1,u4,Олег,oleg@s.test,wizard,A",
      ].join("\n");
      const refused = await importRosterText(h.db, { school: school2, userId: null, text: bad, fileName: "bad.csv" });
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.errors.map((e) => e.line)).toEqual([3, 4, 5]);
      expect(await people()).toBe(before);
      expect((await importRosterText(h.db, { school: school2, userId: null, text: "" })).ok).toBe(false);
      expect((await importRosterText(h.db, { school: school2, userId: null, text: "name,email\nx,y@z.test" })).ok).toBe(false);

      const good = ["school,source,external_id,name,email,role,team,episodes_per_hour", "s,telegram:bot1,u1,Юлия,yulia@s.test,наставник,B,3", "s,telegram:bot1,u5,Ира,ira@s.test,student,"].join("\n");
      const ok = await importRosterText(h.db, { school: school2, userId: null, text: good, fileName: "good.csv" });
      expect(ok).toMatchObject({ ok: true, rows: 2, stored: 2 });
      expect(await people()).toBe(before + 2);
      const again = await importRosterText(h.db, { school: school2, userId: null, text: good });
      expect(again).toMatchObject({ ok: true, stored: 0 });
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} and action like 'roster.%' order by id`);
      expect(log.map((r) => r.action)).toEqual(["roster.refused", "roster.refused", "roster.refused", "roster.import", "roster.import"]);
      const team = (await settingsReport(h.db, school)).teams.find((t) => t.name === "B");
      expect(team?.members.map((m) => [m.email, m.episodesPerHour])).toEqual([["yulia@s.test", 3]]);
    });

    it("sets a source's rating-request policy from its form, keeping the secret and the channel switches", async () => {
      await h.db.execute(sql`update sources set settings = settings || '{"ratings": {"channels": {"-100": false}}}'::jsonb where school_id = ${school.id} and kind = 'telegram'`);
      const school2 = { id: school.id, slug: school.slug };
      const form = { field: "ratings", source: "telegram", sourceExternalId: "bot1", enabled: "on", minHoursBetweenAsks: "12", maxAgeHours: "48", delayMinutes: "5" };
      expect(await applyFieldEdit(h.db, { school: school2, userId: null, form })).toMatchObject({ ok: true });
      const src = (await settingsReport(h.db, school)).sources.find((s) => s.kind === "telegram");
      expect(src?.secretSet).toBe(true);
      expect(src?.ratings).toEqual({ ok: true, policy: { enabled: true, askInDms: false, minHoursBetweenAsks: 12, maxAgeHours: 48, delayMinutes: 5, channels: { "-100": false } } });
      const before = await settingsReport(h.db, school);
      for (const [bad, path] of [
        [{ ...form, maxAgeHours: "0" }, "ratings.maxAgeHours"],
        [{ ...form, delayMinutes: "soon" }, "delayMinutes"],
        [{ ...form, source: "xapi", sourceExternalId: "lrs" }, "source"],
        [{ ...form, sourceExternalId: "nope" }, "source"],
      ] as const) {
        const out = await applyFieldEdit(h.db, { school: school2, userId: null, form: bad });
        expect(out.ok ? [] : out.issues.map((i) => i.path)).toContain(path);
      }
      expect(await settingsReport(h.db, school)).toEqual(before);
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} and (action = 'source.ratings' or details->'edit'->>'field' = 'ratings' or details->'form'->>'field' = 'ratings') order by id`);
      expect(log.map((r) => r.action)).toEqual(["source.ratings", "config.refused", "config.refused", "config.refused", "config.refused"]);
    });

    it("exports each settings table as CSV with raw values and no secret", async () => {
      const d = await settingsReport(h.db, school);
      for (const table of SETTINGS_TABLES) {
        const text = settingsCsv(d, table);
        expect(text).not.toContain(SECRET);
        expect(text.split("\n")[0]?.length).toBeGreaterThan(0);
      }
      expect(settingsCsv(d, "policies")).toContain("mentor 24h,mentor,,,480,business,,true");
      // lib/csv guards formula-like cells (a leading "-") with a quote mark.
      expect(settingsCsv(d, "channels")).toContain("telegram,bot1,'-100,Чат потока,group,support,,,,Python 1,py-1,fifo");
    });
    it("rotates a source's webhook secret: the old one is refused, the new one accepted, the audit never holds it", async () => {
      const who = { school: { id: school.id, slug: school.slug }, userId: null };
      const at = new Date("2026-03-03T10:00:00Z");
      const update = (id: number) => JSON.stringify({ update_id: id, message: { message_id: id, date: Math.floor(at.getTime() / 1000), chat: { id: -100, type: "supergroup", title: "Чат потока" }, from: { id: 777, is_bot: false, first_name: "S" }, text: "вопрос?" } });
      const post = (secret: string, id: number) =>
        new Request("http://x/api/ingest/telegram?school=s&source=bot1", { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body: update(id) });
      expect((await handleWebhookWith(h.db, "telegram", post(SECRET, 9001), at)).status).toBe(200);
      const out = await applySourceSecret(h.db, { ...who, form: { source: "telegram", sourceExternalId: "bot1", mode: "generate" } });
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(out.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(out.secret).not.toBe(SECRET);
      expect((await handleWebhookWith(h.db, "telegram", post(SECRET, 9002), at)).status).toBe(401);
      expect((await handleWebhookWith(h.db, "telegram", post(out.secret, 9003), at)).status).toBe(200);
      // The page data and every CSV still say only "set"; the rating policy kept beside it is untouched.
      const d = await settingsReport(h.db, school);
      expect(JSON.stringify(d)).not.toContain(out.secret);
      expect(d.sources.find((x) => x.kind === "telegram")).toMatchObject({ secretSet: true, ratings: { ok: true, policy: { maxAgeHours: 48 } } });
      // Set one's own: Telegram's character rule; a bad one changes nothing.
      const own = "Own_secret-0123456789abcdef";
      expect(await applySourceSecret(h.db, { ...who, form: { source: "telegram", sourceExternalId: "bot1", mode: "set", secret: "short" } })).toMatchObject({ ok: false });
      expect(await applySourceSecret(h.db, { ...who, form: { source: "telegram", sourceExternalId: "bot1", mode: "set", secret: "with spaces and = signs 0123" } })).toMatchObject({ ok: false });
      expect(await applySourceSecret(h.db, { ...who, form: { source: "telegram", sourceExternalId: "nope", mode: "generate" } })).toMatchObject({ ok: false, issues: [{ path: "source" }] });
      expect(await applySourceSecret(h.db, { ...who, form: { source: "xapi", sourceExternalId: "lrs", mode: "generate" } })).toMatchObject({ ok: false });
      expect((await handleWebhookWith(h.db, "telegram", post(out.secret, 9004), at)).status).toBe(200);
      expect(await applySourceSecret(h.db, { ...who, form: { source: "telegram", sourceExternalId: "bot1", mode: "set", secret: own } })).toMatchObject({ ok: true, secret: own, generated: false });
      expect((await handleWebhookWith(h.db, "telegram", post(out.secret, 9005), at)).status).toBe(401);
      expect((await handleWebhookWith(h.db, "telegram", post(own, 9006), at)).status).toBe(200);
      await deriveIdleAll();
      const log = await rows<{ action: string; details: string }>(h.db, sql`select action, details::text as details from audit_log where school_id = ${school.id} and action like 'source.secret%' order by id`);
      expect(log.map((r) => r.action)).toEqual(["source.secret", "source.secret.refused", "source.secret.refused", "source.secret.refused", "source.secret.refused", "source.secret"]);
      for (const r of log) {
        expect(r.details).not.toContain(out.secret);
        expect(r.details).not.toContain(own);
      }
    });

    it("imports a holiday file for a calendar: a bad one lists its lines and changes nothing, a good one adds its days", async () => {
      const who = { school: { id: school.id, slug: school.slug }, userId: null };
      const cal = async () => (await settingsReport(h.db, school)).calendars.find((c) => c.name === "Москва");
      const before = await settingsReport(h.db, school);
      expect((await cal())?.days).toEqual([{ day: "2026-03-09", kind: "holiday", asWeekday: null, note: null }]);
      const ics = (events: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${events}END:VCALENDAR\r\n`;
      const bad = ics(
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:Праздник весны\r\nEND:VEVENT\r\n" +
          "BEGIN:VEVENT\r\nDTSTART:20260508T090000Z\r\nSUMMARY:Timed\r\nEND:VEVENT\r\n" +
          "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260612\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n",
      );
      const refused = await importCalendarFile(h.db, { ...who, calendar: "Москва", text: bad, fileName: "bad.ics" });
      expect(refused.ok).toBe(false);
      if (refused.ok) return;
      expect(refused.errors.map((e) => e.line)).toEqual([8, 13]);
      expect(refused.errors[0]?.reason).toMatch(/not an all-day date/);
      expect(refused.errors[1]?.reason).toMatch(/RRULE/);
      expect(await importCalendarFile(h.db, { ...who, calendar: "Москва", text: "2026-05-01,holiday", fileName: "days.txt" })).toMatchObject({ ok: false });
      expect(await importCalendarFile(h.db, { ...who, calendar: "Нет такого", text: ics("BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nEND:VEVENT\r\n"), fileName: "ok.ics" })).toMatchObject({ ok: false });
      expect(await importCalendarFile(h.db, { ...who, calendar: "Москва", text: "date,kind\n2026-05-01,holiday\n31.02.2026,holiday\n", fileName: "bad.csv" })).toMatchObject({ ok: false, errors: [{ line: 3 }] });
      expect(await settingsReport(h.db, school)).toEqual(before);

      const good = ics(
        "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260501\r\nSUMMARY:Праздник весны\r\nEND:VEVENT\r\n" +
          "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260509\r\nDTEND;VALUE=DATE:20260512\r\nSUMMARY:День Победы\r\nEND:VEVENT\r\n",
      );
      const applied = await importCalendarFile(h.db, { ...who, calendar: "Москва", text: good, fileName: "ru.ics" });
      expect(applied).toMatchObject({ ok: true, calendar: "Москва", holidays: 4, workdays: 0, result: { calendars: 1 } });
      const after = await cal();
      expect(after?.days.map((d) => [d.day, d.kind, d.note])).toEqual([
        ["2026-03-09", "holiday", null],
        ["2026-05-01", "holiday", "Праздник весны"],
        ["2026-05-09", "holiday", "День Победы"],
        ["2026-05-10", "holiday", "День Победы"],
        ["2026-05-11", "holiday", "День Победы"],
      ]);
      // Zone, default flag and hours are restated, not changed.
      expect(after).toMatchObject({ timezone: "Europe/Moscow", isDefault: true, intervals: before.calendars[0]?.intervals });
      // A CSV with a transferred working day, and a date already there: the file's kind and note win.
      const csv = await importCalendarFile(h.db, { ...who, calendar: "Москва", text: "date;kind;as_weekday;note\n2026-11-01;workday;5;перенос\n09.03.2026;holiday;;8 марта\n", fileName: "extra.CSV" });
      expect(csv).toMatchObject({ ok: true, holidays: 1, workdays: 1 });
      expect((await cal())?.days.filter((d) => d.day === "2026-03-09" || d.day === "2026-11-01")).toEqual([
        { day: "2026-03-09", kind: "holiday", asWeekday: null, note: "8 марта" },
        { day: "2026-11-01", kind: "workday", asWeekday: 5, note: "перенос" },
      ]);
      expect((await cal())?.days).toHaveLength(6);
      const log = await rows<{ action: string }>(h.db, sql`select action from audit_log where school_id = ${school.id} and action like 'calendar.%' order by id`);
      expect(log.map((r) => r.action)).toEqual(["calendar.refused", "calendar.refused", "calendar.refused", "calendar.refused", "calendar.import", "calendar.import"]);
    });
  });
}
