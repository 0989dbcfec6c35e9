import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import * as t from "@/db/schema";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { slaExtraCsvRows, slaExtraReport } from "@/lib/reports/sla-extra";
import { renderCategories } from "@/lib/cli/sla-extra-command";

/**
 * The SLA page's questions-by-category and bot/peer tables (lib/reports/sla-extra.ts) on a hand-built
 * school: counts, shares, medians and compliance by category; deflection, handoff time, peer replies.
 */

const at = (iso: string) => new Date(iso);
const NOW = at("2026-03-10T12:00:00Z");
const Q = { from: "2026-03-01", to: "2026-03-07" };

interface Ep {
  category: "organisational" | "content" | "technical" | null;
  status: "open" | "answered" | "resolved_by_bot" | "abandoned";
  opened: string;
  minutes?: number;
  breached?: boolean;
  bot?: string;
  peer?: string;
  answered?: string;
}

// Five organisational (answered 10, 20, 30 min; one deflected, one handed off after 45 min), two content (one answered 60 late, one abandoned), one technical (peer replied, answered after).
const EPISODES: Ep[] = [
  { category: "organisational", status: "answered", opened: "2026-03-02T09:00:00Z", minutes: 10, answered: "2026-03-02T09:10:00Z" },
  { category: "organisational", status: "answered", opened: "2026-03-02T10:00:00Z", minutes: 20, answered: "2026-03-02T10:20:00Z" },
  { category: "organisational", status: "answered", opened: "2026-03-03T10:00:00Z", minutes: 30, answered: "2026-03-03T10:30:00Z", bot: "2026-03-03T10:01:00Z", peer: "2026-03-03T10:40:00Z" },
  { category: "organisational", status: "resolved_by_bot", opened: "2026-03-03T11:00:00Z", bot: "2026-03-03T11:01:00Z" },
  { category: "organisational", status: "answered", opened: "2026-03-04T11:00:00Z", minutes: 50, answered: "2026-03-04T11:50:00Z", bot: "2026-03-04T11:05:00Z" },
  { category: "content", status: "answered", opened: "2026-03-04T12:00:00Z", minutes: 90, answered: "2026-03-04T13:30:00Z", breached: true },
  { category: "content", status: "abandoned", opened: "2026-03-05T12:00:00Z", breached: true },
  { category: "technical", status: "answered", opened: "2026-03-05T13:00:00Z", minutes: 40, answered: "2026-03-05T13:40:00Z", peer: "2026-03-05T13:05:00Z" },
  // Outside the period: never counted.
  { category: "technical", status: "answered", opened: "2026-03-09T13:00:00Z", minutes: 5, answered: "2026-03-09T13:05:00Z" },
];

for (const engine of engines()) {
  describe(`SLA extra tables on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      const db = h.db;
      school = await ensureSchool(db, { organisation: { slug: "org", name: "Org" }, slug: "s1", name: "School 1", timezone: "UTC" });
      const s = school.id;
      const [src] = await db.insert(t.sources).values({ schoolId: s, kind: "telegram", externalId: "bot", name: "TG" }).returning();
      const [stu] = await db.insert(t.people).values({ schoolId: s, displayName: "Stu" }).returning();
      const [ident] = await db.insert(t.sourceIdentities).values({ schoolId: s, sourceId: src!.id, externalId: "tg-stu", personId: stu!.id }).returning();
      const [ch] = await db.insert(t.channels).values({ schoolId: s, sourceId: src!.id, externalId: "g", kind: "group", title: "G", ownerRole: "coordinator" }).returning();
      let n = 0;
      for (const e of EPISODES) {
        const [m] = await db.insert(t.messages).values({ schoolId: s, sourceId: src!.id, channelId: ch!.id, externalId: `m${++n}`, authorPersonId: stu!.id, authorIdentityId: ident!.id, sentAt: at(e.opened), text: "q", textLength: 1 }).returning();
        await db.insert(t.episodes).values({
          schoolId: s, channelId: ch!.id, studentPersonId: stu!.id, openedMessageId: m!.id, openedAt: at(e.opened), lastStudentMessageAt: at(e.opened), messageCount: 1, kind: "first",
          status: e.status, category: e.category, ownerRole: "coordinator", answeredAt: e.answered ? at(e.answered) : null, firstBotReplyAt: e.bot ? at(e.bot) : null,
          firstPeerReplyAt: e.peer ? at(e.peer) : null, targetMinutes: 60, clock: "calendar", responseCalendarMinutes: e.minutes ?? null, breached: e.breached ?? false,
        });
      }
    });
    afterAll(async () => {
      await h?.drop();
    });

    it("counts questions by category with share, median first response and compliance", async () => {
      const r = await slaExtraReport(h.db, school, Q, NOW);
      expect(r.total).toBe(8);
      const byCat = new Map(r.categories.map((c) => [c.category, c]));
      expect([...byCat.keys()]).toEqual(["organisational", "content", "technical"]);
      const org = byCat.get("organisational")!;
      expect(org).toMatchObject({ episodes: 5, answered: 4, medianMinutes: 25, known: 4, met: 4, compliance: 1 });
      expect(org.share).toBeCloseTo(5 / 8);
      expect(byCat.get("content")).toMatchObject({ episodes: 2, answered: 1, medianMinutes: 90, known: 2, met: 0, compliance: 0 });
      expect(byCat.get("technical")).toMatchObject({ episodes: 1, medianMinutes: 40, known: 1, met: 1 });
    });

    it("counts bot deflection, handoffs with their median time, and peer replies before staff", async () => {
      const { bot } = await slaExtraReport(h.db, school, Q, NOW);
      expect(bot).toMatchObject({ episodes: 8, botReplied: 3, resolvedByBot: 1, handedOff: 2, peerReplied: 2, peerBeforeStaff: 1 });
      // Handoff times: 10:30 − 10:01 = 29 min, 11:50 − 11:05 = 45 min.
      expect(bot.medianHandoffMinutes).toBeCloseTo(37);
      expect(bot.deflectionShare).toBeCloseTo(1 / 8);
      expect(bot.handoffShare).toBeCloseTo(2 / 3);
    });

    it("cuts by the page's role filter and exports the same figures; the CLI's JSON is the report", async () => {
      const none = await slaExtraReport(h.db, school, { ...Q, role: "mentor" }, NOW);
      expect(none.total).toBe(0);
      expect(none.bot.medianHandoffMinutes).toBeNull();
      const r = await slaExtraReport(h.db, school, Q, NOW);
      const csv = slaExtraCsvRows(r, "categories");
      expect(csv.rows[0]).toEqual(["organisational", 5, 62.5, 4, 25, 4, 4, 100]);
      expect(slaExtraCsvRows(r, "bot").rows).toEqual([[8, 3, 1, 12.5, 2, 66.7, 37, 2, 1, 12.5]]);
      expect(JSON.parse(renderCategories(r, true))).toEqual(JSON.parse(JSON.stringify(r)));
      expect(renderCategories(r, false)).toContain("organisational");
    });
  });
}
