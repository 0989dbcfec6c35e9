import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type Db, type DbHandle } from "@/db/client";
import { bulkImport, type BulkResult } from "@/db/queries/bulk-import";
import { storeEvents } from "@/db/queries/ingest";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { ensureSchool } from "@/db/queries/schools";
import { configureChannels, configureLmsItems, configureSchool, configureShifts } from "@/db/seed/config";
import { generateSchoolEvents, planDemo, seedDemo } from "@/db/seed/demo";
import type { IngestEvent } from "@/lib/ingest/types";
import { runImport, type ImportRequest } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * The bulk import (db/queries/bulk-import.ts) against the store path: the small demo stored through
 * storeEvents (seedDemo, 5,000-event transactions) and through bulkImport (one call per school) must
 * leave the same database — counts per table and a digest of the rows by their natural keys (serial ids
 * differ) — before and after deriving episodes.
 */

const anchor = new Date("2026-03-01T00:00:00Z");
const now = new Date("2026-03-01T00:00:00Z");
const SEED = 11;

const TABLES = [
  "sources", "source_identities", "people", "person_roles", "teams", "team_members", "staff_capacity", "assignments", "courses", "cohorts",
  "enrollments", "enrollment_events", "channels", "threads", "messages", "lms_items", "lms_events", "survey_requests", "ratings", "dirty_scopes", "episodes",
];

async function tableCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [r] = await rows<{ n: number }>(db, sql`select count(*)::int as n from ${sql.identifier(t)}`);
    out[t] = r?.n ?? -1;
  }
  return out;
}

/** Natural keys: a person by e-mail, else by its first source identity; a message by channel and id. */
const KEYS = sql`
  pk as (select p.id, coalesce(p.email, (select min(s.kind::text || '/' || i.external_id) from source_identities i join sources s on s.id = i.source_id where i.person_id = p.id), 'name:' || p.display_name) as k from people p),
  ck as (select c.id, sc.slug || '/' || s.kind::text || '/' || c.external_id as k from channels c join sources s on s.id = c.source_id join schools sc on sc.id = c.school_id),
  tk as (select t.id, ck.k || '/' || t.external_id as k from threads t join ck on ck.id = t.channel_id),
  mk as (select m.id, ck.k || '/' || m.external_id as k from messages m join ck on ck.id = m.channel_id),
  ek as (select e.id, co.external_id || '/' || pk.k as k from enrollments e join cohorts co on co.id = e.cohort_id join pk on pk.id = e.person_id)`;

