import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool } from "@/db/queries/schools";
import type { IngestEvent } from "@/lib/ingest/types";

const src = { kind: "telegram" as const, externalId: "bot1" };
const group = { externalId: "-1001", kind: "group" as const, title: "Поток 1" };
const dm = { externalId: "555", kind: "dm" as const };
const at = (m: number) => new Date(Date.UTC(2026, 2, 2, 10, m));

const events: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "10", name: "Анна Куратор", email: "anna@school.test" }, role: "coordinator", team: "Команда 1", assignedStudentExternalIds: ["20"] },
  { type: "message", action: "create", source: src, channel: group, externalId: "1", author: { externalId: "20", name: "Студент" }, sentAt: at(0), text: "Когда дедлайн по заданию?" },
  { type: "message", action: "create", source: src, channel: group, externalId: "2", author: { externalId: "10" }, sentAt: at(5), text: "До пятницы", replyTo: { externalId: "1", author: { externalId: "20" } } },
  { type: "message", action: "create", source: src, channel: group, externalId: "3", author: { externalId: "20" }, sentAt: at(6), text: "спасибо" },
  { type: "message", action: "create", source: src, channel: dm, externalId: "1", author: { externalId: "20" }, sentAt: at(7), text: "Личный вопрос: у меня не получается ничего" },
];

for (const engine of engines()) {
  describe(`store path on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schoolId: number;
    beforeAll(async () => {
      h = await engine.open();
      schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "s1", name: "School 1", timezone: "Europe/Moscow" })).id;
    });
    afterAll(async () => h?.drop());

    it("stores events once and counts a replay as duplicates", async () => {
      const first = await storeEvents(h.db, schoolId, events);
      expect(first).toMatchObject({ read: 5, stored: 5, duplicates: 0, rejected: [] });
      const again = await storeEvents(h.db, schoolId, events);
      expect(again.stored).toBe(0);
      expect(again.duplicates).toBe(5);
      const [c] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from messages where school_id = ${schoolId}`);
      expect(c?.n).toBe(4);
    });

    it("never stores DM text but keeps its metadata and flags", async () => {
      const found = await rows<{ text: string | null; text_length: number; category: string | null }>(
        h.db,
        sql`select m.text, m.text_length, m.category from messages m join channels c on c.id = m.channel_id where c.kind = 'dm' and m.school_id = ${schoolId}`,
      );
      expect(found).toHaveLength(1);
      expect(found[0]?.text).toBeNull();
      expect(found[0]?.text_length).toBeGreaterThan(10);
      expect(found[0]?.category).toBe("emotional");
      const leak = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from messages where text like '%Личный вопрос%'`);
      expect(leak[0]?.n).toBe(0);
    });

    it("links roster identities to one person with a role, team and assignment", async () => {
      const r = await rows<{ role: string; team: string; students: number }>(
        h.db,
        sql`select pr.role::text as role, t.name as team, (select count(*)::int from assignments a where a.staff_person_id = p.id) as students
            from people p join person_roles pr on pr.person_id = p.id join team_members tm on tm.person_id = p.id join teams t on t.id = tm.team_id
            where p.school_id = ${schoolId} and p.email = 'anna@school.test'`,
      );
      expect(r).toEqual([{ role: "coordinator", team: "Команда 1", students: 1 }]);
    });

    it("rejects invalid events and writes nothing of them", async () => {
      const bad = [{ type: "message", action: "create", source: src, channel: group, externalId: "", author: { externalId: "x" }, sentAt: "yesterday" }] as unknown as IngestEvent[];
      const res = await storeEvents(h.db, schoolId, bad);
      expect(res.stored).toBe(0);
      expect(res.rejected).toHaveLength(1);
      expect(res.rejected[0]?.reason).toMatch(/externalId|sentAt/);
    });

    it("edits update in place and deletions mark, keeping sent_at", async () => {
      const res = await storeEvents(h.db, schoolId, [
        { type: "message", action: "edit", source: src, channel: group, externalId: "1", author: { externalId: "20" }, sentAt: at(0), editedAt: at(1), text: "Когда дедлайн? Это срочно, ужас" },
        { type: "message", action: "delete", source: src, channel: group, externalId: "3", author: { externalId: "20" }, sentAt: at(6), deletedAt: at(9) },
      ]);
      expect(res.updated).toBe(2);
      const r = await rows<{ external_id: string; negative: boolean; deleted: boolean; sent_at: Date }>(
        h.db,
        sql`select external_id, negative, deleted_at is not null as deleted, sent_at from messages m where m.school_id = ${schoolId} and external_id in ('1','3') and channel_id = (select id from channels where external_id = '-1001') order by external_id`,
      );
      expect(r.map((x) => [x.external_id, x.negative, x.deleted])).toEqual([["1", true, false], ["3", false, true]]);
      expect(new Date(r[1]!.sent_at).toISOString()).toBe(at(6).toISOString());
    });
  });
}

for (const engine of engines()) {
  describe(`roster changes on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    afterAll(async () => h?.drop());
    it("a new staff role marks every scope that person wrote in dirty", async () => {
      h = await engine.open();
      const s = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "r1", name: "R1", timezone: "Europe/Moscow" });
      await storeEvents(h.db, s.id, [
        { type: "message", action: "create", source: src, channel: group, externalId: "1", author: { externalId: "30" }, sentAt: at(0), text: "Вопрос?" },
        { type: "message", action: "create", source: src, channel: dm, externalId: "1", author: { externalId: "30" }, sentAt: at(1), text: "Ответ" },
      ]);
      await h.db.execute(sql`delete from dirty_scopes`);
      await storeEvents(h.db, s.id, [{ type: "roster", source: src, identity: { externalId: "30", name: "Ментор" }, role: "mentor" }]);
      const d = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from dirty_scopes where school_id = ${s.id}`);
      expect(d[0]?.n).toBe(2);
    });
  });
}

for (const engine of engines()) {
  describe(`enrollment history on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    afterAll(async () => h?.drop());
    it("stores two status changes of one student in one batch, in order, with both in the history", async () => {
      h = await engine.open();
      const s = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "e1", name: "E1", timezone: "Europe/Moscow" });
      const base = { type: "enrollment" as const, source: { kind: "lms_csv" as const, externalId: "lms" }, student: { externalId: "st1", email: "st1@x.test" }, course: { externalId: "C1" }, cohort: { externalId: "C1-1" } };
      const res = await storeEvents(h.db, s.id, [
        { ...base, status: "active", enrolledAt: at(0) },
        { ...base, status: "withdrawn", enrolledAt: at(0), endedAt: at(30) },
      ]);
      expect(res.rejected).toEqual([]);
      expect([res.stored, res.updated]).toEqual([1, 1]);
      const r = await rows<{ status: string; n: number }>(h.db, sql`select (select status::text from enrollments) as status, (select count(*)::int from enrollment_events) as n`);
      expect(r[0]).toEqual({ status: "withdrawn", n: 2 });
    });
  });
}
