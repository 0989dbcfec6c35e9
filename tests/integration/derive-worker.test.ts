import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { countRows } from "./ingest-helpers";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { handleWebhookWith } from "@/lib/dal/webhooks";
import { deriveIdle } from "@/lib/dal/derive";
import { startDeriveWorker } from "@/lib/server/derive-worker";

/**
 * The production server's derivation thread (lib/server/derive-worker.ts): webhooks store in the request's
 * thread, and the episodes they open are derived by the worker on its own pool. A worker whose database is
 * unreachable fails its runs, which keep their dirty marks for the next; stopping it derives in-thread again.
 * On a real PostgreSQL only: PGlite is one thread's in-memory database, which the server derives in-thread.
 */

const SECRET = "tg-secret-for-worker-tests-1234";
const now = new Date();

const post = (id: number, chat: number) =>
  new Request("http://x/api/ingest/telegram?school=w1&source=botw", {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify({
      update_id: id,
      message: { message_id: id, date: Math.floor(now.getTime() / 1000) - 60, chat: { id: chat, type: "supergroup", title: "Группа" }, from: { id: 7000 + id, is_bot: false, first_name: `S${id}` }, text: `Вопрос ${id}: где задание?` },
    }),
  });

for (const engine of engines().filter((e) => e.name === "postgres")) {
  describe(`derivation in a worker thread on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void>; databaseUrl?: string };
    let schoolId = 0;
    const dirty = async () => countRows(h.db, "dirty_scopes");
    beforeAll(async () => {
      h = await engine.open();
      const school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "w1", name: "W1", timezone: "Europe/Moscow" });
      schoolId = school.id;
      await upsertSource(h.db, { schoolId, kind: "telegram", externalId: "botw", name: "Bot", secret: SECRET });
    });
    afterAll(async () => {
      await h?.drop();
    });

    it("derives the episodes a webhook opened in the thread, on its own connections", async () => {
      if (!h.databaseUrl) throw new Error("the postgres engine gives its database's address");
      const worker = startDeriveWorker(h.databaseUrl);
      try {
        const res = await handleWebhookWith(h.db, "telegram", post(1, -2001), now);
        expect(res.status).toBe(200);
        await deriveIdle(schoolId);
        expect(worker.runs()).toBeGreaterThanOrEqual(1);
        expect(await countRows(h.db, "episodes")).toBe(1);
        expect(await dirty()).toBe(0);
      } finally {
        await worker.stop();
      }
    });

    it("fails a run on an unreachable database, keeps its marks, and derives them in-thread once stopped", async () => {
      const dead = new URL(h.databaseUrl ?? "postgres://x@127.0.0.1/x");
      dead.port = "1";
      const worker = startDeriveWorker(dead.toString());
      const errors: unknown[] = [];
      const logged = console.error;
      console.error = (...args: unknown[]) => void errors.push(args);
      try {
        expect((await handleWebhookWith(h.db, "telegram", post(2, -2002), now)).status).toBe(200);
        await deriveIdle(schoolId);
        expect(errors.length).toBeGreaterThanOrEqual(1);
        expect(worker.runs()).toBeGreaterThanOrEqual(1);
        expect(await countRows(h.db, "episodes")).toBe(1);
        expect(await dirty()).toBeGreaterThan(0);
      } finally {
        console.error = logged;
        await worker.stop();
      }
      // In this thread again: the next webhook's run derives the earlier marks too.
      expect((await handleWebhookWith(h.db, "telegram", post(3, -2003), now)).status).toBe(200);
      await deriveIdle(schoolId);
      expect(await countRows(h.db, "episodes")).toBe(3);
      expect(await dirty()).toBe(0);
      const [opened] = await rows<{ n: number }>(h.db, sql`select count(distinct channel_id)::int as n from episodes where status = 'open'`);
      expect(opened?.n).toBe(3);
    });
  });
}
