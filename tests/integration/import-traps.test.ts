import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { runImport } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * FORMATS.md's traps, as they land in the database after a CLI import of the real samples (the
 * adapters' unit tests check the same traps on their output; this checks the store keeps them).
 */
const S = (p: string) => sharedSamplePath(p);

for (const engine of engines()) {
  describe(`format traps in the database on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const one = async <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => (await rows<T>(h.db, q))[0];
    const iso = (d: unknown) => new Date(d as string).toISOString();
    beforeAll(async () => {
      h = await engine.open();
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
      for (const [format, p] of [
        ["telegram-export", S("telegram/tgif_coorporate-speak.json")], ["slack-export", S("slack/export")], ["discord-export", S("discord")],
        ["mattermost-export", S("mattermost/zulip_fixture_mattermost_bulk_export.jsonl")], ["xapi", S("xapi-openedx/expected_xapi")],
      ] as const) await runImport(h.db, { format, paths: [p], school: "s1" });
    });
    afterAll(async () => h?.drop());

    it("Telegram: date_unixtime wins over the exporter's local `date` (UTC+7 in this file)", async () => {
      const m = await one<{ sent_at: string }>(sql`select m.sent_at from messages m join sources s on s.id = m.source_id where s.kind = 'telegram' and m.external_id = '10821'`);
      expect(iso(m?.sent_at)).toBe(new Date(1654418579 * 1000).toISOString()); // `date` says 15:42:59 local
    });

    it("Slack: the tombstoned thread parent is kept, deleted after its last reply, and its replies share its thread", async () => {
      const t = await one<{ deleted_at: string; replies: number }>(sql`select m.deleted_at, (select count(*)::int from messages r where r.thread_id = m.thread_id and r.id <> m.id) as replies
        from messages m join sources s on s.id = m.source_id where s.kind = 'slack' and m.external_id = '1736554828.343759'`);
      expect(iso(t?.deleted_at)).toBe(new Date(1736554838911).toISOString().replace(/\.\d+Z$/, ".911Z"));
      expect(t?.replies).toBeGreaterThan(0);
    });

    it("Discord: a thread exported as its own file lands as a thread of its parent channel; hand-edited ids do not move times", async () => {
      const th = await one<{ ch: string; n: number }>(sql`select c.external_id as ch, count(*)::int as n from messages m join threads t on t.id = m.thread_id join channels c on c.id = t.channel_id join sources s on s.id = m.source_id where s.kind = 'discord' group by c.external_id`);
      const general = await one<{ id: string }>(sql`select c.external_id as id from channels c join sources s on s.id = c.source_id where s.kind = 'discord' and c.title = 'general'`);
      expect(th?.ch).toBe(general?.id);
      const skew = await one<{ n: number }>(sql`select count(*)::int as n from messages m join sources s on s.id = m.source_id where s.kind = 'discord' and m.sent_at < '2015-01-01'`);
      expect(skew?.n).toBe(0);
    });

    it("Mattermost: a reply stamped before its root is placed at the root's time, never a negative wait", async () => {
      const r = await one<{ root: string; reply: string }>(sql`select root.sent_at as root, rep.sent_at as reply from messages rep
        join messages root on root.external_id = rep.reply_to_external_id and root.channel_id = rep.channel_id
        join sources s on s.id = rep.source_id where s.kind = 'mattermost' and root.sent_at = ${new Date(1553166657086)}`);
      expect(r && new Date(r.reply).getTime() >= new Date(r.root).getTime()).toBe(true);
    });

    it("xAPI: courses are Open edX course keys taken out of IRIs, so raw logs and statements meet", async () => {
      const c = await one<{ all: number; keys: number }>(sql`select count(*)::int as all, count(*) filter (where c.external_id like 'course-v1:%')::int as keys from lms_events e join courses c on c.id = e.course_id`);
      expect(c?.all).toBeGreaterThan(0);
      expect(c?.keys).toBe(c?.all);
    });
  });
}
