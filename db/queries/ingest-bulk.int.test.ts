import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "@/tests/integration/harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "./ingest";
import { messageSpan } from "./overview";
import { ensureSchool } from "./schools";
import type { IngestEvent } from "@/lib/ingest/types";

// The unnest path binds whole columns as array literals: text that looks like array syntax, NULL, quotes,
// backslashes or braces must come back byte for byte, and mentions (an array per row) must keep their order.
const TRICKY = ['He said "hi", {ok}?', "C:\\path\\to\\file", "NULL", "", "a,b,c", "emoji 🙂 and \t tab\nnewline", "}{", "\\\"\\"];

describe.each(engines())("bulk message insert on $name", (engine) => {
  let h: DbHandle & { drop(): Promise<void> };
  let schoolId = 0;
  beforeAll(async () => {
    h = await engine.open();
    schoolId = (await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s", name: "S", timezone: "UTC" })).id;
  });
  afterAll(async () => h.drop());

  it("stores tricky text and mentions exactly, and a second delivery stores nothing", async () => {
    const source = { kind: "slack" as const, externalId: "T1" };
    const events: IngestEvent[] = TRICKY.map((text, i) => ({
      type: "message", action: "create", source, channel: { externalId: "C1", kind: "group" }, externalId: `m${i}`,
      author: { externalId: `U${i % 3}` }, sentAt: new Date(Date.UTC(2026, 0, 1, 10, i)), text,
      mentions: i % 2 === 0 ? [{ externalId: "U2" }, { externalId: "U1" }] : [],
    }));
    const first = await storeEvents(h.db, schoolId, events);
    expect(first).toMatchObject({ stored: TRICKY.length, duplicates: 0, rejected: [] });
    const again = await storeEvents(h.db, schoolId, events);
    expect(again).toMatchObject({ stored: 0, duplicates: TRICKY.length });
    const got = await rows<{ external_id: string; text: string | null; n: number; sent_at: string }>(
      h.db,
      sql`select external_id, text, cardinality(mention_person_ids)::int as n, to_char(sent_at at time zone 'UTC', 'HH24:MI') as sent_at
          from messages where school_id = ${schoolId} order by id`,
    );
    expect(got.map((r) => r.text)).toEqual(TRICKY);
    expect(got.map((r) => r.external_id)).toEqual(TRICKY.map((_, i) => `m${i}`));
    expect(got.map((r) => r.n)).toEqual(TRICKY.map((_, i) => (i % 2 === 0 ? 2 : 0)));
    expect(got[3]?.sent_at).toBe("10:03");
    const [order] = await rows<{ ok: boolean }>(
      h.db,
      sql`select bool_and(m.mention_person_ids[1] = (select person_id from source_identities where external_id = 'U2')) as ok from messages m where cardinality(m.mention_person_ids) = 2`,
    );
    expect(order?.ok).toBe(true);
  });
});

describe.each(engines())("bulk LMS event insert on $name", (engine) => {
  let h: DbHandle & { drop(): Promise<void> };
  let schoolId = 0;
  beforeAll(async () => {
    h = await engine.open();
    schoolId = (await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "l", name: "L", timezone: "UTC" })).id;
  });
  afterAll(async () => h.drop());

  it("stores scores, nulls and JSON extras exactly, and skips events already stored", async () => {
    const source = { kind: "xapi" as const, externalId: "lrs" };
    const extra = { note: 'a "quoted" \\ value {x}', nested: { list: [1, null, "NULL"] }, ru: "проверка" };
    const events: IngestEvent[] = [
      { type: "lms", source, externalId: "s1", actor: { externalId: "a1" }, verb: "passed", objectId: "quiz-1", score: 0.8125, maxScore: 1, occurredAt: new Date("2026-01-02T03:04:05.678Z"), extra },
      { type: "lms", source, externalId: "s2", actor: { externalId: "a1" }, verb: "experienced", amount: 17, occurredAt: new Date("2026-01-02T03:05:00Z") },
    ];
    expect(await storeEvents(h.db, schoolId, events)).toMatchObject({ stored: 2, rejected: [] });
    expect(await storeEvents(h.db, schoolId, events)).toMatchObject({ stored: 0, duplicates: 2 });
    const got = await rows<{ external_id: string; score: number | null; max_score: number | null; amount: number | null; extra: unknown; at: string; object_id: string | null }>(
      h.db,
      sql`select external_id, score, max_score, amount, extra, object_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as at
          from lms_events where school_id = ${schoolId} order by id`,
    );
    expect(got.map((r) => [r.external_id, r.score === null ? null : Number(r.score), r.max_score === null ? null : Number(r.max_score), r.amount, r.object_id, r.at])).toEqual([
      ["s1", 0.8125, 1, null, "quiz-1", "2026-01-02T03:04:05.678"],
      ["s2", null, null, 17, null, "2026-01-02T03:05:00.000"],
    ]);
    expect(got[0]?.extra).toEqual(extra);
    expect(got[1]?.extra).toBeNull();
  });
});

