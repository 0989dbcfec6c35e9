import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { ConfigError, type ConfigIssue } from "@/lib/config/issues";
import type { SchoolConfigInput } from "@/lib/config/schema";
import type { IngestEvent } from "@/lib/ingest/types";

const root = path.resolve(import.meta.dirname, "../..");
const src = { kind: "telegram" as const, externalId: "bot1" };
const group = { externalId: "-1001", kind: "group" as const, title: "Поток 1" };
const at = (m: number) => new Date(Date.UTC(2026, 2, 2, 10, m));

const seed: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "10", name: "Анна", email: "anna@school.test" }, role: "coordinator" },
  { type: "roster", source: src, identity: { externalId: "11", name: "Марк", email: "mark@school.test" }, role: "mentor" },
  { type: "enrollment", source: src, student: { externalId: "20" }, course: { externalId: "py" }, cohort: { externalId: "py-2026-03" }, status: "active" },
  { type: "message", action: "create", source: src, channel: group, externalId: "1", author: { externalId: "20" }, sentAt: at(0), text: "Когда дедлайн?" },
  { type: "message", action: "create", source: src, channel: group, thread: { externalId: "1", kind: "reply_chain" }, externalId: "2", author: { externalId: "20" }, sentAt: at(1), text: "И ещё вопрос?" },
];