const DIGESTS: Record<string, ReturnType<typeof sql>> = {
  people: sql`select row(pk.k, p.display_name, p.email, p.is_bot)::text from people p join pk on pk.id = p.id`,
  identities: sql`select row(s.kind, i.external_id, pk.k, i.display_name, i.username, i.is_bot, i.mapped)::text from source_identities i join sources s on s.id = i.source_id join pk on pk.id = i.person_id`,
  roles: sql`select row(pk.k, r.role)::text from person_roles r join pk on pk.id = r.person_id`,
  teams: sql`select row(t.name, pk.k, (select string_agg(pm.k, ',' order by pm.k) from team_members tm join pk pm on pm.id = tm.person_id where tm.team_id = t.id))::text from teams t left join pk on pk.id = t.lead_person_id`,
  capacity: sql`select row(pk.k, c.episodes_per_hour, c.max_students)::text from staff_capacity c join pk on pk.id = c.person_id`,
  assignments: sql`select row(a.k, b.k, x.role)::text from assignments x join pk a on a.id = x.staff_person_id join pk b on b.id = x.student_person_id`,
  channels: sql`select row(ck.k, c.kind, c.title)::text from channels c join ck on ck.id = c.id`,
  threads: sql`select row(tk.k, t.kind, t.title, t.created_at)::text from threads t join tk on tk.id = t.id`,
  messages: sql`select row(mk.k, tk.k, pk.k, m.sent_at, m.edited_at, m.deleted_at, m.reply_to_external_id, rp.k,
      (select string_agg(mp.k, ',' order by o) from unnest(m.mention_person_ids) with ordinality as u(pid, o) join pk mp on mp.id = u.pid),
      m.content_kind, m.is_bot, m.text, m.text_length, m.is_ack, m.has_question, m.negative, m.category)::text
    from messages m join mk on mk.id = m.id left join tk on tk.id = m.thread_id join pk on pk.id = m.author_person_id left join pk rp on rp.id = m.reply_to_person_id`,
  enrollments: sql`select row(ek.k, e.tier, e.status, e.enrolled_at, e.ended_at, e.final_result)::text from enrollments e join ek on ek.id = e.id`,
  enrollment_events: sql`select row(ek.k, x.status, x.at)::text from enrollment_events x join ek on ek.id = x.enrollment_id`,
  lms_events: sql`select row(s.kind, l.external_id, pk.k, co.external_id, ch.external_id, ek.k, l.verb, l.object_id, l.object_kind, l.score, l.max_score, l.amount, l.occurred_at, l.voided_at, l.extra::text)::text
    from lms_events l join sources s on s.id = l.source_id join pk on pk.id = l.person_id left join courses co on co.id = l.course_id left join cohorts ch on ch.id = l.cohort_id left join ek on ek.id = l.enrollment_id`,
  surveys: sql`select row(s.kind, v.external_id, v.kind, pk.k, v.sent_at)::text from survey_requests v join sources s on s.id = v.source_id join pk on pk.id = v.person_id`,
  ratings: sql`select row(s.kind, r.external_id, r.kind, pk.k, r.score, r.raw_score, r.raw_scale_max, r.comment, r.from_dm, mk.k, r.given_at, om.k, rp.k, co.external_id)::text
    from ratings r join sources s on s.id = r.source_id join pk on pk.id = r.person_id left join mk on mk.id = r.about_message_id
      left join episodes e on e.id = r.episode_id left join mk om on om.id = e.opened_message_id left join pk rp on rp.id = r.responder_person_id left join cohorts co on co.id = r.cohort_id`,
  dirty: sql`select row(ck.k, tk.k)::text from dirty_scopes d join ck on ck.id = d.channel_id left join tk on tk.id = d.thread_id`,
  episodes: sql`select row(ck.k, tk.k, sp.k, co.external_id, om.k, e.opened_at, e.last_student_message_at, e.message_count, e.kind, e.status, e.priority, e.category,
      e.owner_role, op.k, e.answered_at, am.k, rp.k, e.first_bot_reply_at, e.first_peer_reply_at, sl.name, e.target_minutes, e.clock,
      e.response_calendar_minutes, e.response_business_minutes, e.breached)::text
    from episodes e join ck on ck.id = e.channel_id left join tk on tk.id = e.thread_id join pk sp on sp.id = e.student_person_id left join cohorts co on co.id = e.cohort_id
      join mk om on om.id = e.opened_message_id left join pk op on op.id = e.owner_person_id left join mk am on am.id = e.answer_message_id
      left join pk rp on rp.id = e.responder_person_id left join sla_policies sl on sl.id = e.policy_id`,
};

async function digest(db: Db): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, q] of Object.entries(DIGESTS)) {
    const [r] = await rows<{ d: string; n: number }>(db, sql`with ${KEYS} select md5(coalesce(string_agg(x, E'\n' order by x), '')) as d, count(*)::int as n from (${q}) t(x)`);
    out[name] = `${r?.n}:${r?.d}`;
  }
  return out;
}

function* slices(events: Iterable<IngestEvent>): Generator<IngestEvent[]> {
  let cur: IngestEvent[] = [];
  let keys = new Set<string>();
  for (const e of events) {
    const key = e.type === "enrollment" ? `${e.student.externalId}\u0000${e.cohort.externalId}` : null;
    if (cur.length >= 5000 || (key !== null && keys.has(key))) {
      yield cur;
      cur = [];
      keys = new Set();
    }
    if (key !== null) keys.add(key);
    cur.push(e);
  }
  if (cur.length > 0) yield cur;
}

/** seedDemo's steps with bulkImport in place of storeEvents. */
async function bulkDemo(db: Db): Promise<BulkResult[]> {
  const plan = planDemo({ scale: "small", seed: SEED, anchor });
  const ids: number[] = [];
  for (const school of plan.schools) ids.push((await ensureSchool(db, { organisation: plan.organisation, slug: school.slug, name: school.name, timezone: school.timezone })).id);
  const out: BulkResult[] = [];
  for (const [i, school] of plan.schools.entries()) {
    const id = ids[i] ?? -1;
    await configureSchool(db, id, school);
    // In seedDemo's slices (5,000 events, a repeated enrollment starts a new one): later slices refer to
    // people, channels and enrollments stored by earlier ones, as the streaming generator's do.
    for (const slice of slices(generateSchoolEvents(school))) out.push(await bulkImport(db, id, slice, { analyze: false }));
    await configureChannels(db, id, school);
    await configureLmsItems(db, id, school);
    await configureShifts(db, id, school);
  }
  return out;
}

