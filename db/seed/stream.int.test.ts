import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "@/tests/integration/harness";
import { rows, type DbHandle } from "@/db/client";
import { bulkSliceStore, bulkStore } from "@/db/queries/bulk-import";
import type { ParsedBulk } from "@/lib/ingest/bulk";
import { STREAM_SHAPES, seedStream, type SliceShape, type SliceStore, type StreamSummary } from "./stream";

const anchor = new Date("2026-03-01T00:00:00Z");
// Two slices of `xl` with cohorts of 3–5 students: the whole streaming path in a few seconds.
const shape: Partial<SliceShape> = { slices: 2, scale: { ...STREAM_SHAPES.xl.scale, studentsPerCohort: [3, 5] } };

async function counts(h: DbHandle): Promise<Record<string, number>> {
  const [r] = await rows<Record<string, number>>(
    h.db,
    sql`select
      (select count(*)::int from schools) as schools,
      (select count(*)::int from sources) as sources,
      (select count(*)::int from people) as people,
      (select count(*)::int from people where is_bot) as bots,
      (select count(distinct person_id)::int from person_roles where role not in ('student', 'bot')) as staff,
      (select count(*)::int from people p where not exists (select 1 from person_roles r where r.person_id = p.id)) as students,
      (select count(*)::int from courses) as courses,
      (select count(*)::int from cohorts) as cohorts,
      (select count(*)::int from enrollments) as enrollments,
      (select count(*)::int from messages) as messages,
      (select count(*)::int from teams) as teams,
      (select count(*)::int from teams where lead_person_id is null) as teams_without_lead,
      (select count(distinct person_id)::int from shifts) as staff_with_shifts,
      (select count(*)::int from shifts) as shifts,
      (select count(*)::int from calendars) as calendars,
      (select count(*)::int from lms_items) as lms_items,
      (select count(*)::int from lms_events where enrollment_id is null) as unlinked_lms,
      (select count(*)::int from channels where kind = 'dm' and (dm_student_person_id is null or owner_person_id is null)) as dms_without_people,
      (select count(*)::int from channels c where c.cohort_id is null and c.kind <> 'dm' and c.owner_role = 'coordinator') as cohort_chats_without_cohort,
      (select count(*)::int from source_identities where not mapped) as unmapped`,
  );
  if (!r) throw new Error("no counts");
  return r;
}

