import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import { rows, sql, type DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { upsertSource } from "@/db/queries/sources";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { ratingsAskedWith, ratingsDueWith, ratingSubmitWith, type DueItem } from "@/lib/dal/ratings";
import { handleWebhookWith } from "@/lib/dal/webhooks";
import { RATING_HOOK_CONTENT_TYPE } from "@/lib/ingest/ratings-hook";
import { applyConfig } from "@/db/queries/config";
import { setSourceRatingPolicy } from "@/db/queries/rating-requests";
import { DEFAULT_RATING_POLICY } from "@/lib/ratings/policy";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";

/**
 * The rating-request hook end to end on a hand-built school: a support group where Марк answers three
 * students (one of them twice) and a DM. "Now" is two hours after the first question.
 */
const SECRET = "tg-secret-0123456789";
const T0 = Date.UTC(2026, 2, 10, 9, 0);
const at = (min: number) => new Date(T0 + min * 60_000);
const NOW = at(120);
const src = { kind: "telegram" as const, externalId: "bot1" };
const G = { externalId: "-100", kind: "group" as const, title: "Поддержка" };
const DM = { externalId: "555", kind: "dm" as const };
let seq = 0;
const m = (channel: MessageEvent["channel"], author: string, min: number, text: string, replyTo?: string): MessageEvent => ({
  type: "message", action: "create", source: src, channel, externalId: `m${++seq}`, author: { externalId: author }, sentAt: at(min), text,
  ...(replyTo ? { replyTo: { externalId: replyTo } } : {}),
});
const events: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
  m(G, "s1", 0, "Где материалы первого модуля?"), // m1
  m(G, "mark", 5, "В разделе «Материалы», вот ссылка", "m1"), // m2 → E1 (s1)
  m(G, "s2", 10, "Когда будет вебинар?"), // m3
  m(G, "mark", 20, "В четверг в 19:00", "m3"), // m4 → E2 (s2)
  m(G, "s1", 30, "А где домашнее задание?"), // m5
  m(G, "mark", 40, "Там же, во вкладке задания", "m5"), // m6 → E3 (s1 again)
  m(G, "s3", 45, "Как сдать тест повторно?"), // m7
  m(G, "mark", 50, "Напишите куратору, он откроет попытку", "m7"), // m8 → E4 (s3)
  m(DM, "s4", 55, "Можно перенести дедлайн?"), // m9
  m(DM, "mark", 60, "Да, на неделю", "m9"), // m10 → E5 (DM)
];

const base = "http://localhost/api/ratings";
const due = (q: string, auth: string | null = SECRET) =>
  new Request(`${base}/due?school=r&kind=telegram&source=bot1${q}`, { headers: auth ? { authorization: `Bearer ${auth}` } : {} });
const post = (path: string, body: unknown, auth: string = SECRET, contentType = "application/json") =>
  new Request(`${base}/${path}?school=r&kind=telegram&source=bot1`, { method: "POST", headers: { authorization: `Bearer ${auth}`, "content-type": contentType }, body: JSON.stringify(body) });

interface DuePage {
  items: DueItem[];
  cursor: string | null;
  hasMore: boolean;
  skipped: number;
}