// The overview reads message_volume (db/schema/rollups.ts), kept by triggers: it must equal a count over the
// messages after inserts, updates that move a message, and deletes, for local days in any zone.
describe.each(engines())("message_volume rollup on $name", (engine) => {
  let h: DbHandle & { drop(): Promise<void> };
  let schoolId = 0;
  beforeAll(async () => {
    h = await engine.open();
    schoolId = (await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "v", name: "V", timezone: "Asia/Kathmandu" })).id;
  });
  afterAll(async () => h.drop());

  const direct = (tz: string) =>
    rows<{ day: string; dm: boolean; n: number }>(
      h.db,
      sql`select to_char((m.sent_at at time zone ${tz})::date, 'YYYY-MM-DD') as day, c.kind = 'dm' as dm, count(*)::int as n
          from messages m join channels c on c.id = m.channel_id where m.school_id = ${schoolId} group by 1, 2 order by 1, 2`,
    );
  const rollup = (tz: string) =>
    rows<{ day: string; dm: boolean; n: number }>(
      h.db,
      sql`select to_char((v.bucket at time zone ${tz})::date, 'YYYY-MM-DD') as day, v.dm, sum(v.messages)::int as n
          from message_volume v where v.school_id = ${schoolId} group by 1, 2 having sum(v.messages) > 0 order by 1, 2`,
    );

  it("equals a count over messages after inserts, moves and deletes", async () => {
    const source = { kind: "telegram" as const, externalId: "bot" };
    // Every 7 minutes for two days, around local midnights of +05:45 and -03:30, in a group and a DM.
    const events: IngestEvent[] = Array.from({ length: 420 }, (_, i) => ({
      type: "message", action: "create", source, channel: i % 3 === 0 ? { externalId: "dm1", kind: "dm" } : { externalId: "g1", kind: "group" },
      externalId: `x${i}`, author: { externalId: `p${i % 5}` }, sentAt: new Date(Date.UTC(2026, 2, 1, 15, 0) + i * 7 * 60_000), text: "вопрос?", mentions: [],
    }));
    expect((await storeEvents(h.db, schoolId, events)).stored).toBe(420);
    for (const tz of ["Asia/Kathmandu", "America/St_Johns", "UTC"]) expect(await rollup(tz)).toEqual(await direct(tz));
    await h.db.execute(sql`update messages set sent_at = sent_at + interval '13 hours' where school_id = ${schoolId} and external_id like 'x1%'`);
    await h.db.execute(sql`update messages set deleted_at = sent_at where school_id = ${schoolId} and external_id like 'x2%'`);
    await h.db.execute(sql`delete from messages where school_id = ${schoolId} and external_id like 'x3%'`);
    for (const tz of ["Asia/Kathmandu", "America/St_Johns", "UTC"]) expect(await rollup(tz)).toEqual(await direct(tz));
  });

  // messageSpan reads the rollup's first and last non-empty bucket; it must name the local days of the first
  // and last message, also when deletions left the outermost buckets at 0 and in zones 45 and 30 minutes off.
  it("names the first and last message day as the messages do", async () => {
    const zones = ["Asia/Kathmandu", "America/St_Johns", "Pacific/Chatham", "Europe/Moscow", "UTC"];
    const spanOf = async (tz: string) =>
      (
        await rows<{ first: string | null; last: string | null }>(
          h.db,
          sql`select to_char((min(sent_at) at time zone ${tz})::date, 'YYYY-MM-DD') as first, to_char((max(sent_at) at time zone ${tz})::date, 'YYYY-MM-DD') as last
              from messages where school_id = ${schoolId}`,
        )
      )[0];
    for (const tz of zones) expect(await messageSpan(h.db, schoolId, tz)).toEqual(await spanOf(tz));
    // The first and the last few messages go, emptying their buckets (their rows stay at 0).
    const [ends] = await rows<{ lo: string; hi: string }>(
      h.db,
      sql`select min(sent_at)::text as lo, max(sent_at)::text as hi from messages where school_id = ${schoolId}`,
    );
    await h.db.execute(sql`delete from messages where school_id = ${schoolId} and (sent_at < ${ends?.lo}::timestamptz + interval '40 minutes' or sent_at > ${ends?.hi}::timestamptz - interval '3 hours')`);
    const [zero] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from message_volume where school_id = ${schoolId} and messages = 0`);
    expect(zero?.n).toBeGreaterThan(0);
    for (const tz of zones) expect(await messageSpan(h.db, schoolId, tz)).toEqual(await spanOf(tz));
    const before = await messageSpan(h.db, schoolId, "UTC");
    await h.db.execute(sql`delete from messages where school_id = ${schoolId}`);
    expect(await messageSpan(h.db, schoolId, "UTC")).toEqual({ first: null, last: null });
    expect(before.first).not.toBeNull();
  });
});
