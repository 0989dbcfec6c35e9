import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines, openDemoSchool } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import type { SchoolRow } from "@/db/queries/schools";
import { studentHead, studentTimelineRows } from "@/db/queries/reports/student-timeline";

/**
 * The student timeline (issue #7) on the demo seed: every kind of event of one student, counted the
 * same way straight from the tables; DM text never shown; staff are not students.
 */
const anchor = new Date("2026-03-01T00:00:00Z");
const now = new Date("2026-03-02T12:00:00Z");

for (const engine of engines()) {
  describe(`student timeline on the demo seed (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      ({ h, school } = await openDemoSchool(engine, anchor, now));
    });
    afterAll(async () => h?.drop());

    it("shows a student's messages, episodes, LMS events, ratings and enrollment changes, as the tables count them", async () => {
      // The student with the most episodes who also has a DM message, LMS events and an enrollment.
      const [pick] = await rows<{ id: unknown }>(
        h.db,
        sql`select e.student_person_id as id from episodes e
            where e.school_id = ${school.id}
              and exists (select 1 from messages m join channels c on c.id = m.channel_id where m.school_id = ${school.id} and m.author_person_id = e.student_person_id and c.kind = 'dm')
              and exists (select 1 from lms_events l where l.school_id = ${school.id} and l.person_id = e.student_person_id)
            group by 1 order by count(*) desc, 1 limit 1`,
      );
      const pid = Number(pick?.id);
      expect(pid).toBeGreaterThan(0);
      const head = await studentHead(h.db, school.id, pid);
      expect(head?.personId).toBe(pid);
      const d = await studentTimelineRows(h.db, school.id, head!, now);
      const count = async (q: ReturnType<typeof sql>) => Number((await rows<{ n: unknown }>(h.db, q))[0]?.n);
      expect(d.messages.length).toBe(await count(sql`select count(*) as n from messages where school_id = ${school.id} and author_person_id = ${pid}`));
      expect(d.episodes.length).toBe(await count(sql`select count(*) as n from episodes where school_id = ${school.id} and student_person_id = ${pid}`));
      expect(d.lms.length).toBe(await count(sql`select count(*) as n from lms_events where school_id = ${school.id} and person_id = ${pid} and voided_at is null and verb <> 'voided'`));
      expect(d.ratings.length).toBe(await count(sql`select count(*) as n from ratings where school_id = ${school.id} and person_id = ${pid}`));
      expect(d.enrollments.length).toBe(await count(sql`select count(*) as n from enrollments where school_id = ${school.id} and person_id = ${pid}`));
      expect(d.changes.length).toBe(await count(sql`select count(*) as n from enrollment_events ev join enrollments en on en.id = ev.enrollment_id where ev.school_id = ${school.id} and en.person_id = ${pid}`));
      expect(d.truncated).toEqual([]);
      expect(d.episodes.length).toBeGreaterThan(0);
      // DM text is never shown (and never stored: the column is null there anyway).
      const dms = d.messages.filter((m) => m.dm);
      expect(dms.length).toBeGreaterThan(0);
      expect(dms.every((m) => m.text === null)).toBe(true);
      // SLA status agrees with the stored outcome of answered episodes.
      for (const e of d.episodes.filter((x) => x.status === "answered" && x.targetMinutes !== null)) {
        expect(e.sla === "met" || e.sla === "breached").toBe(true);
        expect(e.responseMinutes).not.toBeNull();
        if (e.sla === "met") expect(e.responseMinutes!).toBeLessThanOrEqual(e.targetMinutes! + 1e-9);
      }
    });

    it("is not a timeline for staff, for another school's person, or for nobody", async () => {
      const [staff] = await rows<{ id: unknown }>(h.db, sql`select person_id as id from person_roles where school_id = ${school.id} and role::text = 'coordinator' limit 1`);
      expect(await studentHead(h.db, school.id, Number(staff?.id))).toBeNull();
      const [other] = await rows<{ id: unknown }>(h.db, sql`select id from people where school_id <> ${school.id} limit 1`);
      expect(await studentHead(h.db, school.id, Number(other?.id))).toBeNull();
      expect(await studentHead(h.db, school.id, 987_654_321)).toBeNull();
    });

    it("caps each kind at the limit and says so", async () => {
      const [pick] = await rows<{ id: unknown }>(h.db, sql`select author_person_id as id from messages m where school_id = ${school.id} and not exists (select 1 from person_roles r where r.school_id = m.school_id and r.person_id = m.author_person_id) group by 1 having count(*) > 3 limit 1`);
      const head = await studentHead(h.db, school.id, Number(pick?.id));
      const d = await studentTimelineRows(h.db, school.id, head!, now, 3);
      expect(d.messages).toHaveLength(3);
      expect(d.truncated).toContain("messages");
    });
  });
}
