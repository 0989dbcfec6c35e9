import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type Db, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool } from "@/db/queries/schools";
import { applyConfig, markDirty } from "@/db/queries/config";
import { listScopes, recomputeEpisodes } from "@/db/queries/episodes";
import { RESUMED_SCOPE_ESTIMATE } from "@/db/queries/episodes/load";
import { claimMarks, clearMarks, readMarks } from "@/db/queries/episodes/write";
import { readInputsVersion } from "@/db/queries/episodes/context";
import type { SchoolConfigInput } from "@/lib/config/schema";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";

/**
 * Full recompute and incremental recomputes (events stored in random batches, in random order, dirty
 * scopes recomputed after each batch) must end with the same episodes table. The data is synthetic but
 * exercises every rule that reads across messages: quotes and mentions of messages not yet stored, bots,
 * peers, acks, quick deletions, fifo channels, threads, DMs with check-ins, and ratings.
 * Set SQD_VOLUME=50000 to also time a recompute of that many messages (docs/metrics.md lists results).
 */

const src = { kind: "telegram" as const, externalId: "bot1" };
const START = Date.UTC(2026, 2, 2, 6, 0);
const STAFF = [
  { id: "c1", role: "coordinator" as const },
  { id: "c2", role: "coordinator" as const },
  { id: "m1", role: "mentor" as const },
  { id: "m2", role: "mentor" as const },
  { id: "s1", role: "support" as const },
];
const GROUPS = [
  { externalId: "g-sup", kind: "group" as const },
  { externalId: "g-fifo", kind: "group" as const },
  { externalId: "g-com", kind: "group" as const },
  { externalId: "forum", kind: "forum" as const },
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Synthetic {
  setup: IngestEvent[];
  config: SchoolConfigInput;
  messages: MessageEvent[];
  ratings: IngestEvent[];
  end: Date;
}

/** About `target` messages of conversations spread over ~3 weeks. */
export function synthetic(target: number, seed: number): Synthetic {
  const r = mulberry32(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const students = Array.from({ length: Math.max(20, Math.round(target / 40)) }, (_, i) => `u${i}`);
  const setup: IngestEvent[] = [
    ...STAFF.map((s) => ({ type: "roster" as const, source: src, identity: { externalId: s.id, name: s.id, email: `${s.id}@school.test` }, role: s.role })),
    { type: "roster", source: src, identity: { externalId: "bot", name: "Бот", isBot: true }, role: "bot" },
    ...GROUPS.map((g) => ({ type: "message" as const, action: "create" as const, source: src, channel: g, externalId: `init-${g.externalId}`, author: { externalId: "c1" }, sentAt: new Date(START - 3_600_000), contentKind: "service" as const })),
  ];
  const config: SchoolConfigInput = {
    calendars: [{ name: "work", timezone: "Europe/Moscow", default: true, weekly: { "mon-fri": ["09:00-21:00"] }, holidays: ["2026-03-09"] }],
    slaPolicies: [
      { name: "coord", ownerRole: "coordinator", targetMinutes: 120, clock: "business" },
      { name: "mentor", ownerRole: "mentor", targetMinutes: 1440, clock: "calendar" },
      { name: "urgent", priority: "urgent", targetMinutes: 15, clock: "calendar" },
    ],
    channels: [
      { source: "telegram", externalId: "g-sup", ownerRole: "coordinator" },
      { source: "telegram", externalId: "g-fifo", ownerRole: "mentor", ownerEmail: "m1@school.test", attribution: "fifo" },
      { source: "telegram", externalId: "g-com", purpose: "community" },
      { source: "telegram", externalId: "forum", ownerRole: "support" },
    ],
  };
  const messages: MessageEvent[] = [];
  const ratings: IngestEvent[] = [];
  let seq = 0;
  let t = START;
  const span = 21 * 86_400_000;
  const msg = (channel: MessageEvent["channel"], thread: MessageEvent["thread"], author: string, at: number, text: string, extra: Partial<MessageEvent> = {}): MessageEvent => {
    const m: MessageEvent = { type: "message", action: "create", source: src, channel, thread, externalId: `m${++seq}`, author: { externalId: author, isBot: author === "bot" }, sentAt: new Date(Math.round(at)), text, ...extra };
    messages.push(m);
    return m;
  };
  while (messages.length < target) {
    t += (span / (target / 4)) * -Math.log(1 - r());
    const student = pick(students);
    const place = r();
    const dm = place < 0.35;
    const channel = dm ? { externalId: `dm-${student}`, kind: "dm" as const } : pick(GROUPS);
    const thread = !dm && channel.externalId === "forum" ? { externalId: `topic-${Math.floor(r() * 30)}`, kind: "forum_topic" as const } : undefined;
    const staff = dm ? (student.length % 2 ? "c1" : "c2") : pick(STAFF).id;
    if (dm && r() < 0.15) msg(channel, thread, staff, t - 3 * 3_600_000 * r(), "Привет! Как дела с курсом?");
    const negative = r() < 0.08;
    const q = msg(channel, thread, student, t, negative ? "Ужас, никто не отвечает, как сдать задание?" : pick(["Как сдать задание?", "Когда дедлайн?", "Не открывается видео", "Подскажите по проекту"]), {
      deletedAt: r() < 0.04 ? new Date(Math.round(t + 20_000)) : undefined,
      mentions: !dm && r() < 0.1 ? [{ externalId: pick(STAFF).id }] : [],
    });
    let at = t;
    if (r() < 0.3) msg(channel, thread, student, (at += 60_000 + r() * 600_000), "И ещё: где лекция?");
    if (r() < 0.15) msg(channel, thread, "bot", (at += 30_000), "Мы ответим в рабочее время", { replyTo: { externalId: q.externalId, author: { externalId: student } } });
    if (!dm && r() < 0.1) msg(channel, thread, pick(students), (at += 120_000), "у меня тоже так", { replyTo: { externalId: q.externalId, author: { externalId: student } } });
    if (r() < 0.85) {
      const delay = -Math.log(1 - r()) * (r() < 0.8 ? 3_600_000 : 30 * 3_600_000);
      const how = r();
      const extra: Partial<MessageEvent> =
        how < 0.7 ? { replyTo: { externalId: q.externalId, author: { externalId: student } } } : how < 0.9 ? { mentions: [{ externalId: student }] } : {};
      const a = msg(channel, thread, staff, (at += delay), "Смотрю, сейчас отвечу", extra);
      if (r() < 0.4) msg(channel, thread, student, (at += 300_000), "спасибо");
      if (r() < 0.2) {
        ratings.push({ type: "rating", source: src, externalId: `r${seq}`, kind: "csat", rater: { externalId: student }, rawScore: 1 + Math.floor(r() * 5), scaleMax: 5, channelExternalId: channel.externalId, aboutMessageExternalId: a.externalId, givenAt: new Date(Math.round(at + 600_000)) });
      }
    }
  }
  return { setup, config, messages, ratings, end: new Date(t + 86_400_000) };
}

function shuffled<T>(xs: readonly T[], r: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** The episodes table without row ids and computed_at, keyed by the opening message's source id. */
async function snapshot(db: Db, schoolId: number): Promise<unknown[]> {
  return rows(db, sql`
    select om.external_id as opened, e.thread_id is not null as in_thread, e.student_person_id, e.cohort_id, e.opened_at::text, e.last_student_message_at::text,
      e.message_count, e.kind::text, e.status::text, e.priority::text, e.category::text, e.owner_role::text, e.owner_person_id, e.answered_at::text,
      am.external_id as answer, e.responder_person_id, e.first_bot_reply_at::text, e.first_peer_reply_at::text, p.name as policy, e.target_minutes,
      e.clock::text, e.response_calendar_minutes, e.response_business_minutes, e.breached, e.channel_id
    from episodes e join messages om on om.id = e.opened_message_id left join messages am on am.id = e.answer_message_id
    left join sla_policies p on p.id = e.policy_id
    where e.school_id = ${schoolId} order by om.external_id`);
}

/** A new school with the synthetic data's staff, channels and SLA configuration (no messages yet). */
async function configuredSchool(db: Db, slug: string, size: number, seed: number): Promise<{ schoolId: number; data: Synthetic }> {
  const schoolId = (await ensureSchool(db, { organisation: { slug: "org", name: "Org" }, slug, name: slug, timezone: "Europe/Moscow" })).id;
  const data = synthetic(size, seed);
  await storeEvents(db, schoolId, data.setup);
  await applyConfig(db, schoolId, data.config);
  return { schoolId, data };
}

async function contactRows(db: Db, schoolId: number): Promise<unknown[]> {
  return rows(db, sql`
    select k.rule::text, m.external_id, k.channel_id, k.thread_id, k.staff_person_id, k.student_person_id, k.sent_at::text, k.student_replied_at::text
    from staff_contacts k join messages m on m.id = k.message_id
    where k.school_id = ${schoolId} order by 1, 2, 6`);
}

async function ratingLinks(db: Db, schoolId: number): Promise<unknown[]> {
  return rows(db, sql`
    select r.external_id, om.external_id as opened, r.responder_person_id, r.cohort_id
    from ratings r left join episodes e on e.id = r.episode_id left join messages om on om.id = e.opened_message_id
    where r.school_id = ${schoolId} order by r.external_id`);
}

for (const engine of engines()) {
  describe(`episodes recompute on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    beforeAll(async () => {
      h = await engine.open();
    });
    afterAll(async () => h?.drop());

    it("ends with identical episodes after incremental recomputes of random batches as after a full recompute", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "inc", name: "Inc", timezone: "Europe/Moscow" })).id;
      const data = synthetic(3000, 7);
      await storeEvents(h.db, schoolId, data.setup);
      await applyConfig(h.db, schoolId, data.config);
      const r = mulberry32(99);
      const events = shuffled(data.messages, r);
      let batches = 0;
      for (let i = 0; i < events.length; batches++) {
        const n = 1 + Math.floor(r() * 400);
        const res = await storeEvents(h.db, schoolId, events.slice(i, i + n));
        expect(res.rejected).toEqual([]);
        i += n;
        await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, batchMessages: 500 });
      }
      await storeEvents(h.db, schoolId, data.ratings);
      const last = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
      expect(last.scopes).toBe(0);
      expect(batches).toBeGreaterThan(5);

      const incremental = await snapshot(h.db, schoolId);
      const incLinks = await ratingLinks(h.db, schoolId);
      const full = await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end });
      expect(full.warnings).toEqual([]);
      // The full recompute found every row already right: it rewrote none.
      expect(full).toMatchObject({ inserted: 0, deleted: 0 });
      expect(await snapshot(h.db, schoolId)).toEqual(incremental);
      expect(await ratingLinks(h.db, schoolId)).toEqual(incLinks);

      // The data exercised what it should.
      expect(full.episodes).toBe(incremental.length);
      const stats = (await rows<{ status: string; n: number }>(h.db, sql`select status::text, count(*)::int as n from episodes where school_id = ${schoolId} group by 1`)).reduce<Record<string, number>>((o, x) => ({ ...o, [x.status]: x.n }), {});
      expect(stats.answered).toBeGreaterThan(300);
      expect(stats.resolved_by_bot).toBeGreaterThan(0);
      expect(stats.abandoned).toBeGreaterThan(0);
      const [linked] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ratings where school_id = ${schoolId} and episode_id is not null`);
      expect(linked?.n).toBeGreaterThan(20);
      const [dirty] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from dirty_scopes where school_id = ${schoolId}`);
      expect(dirty?.n).toBe(0);
    });

    it("resumes big scopes from their checkpoints as messages arrive in time order, and ends as a whole recompute", async () => {
      const { schoolId, data } = await configuredSchool(h.db, "chk", 2000, 11);
      const r = mulberry32(5);
      // As webhooks deliver: in time order, a few at a time; now and then one late by minutes (still after
      // the checkpoint) and one late by days (before it: that scope is derived whole).
      const events = [...data.messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
      for (let i = 0; i + 3 < events.length; i += 97) {
        const a = events[i];
        const b = events[i + 3];
        if (a && b) [events[i], events[i + 3]] = [b, a];
      }
      const late = events.splice(events.length - 300, 1);
      events.splice(events.length - 20, 0, ...late);
      const policy = { lagMs: 60 * 60_000, minMessages: 50 };
      let resumed = 0;
      for (let i = 0; i < events.length; ) {
        const n = 1 + Math.floor(r() * 40);
        const batch = events.slice(i, i + n);
        i += n;
        expect((await storeEvents(h.db, schoolId, batch)).rejected).toEqual([]);
        const last = batch.at(-1);
        // `now` moves with the deliveries, as it does in the server.
        const now = new Date((last?.sentAt.getTime() ?? 0) + 60_000);
        resumed += (await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now, checkpoint: policy })).resumed;
      }
      await storeEvents(h.db, schoolId, data.ratings);
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      // Every resumed scope was then judged at its own `now`: one last run at the end judges the open ones again.
      await rows(h.db, sql`insert into dirty_scopes (school_id, channel_id, thread_id, from_sent_at)
        select school_id, channel_id, coalesce(thread_id, 0), max(sent_at) from messages where school_id = ${schoolId} group by 1, 2, 3
        on conflict do nothing`);
      resumed += (await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy })).resumed;
      expect(resumed).toBeGreaterThan(100);
      const [stored] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from scope_checkpoints where school_id = ${schoolId}`);
      expect(stored?.n).toBeGreaterThanOrEqual(3);

      const incremental = await snapshot(h.db, schoolId);
      const incLinks = await ratingLinks(h.db, schoolId);
      const incContacts = await contactRows(h.db, schoolId);
      const full = await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end, checkpoint: false });
      expect(full).toMatchObject({ inserted: 0, deleted: 0, resumed: 0 });
      expect(await snapshot(h.db, schoolId)).toEqual(incremental);
      expect(await ratingLinks(h.db, schoolId)).toEqual(incLinks);
      expect(await contactRows(h.db, schoolId)).toEqual(incContacts);
      expect(incContacts.length).toBeGreaterThan(50);
      // Without a policy no checkpoint outlives the run.
      const [left] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from scope_checkpoints where school_id = ${schoolId}`);
      expect(left?.n).toBe(0);
    });

    it("relinks a rating when a resumed scope rewrites its episode (an edit after the checkpoint)", async () => {
      const { schoolId, data } = await configuredSchool(h.db, "chk3", 1500, 13);
      // A three-day lag: the last three days of each big scope are derived again on every resumed run.
      const policy = { lagMs: 3 * 86_400_000, minMessages: 20 };
      await storeEvents(h.db, schoolId, data.messages);
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      await storeEvents(h.db, schoolId, data.ratings);
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      // A rated, answered, non-urgent episode opened after its scope's checkpoint.
      const [target] = await rows<{ opened: string; channel: string; kind: string; episode: string }>(h.db, sql`
        select om.external_id as opened, ch.external_id as channel, ch.kind::text as kind, e.id::text as episode
        from ratings r join episodes e on e.id = r.episode_id join messages om on om.id = e.opened_message_id join channels ch on ch.id = e.channel_id
        join scope_checkpoints k on k.school_id = e.school_id and k.channel_id = e.channel_id and k.thread_id = coalesce(e.thread_id, 0)
        where r.school_id = ${schoolId} and e.status = 'answered' and e.priority = 'normal' and e.opened_at > k.after_sent_at
        order by e.opened_at desc limit 1`);
      if (!target) throw new Error("the data has a rated episode after a checkpoint");
      const opening = data.messages.find((m) => m.externalId === target.opened);
      if (!opening) throw new Error("the opening message is in the data");
      // The student edits the question into a complaint: the episode turns urgent (another policy), so its row
      // is replaced by a new one, and the rating must follow it.
      await storeEvents(h.db, schoolId, [{ ...opening, action: "edit", editedAt: new Date(opening.sentAt.getTime() + 60_000), text: "Ужас, никто не отвечает, как сдать задание?" }]);
      const run = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      expect(run.resumed).toBe(1);
      const [now] = await rows<{ episode: string; priority: string }>(h.db, sql`
        select e.id::text as episode, e.priority::text as priority from episodes e join messages om on om.id = e.opened_message_id
        where e.school_id = ${schoolId} and om.external_id = ${target.opened}`);
      expect(now?.priority).toBe("urgent");
      expect(now?.episode).not.toBe(target.episode);
      const links = await ratingLinks(h.db, schoolId);
      expect(links.some((l) => (l as { opened: string | null }).opened === target.opened)).toBe(true);
      // The same links as a whole recompute gives.
      await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end, checkpoint: false });
      expect(await ratingLinks(h.db, schoolId)).toEqual(links);
      const [dangling] = await rows<{ n: number }>(h.db, sql`
        select count(*)::int as n from ratings r where r.school_id = ${schoolId} and r.episode_id is not null and not exists (select 1 from episodes e where e.id = r.episode_id)`);
      expect(dangling?.n).toBe(0);
    });

    it("batches a scope that will resume by an estimate, not by its whole history", async () => {
      const { schoolId, data } = await configuredSchool(h.db, "estimate", 800, 15);
      const events = [...data.messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
      const policy = { lagMs: 60 * 60_000, minMessages: 20 };
      await storeEvents(h.db, schoolId, events.slice(0, -10));
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      await storeEvents(h.db, schoolId, events.slice(-10));
      const counted = await listScopes(h.db, schoolId, "dirty");
      const estimated = await listScopes(h.db, schoolId, "dirty", { resumable: true });
      const [k] = await rows<{ n: number }>(h.db, sql`
        select count(*)::int as n from dirty_scopes d join scope_checkpoints k using (school_id, channel_id, thread_id)
        where d.school_id = ${schoolId} and d.from_sent_at > k.after_sent_at`);
      expect(k!.n).toBeGreaterThan(0);
      // The same scopes; those behind their checkpoint's point at the estimate, the others counted.
      expect(estimated.map((e) => [e.channelId, e.threadId, e.fromMs])).toEqual(counted.map((c) => [c.channelId, c.threadId, c.fromMs]));
      const differ = estimated.filter((e, i) => e.messages !== counted[i]!.messages);
      expect(differ).toHaveLength(k!.n);
      expect(differ.every((e) => e.messages === RESUMED_SCOPE_ESTIMATE)).toBe(true);
      const run = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      expect(run.resumed).toBe(k!.n);
      const incremental = await snapshot(h.db, schoolId);
      expect(await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end })).toMatchObject({ inserted: 0, deleted: 0 });
      expect(await snapshot(h.db, schoolId)).toEqual(incremental);
    });

    it("does not resume a checkpoint taken under other settings", async () => {
      const { schoolId, data } = await configuredSchool(h.db, "chk2", 800, 12);
      const events = [...data.messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
      const policy = { lagMs: 60 * 60_000, minMessages: 20 };
      await storeEvents(h.db, schoolId, events.slice(0, -10));
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      await rows(h.db, sql`update scope_checkpoints set fingerprint = 'other' where school_id = ${schoolId}`);
      await storeEvents(h.db, schoolId, events.slice(-10));
      const res = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end, checkpoint: policy });
      expect(res.scopes).toBeGreaterThan(0);
      expect(res.resumed).toBe(0);
      const incremental = await snapshot(h.db, schoolId);
      expect(await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end })).toMatchObject({ inserted: 0, deleted: 0 });
      expect(await snapshot(h.db, schoolId)).toEqual(incremental);
      const [fresh] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from scope_checkpoints where school_id = ${schoolId} and fingerprint = 'other'`);
      expect(fresh?.n).toBe(0);
    });

    it("clears only the marks it read: a mark set meanwhile survives", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "marks", name: "Marks", timezone: "Europe/Moscow" })).id;
      const data = synthetic(200, 3);
      await storeEvents(h.db, schoolId, [...data.setup, ...data.messages]);
      const scopes = await listScopes(h.db, schoolId, "dirty");
      const marks = await readMarks(h.db, schoolId, scopes);
      expect(marks).toHaveLength(scopes.length);
      // A message stored after the marks were read re-marks its scope (the store path sets marked_at = now()).
      const moved = marks[0]!;
      await h.db.execute(sql`update dirty_scopes set marked_at = now() + interval '1 second' where school_id = ${schoolId} and channel_id = ${moved.channelId} and thread_id = ${moved.threadId}`);
      await clearMarks(h.db, schoolId, marks);
      const left = await rows<{ c: number; t: number }>(h.db, sql`select channel_id::int as c, thread_id::int as t from dirty_scopes where school_id = ${schoolId}`);
      expect(left).toEqual([{ c: moved.channelId, t: moved.threadId }]);
      const again = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
      expect(again.scopes).toBe(1);
    });

    it("a mark renewed during a run keeps only what came after the run claimed it", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "renewed", name: "Renewed", timezone: "Europe/Moscow" })).id;
      const at = (min: number) => new Date(START + min * 60_000);
      const message = (id: string, sentAt: Date): MessageEvent => ({
        type: "message", action: "create", source: src, channel: { externalId: "g-sup", kind: "group" }, externalId: id,
        author: { externalId: "s1" }, sentAt, text: "Как сдать задание?",
      });
      const from = async () => {
        const [m] = await rows<{ f: string | null }>(h.db, sql`select to_char(from_sent_at at time zone 'UTC', 'HH24:MI') as f from dirty_scopes where school_id = ${schoolId}`);
        return m ? m.f : "cleared";
      };
      const hhmm = (d: Date) => d.toISOString().slice(11, 16);
      // What a run does around its derivation: claim, read, (a delivery comes), clear.
      const run = async (claim: boolean, meanwhile: () => Promise<unknown>) => {
        const scopes = await listScopes(h.db, schoolId, "dirty");
        if (claim) await claimMarks(h.db, schoolId, scopes);
        const marks = await readMarks(h.db, schoolId, scopes);
        await meanwhile();
        await clearMarks(h.db, schoolId, marks);
      };
      await storeEvents(h.db, schoolId, [message("a", at(10))]);
      expect(await from()).toBe(hhmm(at(10)));
      // Later messages while the run derives: the mark survives from the earliest of them, not from 10.
      await run(true, () => storeEvents(h.db, schoolId, [message("b", at(30)), message("c", at(20))]));
      expect(await from()).toBe(hhmm(at(20)));
      // A delivery late behind those: it is the earliest again.
      await run(true, () => storeEvents(h.db, schoolId, [message("d", at(40)), message("e", at(5))]));
      expect(await from()).toBe(hhmm(at(5)));
      // Settings that change the scope's episodes mark it whole: that wins.
      const [channel] = await rows<{ id: number }>(h.db, sql`select id::int as id from channels where school_id = ${schoolId}`);
      await run(true, async () => {
        await storeEvents(h.db, schoolId, [message("f", at(50))]);
        await markDirty(h.db, schoolId, [channel!.id]);
      });
      expect(await from()).toBeNull();
      // Nothing came meanwhile: cleared.
      await run(true, async () => undefined);
      expect(await from()).toBe("cleared");
      // A claim renewed before the marks are read is read with them, and cleared.
      await storeEvents(h.db, schoolId, [message("g", at(60))]);
      const scopes = await listScopes(h.db, schoolId, "dirty");
      await claimMarks(h.db, schoolId, scopes);
      await storeEvents(h.db, schoolId, [message("h", at(70))]);
      await clearMarks(h.db, schoolId, await readMarks(h.db, schoolId, scopes));
      expect(await from()).toBe("cleared");
      // Without a claim the surviving mark keeps its earliest message, as before claims existed.
      await storeEvents(h.db, schoolId, [message("i", at(80))]);
      await run(false, () => storeEvents(h.db, schoolId, [message("j", at(90))]));
      expect(await from()).toBe(hhmm(at(80)));
    });

    it("derives with a role granted after the run read its context: the batch reloads it", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "late-role", name: "Late role", timezone: "Europe/Moscow" })).id;
      const data = synthetic(400, 5);
      // m2 is not on the roster yet: until it is, m2's answers are a student's.
      const late = data.setup.find((e) => e.type === "roster" && e.identity.externalId === "m2");
      if (!late) throw new Error("no roster line for m2");
      await storeEvents(h.db, schoolId, data.setup.filter((e) => e !== late));
      await applyConfig(h.db, schoolId, data.config);
      const scopeOf = (m: MessageEvent) => `${m.channel.externalId}/${m.thread?.externalId ?? ""}`;
      const answered = new Set(data.messages.filter((m) => m.author.externalId === "m2" && m.channel.externalId !== "g-com").map(scopeOf));
      const held = data.messages.findLast((m) => answered.has(scopeOf(m)));
      if (!held) throw new Error("m2 answered nowhere");
      await storeEvents(h.db, schoolId, data.messages.filter((m) => m !== held));
      await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end });
      // One new message marks one of m2's scopes; the run lists it and reads the context, then (before its
      // batch reads the marks) the roster line commits: m2 becomes a mentor and every scope m2 wrote in is
      // marked again, this one included.
      await storeEvents(h.db, schoolId, [held]);
      let fired = false;
      const db = new Proxy(h.db, {
        get(target, prop, receiver) {
          if (prop !== "transaction") return Reflect.get(target, prop, receiver) as unknown;
          return async (...args: Parameters<Db["transaction"]>) => {
            if (!fired) {
              fired = true;
              await storeEvents(target, schoolId, [late]);
            }
            return target.transaction(...args);
          };
        },
      });
      const run = await recomputeEpisodes(db, schoolId, { scopes: "dirty", now: data.end });
      expect(fired).toBe(true);
      expect(run.scopes).toBe(1);
      expect(run.contextReloads).toBe(1);
      // The scopes the roster marked after the list: the next run's.
      expect((await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end })).scopes).toBeGreaterThan(1);
      const [m2] = await rows<{ n: number }>(h.db, sql`
        select count(*)::int as n from episodes e join people p on p.id = e.responder_person_id
        where e.school_id = ${schoolId} and p.display_name = 'm2'`);
      expect(m2?.n).toBeGreaterThan(0);
      const incremental = await snapshot(h.db, schoolId);
      expect(await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end })).toMatchObject({ inserted: 0, deleted: 0, contextReloads: 0 });
      expect(await snapshot(h.db, schoolId)).toEqual(incremental);
    });

    it("counts committed changes to what a run's context reads, and nothing a student's message writes", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "inputs", name: "Inputs", timezone: "Europe/Moscow" })).id;
      const data = synthetic(60, 9);
      const version = () => readInputsVersion(h.db, schoolId);
      const moved = async (what: () => Promise<unknown>): Promise<boolean> => {
        const before = await version();
        await what();
        return (await version()) !== before;
      };
      const student = (id: string, isBot = false): MessageEvent => ({
        type: "message", action: "create", source: src, channel: { externalId: "g-sup", kind: "group" }, externalId: `x-${id}`,
        author: { externalId: id, isBot }, sentAt: new Date(START), text: "Как сдать задание?",
      });
      expect(await version()).toBe(0);
      expect(await moved(() => storeEvents(h.db, schoolId, [student("new-student")]))).toBe(false);
      expect(await moved(() => storeEvents(h.db, schoolId, data.setup))).toBe(true);
      expect(await moved(() => storeEvents(h.db, schoolId, [student("new-bot", true)]))).toBe(true);
      expect(await moved(() => applyConfig(h.db, schoolId, data.config))).toBe(true);
      expect(await moved(() => rows(h.db, sql`update schools set name = 'Inputs 2' where id = ${schoolId}`))).toBe(false);
      expect(await moved(() => rows(h.db, sql`update schools set timezone = 'Asia/Yekaterinburg' where id = ${schoolId}`))).toBe(true);
      expect(await moved(() => rows(h.db, sql`update calendar_days set note = 'праздник' where school_id = ${schoolId}`))).toBe(true);
      // Counted at commit: a change rolled back counts nothing.
      const rolledBack = () =>
        h.db
          .transaction(async (tx) => {
            await tx.execute(sql`delete from person_roles where school_id = ${schoolId}`);
            throw new Error("rolled back");
          })
          .catch((err: unknown) => expect(String(err)).toContain("rolled back"));
      expect(await moved(rolledBack)).toBe(false);
      expect(await moved(() => rows(h.db, sql`delete from person_roles where school_id = ${schoolId} and role = 'support'`))).toBe(true);
    });

    it("gives no target, with a warning, when a business policy has no calendar to run on", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "nocal", name: "No calendar", timezone: "Europe/Moscow" })).id;
      const data = synthetic(100, 5);
      await storeEvents(h.db, schoolId, [...data.setup, ...data.messages]);
      await h.db.execute(sql`insert into sla_policies (school_id, name, target_minutes, clock) values (${schoolId}, 'any 1h', 60, 'business')`);
      const res = await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end });
      expect(res.warnings).toEqual([expect.stringMatching(/policy any 1h runs on business time but has no calendar/)]);
      const [r] = await rows<{ n: number; targets: number; breached: number; minutes: number }>(
        h.db,
        sql`select count(*)::int as n, count(target_minutes)::int as targets, count(*) filter (where breached)::int as breached,
              count(response_calendar_minutes)::int as minutes from episodes where school_id = ${schoolId}`,
      );
      expect(r).toMatchObject({ targets: 0, breached: 0 });
      expect(r?.n).toBeGreaterThan(10);
      expect(r?.minutes).toBeGreaterThan(0);
    });

    it("looks once for the episode of a rating stored after it, and not again on every run", async () => {
      const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "rlc", name: "Rlc", timezone: "Europe/Moscow" })).id;
      const data = synthetic(300, 21);
      await storeEvents(h.db, schoolId, [...data.setup, ...data.messages]);
      await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
      const [answered] = await rows<{ answer: string; channel: string }>(h.db, sql`
        select am.external_id as answer, ch.external_id as channel from episodes e join messages am on am.id = e.answer_message_id
        join channels ch on ch.id = e.channel_id where e.school_id = ${schoolId} and e.status = 'answered' order by am.external_id limit 1`);
      const [question] = await rows<{ id: string; channel: string }>(h.db, sql`
        select om.external_id as id, ch.external_id as channel from episodes e join messages om on om.id = e.opened_message_id
        join channels ch on ch.id = e.channel_id where e.school_id = ${schoolId} order by om.external_id limit 1`);
      if (!answered || !question) throw new Error("the data has answered episodes");
      const rating = (externalId: string, channel: string, about: string): IngestEvent => ({
        type: "rating", source: src, externalId, kind: "csat", rater: { externalId: "u1" }, rawScore: 5, scaleMax: 5, channelExternalId: channel,
        aboutMessageExternalId: about, givenAt: data.end,
      });
      // Both stored after their messages' episodes were derived: no scope is dirty, the run links the first.
      await storeEvents(h.db, schoolId, [rating("late-ok", answered.channel, answered.answer), rating("late-none", question.channel, question.id)]);
      const run = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
      expect(run).toMatchObject({ scopes: 0, ratingsLinked: 1 });
      const state = async () =>
        rows<{ external_id: string; linked: boolean; link_checked: boolean }>(h.db, sql`
          select external_id, episode_id is not null as linked, link_checked from ratings where school_id = ${schoolId} and external_id like 'late-%' order by 1`);
      expect(await state()).toEqual([
        { external_id: "late-none", linked: false, link_checked: true },
        { external_id: "late-ok", linked: true, link_checked: true },
      ]);
      // The rating about a question (which answers nothing) is not looked for again.
      const again = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
      expect(again.ratingsLinked).toBe(0);
      expect(await state()).toEqual([
        { external_id: "late-none", linked: false, link_checked: true },
        { external_id: "late-ok", linked: true, link_checked: true },
      ]);
      // A full recompute agrees.
      await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end });
      expect((await state()).map((r) => r.linked)).toEqual([false, true]);
    });

    it("recomputes an explicit list of scopes only", async () => {
      const [s] = await rows<{ id: number }>(h.db, sql`select id::int from schools where slug = 'inc'`);
      const schoolId = s!.id;
      const [ch] = await rows<{ id: number }>(h.db, sql`select id::int from channels where school_id = ${schoolId} and external_id = 'g-sup'`);
      const res = await recomputeEpisodes(h.db, schoolId, { scopes: [{ channelId: ch!.id, threadId: null }], now: new Date(START + 30 * 86_400_000) });
      expect(res.scopes).toBe(1);
      expect(res.episodes).toBeGreaterThan(10);
    });
  });
}

