import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { ensureSchool } from "@/db/queries/schools";
import type { IngestEvent } from "@/lib/ingest/types";

/**
 * messages, lms_events and episodes check their references once per statement (migration 0012, ADR 0007)
 * instead of with foreign keys: a row naming an id that is not stored is refused with the foreign-key error
 * class, the whole statement with it, on insert and on update; a referenced row cannot be deleted.
 */

const src = { kind: "telegram" as const, externalId: "bot-refs" };
const lms = { kind: "xapi" as const, externalId: "lrs-refs" };
const at = new Date("2026-03-02T09:00:00Z");
const MISSING = 987_654_321;

/** The SQLSTATE of a failed statement (drizzle wraps the driver's error as `cause`), or null when it succeeded. */
async function sqlstate(h: DbHandle, q: SQL): Promise<string | null> {
  try {
    await h.db.execute(q);
    return null;
  } catch (e) {
    const code = (x: unknown): string | undefined => (typeof x === "object" && x !== null && "code" in x && typeof x.code === "string" ? x.code : undefined);
    return code(e) ?? code(e instanceof Error ? e.cause : undefined) ?? "no code";
  }
}

for (const engine of engines()) {
  describe(`reference checks of messages, lms_events and episodes on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let schoolId = 0;
    let msg: { id: number; source_id: number; channel_id: number; author_person_id: number; author_identity_id: number };
    let lonePerson = 0;
    const count = async (table: "messages" | "lms_events" | "episodes") =>
      (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]?.n ?? -1;

    beforeAll(async () => {
      h = await engine.open();
      schoolId = (await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "refs", name: "Refs", timezone: "Europe/Moscow" })).id;
      const events: IngestEvent[] = [
        { type: "roster", source: src, identity: { externalId: "c1", name: "Координатор", email: "c1@school.test" }, role: "coordinator" },
        { type: "message", action: "create", source: src, channel: { externalId: "g1", kind: "group" }, externalId: "m1", author: { externalId: "s1", name: "Студент" }, sentAt: at, text: "Как сдать работу?" },
        { type: "message", action: "create", source: src, channel: { externalId: "g1", kind: "group" }, externalId: "m2", author: { externalId: "c1" }, sentAt: new Date(at.getTime() + 600_000), text: "Через форму" },
        { type: "lms", source: lms, externalId: "x1", actor: { externalId: "s1-lms", email: "s1@school.test" }, verb: "experienced", occurredAt: at },
      ];
      const r = await storeEvents(h.db, schoolId, events);
      expect(r.rejected).toEqual([]);
      await recomputeEpisodes(h.db, schoolId, { scopes: "all", now: new Date(at.getTime() + 3_600_000) });
      const [m] = await rows<typeof msg>(h.db, sql`select id::int, source_id::int, channel_id::int, author_person_id::int, author_identity_id::int from messages where external_id = 'm1'`);
      if (!m) throw new Error("no message");
      msg = m;
      const [p] = await rows<{ id: number }>(h.db, sql`insert into people (school_id, display_name) values (${schoolId}, 'Никто') returning id::int`);
      lonePerson = p?.id ?? 0;
    });
    afterAll(async () => h?.drop());

    it("stores rows whose references exist (the fixture: two messages, an LMS event, an episode)", async () => {
      expect(await count("messages")).toBe(2);
      expect(await count("lms_events")).toBe(1);
      expect(await count("episodes")).toBe(1);
    });

    const messageRow = (over: Partial<Record<"channel_id" | "thread_id" | "author_person_id" | "author_identity_id" | "reply_to_person_id" | "source_id", number>>, ext: string) => {
      const v = { source_id: msg.source_id, channel_id: msg.channel_id, thread_id: null as number | null, author_person_id: msg.author_person_id, author_identity_id: msg.author_identity_id, reply_to_person_id: null as number | null, ...over };
      return sql`(${schoolId}, ${v.source_id}, ${v.channel_id}, ${v.thread_id}, ${ext}, ${v.author_person_id}, ${v.author_identity_id}, ${at}, ${v.reply_to_person_id})`;
    };
    const insertMessages = (...values: SQL[]) =>
      sql`insert into messages (school_id, source_id, channel_id, thread_id, external_id, author_person_id, author_identity_id, sent_at, reply_to_person_id) values ${sql.join(values, sql`, `)}`;

    it.each(["source_id", "channel_id", "thread_id", "author_person_id", "author_identity_id", "reply_to_person_id"] as const)(
      "refuses a message whose %s is not stored, with its whole statement",
      async (column) => {
        expect(await sqlstate(h, insertMessages(messageRow({}, `ok-${column}`), messageRow({ [column]: MISSING }, `bad-${column}`)))).toBe("23503");
        expect(await count("messages")).toBe(2);
      },
    );

    // Over 1,000 rows the check is planned for the statement (migration 0013): the other branch of the same test.
    it.each(["channel_id", "author_person_id", "reply_to_person_id"] as const)("refuses %s not stored among 1,500 good rows of one statement", async (column) => {
      const bad = sql`case when g = 777 then ${MISSING}::bigint end`;
      const v = {
        channel_id: column === "channel_id" ? sql`coalesce(${bad}, ${msg.channel_id}::bigint)` : sql`${msg.channel_id}::bigint`,
        author_person_id: column === "author_person_id" ? sql`coalesce(${bad}, ${msg.author_person_id}::bigint)` : sql`${msg.author_person_id}::bigint`,
        reply_to_person_id: column === "reply_to_person_id" ? bad : sql`null::bigint`,
      };
      const insert = (prefix: string, withBad: boolean) =>
        sql`insert into messages (school_id, source_id, channel_id, external_id, author_person_id, author_identity_id, sent_at, reply_to_person_id)
            select ${schoolId}, ${msg.source_id}, ${withBad ? v.channel_id : sql`${msg.channel_id}::bigint`}, ${prefix} || g, ${withBad ? v.author_person_id : sql`${msg.author_person_id}::bigint`},
                   ${msg.author_identity_id}, ${at}, ${withBad ? v.reply_to_person_id : sql`null::bigint`}
            from generate_series(1, 1500) g`;
      expect(await sqlstate(h, insert(`bulk-bad-${column}-`, true))).toBe("23503");
      expect(await count("messages")).toBe(2);
      expect(await sqlstate(h, insert(`bulk-ok-${column}-`, false))).toBeNull();
      expect(await count("messages")).toBe(1502);
      expect(await sqlstate(h, sql`delete from messages where external_id like 'bulk-ok-%'`)).toBeNull();
      expect(await count("messages")).toBe(2);
    });

    it("accepts a good insert and refuses an update to a missing person", async () => {
      expect(await sqlstate(h, insertMessages(messageRow({ reply_to_person_id: lonePerson }, "ok-1"), messageRow({}, "ok-2")))).toBeNull();
      expect(await count("messages")).toBe(4);
      expect(await sqlstate(h, sql`update messages set author_person_id = ${MISSING} where external_id = 'ok-1'`)).toBe("23503");
      expect(await sqlstate(h, sql`update messages set author_person_id = ${lonePerson} where external_id = 'ok-1'`)).toBeNull();
    });

    it.each(["source_id", "person_id", "course_id", "cohort_id", "enrollment_id"] as const)("refuses an LMS event whose %s is not stored", async (column) => {
      const [e] = await rows<{ source_id: number; person_id: number }>(h.db, sql`select source_id::int, person_id::int from lms_events`);
      if (!e) throw new Error("no LMS event");
      const v = { source_id: e.source_id, person_id: e.person_id, course_id: null as number | null, cohort_id: null as number | null, enrollment_id: null as number | null, [column]: MISSING };
      expect(
        await sqlstate(h, sql`insert into lms_events (school_id, source_id, external_id, person_id, course_id, cohort_id, enrollment_id, verb, occurred_at)
          values (${schoolId}, ${v.source_id}, ${`bad-${column}`}, ${v.person_id}, ${v.course_id}, ${v.cohort_id}, ${v.enrollment_id}, 'experienced', ${at})`),
      ).toBe("23503");
      expect(await count("lms_events")).toBe(1);
    });

    it.each(["channel_id", "student_person_id", "opened_message_id", "answer_message_id", "owner_person_id", "responder_person_id", "policy_id", "cohort_id", "thread_id"] as const)(
      "refuses an episode whose %s is not stored",
      async (column) => {
        expect(await sqlstate(h, sql`update episodes set ${sql.identifier(column)} = ${MISSING}`)).toBe("23503");
        expect(await count("episodes")).toBe(1);
      },
    );

    it("refuses to delete a row that is referenced, deletes one that is not", async () => {
      expect(await sqlstate(h, sql`delete from people where id = ${msg.author_person_id}`)).toBe("23503");
      expect(await sqlstate(h, sql`delete from channels where id = ${msg.channel_id}`)).toBe("23503");
      expect(await sqlstate(h, sql`delete from source_identities where id = ${msg.author_identity_id}`)).toBe("23503");
      expect(await sqlstate(h, sql`delete from messages where id = ${msg.id}`)).toBe("23503");
      expect(await sqlstate(h, sql`delete from messages where external_id = 'ok-2'`)).toBeNull();
      const [p] = await rows<{ id: number }>(h.db, sql`insert into people (school_id, display_name) values (${schoolId}, 'Никто 2') returning id::int`);
      expect(await sqlstate(h, sql`delete from people where id = ${p?.id ?? 0}`)).toBeNull();
      // One statement deleting the referenced message among unreferenced ones is refused whole.
      await h.db.execute(sql`insert into messages (school_id, source_id, channel_id, external_id, author_person_id, author_identity_id, sent_at)
        select school_id, source_id, channel_id, 'many-' || g, author_person_id, author_identity_id, sent_at from messages, generate_series(1, 500) g where id = ${msg.id}`);
      expect(await sqlstate(h, sql`delete from messages where external_id like 'many-%' or id = ${msg.id}`)).toBe("23503");
      expect(await count("messages")).toBeGreaterThan(500);
      expect(await sqlstate(h, sql`delete from messages where external_id like 'many-%'`)).toBeNull();
    });
  });
}