for (const engine of engines()) {
  describe(`seedStream (2 small slices of xl) on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let summary: StreamSummary;
    const progress: Array<[number, number]> = [];
    beforeAll(async () => {
      h = await engine.open();
      summary = await seedStream(h.db, { scale: "xl", anchor, shape, onProgress: (d, t) => progress.push([d, t]) });
    });
    afterAll(async () => h?.drop());

    it("stores one school with every slice's people, messages and configuration", async () => {
      const [s] = summary.schools;
      if (!s) throw new Error("no school");
      expect(summary.schools).toHaveLength(1);
      expect(s.students).toBeGreaterThan(2 * 16 * 3 - 1);
      expect(s.staff).toBe(2 * 16);
      expect(s.messages).toBeGreaterThan(5_000);
      const c = await counts(h);
      expect(c).toMatchObject({
        schools: 1, sources: 3, bots: 1, people: s.students + s.staff + 1, staff: s.staff, students: s.students, courses: 3, cohorts: 2 * 16,
        enrollments: s.students, messages: s.messages, teams: 2 * 3, teams_without_lead: 0, staff_with_shifts: s.staff, calendars: 1,
        unlinked_lms: 0, dms_without_people: 0, cohort_chats_without_cohort: 0, unmapped: 0,
      });
      expect(c.lms_items).toBeGreaterThan(2 * 16 * 30);
      expect(progress[progress.length - 1]?.[0]).toBe(s.events);
    });

    it("changes no count when seeded again", async () => {
      const before = await counts(h);
      const again = await seedStream(h.db, { scale: "xl", anchor, shape });
      expect(again).toEqual(summary);
      expect(await counts(h)).toEqual(before);
    });
  });
}

// Written by the bulk path both ways (ids included); time stamps of the load itself left out.
const WRITTEN = ["people", "source_identities", "person_roles", "teams", "team_members", "channels", "threads", "messages", "cohorts", "enrollments", "enrollment_events", "lms_events", "lms_items", "survey_requests", "ratings", "shifts", "dirty_scopes"];
const LOAD_TIMES = ["ingested_at", "created_at", "first_seen_at", "marked_at", "stored_at", "received_at"];

async function contents(h: DbHandle): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of WRITTEN) {
    const [r] = await rows<{ n: number; h: string | null }>(
      h.db,
      sql`select count(*)::int as n, md5(string_agg(j, '|' order by j)) as h
          from (select (to_jsonb(x) - ${sql.raw(`array[${LOAD_TIMES.map((c) => `'${c}'`).join(", ")}]`)})::text as j from ${sql.identifier(t)} x) y`,
    );
    out[t] = `${r?.n ?? -1}:${r?.h ?? ""}`;
  }
  return out;
}

for (const engine of engines()) {
  describe(`seedStream through a SliceStore (the next slice prepared during a write) on ${engine.name}`, () => {
    const three: Partial<SliceShape> = { ...shape, slices: 3 };
    let piped: DbHandle & { drop(): Promise<void> };
    let plain: DbHandle & { drop(): Promise<void> };
    const log: string[] = [];
    beforeAll(async () => {
      piped = await engine.open();
      plain = await engine.open();
      let prepared = 0;
      let written = 0;
      let writing = false;
      const store: SliceStore<ParsedBulk> = {
        async prepare(events) {
          const k = prepared++;
          log.push(`prepare ${k}`);
          const p = await bulkSliceStore.prepare(events);
          log.push(`prepared ${k}`);
          return p;
        },
        async write(db, schoolId, p, onLongWait) {
          const k = written++;
          if (writing) throw new Error("two writes at once");
          writing = true;
          log.push(`write ${k}`);
          await bulkSliceStore.write(db, schoolId, p, () => {
            log.push(`long wait ${k}`);
            onLongWait();
          });
          log.push(`written ${k}`);
          writing = false;
        },
      };
      await seedStream(piped.db, { scale: "xl", anchor, shape: three, store });
      await seedStream(plain.db, { scale: "xl", anchor, shape: three, store: bulkStore });
    });
    afterAll(async () => {
      await piped?.drop();
      await plain?.drop();
    });

    it("writes what the same store one slice after another writes, ids included", async () => {
      const a = await contents(piped);
      expect(Number(a.messages?.split(":")[0])).toBeGreaterThan(5_000);
      expect(a).toEqual(await contents(plain));
    });

    it("writes slices in order, one at a time, each prepared before its write and the next only from its long wait", () => {
      const at = (s: string) => {
        const i = log.indexOf(s);
        if (i < 0) throw new Error(`${s} missing from ${log.join(", ")}`);
        return i;
      };
      for (let k = 0; k < 3; k++) {
        expect(at(`prepared ${k}`)).toBeLessThan(at(`write ${k}`));
        expect(at(`write ${k}`)).toBeLessThan(at(`long wait ${k}`));
        expect(at(`long wait ${k}`)).toBeLessThan(at(`written ${k}`));
        if (k > 0) {
          expect(at(`written ${k - 1}`)).toBeLessThan(at(`write ${k}`));
          expect(at(`long wait ${k - 1}`)).toBeLessThan(at(`prepare ${k}`));
        }
      }
      expect(log.filter((l) => l.startsWith("prepare ")).length).toBe(3);
      // On PostgreSQL the message insert runs in the server: the next slice is prepared while it does.
      if (engine.name === "postgres") expect(at("prepare 1")).toBeLessThan(at("written 0"));
    });
  });
}