const volume = Number(process.env.SQD_VOLUME ?? 0);
for (const engine of volume > 0 ? engines() : []) {
  describe(`recompute volume on ${engine.name}`, () => {
    it(`recomputes ${volume} messages`, { timeout: 1_800_000 }, async () => {
      const h = await engine.open();
      try {
        const schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "vol", name: "Vol", timezone: "Europe/Moscow" })).id;
        const data = synthetic(volume, 11);
        let t0 = performance.now();
        await storeEvents(h.db, schoolId, data.setup);
        await applyConfig(h.db, schoolId, data.config);
        for (let i = 0; i < data.messages.length; i += 5000) await storeEvents(h.db, schoolId, data.messages.slice(i, i + 5000));
        await storeEvents(h.db, schoolId, data.ratings);
        const storeMs = performance.now() - t0;
        t0 = performance.now();
        const full = await recomputeEpisodes(h.db, schoolId, { scopes: "dirty", now: data.end });
        const fullMs = performance.now() - t0;
        const again = await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: data.end });
        const mem = process.memoryUsage().heapUsed / 2 ** 20;
        console.log(`[volume ${engine.name}] ${data.messages.length} messages stored in ${(storeMs / 1000).toFixed(1)} s; first recompute ${full.scopes} scopes, ${full.episodes} episodes in ${(fullMs / 1000).toFixed(1)} s (${full.batches} batches, ${JSON.stringify(full.phaseMs)}); --all again ${(again.ms / 1000).toFixed(1)} s (${JSON.stringify(again.phaseMs)}); heap ${mem.toFixed(0)} MiB`);
        expect(again.episodes).toBe(full.episodes);
      } finally {
        await h.drop();
      }
    });
  });
}