async function schoolIds(db: Db): Promise<number[]> {
  return (await rows<{ id: string }>(db, sql`select id::text as id from schools order by slug`)).map((r) => Number(r.id));
}

async function deriveAll(db: Db): Promise<void> {
  for (const id of await schoolIds(db)) await recomputeEpisodes(db, id, { scopes: "all", now });
}

for (const engine of engines()) {
  describe(`bulk import (${engine.name})`, () => {
    let store: DbHandle & { drop(): Promise<void> };
    let bulk: DbHandle & { drop(): Promise<void> };
    let first: BulkResult[] = [];

    beforeAll(async () => {
      store = await engine.open();
      bulk = await engine.open();
      await seedDemo(store.db, { scale: "small", seed: SEED, anchor });
      first = await bulkDemo(bulk.db);
    }, 240_000);

    afterAll(async () => {
      await store?.drop();
      await bulk?.drop();
    });

    it("stores what the store path stores, row for row, before and after derivation", async () => {
      expect(first.every((r) => r.rejected.length === 0)).toBe(true);
      expect(first.reduce((n, r) => n + r.stored, 0)).toBeGreaterThan(30_000);
      expect(await tableCounts(bulk.db)).toEqual(await tableCounts(store.db));
      expect(await digest(bulk.db)).toEqual(await digest(store.db));
      await deriveAll(store.db);
      await deriveAll(bulk.db);
      expect(await tableCounts(bulk.db)).toEqual(await tableCounts(store.db));
      expect(await digest(bulk.db)).toEqual(await digest(store.db));
    }, 240_000);

    it("never stores DM text", async () => {
      const [r] = await rows<{ dm: number; with_text: number }>(
        bulk.db,
        sql`select count(*)::int as dm, count(m.text)::int as with_text from messages m join channels c on c.id = m.channel_id where c.kind = 'dm'`,
      );
      expect(r?.dm ?? 0).toBeGreaterThan(0);
      expect(r?.with_text).toBe(0);
    });

    it("stores nothing when the same events come again", async () => {
      const before = await tableCounts(bulk.db);
      const digestBefore = await digest(bulk.db);
      const plan = planDemo({ scale: "small", seed: SEED, anchor });
      const ids = await schoolIds(bulk.db);
      const bySlug = new Map((await rows<{ id: string; slug: string }>(bulk.db, sql`select id::text as id, slug from schools`)).map((r) => [r.slug, Number(r.id)]));
      expect(ids.length).toBe(plan.schools.length);
      for (const school of plan.schools) {
        const res = await bulkImport(bulk.db, bySlug.get(school.slug) ?? -1, generateSchoolEvents(school));
        expect(res.stored).toBe(0);
        expect(res.rejected).toEqual([]);
        expect(res.duplicates).toBeGreaterThan(0);
      }
      const after = await tableCounts(bulk.db);
      // Re-read enrollments move through their history again and land where they were; every scope is marked again.
      expect({ ...after, dirty_scopes: 0 }).toEqual({ ...before, dirty_scopes: 0 });
      expect(await digest(bulk.db)).toEqual({ ...digestBefore, dirty: (await digest(bulk.db)).dirty });
    }, 120_000);

    it("links a known account to its roster e-mail line by line (the store path's own loop)", async () => {
      const [school] = await schoolIds(bulk.db);
      const source = { kind: "telegram" as const, externalId: "bulk-roster" };
      const msg: IngestEvent = {
        type: "message", action: "create", source, channel: { externalId: "g1", kind: "group" }, externalId: "x1",
        author: { externalId: "acc-1", name: "Early Bird" }, sentAt: new Date("2026-02-01T10:00:00Z"), text: "hi",
      };
      expect((await bulkImport(bulk.db, school ?? -1, [msg])).stored).toBe(1);
      const roster: IngestEvent = { type: "roster", source, identity: { externalId: "acc-1", name: "Early Bird", email: "Early.Bird@example.org" }, role: "mentor", team: "bulk-team" };
      const res = await bulkImport(bulk.db, school ?? -1, [roster]);
      expect(res).toMatchObject({ stored: 1, updated: 0, duplicates: 0 });
      const [p] = await rows<{ email: string; role: string; mapped: boolean; team: string }>(
        bulk.db,
        sql`select p.email, r.role::text as role, i.mapped, t.name as team from source_identities i join people p on p.id = i.person_id
            join person_roles r on r.person_id = p.id join team_members tm on tm.person_id = p.id join teams t on t.id = tm.team_id
            where i.external_id = 'acc-1'`,
      );
      expect(p).toEqual({ email: "early.bird@example.org", role: "mentor", mapped: true, team: "bulk-team" });
      expect((await bulkImport(bulk.db, school ?? -1, [roster])).duplicates).toBe(1);
    });

    it("keeps text exactly through the staging tables (COPY escapes, NULL-looking text, JSON extras)", async () => {
      const [school] = await schoolIds(bulk.db);
      const source = { kind: "telegram" as const, externalId: "bulk-text" };
      const texts = ["tab\there", "line\nbreak\r\nwindows", "back\\slash \\N \\t", "\\N", "NULL", "quote \" and ' and {braces,}", "ёжик 😀", ""];
      const events: IngestEvent[] = texts.map((text, i) => ({
        type: "message", action: "create", source, channel: { externalId: "tx", kind: "group", title: "tab\ttitle" }, externalId: `t${i}`,
        author: { externalId: "writer", name: "W\\x" }, sentAt: new Date(Date.UTC(2026, 1, 1, 10, i)), text,
      }));
      const lms: IngestEvent = {
        type: "lms", source: { kind: "xapi", externalId: "bulk-text-lms" }, externalId: "e1", actor: { externalId: "writer" }, verb: "answered",
        occurredAt: new Date("2026-02-01T10:00:00Z"), score: 0.1, extra: { note: "a\tb\\c\n\"d\"", n: [1, 2] },
      };
      const res = await bulkImport(bulk.db, school ?? -1, [...events, lms]);
      expect(res.stored).toBe(texts.length + 1);
      const got = await rows<{ external_id: string; text: string | null; text_length: number }>(
        bulk.db,
        sql`select m.external_id, m.text, m.text_length from messages m join sources s on s.id = m.source_id where s.external_id = 'bulk-text' order by m.sent_at`,
      );
      expect(got.map((r) => r.text)).toEqual(texts);
      expect(got.map((r) => r.text_length)).toEqual(texts.map((t) => t.length));
      const [e] = await rows<{ extra: unknown; score: number }>(bulk.db, sql`select extra, score from lms_events where external_id = 'e1'`);
      expect(e?.extra).toEqual({ note: "a\tb\\c\n\"d\"", n: [1, 2] });
      expect(e?.score).toBeCloseTo(0.1, 6);
    });

    it("moves a Slack thread's parent into its thread across loads, as the store path does", async () => {
      const source = { kind: "slack" as const, externalId: "bulk-slack" };
      const msg = (id: string, minute: number, thread?: string): IngestEvent => ({
        type: "message", action: "create", source, channel: { externalId: "C1", kind: "channel" }, externalId: id,
        ...(thread ? { thread: { externalId: thread, kind: "thread" as const } } : {}),
        author: { externalId: `U${minute}` }, sentAt: new Date(Date.UTC(2026, 1, 2, 9, minute)), text: `m${minute}?`,
      });
      // Parent first, reply in a later load; and a reply first, its parent later.
      const loads = [[msg("100.1", 1)], [msg("100.2", 2, "100.1")], [msg("200.2", 4, "200.1")], [msg("200.1", 3), msg("300.1", 5)]];
      const shape = async (db: Db) =>
        rows<{ r: string }>(db, sql`select row(m.external_id, t.external_id)::text as r from messages m join sources s on s.id = m.source_id
          left join threads t on t.id = m.thread_id where s.external_id = 'bulk-slack' order by m.external_id`);
      const [bs] = await schoolIds(bulk.db);
      const [ss] = await schoolIds(store.db);
      for (const load of loads) {
        await bulkImport(bulk.db, bs ?? -1, load);
        await storeEvents(store.db, ss ?? -1, load);
      }
      const got = await shape(bulk.db);
      expect(got).toEqual(await shape(store.db));
      expect(got.map((x) => x.r)).toEqual(["(100.1,100.1)", "(100.2,100.1)", "(200.1,200.1)", "(200.2,200.1)", "(300.1,)"]);
    });

    it("writes nothing when one event is invalid, and says which", async () => {
      const before = await tableCounts(bulk.db);
      const [school] = await schoolIds(bulk.db);
      const good: IngestEvent = {
        type: "message", action: "create", source: { kind: "telegram", externalId: "bulk-test" }, channel: { externalId: "c1", kind: "group" },
        externalId: "m1", author: { externalId: "u1", name: "U" }, sentAt: new Date("2026-02-01T10:00:00Z"), text: "hello?",
      };
      const bad = { ...good, externalId: "", sentAt: "yesterday" } as unknown as IngestEvent;
      const res = await bulkImport(bulk.db, school ?? -1, [good, { ...good, externalId: "m2" }, bad, { ...good, externalId: "m3" }]);
      expect(res.stored).toBe(0);
      expect(res.rejected.map((r) => r.index)).toEqual([2]);
      expect(res.rejected[0]?.reason).toMatch(/externalId|sentAt/);
      expect(await tableCounts(bulk.db)).toEqual(before);
    });
  });
}

