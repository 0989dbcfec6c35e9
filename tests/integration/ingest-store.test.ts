import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool } from "@/db/queries/schools";
import type { IngestEvent } from "@/lib/ingest/types";

/** The store-path needs the adapter authors reported (their READMEs), each on both engines. */
const slack = { kind: "slack" as const, externalId: "T1" };
const tg = { kind: "telegram" as const, externalId: "bot1" };
const at = (m: number) => new Date(Date.UTC(2026, 2, 2, 10, m));
const msg = (o: Partial<Extract<IngestEvent, { type: "message" }>> & { externalId: string }): IngestEvent => ({
  type: "message", action: "create", source: slack, channel: { externalId: "C1", kind: "group" }, author: { externalId: "U1" }, sentAt: at(0), text: "вопрос?", ...o,
});

for (const engine of engines()) {
  describe(`store-path needs on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school = 0;
    const store = (events: IngestEvent[]) => storeEvents(h.db, school, events);
    const one = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => (await rows<T>(h.db, q))[0];
    beforeAll(async () => {
      h = await engine.open();
      school = (await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" })).id;
    });
    afterAll(async () => h?.drop());

    it("Slack: the first reply moves the stored parent into its thread; a parent arriving after its reply joins too", async () => {
      await store([msg({ externalId: "100.000100" })]);
      await store([msg({ externalId: "100.000200", author: { externalId: "U2" }, sentAt: at(2), thread: { externalId: "100.000100", kind: "thread" } })]);
      const r = await rows<{ external_id: string; same: boolean }>(h.db, sql`select external_id, thread_id = (select thread_id from messages where external_id = '100.000200') as same from messages where external_id like '100.%' order by 1`);
      expect(r).toEqual([{ external_id: "100.000100", same: true }, { external_id: "100.000200", same: true }]);
      await store([msg({ externalId: "200.000200", sentAt: at(5), thread: { externalId: "200.000100", kind: "thread" } })]);
      await store([msg({ externalId: "200.000100", sentAt: at(4) })]);
      const late = await one<{ in_thread: boolean }>(sql`select thread_id is not null as in_thread from messages where external_id = '200.000100'`);
      expect(late?.in_thread).toBe(true);
      const dirty = await one<{ n: number }>(sql`select count(*)::int as n from dirty_scopes where thread_id = 0`);
      expect(dirty?.n).toBe(1); // the timeline the parents left is recomputed too
      // A reply and its parent in one write, the reply first.
      await store([
        msg({ externalId: "250.000200", sentAt: at(7), thread: { externalId: "250.000100", kind: "thread" } }),
        msg({ externalId: "250.000100", sentAt: at(6) }),
      ]);
      const both = await rows<{ external_id: string; in_thread: boolean }>(h.db, sql`select external_id, thread_id is not null as in_thread from messages where external_id like '250.%' order by 1`);
      expect(both).toEqual([{ external_id: "250.000100", in_thread: true }, { external_id: "250.000200", in_thread: true }]);
    });

    it("an edit without text keeps the stored text; the same edit again and an older edit count as duplicates", async () => {
      await store([msg({ externalId: "300.1", text: "Когда вебинар?" })]);
      const e1 = await store([{ ...msg({ externalId: "300.1", action: "edit", editedAt: at(10) }), text: undefined } as IngestEvent]);
      expect(e1.updated).toBe(1);
      expect((await one<{ text: string }>(sql`select text from messages where external_id = '300.1'`))?.text).toBe("Когда вебинар?");
      const e2 = await store([msg({ externalId: "300.1", action: "edit", editedAt: at(20), text: "Когда вебинар? Срочно" })]);
      const again = await store([msg({ externalId: "300.1", action: "edit", editedAt: at(20), text: "Когда вебинар? Срочно" })]);
      const stale = await store([msg({ externalId: "300.1", action: "edit", editedAt: at(15), text: "старое" })]);
      expect([e2.updated, again.duplicates, stale.duplicates]).toEqual([1, 1, 1]);
      expect((await one<{ text: string }>(sql`select text from messages where external_id = '300.1'`))?.text).toBe("Когда вебинар? Срочно");
    });

    it("a deletion without author marks the message (also by thread id) and creates no one; a repeat changes nothing", async () => {
      const people = (await one<{ n: number }>(sql`select count(*)::int as n from people`))?.n;
      const del = (ch: string, id: string): IngestEvent => ({ type: "message_deletion", source: slack, channelExternalId: ch, externalId: id, deletedAt: at(30) });
      const r = await store([del("C1", "300.1"), del("100.000100", "100.000200"), del("C1", "never-seen")]);
      expect([r.updated, r.duplicates]).toEqual([2, 1]);
      expect((await store([del("C1", "300.1")])).duplicates).toBe(1);
      expect((await one<{ n: number }>(sql`select count(*)::int as n from people`))?.n).toBe(people);
      expect((await one<{ n: number }>(sql`select count(*)::int as n from messages where deleted_at is not null`))?.n).toBe(2);
    });

    it("@username mentions resolve to the account with that username, in either order", async () => {
      const chat = { externalId: "-1001", kind: "group" as const };
      await store([{ type: "message", action: "create", source: tg, channel: chat, externalId: "1", author: { externalId: "111", username: "Ann_L", name: "Ann" }, sentAt: at(0), text: "hi" }]);
      await store([{ type: "message", action: "create", source: tg, channel: chat, externalId: "2", author: { externalId: "222" }, sentAt: at(1), text: "@ann_l где ссылка?", mentions: [{ externalId: "@ann_l", username: "ann_l" }, { externalId: "@bob" , username: "bob" }] }]);
      await store([{ type: "message", action: "create", source: tg, channel: chat, externalId: "3", author: { externalId: "333", username: "bob" }, sentAt: at(2), text: "я тут" }]);
      const m = await one<{ mentions: number[]; ann: number; bob: number }>(sql`select mention_person_ids as mentions,
        (select person_id from source_identities where external_id = '111') as ann, (select person_id from source_identities where external_id = '333') as bob
        from messages where external_id = '2' and source_id = (select id from sources where external_id = 'bot1')`);
      expect(m?.mentions.map(Number)).toEqual([Number(m?.ann), Number(m?.bob)]);
      expect((await one<{ n: number }>(sql`select count(*)::int as n from source_identities where external_id = '@ann_l'`))?.n).toBe(0);
    });

    it("a roster line naming an e-mail already known merges the stray person; counts stay honest", async () => {
      const lms = { kind: "xapi" as const, externalId: "xapi" };
      await store([{ type: "lms", source: lms, externalId: "st-1", actor: { externalId: "mailto:kate@school.test", email: "kate@school.test" }, courseExternalId: "PY101", verb: "completed", occurredAt: at(3) }]);
      await store([{ type: "message", action: "create", source: tg, channel: { externalId: "-1001", kind: "group" }, externalId: "4", author: { externalId: "444", name: "Kate" }, sentAt: at(4), text: "вопрос?" }]);
      const roster: IngestEvent = { type: "roster", source: tg, identity: { externalId: "444", email: "kate@school.test", name: "Kate M" }, role: "student" };
      const first = await store([roster]);
      const again = await store([roster]);
      expect([first.stored, again.duplicates]).toEqual([1, 1]);
      const r = await one<{ same: boolean; mapped: boolean }>(sql`select (select author_person_id from messages where external_id = '4' and source_id = i.source_id) = p.id as same, i.mapped
        from source_identities i join people p on p.email = 'kate@school.test' where i.external_id = '444'`);
      expect(r).toEqual({ same: true, mapped: true });
    });

    it("LMS events that name only the course link to the person's enrollment when it arrives", async () => {
      await store([{ type: "enrollment", source: { kind: "lms_csv", externalId: "lms_csv" }, student: { externalId: "kate", email: "kate@school.test" }, course: { externalId: "PY101" }, cohort: { externalId: "PY101-2026", startsOn: "2026-02-01" }, status: "active", enrolledAt: at(0) }]);
      const e = await one<{ linked: boolean; cohort: string }>(sql`select e.enrollment_id is not null as linked, c.external_id as cohort from lms_events e join cohorts c on c.id = e.cohort_id where e.external_id = 'st-1'`);
      expect(e).toEqual({ linked: true, cohort: "PY101-2026" });
    });
  });
}
