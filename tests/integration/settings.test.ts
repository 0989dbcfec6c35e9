import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import { rows, sql, type DbHandle } from "@/db/client";
import { applyConfig } from "@/db/queries/config";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { settingsReport } from "@/db/queries/reports/settings";
import { applyConfigText } from "@/lib/dal/settings";

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
      expect(d.sources).toEqual([
        { kind: "telegram", externalId: "bot1", name: "Бот", storeGroupText: false, secretSet: true, webhookUrl: "/api/ingest/telegram?school=s&source=bot1" },
        { kind: "xapi", externalId: "lrs", name: "LRS", storeGroupText: true, secretSet: false, webhookUrl: "/api/xapi/statements" },
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
  });
}
