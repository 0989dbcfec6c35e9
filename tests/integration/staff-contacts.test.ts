import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { engines, openDemoSchool } from "./harness";
import { rows, type Db, type DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool, listSchools, type SchoolRow } from "@/db/queries/schools";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { staffContactsBetween } from "@/db/queries/episodes/contacts";
import { ensureStaffContacts } from "@/db/queries/episodes/staff-contacts";
import { staffContacts } from "@/db/queries/reports/outcomes";

/**
 * `staff_contacts` (db/schema/contacts.ts): the stored rows equal the on-the-fly rules they replace
 * (lib/metrics/episodes' `initiated` rule through staffContactsBetween, and outcomes.ts `staffContacts`
 * with the at-risk reply), whether written by recompute or by the first-read backfill; recompute replaces
 * a scope's rows and leaves the others; the table holds no text.
 */

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString();

/** The stored `initiated` rows in [from, to), as comparable strings. */
async function storedInitiated(db: Db, schoolId: number, from: Date, to: Date): Promise<string[]> {
  const r = await rows<{ k: string }>(
    db,
    sql`select message_id || ':' || staff_person_id || ':' || coalesce(student_person_id::text, '-') || ':' || to_char(sent_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as k
        from staff_contacts where school_id = ${schoolId} and rule = 'initiated' and sent_at >= ${iso(from)}::timestamptz and sent_at < ${iso(to)}::timestamptz`,
  );
  return r.map((x) => x.k).sort();
}

async function derivedInitiated(db: Db, schoolId: number, from: Date, to: Date): Promise<string[]> {
  return (await staffContactsBetween(db, schoolId, from, to)).map((c) => `${c.messageId}:${c.staffPersonId}:${c.studentPersonId ?? "-"}:${iso(c.sentAt)}`).sort();
}