/** Per school: its rows by natural keys, for comparing two schools fed the same file two ways. */
async function schoolDigest(db: Db, slug: string): Promise<Record<string, string>> {
  const parts: Record<string, ReturnType<typeof sql>> = {
    messages: sql`select row(c.external_id, t.external_id, m.external_id, i.external_id, m.sent_at, m.edited_at, m.deleted_at, m.text, m.text_length, m.is_ack,
        m.has_question, m.negative, m.category, m.content_kind, m.is_bot, m.reply_to_external_id, cardinality(m.mention_person_ids), m.reply_to_person_id is null)::text
      from messages m join channels c on c.id = m.channel_id left join threads t on t.id = m.thread_id join source_identities i on i.id = m.author_identity_id where m.school_id = s.id`,
    identities: sql`select row(i.external_id, i.display_name, i.username, i.is_bot, i.mapped, p.display_name, p.email)::text from source_identities i join people p on p.id = i.person_id where i.school_id = s.id`,
    channels: sql`select row(c.external_id, c.kind, c.title, (select count(*) from threads t where t.channel_id = c.id))::text from channels c where c.school_id = s.id`,
    lms: sql`select row(e.external_id, e.verb, e.object_id, e.score, e.occurred_at, e.voided_at, e.extra::text)::text from lms_events e where e.school_id = s.id`,
    people: sql`select count(*)::text from people p where p.school_id = s.id`,
  };
  const out: Record<string, string> = {};
  for (const [name, q] of Object.entries(parts)) {
    const [r] = await rows<{ d: string }>(db, sql`select (select count(*) || ':' || md5(coalesce(string_agg(x, E'\n' order by x), '')) from (${q}) t(x)) as d from schools s where s.slug = ${slug}`);
    out[name] = r?.d ?? "";
  }
  return out;
}

