import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { statusesAt } from "@/db/queries/reports/outcomes";

/**
 * enrollment_latest (migration 0014) holds each enrollment's latest status event, (at, id) greatest, kept by
 * statement triggers on enrollment_events; statusesAt reads it and looks back in the events only for an
 * enrollment whose latest event is after the as-of date. Both are checked against the definition: the
 * latest event on or before the date, by a sort of every event (the form statusesAt had before).
 */

const day = (d: number, h = 0) => new Date(Date.UTC(2026, 2, d, h)).toISOString();

for (const engine of engines()) {
  describe(`enrollment_latest and statuses as of a date on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schoolId = 0;
    let other = 0;
    const enr: number[] = [];

    /** What the table must hold: the latest event of each enrollment that has one. */
    const expected = async () =>
      rows<{ enrollment_id: number; event_id: number; status: string; at: string }>(
        h.db,
        sql`select distinct on (enrollment_id) enrollment_id::int, id::int as event_id, status::text, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at
            from enrollment_events order by enrollment_id, at desc, id desc`,
      );
    const stored = async () =>
      rows<{ enrollment_id: number; event_id: number; status: string; at: string }>(
        h.db,
        sql`select enrollment_id::int, event_id::int, status::text, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as at
            from enrollment_latest order by enrollment_id`,
      );
    const insert = async (list: Array<[number, string, string]>) =>
      h.db.execute(sql`insert into enrollment_events (school_id, enrollment_id, status, at)
        select e.school_id, u.id, u.st::enrollment_status, u.at from unnest(${`{${list.map((x) => x[0]).join(",")}}`}::bigint[], ${`{${list.map((x) => x[1]).join(",")}}`}::text[], ${`{${list.map((x) => `"${x[2]}"`).join(",")}}`}::timestamptz[]) as u(id, st, at)
        join enrollments e on e.id = u.id`);
    /** statusesAt as the reports join it, against the sort of every event, for every enrollment. */
    const compareAt = async (asOf: string, school: number) => {
      const a = sql`${asOf}::timestamptz`;
      const got = await rows<{ id: number; status: string | null }>(
        h.db,
        sql`select en.id::int as id, st.status from enrollments en left join ${statusesAt(school, a)} st on st.enrollment_id = en.id where en.school_id = ${school} order by en.id`,
      );
      const want = await rows<{ id: number; status: string | null }>(
        h.db,
        sql`select en.id::int as id, st.status from enrollments en left join (
              select distinct on (ev.enrollment_id) ev.enrollment_id, ev.status::text as status from enrollment_events ev
              where ev.school_id = ${school} and ev.at <= ${a} order by ev.enrollment_id, ev.at desc, ev.id desc) st on st.enrollment_id = en.id
            where en.school_id = ${school} order by en.id`,
      );
      expect(got).toEqual(want);
      return got;
    };

    beforeAll(async () => {
      h = await engine.open();
      schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "latest", name: "Latest", timezone: "Europe/Moscow" })).id;
      other = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "latest-2", name: "Latest 2", timezone: "Asia/Kathmandu" })).id;
      for (const s of [schoolId, other]) {
        const [course] = await rows<{ id: number }>(h.db, sql`insert into courses (school_id, external_id, title) values (${s}, 'c', 'Курс') returning id::int`);
        const [cohort] = await rows<{ id: number }>(h.db, sql`insert into cohorts (school_id, course_id, external_id, title, starts_on) values (${s}, ${course?.id}, 'k', 'Поток', '2026-03-01') returning id::int`);
        for (let i = 0; i < 4; i++) {
          const [p] = await rows<{ id: number }>(h.db, sql`insert into people (school_id, display_name) values (${s}, ${`Студент ${i}`}) returning id::int`);
          const [e] = await rows<{ id: number }>(h.db, sql`insert into enrollments (school_id, cohort_id, person_id) values (${s}, ${cohort?.id}, ${p?.id}) returning id::int`);
          if (s === schoolId) enr.push(e?.id ?? 0);
        }
      }
    });
    afterAll(async () => h?.drop());

    it("follows inserts in any order: a late older event never replaces a newer one; equal instants go to the later id", async () => {
      const [e0, e1, e2] = enr as [number, number, number];
      await insert([[e0, "active", day(1)], [e1, "active", day(1)]]);
      expect(await stored()).toEqual(await expected());
      // Newer, then older arriving later (out of order), in separate statements and within one.
      await insert([[e0, "completed", day(20)]]);
      await insert([[e0, "paused", day(10)], [e1, "withdrawn", day(15)], [e1, "paused", day(5)]]);
      // The same instant twice for one enrollment: the later id wins, within a statement and across them.
      await insert([[e2, "active", day(3)], [e2, "frozen", day(3)]]);
      await insert([[e2, "paused", day(3)]]);
      const got = await stored();
      expect(got).toEqual(await expected());
      expect(got.map((r) => r.status)).toEqual(["completed", "withdrawn", "paused"]);
      // Enrollments of another school alongside, by the same statement path.
      const others = (await rows<{ id: number }>(h.db, sql`select id::int from enrollments where school_id = ${other} order by id`)).map((r) => r.id);
      await insert(others.map((id, i) => [id, i % 2 ? "completed" : "active", day(2 + i)] as [number, string, string]));
      expect(await stored()).toEqual(await expected());
      // A duplicate the unique index refuses (on conflict do nothing, as ingestion writes them) changes nothing.
      await h.db.execute(sql`insert into enrollment_events (school_id, enrollment_id, status, at) values (${schoolId}, ${e0}, 'completed', ${day(20)}::timestamptz) on conflict do nothing`);
      expect(await stored()).toEqual(await expected());
    });

    it("is recomputed when events are updated or deleted", async () => {
      const [e0, e1] = enr as [number, number];
      await h.db.execute(sql`update enrollment_events set at = ${day(25)}::timestamptz where enrollment_id = ${e1} and status = 'paused'`);
      expect((await stored()).find((r) => r.enrollment_id === e1)?.status).toBe("paused");
      expect(await stored()).toEqual(await expected());
      await h.db.execute(sql`delete from enrollment_events where enrollment_id = ${e0} and status = 'completed'`);
      expect((await stored()).find((r) => r.enrollment_id === e0)?.status).toBe("paused");
      await h.db.execute(sql`delete from enrollment_events where enrollment_id = ${e0}`);
      expect((await stored()).find((r) => r.enrollment_id === e0)).toBeUndefined();
      expect(await stored()).toEqual(await expected());
      await insert([[e0, "completed", day(20)], [e0, "active", day(1)]]);
      expect(await stored()).toEqual(await expected());
    });

    it.each([
      ["before every event", "2026-02-01T00:00:00Z"],
      ["on an event's instant", day(3)],
      ["between events", day(12)],
      ["after every event", "2027-01-01T00:00:00Z"],
      ["one second before the latest", "2026-03-24T23:59:59Z"],
    ])("statusesAt equals the latest event on or before the date: %s", async (_name, asOf) => {
      const got = await compareAt(asOf, schoolId);
      expect(got).toHaveLength(4);
      await compareAt(asOf, other);
    });

    it("names the status as of a date before the latest event from the events (and none before the first)", async () => {
      const [e0, e1, e2, e3] = enr as [number, number, number, number];
      const at = async (asOf: string) => new Map((await compareAt(asOf, schoolId)).map((r) => [r.id, r.status]));
      const mid = await at(day(12));
      expect([mid.get(e0), mid.get(e1), mid.get(e2), mid.get(e3)]).toEqual(["active", "active", "paused", null]);
      const early = await at(day(1, 12));
      expect([early.get(e0), early.get(e1), early.get(e2)]).toEqual(["active", "active", null]);
    });
  });
}
