import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { rows, type Db, type DbHandle } from "@/db/client";
import { recomputeEpisodes } from "@/db/queries/episodes";
import type { BehindSummary } from "@/db/queries/episodes/behind";
import { bulkSliceStore, bulkStore } from "@/db/queries/bulk-import";
import { ensureSchool, listSchools } from "@/db/queries/schools";
import { configureChannels, configureSchool } from "@/db/seed/config";
import { STREAM_SHAPES, planStream, seedStream, streamSlices, type SliceShape } from "@/db/seed/stream";
import { engines } from "./harness";

/**
 * Deriving a streamed load behind its slices (db/queries/episodes/behind.ts) must leave exactly what one
 * `recompute --all` after the whole load leaves: the same episodes with the same SLA columns, the same
 * staff contacts and rating links, no dirty marks, and the school's contacts recorded as complete.
 */

const anchor = new Date("2026-03-01T00:00:00Z");
const now = new Date("2026-03-01T00:00:00Z");
// Three slices with cohorts of 3–5 students: several derivation runs behind the import, in seconds.
const shape: Partial<SliceShape> = { slices: 3, scale: { ...STREAM_SHAPES.xl.scale, studentsPerCohort: [3, 5] } };

/** Rows keyed by sources' ids and people's ids (the import stores people in one order; episode ids differ). */
async function derived(h: DbHandle): Promise<{ episodes: string[]; contacts: string[]; ratings: string[]; dirty: number; complete: number }> {
  const episodes = await rows<{ r: string }>(
    h.db,
    sql`select concat_ws('|', om.external_id, e.channel_id, coalesce(e.thread_id, 0), e.student_person_id, e.cohort_id, e.opened_at, e.last_student_message_at,
              e.message_count, e.kind, e.status, e.priority, e.category, e.owner_role, e.owner_person_id, e.answered_at, am.external_id, e.responder_person_id,
              e.first_bot_reply_at, e.first_peer_reply_at, e.policy_id, e.target_minutes, e.clock, e.response_calendar_minutes, e.response_business_minutes, e.breached) as r
        from episodes e join messages om on om.id = e.opened_message_id left join messages am on am.id = e.answer_message_id order by 1`,
  );
  const contacts = await rows<{ r: string }>(
    h.db,
    sql`select concat_ws('|', k.rule, m.external_id, k.channel_id, k.thread_id, k.staff_person_id, k.student_person_id, k.sent_at, k.student_replied_at) as r
        from staff_contacts k join messages m on m.id = k.message_id order by 1`,
  );
  const ratings = await rows<{ r: string }>(
    h.db,
    sql`select concat_ws('|', r.external_id, om.external_id, r.responder_person_id, r.cohort_id) as r
        from ratings r left join episodes e on e.id = r.episode_id left join messages om on om.id = e.opened_message_id order by 1`,
  );
  const [n] = await rows<{ dirty: number; complete: number }>(
    h.db,
    sql`select (select count(*)::int from dirty_scopes) as dirty, (select count(*)::int from staff_contacts_complete) as complete`,
  );
  return { episodes: episodes.map((x) => x.r), contacts: contacts.map((x) => x.r), ratings: ratings.map((x) => x.r), dirty: n?.dirty ?? -1, complete: n?.complete ?? -1 };
}

for (const engine of engines()) {
  describe(`derivation behind a streamed load on ${engine.name}`, () => {
    let behind: DbHandle & { drop(): Promise<void> };
    let after: DbHandle & { drop(): Promise<void> };
    const heard: Array<{ slug: string } & BehindSummary> = [];
    beforeAll(async () => {
      behind = await engine.open();
      after = await engine.open();
      await seedStream(behind.db, { scale: "xl", anchor, shape, deriveBehind: { now, onDerived: (r) => heard.push(r) } });
      await seedStream(after.db, { scale: "xl", anchor, shape });
      for (const s of await listSchools(after.db)) await recomputeEpisodes(after.db, s.id, { scopes: "all", now });
    });
    afterAll(async () => {
      await behind?.drop();
      await after?.drop();
    });

    it("leaves the episodes, contacts and rating links of one whole recompute", async () => {
      const a = await derived(behind);
      const b = await derived(after);
      expect(a.episodes.length).toBeGreaterThan(500);
      expect(a.contacts.length).toBeGreaterThan(100);
      expect(a.ratings.some((r) => r.split("|").length > 2)).toBe(true);
      expect(a).toEqual(b);
      expect(a.dirty).toBe(0);
      expect(a.complete).toBe(1);
    });

    it("ran behind the slices and once after the last, deriving each episode once", async () => {
      expect(heard).toHaveLength(1);
      // At least one run behind the slices (runs coalesce when a slice is stored during one) and the final one.
      expect(heard[0]?.runs).toBeGreaterThanOrEqual(2);
      // Slices share no scope, so no scope was derived twice and none was left to the final run.
      expect(heard[0]?.episodesWritten).toBe((await derived(behind)).episodes.length);
    });
  });
}