const S = (...p: string[]) => sharedSamplePath(...p);
const CLI_CASES: Array<Omit<ImportRequest, "school">> = [
  { format: "telegram-export", paths: [S("telegram/tgif_coorporate-speak.json")] },
  { format: "slack-export", paths: [S("slack/export")] },
  { format: "discord-export", paths: [S("discord")] },
  { format: "mattermost-export", paths: [S("mattermost/zulip_fixture_mattermost_bulk_export.jsonl")] },
  { format: "openedx-tracking", paths: [S("xapi-openedx/raw_tracking_log")] },
];

for (const engine of engines()) {
  describe(`import --bulk (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    beforeAll(async () => {
      h = await engine.open();
    });
    afterAll(async () => h?.drop());

    CLI_CASES.forEach((req, i) => {
      it(`${req.format}: the same rows and counts as without --bulk, and nothing new the second time`, async () => {
        for (const slug of [`store${i}`, `bulk${i}`]) await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug, name: slug, timezone: "Europe/Moscow" });
        const store = await runImport(h.db, { ...req, school: `store${i}` });
        const bulk = await runImport(h.db, { ...req, school: `bulk${i}`, bulk: true });
        const pick = (s: typeof store) => ({ stored: s.stored, updated: s.updated, duplicates: s.duplicates, rejected: s.rejected });
        expect(pick(bulk)).toEqual(pick(store));
        expect(await schoolDigest(h.db, `bulk${i}`)).toEqual(await schoolDigest(h.db, `store${i}`));
        const again = await runImport(h.db, { ...req, school: `bulk${i}`, bulk: true });
        expect({ stored: again.stored, updated: again.updated }).toEqual({ stored: 0, updated: 0 });
      });
    });
  });
}
