import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith } from "@/lib/dal/webhooks";
import { deriveIdleAll } from "@/lib/dal/derive";

/**
 * Group commit of webhook deliveries (lib/dal/webhook-batcher.ts): concurrent deliveries of one school are
 * written in shared transactions, each answered after its own events are committed, each stored exactly
 * once; a bad delivery in the same burst is refused alone and the others are still stored.
 */

const SECRET = "tg-secret-for-batch-tests-123456";
const now = new Date("2026-03-02T10:00:00Z");

function update(id: number, text: string, chat = -1001): string {
  return JSON.stringify({
    update_id: id,
    message: { message_id: id, date: Math.floor(now.getTime() / 1000), chat: { id: chat, type: "supergroup", title: "Группа" }, from: { id: 5000 + (id % 7), is_bot: false, first_name: `S${id % 7}` }, text },
  });
}

const post = (body: string, secret = SECRET) =>
  new Request("http://x/api/ingest/telegram?school=b1&source=botb", { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret }, body });

for (const engine of engines()) {
  describe(`webhook group commit on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const count = async (q: ReturnType<typeof sql>) => (await rows<{ n: number }>(h.db, q))[0]?.n ?? -1;
    const messages = () => count(sql`select count(*)::int as n from messages`);
    const distinctMessages = () => count(sql`select count(distinct (channel_id, external_id))::int as n from messages`);
    const receipts = () => count(sql`select count(*)::int as n from ingest_receipts`);
    const deadLetters = () => count(sql`select count(*)::int as n from dead_letters`);

    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "b1", name: "B1", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "botb", name: "Bot", secret: SECRET });
    });
    afterAll(async () => {
      await deriveIdleAll();
      await h?.drop();
    });

    it("stores N concurrent deliveries once each, in shared transactions, and their re-deliveries not at all", async () => {
      const n = 40;
      const bodies = Array.from({ length: n }, (_, i) => update(1000 + i, `Вопрос ${i}: где задание?`, -1001 - (i % 3)));
      const answers = await Promise.all(bodies.map((b) => handleWebhookWith(h.db, "telegram", post(b), now)));
      expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 200));
      const json = (await Promise.all(answers.map((a) => a.json()))) as Array<{ ok: boolean; stored: number }>;
      // Each answer counts its own delivery: one message stored.
      expect(json.every((j) => j.ok && j.stored === 1)).toBe(true);
      expect(await messages()).toBe(n);
      expect(await distinctMessages()).toBe(n);
      expect(await receipts()).toBe(n);
      // Grouped: a receipt's received_at is its transaction's start, so fewer distinct values than deliveries.
      expect(await count(sql`select count(distinct received_at)::int as n from ingest_receipts`)).toBeLessThan(n);

      // The same burst again, plus one delivery twice in the same burst: nothing new, all acknowledged.
      const again = await Promise.all([...bodies, bodies[0] ?? ""].map((b) => handleWebhookWith(h.db, "telegram", post(b), now)));
      expect(again.every((a) => a.status === 200)).toBe(true);
      expect(((await Promise.all(again.map((a) => a.json()))) as Array<{ duplicate?: boolean }>).every((j) => j.duplicate === true)).toBe(true);
      expect(await messages()).toBe(n);
      expect(await receipts()).toBe(n);
    });

    it("refuses a bad delivery in a burst alone and still stores the others", async () => {
      const [m0, r0, d0] = [await messages(), await receipts(), await deadLetters()];
      const good = Array.from({ length: 12 }, (_, i) => update(2000 + i, `Не открывается урок ${i}?`));
      // Passes the adapter and validation but PostgreSQL refuses it: a NUL character in the text.
      const nul = update(2100, "bad \u0000 text");
      const badSecret = update(2101, "wrong secret");
      const malformed = '{"update_id": 2102, ';
      // A re-delivery of the first test's first update in the same burst: the failed batch is retried one
      // delivery at a time, and its receipt, found again in its own transaction, answers it as a duplicate.
      const redelivered = update(1000, "Вопрос 0: где задание?", -1001);
      const reqs = [
        ...good.slice(0, 6).map((b) => post(b)),
        post(redelivered),
        post(nul),
        post(badSecret, "not-the-secret-0000000000"),
        post(malformed),
        ...good.slice(6).map((b) => post(b)),
      ];
      const answers = await Promise.all(reqs.map((r) => handleWebhookWith(h.db, "telegram", r, now)));
      const statuses = answers.map((a) => a.status);
      expect(statuses.slice(0, 7)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      expect(statuses.slice(10)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(statuses[7]).toBe(422);
      expect(statuses[8]).toBe(401);
      expect(statuses[9]).toBe(400);
      expect(((await answers[6]?.json()) as { duplicate?: boolean }).duplicate).toBe(true);
      expect(await messages()).toBe(m0 + good.length);
      expect(await receipts()).toBe(r0 + good.length);
      // Each refused delivery kept whole, once.
      expect(await deadLetters()).toBe(d0 + 3);
      // The refused NUL delivery left no receipt: a corrected re-delivery would be stored.
      expect(await count(sql`select count(*)::int as n from ingest_receipts where event_key like '%2100%'`)).toBe(0);
    });
  });
}