const good: SchoolConfigInput = {
  calendars: [
    {
      name: "Москва",
      timezone: "Europe/Moscow",
      default: true,
      weekly: { "mon-fri": ["09:00-21:00"], sat: ["10:00-14:00"] },
      files: ["lib/metrics/__fixtures__/calendar/ru-production-2025-2026.csv"],
      holidays: ["2026-03-03", { date: "2026-03-04", note: "день школы" }],
      workdays: [{ date: "2026-03-07", asWeekday: 5 }],
    },
    { name: "Круглосуточно", timezone: "UTC", weekly: { "mon-sun": ["00:00-24:00"] } },
  ],
  slaPolicies: [
    { name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" },
    { name: "coordinator 2h", ownerRole: "coordinator", targetMinutes: 120, clock: "business" },
    { name: "urgent 15m", priority: "urgent", targetMinutes: 15, clock: "business", calendar: "Круглосуточно" },
  ],
  channels: [
    { source: "telegram", externalId: "-1001", purpose: "community", ownerRole: "coordinator", ownerEmail: "anna@school.test", cohort: "py-2026-03", attribution: "fifo" },
    { source: "telegram", externalId: "-404", purpose: "ignored" },
  ],
  capacities: [{ email: "Anna@school.test", episodesPerHour: 6, maxStudents: 80 }],
  roleLabels: { ru: { coordinator: "куратор", mentor: "наставник" }, en: { coordinator: "curator" } },
};

async function issuesOf(p: Promise<unknown>): Promise<ConfigIssue[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  throw new Error("expected a ConfigError");
}

for (const engine of engines()) {
  describe(`config apply on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schoolId: number;
    const count = async (table: string) =>
      (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(table)} where school_id = ${schoolId}`))[0]?.n;
    beforeAll(async () => {
      h = await engine.open();
      schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "s1", name: "School 1", timezone: "Europe/Moscow" })).id;
      await storeEvents(h.db, schoolId, seed);
      await h.db.execute(sql`delete from dirty_scopes where school_id = ${schoolId}`);
    });
    afterAll(async () => h?.drop());

    it("writes every section and marks all scopes dirty", async () => {
      const res = await applyConfig(h.db, schoolId, good, { baseDir: root });
      expect(res).toMatchObject({ calendars: 2, policies: 3, policiesDeactivated: 0, channels: 1, capacities: 1, roleLabels: 3, dirtyScopes: 2 });
      expect(res.warnings).toEqual([expect.stringMatching(/^channels\[1\]: no telegram channel -404/)]);
      const ch = await rows<{ purpose: string; owner_role: string; attribution: string; owner: string; cohort: string }>(
        h.db,
        sql`select c.purpose::text, c.owner_role::text, c.attribution::text, p.email as owner, co.external_id as cohort
            from channels c join people p on p.id = c.owner_person_id join cohorts co on co.id = c.cohort_id where c.school_id = ${schoolId}`,
      );
      expect(ch).toEqual([{ purpose: "community", owner_role: "coordinator", attribution: "fifo", owner: "anna@school.test", cohort: "py-2026-03" }]);
      const days = await rows<{ day: string; kind: string; as_weekday: number | null; note: string | null }>(
        h.db,
        sql`select to_char(d.day, 'YYYY-MM-DD') as day, d.kind::text, d.as_weekday, d.note from calendar_days d join calendars c on c.id = d.calendar_id
            where d.school_id = ${schoolId} and c.name = 'Москва' and d.day between '2026-03-03' and '2026-03-09' order by d.day`,
      );
      expect(days).toEqual([
        { day: "2026-03-03", kind: "holiday", as_weekday: null, note: null },
        { day: "2026-03-04", kind: "holiday", as_weekday: null, note: "день школы" },
        { day: "2026-03-07", kind: "workday", as_weekday: 5, note: null },
        { day: "2026-03-08", kind: "holiday", as_weekday: null, note: expect.stringContaining("женский день") },
        { day: "2026-03-09", kind: "holiday", as_weekday: null, note: expect.stringContaining("8 марта") },
      ]);
      expect(await count("calendar_intervals")).toBe(5 + 1 + 7);
      const pol = await rows<{ name: string; calendar: string | null }>(
        h.db,
        sql`select p.name, c.name as calendar from sla_policies p left join calendars c on c.id = p.calendar_id where p.school_id = ${schoolId} order by p.name`,
      );
      expect(pol).toEqual([
        { name: "coordinator 2h", calendar: null },
        { name: "mentor 24h", calendar: null },
        { name: "urgent 15m", calendar: "Круглосуточно" },
      ]);
    });

    it("is idempotent: the same document again changes nothing and marks nothing", async () => {
      const before = await rows<{ m: string }>(h.db, sql`select marked_at::text as m from dirty_scopes where school_id = ${schoolId} order by 1`);
      const res = await applyConfig(h.db, schoolId, good, { baseDir: root });
      expect(res).toMatchObject({ calendars: 0, policies: 0, policiesDeactivated: 0, channels: 0, capacities: 0, roleLabels: 0, dirtyScopes: 0 });
      const after = await rows<{ m: string }>(h.db, sql`select marked_at::text as m from dirty_scopes where school_id = ${schoolId} order by 1`);
      expect(after).toEqual(before);
    });

    it("marks only the changed channel's scopes when only channel settings change", async () => {
      await h.db.execute(sql`delete from dirty_scopes where school_id = ${schoolId}`);
      const res = await applyConfig(h.db, schoolId, { channels: [{ source: "telegram", externalId: "-1001", purpose: "support", ownerEmail: null }] });
      expect(res).toMatchObject({ channels: 1, calendars: 0, policies: 0, dirtyScopes: 2 });
      const [ch] = await rows<{ purpose: string; owner: number | null; attribution: string }>(h.db, sql`select purpose::text, owner_person_id as owner, attribution::text from channels where school_id = ${schoolId}`);
      // Omitted fields stay as they were; null clears.
      expect(ch).toEqual({ purpose: "support", owner: null, attribution: "fifo" });
    });

    it("deactivates policies missing from a present slaPolicies section", async () => {
      const res = await applyConfig(h.db, schoolId, { slaPolicies: [{ name: "mentor 24h", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" }] });
      expect(res).toMatchObject({ policies: 0, policiesDeactivated: 2 });
      expect(res.dirtyScopes).toBe(2);
    });

    it("lists every validation error with its JSON path and writes nothing", async () => {
      const before = await count("calendars");
      const bad = {
        calendars: [{ name: "x", timezone: "Mars/Olympus", weekly: { mon: ["9:00-18:00"], funday: [] } }],
        slaPolicies: [{ name: "a", targetMinutes: 0, clock: "business" }],
        extra: 1,
      };
      const parse = await issuesOf(applyConfig(h.db, schoolId, bad));
      expect(parse.map((i) => i.path).sort()).toEqual(["", "calendars[0].timezone", "calendars[0].weekly.funday", "calendars[0].weekly.mon[0]", "slaPolicies[0].targetMinutes"]);

      const refs: SchoolConfigInput = {
        calendars: [
          { name: "c", timezone: "UTC", weekly: { mon: ["09:00-12:00", "11:00-13:00"] }, files: ["bad.csv"] },
          { name: "c", timezone: "UTC", weekly: { tue: ["09:00-12:00"] }, default: true },
        ],
        slaPolicies: [{ name: "p", targetMinutes: 10, clock: "calendar", calendar: "nope" }],
        channels: [{ source: "telegram", externalId: "-1001", cohort: "no-such-cohort", ownerEmail: "ghost@school.test" }],
        capacities: [{ email: "ghost2@school.test", episodesPerHour: 1 }],
      };
      const files = { readFile: () => "date,kind\n2026-13-01,holiday\n2026-01-02,party\n" };
      const first = await issuesOf(applyConfig(h.db, schoolId, refs, files));
      expect(first.map((i) => i.path)).toEqual(["calendars[0].files[0]", "calendars[0].weekly", "calendars[1]"]);
      expect(first[0]?.message).toMatch(/line 2: bad date.*\nline 3: bad kind/s);
      expect(first[1]?.message).toMatch(/overlap/);

      const dbRefs = { ...refs, calendars: [{ name: "c", timezone: "UTC", weekly: { mon: ["09:00-12:00"] } }] };
      const second = await issuesOf(applyConfig(h.db, schoolId, dbRefs));
      expect(second.map((i) => i.path)).toEqual(["slaPolicies[0].calendar", "channels[0].ownerEmail", "capacities[0].email", "channels[0].cohort"]);
      expect(await count("calendars")).toBe(before);
    });
  });
}
