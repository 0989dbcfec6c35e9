import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "@/tests/integration/harness";
import { rows, type DbHandle } from "@/db/client";
import { seedDemo, type DemoSummary } from "./demo";

const anchor = new Date("2026-03-01T00:00:00Z");

interface Counts {
  slug: string;
  people: number;
  staff: number;
  bots: number;
  students: number;
  courses: number;
  cohorts: number;
  enrollments: number;
  channels: number;
  messages: number;
  lms_events: number;
  surveys: number;
  ratings: number;
}

async function countsBySchool(h: DbHandle): Promise<Counts[]> {
  return rows<Counts & Record<string, unknown>>(
    h.db,
    sql`select s.slug,
      (select count(*)::int from people p where p.school_id = s.id) as people,
      (select count(distinct r.person_id)::int from person_roles r where r.school_id = s.id and r.role not in ('student', 'bot')) as staff,
      (select count(*)::int from people p where p.school_id = s.id and p.is_bot) as bots,
      (select count(*)::int from people p where p.school_id = s.id and not exists (select 1 from person_roles r where r.person_id = p.id)) as students,
      (select count(*)::int from courses c where c.school_id = s.id) as courses,
      (select count(*)::int from cohorts c where c.school_id = s.id) as cohorts,
      (select count(*)::int from enrollments e where e.school_id = s.id) as enrollments,
      (select count(*)::int from channels c where c.school_id = s.id) as channels,
      (select count(*)::int from messages m where m.school_id = s.id) as messages,
      (select count(*)::int from lms_events l where l.school_id = s.id) as lms_events,
      (select count(*)::int from survey_requests v where v.school_id = s.id) as surveys,
      (select count(*)::int from ratings r where r.school_id = s.id) as ratings
    from schools s order by s.slug`,
  );
}

/** Every table the seed writes, so a second run can be shown to change none of them. */
async function tableCounts(h: DbHandle): Promise<Record<string, number>> {
  const tables = [
    "organisations", "schools", "sources", "source_identities", "people", "person_roles", "teams", "team_members", "staff_capacity", "assignments",
    "courses", "cohorts", "enrollments", "enrollment_events", "channels", "threads", "messages", "lms_items", "lms_events", "survey_requests", "ratings",
    "calendars", "calendar_intervals", "calendar_days", "sla_policies", "role_labels", "shifts",
  ];
  const out: Record<string, number> = {};
  for (const t of tables) {
    const [r] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(t)}`);
    out[t] = r?.n ?? -1;
  }
  return out;
}

for (const engine of engines()) {
  describe(`seedDemo small on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let summary: DemoSummary;
    let progress: Array<[number, number]> = [];
    beforeAll(async () => {
      h = await engine.open();
      summary = await seedDemo(h.db, { scale: "small", seed: 11, anchor, onProgress: (d, t) => progress.push([d, t]) });
    });
    afterAll(async () => h?.drop());

    it("stores exactly what the summary says, per school", async () => {
      const counts = await countsBySchool(h);
      expect(counts.map((c) => c.slug)).toEqual(summary.schools.map((s) => s.slug).sort());
      for (const s of summary.schools) {
        const c = counts.find((x) => x.slug === s.slug);
        expect(c).toEqual({
          slug: s.slug, people: s.people, staff: s.staff, bots: s.bots, students: s.students, courses: s.courses, cohorts: s.cohorts,
          enrollments: s.enrollments, channels: s.channels, messages: s.messages, lms_events: s.lmsEvents, surveys: s.surveys, ratings: s.ratings,
        });
      }
      const last = progress[progress.length - 1];
      expect(last?.[0]).toBe(last?.[1]);
    });

    it("links people across sources and configures what is not an event", async () => {
      const [r] = await rows<Record<string, number>>(
        h.db,
        sql`select
          (select count(*)::int from lms_events where enrollment_id is null) as unlinked_lms,
          (select count(*)::int from channels where kind = 'dm' and (dm_student_person_id is null or owner_person_id is null)) as dms_without_people,
          (select count(*)::int from channels where purpose = 'ignored') as flood,
          (select count(*)::int from channels where owner_role = 'mentor') as mentor_channels,
          (select count(*)::int from channels c where c.cohort_id is null and c.kind <> 'dm' and c.owner_role = 'coordinator') as cohort_chats_without_cohort,
          (select count(*)::int from ratings where about_message_id is null and kind = 'csat') as csat_without_answer,
          (select count(*)::int from assignments) as assignments,
          (select count(*)::int from teams where lead_person_id is null) as teams_without_lead,
          (select count(*)::int from source_identities where not mapped) as unmapped,
          (select count(*)::int from enrollment_events) as history,
          (select count(*)::int from enrollments) as enrollments,
          (select count(*)::int from lms_items) as lms_items`,
      );
      expect(r).toMatchObject({ unlinked_lms: 0, dms_without_people: 0, cohort_chats_without_cohort: 0, csat_without_answer: 0, teams_without_lead: 0, unmapped: 0 });
      expect(r?.flood).toBeGreaterThanOrEqual(4);
      expect(r?.mentor_channels).toBeGreaterThanOrEqual(8);
      expect(r?.assignments).toBeGreaterThan(100);
      expect(r?.history).toBeGreaterThan(r?.enrollments ?? 0);
      expect(r?.lms_items).toBeGreaterThan(500);
    });

    it("changes no count when seeded again", async () => {
      const before = await tableCounts(h);
      progress = [];
      const again = await seedDemo(h.db, { scale: "small", seed: 11, anchor });
      expect(again).toEqual(summary);
      expect(await tableCounts(h)).toEqual(before);
    });
  });
}
