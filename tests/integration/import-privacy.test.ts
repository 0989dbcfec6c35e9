import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { engines } from "./harness";
import { rows, type DbHandle } from "@/db/client";
import { ensureSchool } from "@/db/queries/schools";
import { runImport } from "@/lib/cli/import/run";
import { sharedSamplePath } from "@/lib/ingest/common/shared-samples";

/**
 * METRICS.md, Privacy: DM text is never stored. DMs are imported from each export that carries them
 * (Slack dms.json + its DM folder, Mattermost direct_post, a Telegram private chat, a DiscordChatExporter
 * DM), then EVERY text, varchar and jsonb column of EVERY table (found through information_schema) is
 * searched for their texts. The DMs themselves must be there as metadata (length, flags).
 */
const SECRETS = {
  slack: "СЕКРЕТ-СЛАК: у меня умер кот и я не сдам модуль",
  slackReply: "СЕКРЕТ-СЛАК-ОТВЕТ: держитесь, продлим дедлайн",
  mattermost: "SECRET-MM: I cannot pay the fee this month",
  mattermostReply: "SECRET-MM-REPLY: we can split the payment",
  telegram: "СЕКРЕТ-ТГ: диагноз врача, прошу не говорить группе",
  discord: "SECRET-DC: my password is hunter2",
};

function fixtures(dir: string): { slack: string; mattermost: string; telegram: string; discord: string } {
  const slack = path.join(dir, "slack");
  fs.cpSync(sharedSamplePath("slack/export"), slack, { recursive: true });
  const [u1, u2] = (JSON.parse(fs.readFileSync(path.join(slack, "users.json"), "utf8")) as Array<{ id: string }>).map((u) => u.id);
  fs.writeFileSync(path.join(slack, "dms.json"), JSON.stringify([{ id: "D0PRIV0001", created: 1736400000, members: [u1, u2] }]));
  fs.mkdirSync(path.join(slack, "D0PRIV0001"));
  fs.writeFileSync(path.join(slack, "D0PRIV0001", "2025-01-12.json"), JSON.stringify([
    { type: "message", user: u1, text: SECRETS.slack, ts: "1736683200.000100" },
    { type: "message", user: u2, text: SECRETS.slackReply, ts: "1736683260.000200" },
  ]));
  const mattermost = path.join(dir, "mm.jsonl");
  const base = fs.readFileSync(sharedSamplePath("mattermost/zulip_fixture_mattermost_bulk_export.jsonl"), "utf8").trimEnd();
  fs.writeFileSync(mattermost, `${base}\n${JSON.stringify({ type: "direct_channel", direct_channel: { members: ["ron", "harry"] } })}\n${JSON.stringify({
    type: "direct_post", direct_post: { channel_members: ["ron", "harry"], user: "ron", message: SECRETS.mattermost, create_at: 1736683200000, replies: [{ user: "harry", message: SECRETS.mattermostReply, create_at: 1736683260000 }] },
  })}\n`);
  const telegram = path.join(dir, "tg.json");
  fs.writeFileSync(telegram, JSON.stringify({
    name: "Анна", type: "personal_chat", id: 4242,
    messages: [
      { id: 1, type: "message", date: "2025-01-12T15:00:00", date_unixtime: "1736683200", from: "Анна", from_id: "user4242", text: SECRETS.telegram, text_entities: [{ type: "plain", text: SECRETS.telegram }] },
      { id: 2, type: "message", date: "2025-01-12T15:05:00", date_unixtime: "1736683500", from: "Куратор", from_id: "user77", text: [{ type: "bold", text: "ок" }], text_entities: [{ type: "bold", text: "ок" }] },
    ],
  }));
  const discord = path.join(dir, "dc.json");
  const author = { id: "521486476985155645", name: "kate", discriminator: "0000", nickname: "Kate", color: null, isBot: false, roles: [], avatarUrl: "" };
  fs.writeFileSync(discord, JSON.stringify({
    guild: { id: "0", name: "Direct Messages", iconUrl: "" }, channel: { id: "1300000000000000900", type: "DirectTextChat", categoryId: null, category: "Private", name: "kate", topic: null },
    dateRange: { after: null, before: null }, exportedAt: "2025-01-12T16:00:00+00:00",
    messages: [{ id: "1300000000000000901", type: "Default", timestamp: "2025-01-12T15:00:00+00:00", timestampEdited: null, callEndedTimestamp: null, isPinned: false, content: SECRETS.discord, author, attachments: [], embeds: [], stickers: [], reactions: [], mentions: [] }],
    messageCount: 1,
  }));
  return { slack, mattermost, telegram, discord };
}

for (const engine of engines()) {
  describe(`privacy of DM text on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let dir = "";
    beforeAll(async () => {
      h = await engine.open();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "sqd-privacy-"));
      await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "s1", name: "S1", timezone: "Europe/Moscow" });
    });
    afterAll(async () => {
      await h?.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("imports DMs from four exports and finds none of their text in any column of any table", async () => {
      const f = fixtures(dir);
      for (const [format, p] of [["slack-export", f.slack], ["mattermost-export", f.mattermost], ["telegram-export", f.telegram], ["discord-export", f.discord]] as const) {
        const s = await runImport(h.db, { format, paths: [p], school: "s1" });
        expect(s.rejected).toBe(0);
      }
      // The DMs are there, as metadata.
      const dms = await rows<{ n: number; with_length: number }>(h.db, sql`select count(*)::int as n, count(*) filter (where m.text_length > 0)::int as with_length from messages m join channels c on c.id = m.channel_id where c.kind = 'dm'`);
      expect(dms[0]?.n).toBe(7);
      expect(dms[0]?.with_length).toBe(7);

      const columns = await rows<{ table_schema: string; table_name: string; column_name: string }>(
        h.db,
        sql`select c.table_schema, c.table_name, c.column_name from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
            where c.table_schema not in ('pg_catalog', 'information_schema') and c.data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')`,
      );
      expect(columns.length).toBeGreaterThan(30);
      const leaks: string[] = [];
      for (const c of columns) {
        for (const secret of Object.values(SECRETS)) {
          const needle = secret.slice(0, 24);
          const [hit] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from ${sql.identifier(c.table_schema)}.${sql.identifier(c.table_name)} where position(${needle} in ${sql.identifier(c.column_name)}::text) > 0`);
          if ((hit?.n ?? 0) > 0) leaks.push(`${c.table_schema}.${c.table_name}.${c.column_name}: ${needle}`);
        }
      }
      expect(leaks).toEqual([]);
      // The group text of the same exports is kept (the source allows it): the search itself works.
      const [group] = await rows<{ n: number }>(h.db, sql`select count(*)::int as n from messages where text is not null`);
      expect(group?.n).toBeGreaterThan(0);
    });
  });
}
