import { describe, expect, it } from "vitest";
import { addBusinessMinutes } from "@/lib/metrics/business-time";
import { createCalendar } from "@/lib/metrics/calendar";
import { evaluateSla } from "@/lib/metrics/sla";
import { prng } from "@/lib/metrics/__fixtures__/episodes/builders";
import { calendarKey, judgeOpen, makeSuggester, staffAt, suggestTaker, type QueueRoster, type QueueStaff } from "./queue";


const ROLES = ["coordinator", "mentor", "reviewer", "support", "team_lead"];
const NAMES = ["Анна", "анна", "Борис", "Вера", "Глеб", "Дина", "Ёлка", "Zoe", "zoe", "Émile", "Emile", "Ольга"];

/** The queue's loop before makeSuggester: suggestTaker per item, each non-owner pick adding one load. */
function sequential(staff: readonly QueueStaff[], eps: ReadonlyArray<{ ownerPersonId: number | null; ownerRole: string | null }>) {
  const extra = new Map<number, number>();
  return eps.map((ep) => {
    const pick = suggestTaker(ep, staff, extra);
    if (pick && pick.reason !== "owner") extra.set(pick.person.personId, (extra.get(pick.person.personId) ?? 0) + 1);
    return pick && [pick.person.personId, pick.reason];
  });
}

describe("makeSuggester", () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))("picks as suggestTaker applied in order (seed %i)", (seed) => {
    const r = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const nStaff = Math.floor(r() * 30);
    const staff: QueueStaff[] = Array.from({ length: nStaff }, (_, i) => ({
      personId: 1000 - i * 7,
      name: pick(NAMES),
      role: pick(ROLES),
      team: null,
      openOwned: Math.floor(r() * 4),
      onShift: r() < 0.3,
    }));
    const eps = Array.from({ length: Math.floor(r() * 200) }, () => ({
      // Owners are sometimes not staff (a departed coordinator): then the role's pool decides.
      ownerPersonId: r() < 0.3 ? (r() < 0.7 && nStaff > 0 ? pick(staff).personId : 5) : null,
      ownerRole: r() < 0.2 ? null : r() < 0.1 ? "none_such" : pick(ROLES),
    }));
    const suggest = makeSuggester(staff);
    const fast = eps.map((ep) => {
      const p = suggest(ep);
      return p && [p.person.personId, p.reason];
    });
    expect(fast).toEqual(sequential(staff, eps));
  });
});

describe("judgeOpen", () => {
  // Mon–Fri 09:00–18:00 Moscow, a holiday and a transferred Saturday: deadlines cross nights and weekends.
  const cal = createCalendar({
    timezone: "Europe/Moscow",
    weekly: { 1: [{ startMinute: 540, endMinute: 1080 }], 2: [{ startMinute: 540, endMinute: 1080 }], 3: [{ startMinute: 540, endMinute: 780 }, { startMinute: 840, endMinute: 1080 }], 4: [{ startMinute: 540, endMinute: 1080 }], 5: [{ startMinute: 540, endMinute: 1080 }] },
    holidays: ["2026-03-09"],
    workdays: { "2026-03-14": 1 },
  });
  const key = calendarKey(cal);
  it.each(Array.from({ length: 30 }, (_, i) => i + 1))("agrees with evaluateSla and addBusinessMinutes (seed %i)", (seed) => {
    const r = prng(seed);
    const now = new Date(Date.UTC(2026, 2, 12, 9, 0) + Math.floor(r() * 86_400_000));
    for (let i = 0; i < 50; i++) {
      const openedAt = new Date(now.getTime() - Math.floor(r() * 7 * 86_400_000));
      const target = [15, 30, 120, 480, 1440][Math.floor(r() * 5)]!;
      const clock = r() < 0.7 ? ("business" as const) : ("calendar" as const);
      const ev = evaluateSla({ openedAt, answeredAt: null, policy: { id: 0, ownerRole: null, channelKind: null, priority: null, targetMinutes: target, clock, calendarId: 1 }, calendar: cal, now });
      const atRiskAt = clock === "business" ? addBusinessMinutes(cal, openedAt, 0.8 * target) : new Date(openedAt.getTime() + 0.8 * target * 60_000);
      // Twice: the second answer comes from the deadline memo.
      for (const j of [judgeOpen(openedAt, target, clock, { cal, key }, now), judgeOpen(openedAt, target, clock, { cal, key }, now)]) {
        expect(j).toEqual({ deadline: ev.deadline, atRiskAt, elapsedMinutes: ev.elapsedMinutes, state: ev.breachingNow ? "breaching" : ev.atRisk ? "atRisk" : "ok" });
      }
    }
  });
  it("keys the memo by calendar content: an edited calendar gets its own deadlines", () => {
    const openedAt = new Date("2026-03-12T14:00:00Z"); // 17:00 Moscow, an hour before closing
    const longer = createCalendar({ timezone: "Europe/Moscow", weekly: { 4: [{ startMinute: 540, endMinute: 1260 }] } });
    const now = new Date("2026-03-12T14:30:00Z");
    const a = judgeOpen(openedAt, 120, "business", { cal, key }, now);
    const b = judgeOpen(openedAt, 120, "business", { cal: longer, key: calendarKey(longer) }, now);
    expect(calendarKey(longer)).not.toBe(key);
    expect(a.deadline.toISOString()).toBe("2026-03-13T07:00:00.000Z"); // Fri 10:00 Moscow
    expect(b.deadline.toISOString()).toBe("2026-03-12T16:00:00.000Z"); // Thu 19:00 Moscow
  });
});

// The kept roster's roles are picked per poll: one role per person, their first in STAFF_ROLES order among
// those valid at now (valid_from ≤ now < valid_to), in the roster's name and id order.
describe("staffAt", () => {
  const H = 3_600_000;
  const roster: QueueRoster = {
    roles: [
      { personId: 1, name: "Анна", role: "coordinator", fromMs: null, toMs: 10 * H },
      { personId: 1, name: "Анна", role: "mentor", fromMs: null, toMs: null },
      { personId: 2, name: "Борис", role: "mentor", fromMs: 5 * H, toMs: null },
      { personId: 3, name: "Вера", role: "support", fromMs: null, toMs: 5 * H },
      { personId: 4, name: "Вера", role: "team_lead", fromMs: 2 * H, toMs: 8 * H },
    ],
    teams: new Map(),
  };
  it.each([
    ["before anyone starts or ends", 0, [[1, "coordinator"], [3, "support"]]],
    ["at a start: valid from that instant", 2 * H, [[1, "coordinator"], [3, "support"], [4, "team_lead"]]],
    ["at an end: no longer valid", 5 * H, [[1, "coordinator"], [2, "mentor"], [4, "team_lead"]]],
    ["a millisecond before an end", 5 * H - 1, [[1, "coordinator"], [3, "support"], [4, "team_lead"]]],
    ["the first role ended: the next one", 10 * H, [[1, "mentor"], [2, "mentor"]]],
  ] as const)("%s", (_name, at, want) => {
    expect(staffAt(roster, at).map((s) => [s.personId, s.role])).toEqual(want);
  });
});
