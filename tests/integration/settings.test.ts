import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import { rows, sql, type DbHandle } from "@/db/client";
import { applyConfig } from "@/db/queries/config";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { settingsReport } from "@/db/queries/reports/settings";
import { applyConfigText, applyFieldEdit, importRosterText, settingsCsv, SETTINGS_TABLES } from "@/lib/dal/settings";
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
  });
}