// The bench's way at school scale: bulk slices, the next one prepared while one is written, derived behind.
for (const engine of engines()) {
  describe(`derivation behind a pipelined bulk load on ${engine.name}`, () => {
    let behind: DbHandle & { drop(): Promise<void> };
    let after: DbHandle & { drop(): Promise<void> };
    beforeAll(async () => {
      behind = await engine.open();
      after = await engine.open();
      await seedStream(behind.db, { scale: "xl", anchor, shape, store: bulkSliceStore, deriveBehind: { now } });
      await seedStream(after.db, { scale: "xl", anchor, shape, store: bulkStore });
      for (const s of await listSchools(after.db)) await recomputeEpisodes(after.db, s.id, { scopes: "all", now });
    });
    afterAll(async () => {
      await behind?.drop();
      await after?.drop();
    });

    it("leaves the episodes, contacts and rating links of one whole recompute after a plain bulk load", async () => {
      const a = await derived(behind);
      expect(a.episodes.length).toBeGreaterThan(500);
      expect(a.ratings.some((r) => r.split("|").length > 2)).toBe(true);
      expect(a).toEqual(await derived(after));
    });
  });
}

// The window that lost episodes at 10 M messages (1 bench run in several): a derivation run that lists the
// dirty scopes after a slice's commit and before its channels are configured derives them with the
// channels' defaults. Here every slice meets such a run (inside the store's write, after its commit); the
// configuration's marks must make the runs behind derive those scopes again.
for (const engine of engines()) {
  describe(`derivation behind a load, with a run before each slice's channels are configured, on ${engine.name}`, () => {
    let behind: DbHandle & { drop(): Promise<void> };
    let after: DbHandle & { drop(): Promise<void> };
    let early = 0;
    beforeAll(async () => {
      behind = await engine.open();
      after = await engine.open();
      const racing = {
        prepare: (events: Parameters<typeof bulkSliceStore.prepare>[0]) => bulkSliceStore.prepare(events),
        async write(...args: Parameters<typeof bulkSliceStore.write>): Promise<void> {
          await bulkSliceStore.write(...args);
          early += (await recomputeEpisodes(args[0], args[1], { scopes: "dirty", now })).episodes;
        },
      };
      await seedStream(behind.db, { scale: "xl", anchor, shape, store: racing, deriveBehind: { now } });
      await seedStream(after.db, { scale: "xl", anchor, shape, store: bulkStore });
      for (const s of await listSchools(after.db)) await recomputeEpisodes(after.db, s.id, { scopes: "all", now });
    });
    afterAll(async () => {
      await behind?.drop();
      await after?.drop();
    });

    it("ends with the episodes of one whole recompute: the configuration marked what was derived too early", async () => {
      const a = await derived(behind);
      const b = await derived(after);
      expect(early).toBeGreaterThan(500);
      expect(a.episodes.length).toBeGreaterThan(500);
      expect(a).toEqual(b);
      expect(a.dirty).toBe(0);
    });
  });
}

/** A statement's text, from drizzle's chunks (enough to recognise one in a test). */
function sqlText(q: unknown): string {
  if (typeof q !== "object" || q === null) return "";
  const o = q as { queryChunks?: unknown[]; value?: unknown };
  if (Array.isArray(o.queryChunks)) return o.queryChunks.map(sqlText).join("");
  return Array.isArray(o.value) ? o.value.filter((v) => typeof v === "string").join("") : "";
}

/** `db`, but `before` runs once, just before the first statement that lists the dirty scopes. */
function beforeListing(db: Db, before: () => Promise<void>): Db {
  let fired = false;
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== "execute") return Reflect.get(target, prop, receiver) as unknown;
      return async (q: Parameters<Db["execute"]>[0]) => {
        // A run's first statement on dirty_scopes is its list (listScopes).
        if (!fired && sqlText(q).includes("dirty_scopes")) {
          fired = true;
          await before();
        }
        return target.execute(q);
      };
    },
  });
}

// The window that lost a slice's episodes in a second bench run at 10 M messages: a run that read the
// school's context (roles) before a slice was committed and listed the dirty scopes after it (and after its
// channels were configured) derived that slice with none of its new staff known as staff, and cleared its
// marks. Here every slice after the first is stored and configured inside such a run, just before its list.
for (const engine of engines()) {
  describe(`a derivation run that lists a slice stored after the run began, on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let injected = 0;
    beforeAll(async () => {
      h = await engine.open();
      const demo = planStream({ scale: "xl", anchor, shape });
      const school = demo.schools[0];
      if (!school) throw new Error("no school");
      const { id } = await ensureSchool(h.db, { organisation: demo.organisation, slug: school.slug, name: school.name, timezone: school.timezone });
      for (const slice of streamSlices(demo, school)) {
        const plan = slice.plan;
        const store = async () => {
          await bulkStore(h.db, id, slice.events());
          await configureChannels(h.db, id, plan);
        };
        if (slice.index === 0) {
          await configureSchool(h.db, id, plan);
          await store();
          await recomputeEpisodes(h.db, id, { scopes: "dirty", now });
        } else {
          const before = injected;
          const inside = async () => {
            await store();
            injected++;
          };
          await recomputeEpisodes(beforeListing(h.db, inside), id, { scopes: "dirty", now });
          if (injected !== before + 1) throw new Error("the slice was not stored inside the run");
        }
      }
      // What a streamed load does after its last slice: one more run for whatever is still marked.
      await recomputeEpisodes(h.db, id, { scopes: "dirty", now });
    });
    afterAll(async () => {
      await h?.drop();
    });

    it("derives those scopes with the roles the slice brought: the same rows as one whole recompute", async () => {
      const a = await derived(h);
      for (const s of await listSchools(h.db)) await recomputeEpisodes(h.db, s.id, { scopes: "all", now });
      const b = await derived(h);
      expect(injected).toBe((shape.slices ?? 0) - 1);
      expect(a.episodes.length).toBeGreaterThan(500);
      expect(a.episodes).toEqual(b.episodes);
      expect(a.contacts).toEqual(b.contacts);
      expect(a.dirty).toBe(0);
    });
  });
}