for (const engine of engines()) {
  describe(`rating-request hook on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    const page = async (q: string): Promise<DuePage> => {
      const r = await ratingsDueWith(h.db, due(q), NOW);
      expect(r.status).toBe(200);
      return (await r.json()) as DuePage;
    };
    const count = async (table: "ratings" | "survey_requests") => Number((await rows<{ n: string }>(h.db, sql`select count(*)::text as n from ${sql.raw(table)} where school_id = ${school.id}`))[0]?.n);

    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "o", name: "O" }, slug: "r", name: "R", timezone: "Europe/Moscow" });
      await upsertSource(h.db, { schoolId: school.id, kind: "telegram", externalId: "bot1", name: "Бот", secret: SECRET });
      const stored = await storeEvents(h.db, school.id, events);
      expect(stored.rejected).toEqual([]);
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
    });
    afterAll(async () => h?.drop());

    it("refuses a wrong or missing secret (401) and an unknown source (404)", async () => {
      expect((await ratingsDueWith(h.db, due("", "wrong-secret-0123456789"), NOW)).status).toBe(401);
      expect((await ratingsDueWith(h.db, due("", null), NOW)).status).toBe(401);
      const unknown = new Request(`${base}/due?school=r&kind=telegram&source=other`, { headers: { authorization: `Bearer ${SECRET}` } });
      expect((await ratingsDueWith(h.db, unknown, NOW)).status).toBe(404);
      expect((await ratingsDueWith(h.db, due("&after=garbage!"), NOW)).status).toBe(400);
      expect((await ratingsDueWith(h.db, due("&limit=0"), NOW)).status).toBe(400);
    });

    it("pages with a cursor, skips the DM and a student asked already, and links each item to its answer", async () => {
      const p1 = await page("&limit=1");
      expect(p1.items.map((i) => [i.student.id, i.answerMessageId, i.channel.id, i.responder.id, i.responder.name])).toEqual([["s1", "m2", "-100", "mark", "Марк"]]);
      expect(p1.hasMore).toBe(true);
      // The bot asks, then says so: s1 is not asked again within 24 h.
      const asked = await ratingsAskedWith(h.db, post("asked", { tokens: [p1.items[0]?.token] }), NOW);
      expect(await asked.json()).toEqual({ ok: true, stored: 1, duplicates: 0 });
      const p2 = await page(`&limit=5&after=${p1.cursor}`);
      expect(p2.items.map((i) => [i.student.id, i.answerMessageId])).toEqual([["s2", "m4"], ["s3", "m8"]]);
      expect(p2.skipped).toBe(2); // s1's second episode, the DM
      expect(p2.hasMore).toBe(false);
      const p3 = await page(`&after=${p2.cursor}`);
      expect(p3.items).toEqual([]);
      expect(p3.cursor).toBe(p2.cursor);
      // Without a cursor: E1 is asked now, so it is not offered again.
      expect((await page("")).items.map((i) => i.answerMessageId)).toEqual(["m4", "m8"]);
    });

    it("stores a rating once, from either URL, linked to the episode and its responder", async () => {
      const [item] = (await page("&limit=1")).items;
      if (!item) throw new Error("no item");
      const first = await ratingSubmitWith(h.db, post("submit", { token: item.token, score: 5, comment: "Спасибо!", rater: { externalId: "s2" } }), NOW, null);
      expect(await first.json()).toEqual({ ok: true, stored: 1, episodeId: item.episodeId });
      const again = await ratingSubmitWith(h.db, post("submit", { token: item.token, score: 1 }), NOW, null);
      expect(await again.json()).toEqual({ ok: true, duplicate: true, episodeId: item.episodeId });
      const viaWebhook = await handleWebhookWith(h.db, "telegram", new Request("http://localhost/api/ingest/telegram?school=r&source=bot1", {
        method: "POST", headers: { authorization: `Bearer ${SECRET}`, "content-type": RATING_HOOK_CONTENT_TYPE }, body: JSON.stringify({ token: item.token, score: 2 }),
      }), NOW);
      expect(await viaWebhook.json()).toMatchObject({ duplicate: true });
      const stored = await rows<{ score: number; episode_id: string; responder: string; comment: string }>(h.db, sql`
        select r.score, r.episode_id::text as episode_id, p.display_name as responder, r.comment
        from ratings r join people p on p.id = r.responder_person_id where r.school_id = ${school.id}`);
      expect(stored).toEqual([{ score: 5, episode_id: String(item.episodeId), responder: "Марк", comment: "Спасибо!" }]);
      // Rated: no longer due.
      expect((await page("")).items.map((i) => i.answerMessageId)).toEqual(["m8"]);
    });

    it("refuses a forged token, another rater, a bad score and a wrong secret, writing nothing", async () => {
      const [item] = (await page("")).items;
      if (!item) throw new Error("no item");
      const before = [await count("ratings"), await count("survey_requests")];
      const cases: Array<[unknown, number, string?]> = [
        [{ token: item.token.replace(/^\d+/, "999999"), score: 5 }, 400],
        [{ token: item.token, score: 5, rater: { externalId: "s1" } }, 403],
        [{ token: item.token, score: 9 }, 400],
        [{ token: item.token, score: 5 }, 401, "wrong-secret-0123456789"],
      ];
      for (const [body, status, auth] of cases) expect((await ratingSubmitWith(h.db, post("submit", body, auth), NOW, null)).status).toBe(status);
      expect((await ratingsAskedWith(h.db, post("asked", { tokens: [item.token, "1.AAAAAAAAAAAAAAAAAAAAAA"] }), NOW)).status).toBe(400);
      expect([await count("ratings"), await count("survey_requests")]).toEqual(before);
      const dead = await rows<{ n: string }>(h.db, sql`select count(*)::text as n from dead_letters where source = 'telegram:rating'`);
      expect(Number(dead[0]?.n)).toBe(3);
    });

    it("keeps a token valid when a recompute re-inserts its episode under a new id", async () => {
      const [item] = (await page("")).items;
      if (!item) throw new Error("no item");
      // A new policy re-evaluates every episode: changed rows are deleted and inserted anew.
      await applyConfig(h.db, school.id, { slaPolicies: [{ name: "all 1h", targetMinutes: 60, clock: "calendar" }] });
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
      const [again] = (await page("")).items;
      expect(again?.answerMessageId).toBe(item.answerMessageId);
      expect(again?.episodeId).not.toBe(item.episodeId);
      expect(again?.token).toBe(item.token);
      const r = await ratingSubmitWith(h.db, post("submit", { token: item.token, score: 4, rater: { externalId: "s3" } }), NOW, null);
      expect(await r.json()).toEqual({ ok: true, stored: 1, episodeId: again?.episodeId });
      const linked = await rows<{ episode_id: string }>(h.db, sql`select episode_id::text as episode_id from ratings where school_id = ${school.id} and about_message_id is not null order by id desc limit 1`);
      expect(linked[0]?.episode_id).toBe(String(again?.episodeId));
    });

    it("honours the source's policy: DMs when allowed, no gap, a channel switched off, disabled", async () => {
      await setSourceRatingPolicy(h.db, school.id, "telegram", "bot1", { ...DEFAULT_RATING_POLICY, askInDms: true, minHoursBetweenAsks: 0 });
      expect((await page("")).items.map((i) => [i.student.id, i.answerMessageId, i.channel.kind])).toEqual([["s1", "m6", "group"], ["s4", "m10", "dm"]]);
      await setSourceRatingPolicy(h.db, school.id, "telegram", "bot1", { ...DEFAULT_RATING_POLICY, askInDms: true, minHoursBetweenAsks: 0, channels: { "-100": false } });
      expect((await page("")).items.map((i) => i.answerMessageId)).toEqual(["m10"]);
      await setSourceRatingPolicy(h.db, school.id, "telegram", "bot1", { ...DEFAULT_RATING_POLICY, enabled: false });
      expect(await page("")).toMatchObject({ items: [], disabled: true });
      // The secret is kept beside the policy: the calls above authenticated with it.
      await h.db.execute(sql`update sources set settings = settings || '{"ratings": {"askInDms": "yes"}}'::jsonb where school_id = ${school.id}`);
      const bad = await ratingsDueWith(h.db, due(""), NOW);
      expect(bad.status).toBe(409);
      expect(await bad.json()).toEqual({ error: expect.stringContaining("sources.settings.ratings.askInDms") });
    });
  });
}
