import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { runImport, type ImportRequest } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * Every importable sample in ../shared/samples through the real CLI runner, with the expected counts
 * computed here from the file itself; then the same import again changes no count. (The Bot API
 * capture is a webhook input: webhooks.test.ts posts it. The Pachca samples are documentation; the
 * archive built from it lives with the adapter.)
 */
const S = (...p: string[]) => sharedSamplePath(...p);
const json = (p: string): unknown => JSON.parse(fs.readFileSync(p, "utf8"));
const filesIn = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
type Msgs = { messages: Array<Record<string, unknown>> };

const slackRaw = () => filesIn(S("slack/export")).filter((f) => /\/\d{4}-\d{2}-\d{2}\.json$/.test(f)).flatMap((f) => json(f) as Array<Record<string, unknown>>);
const mmLines = () => fs.readFileSync(S("mattermost/zulip_fixture_mattermost_bulk_export.jsonl"), "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
const pachcaDir = path.resolve(import.meta.dirname, "../../lib/ingest/pachca/__fixtures__/export");

interface Case {
  name: string;
  req: Omit<ImportRequest, "school">;
  /** table → expected rows, from the file. */
  expect: () => Record<string, number>;
}

const cases: Case[] = [
  {
    name: "Telegram group export (new layout)",
    req: { format: "telegram-export", paths: [S("telegram/tgif_coorporate-speak.json")] },
    expect: () => ({ messages: (json(S("telegram/tgif_coorporate-speak.json")) as Msgs).messages.filter((m) => m.type === "message").length, channels: 1 }),
  },
  {
    name: "Telegram group export (old layout, --tz)",
    req: { format: "telegram-export", paths: [S("telegram/tgif_database-isolation-level.json")], tz: "Asia/Jakarta" },
    expect: () => ({ messages: (json(S("telegram/tgif_database-isolation-level.json")) as Msgs).messages.filter((m) => m.type === "message").length, channels: 1 }),
  },
  {
    name: "Slack workspace export (folder)",
    req: { format: "slack-export", paths: [S("slack/export")] },
    expect: () => ({
      messages: slackRaw().length,
      channels: (json(S("slack/export/channels.json")) as unknown[]).length,
      threads: new Set(slackRaw().map((m) => m.thread_ts).filter(Boolean)).size,
    }),
  },
  {
    name: "DiscordChatExporter channel + its thread file",
    req: { format: "discord-export", paths: [S("discord")] },
    expect: () => ({
      messages: filesIn(S("discord")).reduce((n, f) => n + (json(f) as Msgs).messages.length, 0),
      threads: filesIn(S("discord")).filter((f) => /Thread/.test(String((json(f) as { channel: { type: string } }).channel.type))).length,
    }),
  },
  {
    name: "Mattermost bulk export",
    req: { format: "mattermost-export", paths: [S("mattermost/zulip_fixture_mattermost_bulk_export.jsonl")] },
    expect: () => {
      const posts = mmLines().filter((l) => l.type === ("post" as unknown) || l.type === ("direct_post" as unknown)).map((l) => (l.post ?? l.direct_post) as { replies?: unknown[] });
      return { messages: posts.reduce((n, p) => n + 1 + (p.replies?.length ?? 0), 0) };
    },
  },
  {
    name: "Pachca export archive (folder)",
    req: { format: "pachca-export", paths: [pachcaDir] },
    expect: () => ({ messages: filesIn(pachcaDir).filter((f) => /\d{4}-\d{2}-\d{2}\.json$/.test(f)).reduce((n, f) => n + (json(f) as unknown[]).length, 0) }),
  },
  {
    name: "xAPI statements (Open edX event-routing-backends output)",
    req: { format: "xapi", paths: [S("xapi-openedx/expected_xapi")] },
    expect: () => ({ lms_events: filesIn(S("xapi-openedx/expected_xapi")).length, xapi_statements: filesIn(S("xapi-openedx/expected_xapi")).length }),
  },
  {
    name: "Open edX tracking logs",
    req: { format: "openedx-tracking", paths: [S("xapi-openedx/raw_tracking_log")] },
    expect: () => {
      const names = filesIn(S("xapi-openedx/raw_tracking_log")).map((f) => String((json(f) as { name?: string; event_type?: string }).name ?? (json(f) as { event_type?: string }).event_type));
      return { messages: names.filter((n) => /^edx\.forum\..*\.created$/.test(n)).length, lms_events: names.filter((n) => !n.startsWith("edx.forum.")).length };
    },
  },
];

for (const engine of engines()) {
  describe(`import of every sample on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    const counts = async (tables: string[]) =>
      Object.fromEntries(await Promise.all(tables.map(async (t) => [t, (await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(t)}`))[0]?.n ?? -1] as const)));

    beforeAll(async () => {
      h = await engine.open();
    });
    afterAll(async () => h?.drop());

    cases.forEach((c, i) => {
      it(`${c.name}: counts match the file, and a second import changes none`, async () => {
        // A school per case, so that each case's counts are its own.
        await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: `s${i}`, name: `S${i}`, timezone: "Europe/Moscow" });
        const want = c.expect();
        const before = await counts(Object.keys(want));
        const first = await runImport(h.db, { ...c.req, school: `s${i}` });
        const after = await counts(Object.keys(want));
        const grew = Object.fromEntries(Object.keys(want).map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)]));
        expect(grew).toEqual(want);
        expect(first.rejected).toBe(0);
        expect(first.stored + first.updated).toBeGreaterThan(0);
        const again = await runImport(h.db, { ...c.req, school: `s${i}` });
        expect(await counts(Object.keys(want))).toEqual(after);
        expect({ stored: again.stored, updated: again.updated }).toEqual({ stored: 0, updated: 0 });
        expect(again.duplicates).toBe(first.stored + first.updated);
      });
    });

    it("an old-layout Telegram export without --tz is refused whole, saying --tz is required", async () => {
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "tz", name: "TZ", timezone: "Europe/Moscow" });
      const before = await counts(["messages"]);
      await expect(runImport(h.db, { format: "telegram-export", paths: [S("telegram/tgif_database-isolation-level.json")], school: "tz" })).rejects.toThrow(/--tz is required/);
      expect(await counts(["messages"])).toEqual(before);
    });
  });
}
