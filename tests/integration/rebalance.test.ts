import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { engines } from "./harness";
import type { DbHandle } from "@/db/client";
import { storeEvents } from "@/db/queries/ingest";
import { ensureSchool, type SchoolRow } from "@/db/queries/schools";
import { applyConfig } from "@/db/queries/config";
import { recomputeEpisodes } from "@/db/queries/episodes";
import { limitOf, movableItems, planRebalance, rebalanceSuggestions, type EarlyItems, type MovableItem, type RebalancePerson } from "@/db/queries/reports/rebalance";
import { loadReportFor } from "@/lib/reports/load";
import { teamReport } from "@/lib/reports/team";
import type { IngestEvent, MessageEvent } from "@/lib/ingest/types";
import type { SchoolConfigInput } from "@/lib/config/schema";

const item = (kind: MovableItem["kind"], id: number, episodes: number): MovableItem => ({ kind, id, label: `${kind}${id}`, episodes });
const person = (id: number, load: number | null, limit: number | null, extra: Partial<RebalancePerson> = {}): RebalancePerson => ({
  personId: id, name: `p${id}`, role: "coordinator", team: "A", loadPerHour: load, limitPerHour: limit, overloaded: load !== null && limit !== null && load > limit, items: [], ...extra,
});

describe("planRebalance (pure, 10 working hours: one episode = 0.1 per hour)", () => {
  it.each<[string, RebalancePerson[], Array<[number, string[]]>, boolean[]]>([
    ["nobody overloaded: no plan", [person(1, 1, 2), person(2, 0.5, 2)], [], []],
    [
      "heaviest item first, to the colleague with the most spare, until the excess is gone",
      [person(1, 3, 2, { items: [item("student", 11, 4), item("channel", 12, 8), item("student", 13, 1)] }), person(2, 1, 2), person(3, 0.5, 2)],
      [[1, ["channel12→3", "student11→2"]]],
      [true],
    ],
    [
      "an item that fits nobody stays; a smaller one moves",
      [person(1, 3, 2, { items: [item("channel", 12, 20), item("student", 11, 5)] }), person(2, 1.4, 2)],
      [[1, ["student11→2"]]],
      [false],
    ],
    [
      "other teams, other roles and overloaded colleagues receive nothing",
      [
        person(1, 3, 2, { items: [item("student", 11, 5)] }),
        person(2, 0, 2, { team: "B" }),
        person(3, 0, 2, { role: "mentor" }),
        person(4, 2.5, 2),
      ],
      [[1, []], [4, []]],
      [false, false],
    ],
    [
      "two overloaded: the larger excess picks first, a receiver is not filled past its limit",
      [person(1, 2.5, 2, { items: [item("student", 11, 5)] }), person(2, 4, 2, { items: [item("student", 21, 8), item("student", 22, 5)] }), person(3, 1, 2)],
      [[2, ["student21→3"]], [1, []]],
      [false, false],
    ],
    ["items with no episodes are not worth moving", [person(1, 3, 2, { items: [item("student", 11, 0)] }), person(2, 0, 2)], [[1, []]], [false]],
  ])("%s", (_name, people, want, resolved) => {
    const plans = planRebalance(people, 10);
    expect(plans.map((p) => [p.personId, p.moves.map((m) => `${m.item.kind}${m.item.id}→${m.toPersonId}`)])).toEqual(want);
    expect(plans.map((p) => p.resolved)).toEqual(resolved);
  });

  it("uses capacity as the limit, else 1.5 × the team median", () => {
    expect(limitOf({ capacityPerHour: 0.5, teamMedianPerHour: 2 })).toBe(0.5);
    expect(limitOf({ capacityPerHour: null, teamMedianPerHour: 2 })).toBe(3);
    expect(limitOf({ capacityPerHour: null, teamMedianPerHour: 0 })).toBeNull();
  });
});

/**
 * A school where Анна carries a coordinators' chat and three assigned students; Ольга, same team and role,
 * has a capacity with spare; Марк is a mentor. Calendar: all hours (no calendar), period 2026-03-02..08.
 */
