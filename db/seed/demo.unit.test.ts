import { beforeAll, describe, expect, it } from "vitest";
import { ingestEventSchema, type IngestEvent, type MessageEvent } from "@/lib/ingest/types";
import { countSchoolEvents, generateSchoolEvents, planDemo, summariseSchool, type DemoPlan } from "./demo";
import { ANNOUNCEMENTS, FLOOD_STAFF, SCHOOL_NEWS } from "./texts";
import { completionChance } from "./outcomes";
import { WINDOW_DAYS } from "./world";

const anchor = new Date("2026-03-01T00:00:00Z");
const eventsOf = (plan: DemoPlan): IngestEvent[][] => plan.schools.map((s) => [...generateSchoolEvents(s)]);

// Staff posts that address nobody on purpose (METRICS.md rule 3: they must not close questions).
const templateRe = (t: string) => new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[nm]\}/g, "\\d+")}$`, "u");
const unaddressedTemplates = [...ANNOUNCEMENTS, ...SCHOOL_NEWS, ...FLOOD_STAFF].map(templateRe);

describe("demo generator (small)", () => {
  let plan: DemoPlan;
  let events: IngestEvent[][];
  beforeAll(() => {
    plan = planDemo({ scale: "small", seed: 7, anchor });
    events = eventsOf(plan);
  });

  it("is deterministic: the same seed and anchor give deep-equal events", () => {
    const again = eventsOf(planDemo({ scale: "small", seed: 7, anchor }));
    expect(again).toEqual(events);
  });

  it("leaves no template residue ({ждал|ждала}, {n}) in any text or comment", () => {
    const texts = events.flat().flatMap((e) => (e.type === "message" ? [e.text ?? ""] : e.type === "rating" ? [e.comment ?? ""] : []));
    expect(texts.length).toBeGreaterThan(1000);
    expect(texts.filter((t) => /\{[^}]*\}/.test(t))).toEqual([]);
  });

  it("differs with another seed", () => {
    const other = eventsOf(planDemo({ scale: "small", seed: 8, anchor }));
    expect(other[0]?.length).not.toBe(events[0]?.length);
    expect(other).not.toEqual(events);
  });

  it("has the small shape: ~300 students, ~30k messages, 6 courses, 15 cohorts, two schools", () => {
    const sums = plan.schools.map(summariseSchool);
    const total = (k: keyof (typeof sums)[number]) => sums.reduce((n, s) => n + Number(s[k]), 0);
    expect(sums).toHaveLength(2);
    expect(total("courses")).toBe(6);
    expect(total("cohorts")).toBe(15);
    expect(total("students")).toBeGreaterThanOrEqual(250);
    expect(total("students")).toBeLessThanOrEqual(380);
    expect(total("staff")).toBeGreaterThanOrEqual(14);
    expect(total("staff")).toBeLessThanOrEqual(30);
    expect(total("bots")).toBe(2);
    expect(total("messages")).toBeGreaterThanOrEqual(22_000);
    expect(total("messages")).toBeLessThanOrEqual(40_000);
    expect(total("lmsEvents")).toBeGreaterThan(5_000);
    expect(total("ratings")).toBeGreaterThan(200);
    const students = plan.schools.flatMap((s) => s.students);
    for (const tier of ["none", "standard", "premium"]) expect(students.some((s) => s.tier === tier)).toBe(true);
    for (const status of ["active", "completed", "withdrawn"]) expect(students.some((s) => s.outcome.status === status)).toBe(true);
    plan.schools.forEach((s, i) => expect(events[i]).toHaveLength(countSchoolEvents(s)));
    const tzs = plan.schools.map((s) => s.timezone);
    expect(tzs).toContain("Europe/Moscow");
  });

  it("produces only events the store path accepts, all inside the period", () => {
    const windowStart = anchor.getTime() - WINDOW_DAYS * 86_400_000;
    for (const e of events.flat()) {
      const parsed = ingestEventSchema.safeParse(e);
      if (!parsed.success) throw new Error(`${JSON.stringify(e).slice(0, 300)}: ${parsed.error.message}`);
      if (e.type === "message") {
        expect(e.sentAt.getTime()).toBeGreaterThanOrEqual(windowStart);
        expect(e.sentAt.getTime()).toBeLessThanOrEqual(anchor.getTime());
      }
    }
  });

  it("answers questions in group timelines by quoting or mentioning the student (METRICS.md rule 3)", () => {
    for (const list of events) {
      const staff = new Set(list.flatMap((e) => (e.type === "roster" && e.role !== "student" && e.role !== "bot" ? [`${e.source.externalId}/${e.identity.externalId}`] : [])));
      const isStaff = (src: string, id: string | undefined) => id !== undefined && staff.has(`${src}/${id}`);
      const timeline = list.filter((e): e is MessageEvent => e.type === "message" && e.action === "create" && e.channel.kind !== "dm" && !e.thread);
      const fromStaff = timeline.filter((e) => isStaff(e.source.externalId, e.author.externalId) && e.contentKind === "text");
      expect(fromStaff.length).toBeGreaterThan(500);
      let announcements = 0;
      for (const e of fromStaff) {
        if (unaddressedTemplates.some((re) => re.test(e.text ?? ""))) {
          announcements++;
          expect(e.replyTo).toBeUndefined();
          expect(e.mentions ?? []).toEqual([]);
          continue;
        }
        const quotesStudent = e.replyTo?.author !== undefined && !isStaff(e.source.externalId, e.replyTo.author.externalId);
        const mentionsStudent = (e.mentions ?? []).some((m) => !isStaff(e.source.externalId, m.externalId));
        if (!quotesStudent && !mentionsStudent) throw new Error(`unaddressed staff answer: ${e.text}`);
      }
      expect(announcements).toBeGreaterThan(0);
      expect(announcements).toBeLessThan(fromStaff.length / 2);
    }
  });

  it("has bots, stickers, deletions, complaints and peer replies in the timelines", () => {
    const msgs = events.flat().filter((e): e is MessageEvent => e.type === "message");
    expect(msgs.some((m) => m.author.isBot === true)).toBe(true);
    expect(msgs.some((m) => m.contentKind === "sticker")).toBe(true);
    expect(msgs.some((m) => m.action === "delete")).toBe(true);
    expect(msgs.some((m) => m.thread?.kind === "forum_topic")).toBe(true);
    expect(msgs.some((m) => m.thread?.kind === "thread")).toBe(true);
    expect(msgs.some((m) => /никто не отвечает|сколько можно/i.test(m.text ?? ""))).toBe(true);
  });

  it("withdrawn students go quiet in chats and the LMS weeks before withdrawing", () => {
    for (const school of plan.schools) {
      const last = new Map<string, number>();
      for (const m of school.messages) last.set(m.author.key, Math.max(last.get(m.author.key) ?? 0, m.at));
      for (const x of school.lmsEvents) last.set(x.student.key, Math.max(last.get(x.student.key) ?? 0, x.at));
      for (const st of school.students) {
        if (st.outcome.status !== "withdrawn" || st.outcome.endedAt === undefined) continue;
        expect(last.get(st.key) ?? 0).toBeLessThanOrEqual(st.outcome.endedAt - 10 * 86_400_000);
      }
    }
  });
});

describe("demo outcomes (large plan, no events)", () => {
  it("completion depends on support: tier none completes far less; slow support and no check-ins less still", () => {
    const plan = planDemo({ scale: "large", anchor });
    const ended = plan.schools.flatMap((s) => s.students).filter((s) => s.cohort.ended);
    const rate = (xs: typeof ended) => xs.filter((s) => s.outcome.status === "completed").length / xs.length;
    const none = rate(ended.filter((s) => s.tier === "none"));
    const supported = ended.filter((s) => s.tier !== "none");
    expect(none).toBeGreaterThan(0.12);
    expect(none).toBeLessThan(0.32);
    for (const tier of ["standard", "premium"]) {
      const r = rate(ended.filter((s) => s.tier === tier));
      expect(r).toBeGreaterThan(0.62);
      expect(r).toBeLessThan(0.92);
    }
    const weak = supported.filter((s) => s.coordinator?.trait === "slow" || s.coordinator?.checkinEveryDays === null);
    const strong = supported.filter((s) => s.coordinator?.trait === "fast");
    expect(rate(weak)).toBeLessThan(rate(strong) - 0.15);
    for (const s of supported.slice(0, 50)) expect(completionChance(s)).toBeGreaterThan(completionChance({ ...s, tier: "none" }));
    expect(plan.schools.flatMap((s) => s.students).length).toBeGreaterThan(2600);
  }, 60_000);
});
