import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool } from "@/db/queries/schools";
import { prepareImport } from "@/lib/cli/import/formats";
import { readInputs } from "@/lib/cli/import/read-input";
import { runImport, type ImportRequest, type ImportSummary } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * A killed import, run again, ends with the same counts as an uninterrupted one: the checkpoint
 * (import_runs) advances in the transaction of the batch it counts. Three databases per engine:
 * A imports cleanly; B is killed after its third batch and re-run; C has a prefix of the events stored
 * by hand (an import that died before checkpoints existed, or another path) and then imports.
 */
const TABLES = ["messages", "channels", "threads", "people", "source_identities", "dirty_scopes"];
const req: ImportRequest = { format: "telegram-export", paths: [sharedSamplePath("telegram/tgif_coorporate-speak.json")], school: "s1", batchSize: 20 };
const slackReq: ImportRequest = { format: "slack-export", paths: [sharedSamplePath("slack/export")], school: "s1", batchSize: 5 };

for (const engine of engines()) {
  describe(`resumable imports on ${engine.name}`, () => {
    const handles: Array<DbHandle & { drop(): Promise<void> }> = [];
    const open = async () => {
      const h = await engine.open();
      handles.push(h);
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      return h;
    };
    const snapshot = async (h: DbHandle) =>
      Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(t)}`))[0]?.n] as const)));
    const counts = (s: ImportSummary) => ({ read: s.read, stored: s.stored, updated: s.updated, duplicates: s.duplicates, rejected: s.rejected });
    let clean: { summary: ImportSummary; tables: Record<string, number | undefined> }[] = [];

    beforeAll(async () => {
      const a = await open();
      clean = [];
      for (const r of [req, slackReq]) {
        const summary = await runImport(a.db, r);
        clean.push({ summary, tables: await snapshot(a) });
      }
    });
    afterAll(async () => {
      for (const h of handles) await h.drop();
    });

    it("an import killed after a committed batch resumes there and ends with the clean run's counts", async () => {
      const b = await open();
      for (const [i, r] of [req, slackReq].entries()) {
        await expect(runImport(b.db, r, { afterBatch: (n) => { if (n === 2) throw new Error("killed"); } })).rejects.toThrow("killed");
        const resumed = await runImport(b.db, r);
        expect(resumed.resumedFrom).toBe(3 * (r.batchSize ?? 0));
        expect(counts(resumed)).toEqual(counts(clean[i]!.summary));
        expect(await snapshot(b)).toEqual(clean[i]!.tables);
      }
      const runs = await rows<{ finished: boolean }>(b.db, sql`select finished_at is not null as finished from import_runs order by id`);
      expect(runs.every((r) => r.finished)).toBe(true);
    });

    it("a prefix stored outside the checkpoint, then the full import: the same tables as a clean import", async () => {
      const c = await open();
      const prepared = prepareImport("telegram-export", readInputs(req.paths), { now: new Date() });
      const events = prepared.groups[0]?.events ?? [];
      const school = (await rows<{ id: number }>(c.db, sql`select id from schools where slug = 's1'`))[0]!.id;
      await storeEvents(c.db, Number(school), events.slice(0, 47));
      const full = await runImport(c.db, req);
      expect(full.stored).toBe(clean[0]!.summary.stored - 47);
      expect(full.duplicates).toBe(47);
      expect((await snapshot(c)).messages).toBe(clean[0]!.tables.messages);
    });

    it("the same file again changes no count, and says so", async () => {
      const a = handles[0]!;
      const before = await snapshot(a);
      const again = await runImport(a.db, req);
      expect(await snapshot(a)).toEqual(before);
      expect({ stored: again.stored, updated: again.updated, duplicates: again.duplicates }).toEqual({ stored: 0, updated: 0, duplicates: clean[0]!.summary.stored });
    });
  });
}