const msk = (day: string, hm: string) => DateTime.fromISO(`${day}T${hm}`, { zone: "Europe/Moscow" }).toJSDate();
const NOW = msk("2026-03-10", "12:00");
const src = { kind: "telegram" as const, externalId: "tg" };
const G1 = { externalId: "-100", kind: "group" as const, title: "Кураторский чат" };
const dm = (n: string) => ({ externalId: n, kind: "dm" as const });
let seq = 0;
const m = (channel: MessageEvent["channel"], author: string, at: Date, text: string, replyTo?: MessageEvent): MessageEvent => ({
  type: "message", action: "create", source: src, channel, externalId: `m${++seq}`, author: { externalId: author }, sentAt: at, text,
  ...(replyTo ? { replyTo: { externalId: replyTo.externalId, author: { externalId: replyTo.author.externalId } } } : {}),
});
const roster: IngestEvent[] = [
  { type: "roster", source: src, identity: { externalId: "anna", name: "Анна", email: "anna@s.test" }, role: "coordinator", team: "A", assignedStudentExternalIds: ["s1", "s2", "s3"] },
  { type: "roster", source: src, identity: { externalId: "olga", name: "Ольга", email: "olga@s.test" }, role: "coordinator", team: "A" },
  { type: "roster", source: src, identity: { externalId: "mark", name: "Марк", email: "mark@s.test" }, role: "mentor", team: "A" },
];
const qa = (channel: MessageEvent["channel"], student: string, staff: string, day: string): MessageEvent[] => {
  const q = m(channel, student, msk(day, "10:00"), "Вопрос по модулю?");
  return [q, m(channel, staff, msk(day, "10:20"), "Ответ", channel.kind === "dm" ? undefined : q)];
};
const messages: MessageEvent[] = [
  ...qa(G1, "s4", "anna", "2026-03-02"), ...qa(G1, "s5", "anna", "2026-03-03"), ...qa(G1, "s6", "anna", "2026-03-04"),
  ...qa(dm("501"), "s1", "anna", "2026-03-02"), ...qa(dm("501"), "s1", "anna", "2026-03-03"),
  ...qa(dm("502"), "s2", "anna", "2026-03-04"),
  ...qa(dm("601"), "s7", "olga", "2026-03-05"),
  ...qa(dm("701"), "s8", "mark", "2026-03-05"),
];
const config: SchoolConfigInput = {
  channels: [{ source: "telegram", externalId: "-100", ownerRole: "coordinator", ownerEmail: "anna@s.test" }],
  capacities: [{ email: "anna@s.test", episodesPerHour: 0.02 }, { email: "olga@s.test", episodesPerHour: 0.05 }],
};