const ts = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`);

/** The `silence` rule as of `asOf`: stored rows vs. the former on-the-fly query with the at-risk page's reply. */
async function silencePair(db: Db, schoolId: number, asOf: Date): Promise<[string[], string[]]> {
  const a = sql`${iso(asOf)}::timestamptz`;
  const onTheFly = await rows<{ k: string }>(
    db,
    sql`select k.student_person_id || ':' || k.channel_id || ':' || ${ts("k.at")} || ':' ||
               coalesce((select ${ts("min(m2.sent_at)")} from messages m2 where m2.school_id = ${schoolId} and m2.channel_id = k.channel_id
                  and m2.author_person_id = k.student_person_id and m2.sent_at > k.at and m2.sent_at <= ${a} and m2.deleted_at is null), '-') as k
        from ${staffContacts(schoolId, a)} k`,
  );
  const stored = await rows<{ k: string }>(
    db,
    sql`select k.student_person_id || ':' || k.channel_id || ':' || ${ts("k.sent_at")} || ':' ||
               coalesce(case when k.student_replied_at <= ${a} then ${ts("k.student_replied_at")} end, '-') as k
        from staff_contacts k where k.school_id = ${schoolId} and k.rule = 'silence' and k.sent_at <= ${a}`,
  );
  return [onTheFly.map((x) => x.k).sort(), stored.map((x) => x.k).sort()];
}

/**
 * The former "staff wrote to the student" union of activeContactRows (db/queries/reports/contacts.ts) as of
 * `a`, for every person (the page keeps its active students), kept here as the reference for `addressed`.
 */
function addressedOnTheFly(schoolId: number, a: SQL): SQL {
  const SENT = sql`m.content_kind <> 'service' and not (m.deleted_at is not null and m.deleted_at <= m.sent_at + interval '60 seconds')`;
  const staff = sql`(select distinct r.person_id from person_roles r where r.school_id = ${schoolId} and r.role = any(array['coordinator', 'mentor', 'reviewer', 'support', 'team_lead']::role_kind[]))`;
  return sql`(
    select ch.dm_student_person_id as pid, m.sent_at, m.author_person_id as staff_id from messages m
      join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      where m.school_id = ${schoolId} and ch.kind = 'dm' and ch.dm_student_person_id is not null
        and m.sent_at <= ${a} and not m.is_bot and ${SENT} and m.author_person_id in ${staff}
    union all
    select m.reply_to_person_id, m.sent_at, m.author_person_id from messages m
      join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      where m.school_id = ${schoolId} and ch.kind <> 'dm' and m.reply_to_person_id is not null
        and m.sent_at <= ${a} and not m.is_bot and ${SENT} and m.author_person_id in ${staff}
    union all
    select x.pid, m.sent_at, m.author_person_id from messages m
      join channels ch on ch.id = m.channel_id and ch.school_id = m.school_id
      cross join lateral unnest(m.mention_person_ids) as x(pid)
      where m.school_id = ${schoolId} and ch.kind <> 'dm' and cardinality(m.mention_person_ids) > 0
        and (m.reply_to_person_id is null or m.reply_to_person_id <> x.pid)
        and m.sent_at <= ${a} and not m.is_bot and ${SENT} and m.author_person_id in ${staff})`;
}

/** The `addressed` rule as of `asOf`: stored rows vs. the reference union, as (student, sent, staff) multisets. */
async function addressedPair(db: Db, schoolId: number, asOf: Date): Promise<[string[], string[]]> {
  const a = sql`${iso(asOf)}::timestamptz`;
  const onTheFly = await rows<{ k: string }>(db, sql`select k.pid || ':' || ${ts("k.sent_at")} || ':' || k.staff_id as k from ${addressedOnTheFly(schoolId, a)} k`);
  const stored = await rows<{ k: string }>(
    db,
    sql`select student_person_id || ':' || ${ts("sent_at")} || ':' || staff_person_id as k from staff_contacts where school_id = ${schoolId} and rule = 'addressed' and sent_at <= ${a}`,
  );
  return [onTheFly.map((x) => x.k).sort(), stored.map((x) => x.k).sort()];
}

async function allRows(db: Db, schoolId: number): Promise<string[]> {
  const r = await rows<{ k: string }>(
    db,
    sql`select rule || ':' || message_id || ':' || channel_id || ':' || thread_id || ':' || staff_person_id || ':' || coalesce(student_person_id::text, '-') || ':' ||
               ${ts("sent_at")} || ':' || coalesce(${ts("student_replied_at")}, '-') as k
        from staff_contacts where school_id = ${schoolId}`,
  );
  return r.map((x) => x.k).sort();
}

async function completeSchools(db: Db): Promise<number[]> {
  return (await db.select().from(t.staffContactsComplete)).map((r) => r.schoolId).sort((a, b) => a - b);
}

type Person = { id: number; tg: number };

for (const engine of engines()) {
  describe(`staff_contacts on a hand-built school (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    let coord: Person;
    let s1: Person & { dm: number };
    let s2: Person & { dm: number };
    let tgId: number;
    let seq = 0;
    const base = new Date("2026-03-01T10:00:00Z");
    const at = (days: number, minutes = 0) => new Date(base.getTime() + days * DAY + minutes * 60_000);
    const msg = async (author: Person, channelId: number, when: Date, extra: Partial<typeof t.messages.$inferInsert> = {}) => {
      const [m] = await h.db.insert(t.messages).values({ schoolId: school.id, sourceId: tgId, channelId, externalId: `m${++seq}`, authorPersonId: author.id, authorIdentityId: author.tg, sentAt: when, textLength: 42, ...extra }).returning();
      return m!.id;
    };

    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "Europe/Moscow" });
      const db = h.db;
      const s = school.id;
      const [tg] = await db.insert(t.sources).values({ schoolId: s, kind: "telegram", externalId: "bot", name: "TG" }).returning();
      tgId = tg!.id;
      const person = async (name: string): Promise<Person> => {
        const [p] = await db.insert(t.people).values({ schoolId: s, displayName: name }).returning();
        const [i] = await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: tgId, externalId: `tg-${name}`, personId: p!.id }).returning();
        return { id: p!.id, tg: i!.id };
      };
      coord = await person("coord");
      const mentor = await person("mentor");
      await db.insert(t.personRoles).values([{ schoolId: s, personId: coord.id, role: "coordinator" }, { schoolId: s, personId: mentor.id, role: "mentor" }]);
      const student = async (name: string) => {
        const p = await person(name);
        const [dm] = await db.insert(t.channels).values({ schoolId: s, sourceId: tgId, externalId: `dm-${name}`, kind: "dm", dmStudentPersonId: p.id }).returning();
        return { ...p, dm: dm!.id };
      };
      s1 = await student("s1");
      s2 = await student("s2");
      const [group] = await db.insert(t.channels).values({ schoolId: s, sourceId: tgId, externalId: "group", kind: "group" }).returning();
      // s1: a check-in (contact), the student's reply, an answer 20 min after a question (no contact, under both
      // rules), an answer after 2 h of silence (a `silence` contact, not an `initiated` one), a second line.
      await msg(coord, s1.dm, at(0));
      await msg(s1, s1.dm, at(1));
      await msg(s1, s1.dm, at(3), { hasQuestion: true });
      await msg(coord, s1.dm, at(3, 20));
      await msg(s1, s1.dm, at(5), { hasQuestion: true });
      await msg(mentor, s1.dm, at(5, 120));
      await msg(mentor, s1.dm, at(5, 125));
      await msg(coord, s1.dm, at(20));
      // s2: two check-ins, no reply; a deleted staff message; a bot-free group chat message (never a contact).
      await msg(coord, s2.dm, at(2));
      await msg(coord, s2.dm, at(9), { deletedAt: at(9, 30) });
      await msg(mentor, s2.dm, at(12));
      await msg(s2, group!.id, at(4));
      await msg(coord, group!.id, at(4, 200), { mentionPersonIds: [s2.id] });
      // A reply to s1 that also mentions s1 (counted once, as the reply) and s2 twice (counted twice, as before).
      await msg(mentor, group!.id, at(6), { replyToPersonId: s1.id, mentionPersonIds: [s1.id, s2.id, s2.id] });
      // A bot's message in a DM and a message deleted within a minute address nobody.
      const [bot] = await db.insert(t.people).values({ schoolId: s, displayName: "robot", isBot: true }).returning();
      await db.insert(t.personRoles).values({ schoolId: s, personId: bot!.id, role: "support" });
      await msg({ id: bot!.id, tg: coord.tg }, s2.dm, at(7), { isBot: true });
      await msg(coord, s2.dm, at(8), { deletedAt: at(8, 0.5) });
    });
    afterAll(async () => h?.drop());

    it("a school never recomputed is backfilled on first read, equal to the on-the-fly rules", async () => {
      expect(await allRows(h.db, school.id)).toEqual([]);
      expect(await completeSchools(h.db)).toEqual([]);
      await ensureStaffContacts(h.db, school.id);
      expect(await completeSchools(h.db)).toEqual([school.id]);
      const from = at(-10);
      const to = at(60);
      const stored = await storedInitiated(h.db, school.id, from, to);
      expect(stored).toEqual(await derivedInitiated(h.db, school.id, from, to));
      // s1: the check-in at day 0 and the one at day 20; s2: day 2 and day 12 (the day-9 message counts, as in the rule).
      expect(stored).toHaveLength(5);
      for (const asOf of [at(0.5), at(1.5), at(5.1), at(30)]) {
        const [fly, st] = await silencePair(h.db, school.id, asOf);
        expect(st).toEqual(fly);
        const [afly, ast] = await addressedPair(h.db, school.id, asOf);
        expect(ast).toEqual(afly);
      }
      const [addressed] = await addressedPair(h.db, school.id, at(30));
      // s1: 5 staff messages in the DM + the reply; s2: 3 in the DM (not the bot's, not the one deleted at once)
      // + the mention on day 4 + the double mention.
      expect(addressed.filter((k) => k.startsWith(`${s1.id}:`))).toHaveLength(6);
      expect(addressed.filter((k) => k.startsWith(`${s2.id}:`))).toHaveLength(6);
      const [fly, st] = await silencePair(h.db, school.id, at(30));
      expect(fly.length).toBeGreaterThan(stored.length - 1);
      expect(st.length).toBe(fly.length);
      // Windows inside the data give the same contacts as deriving just that window.
      for (const [a, b] of [[at(1), at(13)], [at(10), at(25)]] as const) {
        expect(await storedInitiated(h.db, school.id, a, b)).toEqual(await derivedInitiated(h.db, school.id, a, b));
      }
    });

    it("recompute writes the same rows, and replaces a scope's rows when its messages change", async () => {
      const backfilled = await allRows(h.db, school.id);
      await h.db.execute(sql`delete from staff_contacts where school_id = ${school.id}`);
      await h.db.delete(t.staffContactsComplete);
      await recomputeEpisodes(h.db, school.id, { scopes: "all", now: at(60) });
      expect(await allRows(h.db, school.id)).toEqual(backfilled);
      expect(await completeSchools(h.db)).toEqual([school.id]);

      // s1 asks a question 10 min before the day-20 message: that message is now an answer, not a check-in,
      // and (10 min of quiet) not a `silence` contact either. s2's rows stay as they were.
      const s2Before = backfilled.filter((k) => k.split(":")[2] === String(s2.dm));
      await msg(s1, s1.dm, at(20, -10), { hasQuestion: true });
      await recomputeEpisodes(h.db, school.id, { scopes: [{ channelId: s1.dm, threadId: null }], now: at(60) });
      const after = await allRows(h.db, school.id);
      expect(after.filter((k) => k.split(":")[2] === String(s2.dm))).toEqual(s2Before);
      expect(after.length).toBe(backfilled.length - 2);
      expect(await storedInitiated(h.db, school.id, at(-10), at(60))).toEqual(await derivedInitiated(h.db, school.id, at(-10), at(60)));
      const [fly, st] = await silencePair(h.db, school.id, at(60));
      expect(st).toEqual(fly);
      const [afly, ast] = await addressedPair(h.db, school.id, at(60));
      expect(ast).toEqual(afly);

      // A deletion (the store path marks the scope dirty; here the scope is named) is reflected too.
      await h.db.execute(sql`update messages set deleted_at = sent_at + interval '1 day' where school_id = ${school.id} and channel_id = ${s2.dm} and sent_at = ${iso(at(2))}::timestamptz`);
      await recomputeEpisodes(h.db, school.id, { scopes: [{ channelId: s2.dm, threadId: 0 }], now: at(60) });
      const [fly2, st2] = await silencePair(h.db, school.id, at(60));
      expect(st2).toEqual(fly2);
      const [afly2, ast2] = await addressedPair(h.db, school.id, at(60));
      expect(ast2).toEqual(afly2);
      expect(await storedInitiated(h.db, school.id, at(-10), at(60))).toEqual(await derivedInitiated(h.db, school.id, at(-10), at(60)));
    });

    it("holds ids and instants only: no message text", async () => {
      const cols = await rows<{ column_name: string; data_type: string }>(
        h.db,
        sql`select column_name, data_type from information_schema.columns where table_name = 'staff_contacts' order by ordinal_position`,
      );
      expect(cols.map((c) => c.column_name)).toEqual(["school_id", "rule", "message_id", "channel_id", "thread_id", "staff_person_id", "student_person_id", "sent_at", "student_replied_at"]);
      // The one text column is the rule's name.
      expect(cols.filter((c) => c.data_type === "text").map((c) => c.column_name)).toEqual(["rule"]);
      const rules = await rows<{ rule: string }>(h.db, sql`select distinct rule from staff_contacts order by 1`);
      expect(rules.map((r) => r.rule)).toEqual(["addressed", "initiated", "silence"]);
    });
  });

  describe(`staff_contacts on the small demo (${engine.name})`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schools: SchoolRow[];
    const anchor = new Date("2026-11-27T00:00:00Z");
    beforeAll(async () => {
      const d = await openDemoSchool(engine, anchor, anchor);
      h = d.h;
      schools = await listSchools(h.db);
    }, 180_000);
    afterAll(async () => h?.drop());

    it("recompute's rows equal the on-the-fly rules and the backfill", async () => {
      const [first] = schools;
      if (!first) throw new Error("no school");
      // openDemoSchool recomputed every scope of the first school: complete, no backfill needed.
      expect(await completeSchools(h.db)).toEqual([first.id]);
      for (const school of schools) {
        await ensureStaffContacts(h.db, school.id);
        for (const asOf of [new Date("2026-09-15T00:00:00Z"), anchor]) {
          const from = new Date(asOf.getTime() - 30 * DAY);
          const stored = await storedInitiated(h.db, school.id, from, asOf);
          expect(stored.length).toBeGreaterThan(0);
          expect(stored).toEqual(await derivedInitiated(h.db, school.id, from, asOf));
          const [fly, st] = await silencePair(h.db, school.id, asOf);
          expect(fly.length).toBeGreaterThan(0);
          expect(st).toEqual(fly);
          const [afly, ast] = await addressedPair(h.db, school.id, asOf);
          expect(afly.length).toBeGreaterThan(0);
          expect(ast).toEqual(afly);
        }
      }
      // The backfill of the recomputed school writes exactly what recompute wrote.
      const written = await allRows(h.db, first.id);
      await h.db.execute(sql`delete from staff_contacts_complete where school_id = ${first.id}`);
      await ensureStaffContacts(h.db, first.id);
      expect(await allRows(h.db, first.id)).toEqual(written);
    }, 120_000);
  });
}