for (const engine of engines()) {
  describe(`rebalance on ${engine.name}`, () => {
    let h: DbHandle & { drop(): Promise<void> };
    let school: SchoolRow;
    beforeAll(async () => {
      h = await engine.open();
      school = await ensureSchool(h.db, { organisation: { slug: "org", name: "Org" }, slug: "rb", name: "RB", timezone: "Europe/Moscow" });
      await storeEvents(h.db, school.id, [...roster, ...messages]);
      await applyConfig(h.db, school.id, config);
      await recomputeEpisodes(h.db, school.id, { scopes: "dirty", now: NOW });
    });
    afterAll(async () => h?.drop());

    it("weighs owned channels and assigned students by the episodes they brought, never twice", async () => {
      const items = await movableItems(h.db, school.id, school.timezone, { from: "2026-03-02", to: "2026-03-09" }, NOW);
      const anna = [...items.values()].find((l) => l.some((i) => i.label === "Кураторский чат"));
      // s3 is assigned to Анна too but brought no episodes in the period: nothing to move, so not listed.
      expect(anna?.map((i) => [i.kind, i.label, i.episodes]).sort()).toEqual([["channel", "Кураторский чат", 3], ["student", "s1", 2], ["student", "s2", 1]]);
      // Only some people's items (the overloaded, as rebalanceSuggestions asks): the same items, no one else's.
      const annaId = [...items].find(([, l]) => l === anna)?.[0];
      if (annaId === undefined) throw new Error("Анна has items");
      const only = await movableItems(h.db, school.id, school.timezone, { from: "2026-03-02", to: "2026-03-09" }, NOW, [annaId]);
      expect([...only.keys()]).toEqual([annaId]);
      expect(only.get(annaId)?.map((i) => [i.kind, i.id, i.episodes]).sort()).toEqual(anna?.map((i) => [i.kind, i.id, i.episodes]).sort());
      expect((await movableItems(h.db, school.id, school.timezone, { from: "2026-03-02", to: "2026-03-09" }, NOW, [])).size).toBe(0);
      // Everyone asked by id (answered episodes by responder, open ones by owner) equals everyone read whole.
      const flat = (m: Map<number, MovableItem[]>) => [...m].flatMap(([p, l]) => l.map((i) => [p, i.kind, i.id, i.episodes].join(":"))).sort();
      const all = await movableItems(h.db, school.id, school.timezone, { from: "2026-03-02", to: "2026-03-09" }, NOW, [...items.keys(), ...items.keys()]);
      expect(flat(all)).toEqual(flat(items));
    });

    it("flags Анна against her capacity and moves her heaviest item to Ольга", async () => {
      const r = await teamReport(h.db, school, { from: "2026-03-02", to: "2026-03-08" }, NOW);
      // 168 calendar hours (no calendar): Анна 6/168 = 0.036 > 0.02; Ольга 1/168 = 0.006, spare 0.044.
      expect(r.workingHours).toBe(168);
      expect(r.rows.map((s) => [s.name, s.episodesAnswered, s.overloaded])).toEqual([["Анна", 6, true], ["Марк", 1, false], ["Ольга", 1, false]]);
      expect(r.rebalance).toHaveLength(1);
      const plan = r.rebalance[0]!;
      // Heaviest first: the chat (3 episodes = 0.018/h) goes to Ольга; 3/168 = 0.018 ≤ 0.02: resolved.
      expect(plan.moves.map((x) => [x.item.label, x.toName])).toEqual([["Кураторский чат", "Ольга"]]);
      expect(plan.resolved).toBe(true);
      expect(plan.loadAfter).toBeCloseTo(3 / 168, 9);
      // Filters narrow the rows and the plans shown; the judgement stays the team's.
      const mentors = await teamReport(h.db, school, { from: "2026-03-02", to: "2026-03-08", role: "mentor" }, NOW);
      expect(mentors.rows.map((s) => s.name)).toEqual(["Марк"]);
      expect(mentors.rebalance).toEqual([]);
      expect(mentors.totalStaff).toBe(3);
    });

    it("reads ahead the items of a hint of who is overloaded: the same plans whether the hint is right, wrong or missing", async () => {
      const period = { from: "2026-03-02", to: "2026-03-09" };
      const r = await teamReport(h.db, school, { from: "2026-03-02", to: "2026-03-08" }, NOW);
      const staff = (await loadReportFor(h.db, school, period, NOW)).staff;
      const until = new Date(r.checkInWindow.to);
      const plain = await rebalanceSuggestions(h.db, school.id, school.timezone, period, until, staff, r.workingHours);
      expect(plain.length).toBe(1);
      const [anna, mark] = [staff.find((s) => s.name === "Анна")!, staff.find((s) => s.name === "Марк")!];
      const early = (ids: number[], at = until): EarlyItems => ({ ids: new Set(ids), read: movableItems(h.db, school.id, school.timezone, period, at, ids).then((items) => ({ until: at, items })) });
      // Right, wider than needed (Марк is not overloaded), missing Анна, or read at another instant.
      for (const hint of [early([anna.personId]), early([anna.personId, mark.personId]), early([mark.personId]), early([anna.personId], new Date(until.getTime() - 86_400_000))]) {
        expect(await rebalanceSuggestions(h.db, school.id, school.timezone, period, until, staff, r.workingHours, hint)).toEqual(plain);
      }
      // The team page keeps who was overloaded at its last view of the period and reads their items ahead.
      expect(await teamReport(h.db, school, { from: "2026-03-02", to: "2026-03-08" }, NOW)).toEqual(r);
    });
  });
}
