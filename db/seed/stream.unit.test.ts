import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { ingestEventSchema, type IngestEvent } from "@/lib/ingest/types";
import { generateSchoolEvents, planDemo } from "./demo";
import { IdFactory, randomName } from "./identity";
import { Rng } from "./rng";
import { STREAM_SHAPES, planStream, streamSlices, type SliceShape, type StreamDemo } from "./stream";
import type { SchoolPlan } from "./types";

const anchor = new Date("2026-03-01T00:00:00Z");
const YEAR_MS = 365 * 86_400_000;

interface Slice {
  index: number;
  plan: SchoolPlan;
  events: IngestEvent[];
}

/** The first `n` slices of the demo's first school, with their events materialised. */
function slices(demo: StreamDemo, n: number): Slice[] {
  const school = demo.schools[0];
  if (!school) throw new Error("no school");
  const out: Slice[] = [];
  for (const s of streamSlices(demo, school)) {
    if (s.index >= n) break;
    out.push({ index: s.index, plan: s.plan, events: [...s.events()] });
  }
  return out;
}

function hashEvents(events: Iterable<IngestEvent>): string {
  const h = createHash("sha256");
  for (const e of events) h.update(JSON.stringify(e));
  return h.digest("hex");
}

/** Keys that must be unique across the whole school, whatever slice they come from. */
function assertDistinct(all: Slice[]): void {
  const seen = {
    message: new Set<string>(), studentIdentity: new Set<string>(), studentEmail: new Set<string>(), staffIdentity: new Set<string>(), staffEmail: new Set<string>(),
    staffName: new Set<string>(), lmsIdentity: new Set<string>(), lms: new Set<string>(), survey: new Set<string>(), rating: new Set<string>(), cohort: new Set<string>(),
  };
  const add = (set: Set<string>, key: string, what: string) => {
    if (set.has(key)) throw new Error(`duplicate ${what}: ${key}`);
    set.add(key);
  };
  const channelsBySlice = new Map<string, number>();
  for (const s of all) {
    for (const e of s.events) {
      if (e.type === "message") {
        const ch = `${e.source.externalId}/${e.channel.externalId}`;
        const owner = channelsBySlice.get(ch);
        if (owner !== undefined && owner !== s.index) throw new Error(`channel ${ch} in slices ${owner} and ${s.index}`);
        channelsBySlice.set(ch, s.index);
        if (e.action === "create") add(seen.message, `${ch}/${e.externalId}`, "message");
      } else if (e.type === "roster" && e.role === "student") {
        add(seen.studentIdentity, `${e.source.externalId}/${e.identity.externalId}`, "student identity");
        add(seen.studentEmail, e.identity.email ?? "", "student email");
      } else if (e.type === "roster" && e.role !== "bot") {
        add(seen.staffIdentity, `${e.source.externalId}/${e.identity.externalId}`, "staff identity");
      } else if (e.type === "enrollment" && e.status === "active") add(seen.lmsIdentity, e.student.externalId, "LMS identity");
      else if (e.type === "lms") add(seen.lms, e.externalId, "LMS statement");
      else if (e.type === "survey") add(seen.survey, e.externalId, "survey");
      else if (e.type === "rating") add(seen.rating, e.externalId, "rating");
    }
    for (const st of s.plan.staff) {
      add(seen.staffEmail, st.email, "staff email");
      add(seen.staffName, st.name, "staff name");
    }
    for (const c of s.plan.cohorts) add(seen.cohort, c.externalId, "cohort");
  }
}

describe("streamed demo (xl)", () => {
  let demo: StreamDemo;
  let two: Slice[];
  beforeAll(() => {
    demo = planStream({ scale: "xl", anchor });
    two = slices(demo, 2);
  }, 120_000);

  it("estimates the scale without simulating: one school of ~10 k students, ~100 staff, ~1 M messages", () => {
    expect(demo.schools).toHaveLength(1);
    const [school] = demo.schools;
    expect(school?.slices).toBe(STREAM_SHAPES.xl.slices);
    expect(school?.estimate.students).toBeGreaterThan(9_000);
    expect(school?.estimate.staff).toBeGreaterThanOrEqual(100);
    expect(school?.estimate.messages).toBeGreaterThan(900_000);
    expect(school?.estimate.messages).toBeLessThan(1_300_000);
    const full = planStream({ scale: "full", anchor }).schools[0];
    expect(full?.estimate.messages).toBeGreaterThan(9_000_000);
    expect(full?.estimate.students).toBeGreaterThan(90_000);
    expect(full?.estimate.staff).toBeGreaterThanOrEqual(1_000);
  });

  it("is deterministic: the same options give the same events, slice by slice", () => {
    const again = slices(planStream({ scale: "xl", anchor }), 1)[0];
    const first = two[0];
    expect(again?.events.slice(0, 2000)).toEqual(first?.events.slice(0, 2000));
    expect(hashEvents(again?.events ?? [])).toBe(hashEvents(first?.events ?? []));
    const tiny: Partial<SliceShape> = { slices: 2, scale: { ...STREAM_SHAPES.xl.scale, studentsPerCohort: [3, 5] } };
    const one = (seed: number) => hashEvents(slices(planStream({ scale: "xl", anchor, seed, shape: tiny }), 2).flatMap((s) => s.events));
    expect(one(43)).not.toBe(one(42));
  }, 60_000);

  it("keeps slices apart: no shared message, channel, person, e-mail, cohort or record id; the same sources, courses and bot", () => {
    assertDistinct(two);
    const [a, b] = two;
    expect(b?.plan.messengers.map((m) => m.ref)).toEqual(a?.plan.messengers.map((m) => m.ref));
    expect(b?.plan.lms.ref).toEqual(a?.plan.lms.ref);
    expect(b?.plan.courses.map((c) => c.externalId)).toEqual(a?.plan.courses.map((c) => c.externalId));
    expect([...(b?.plan.bot.ids.values() ?? [])]).toEqual([...(a?.plan.bot.ids.values() ?? [])]);
  });

  it("produces only events the store path accepts, inside the year, in store order", () => {
    for (const s of two) {
      const { events } = s;
      // Every non-message event and every 20th message: the messages are the same code path as planDemo's.
      events.forEach((e, i) => {
        if (e.type === "message" && i % 20 !== 0) return;
        const parsed = ingestEventSchema.safeParse(e);
        if (!parsed.success) throw new Error(`${JSON.stringify(e).slice(0, 300)}: ${parsed.error.message}`);
      });
      const times = events.flatMap((e) => (e.type === "message" ? [e.sentAt.getTime()] : []));
      expect(times.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThanOrEqual(anchor.getTime() - YEAR_MS);
      expect(times.reduce((a, b) => Math.max(a, b), -Infinity)).toBeLessThanOrEqual(anchor.getTime());
      // The year is covered: messages in its first and its last month.
      expect(times.some((t) => t < anchor.getTime() - YEAR_MS + 45 * 86_400_000)).toBe(true);
      expect(times.some((t) => t > anchor.getTime() - 30 * 86_400_000)).toBe(true);
      // Roster and enrollments first, status changes last (generateSchoolEvents' order).
      const firstMessage = events.findIndex((e) => e.type === "message");
      expect(events.slice(0, firstMessage).every((e) => e.type === "roster" || (e.type === "enrollment" && e.status === "active"))).toBe(true);
      expect(events.slice(firstMessage).some((e) => e.type === "roster")).toBe(false);
    }
  });

  it("has the shape the estimate promises, per slice", () => {
    const school = demo.schools[0];
    if (!school) throw new Error("no school");
    const per = (n: number) => n / school.slices;
    for (const s of two) {
      const messages = s.plan.messages.length;
      expect(s.plan.students.length).toBeGreaterThan(per(school.estimate.students) * 0.8);
      expect(s.plan.students.length).toBeLessThan(per(school.estimate.students) * 1.2);
      expect(s.plan.staff.length).toBe(per(school.estimate.staff));
      expect(messages).toBeGreaterThan(per(school.estimate.messages) * 0.75);
      expect(messages).toBeLessThan(per(school.estimate.messages) * 1.25);
      expect(s.events.length).toBeGreaterThan(per(school.estimate.events) * 0.75);
      expect(s.events.length).toBeLessThan(per(school.estimate.events) * 1.25);
      // The same kinds of events as planDemo's schools.
      const kinds = new Set(s.events.map((e) => (e.type === "message" ? `${e.type}:${e.action}:${e.channel.kind}:${e.thread?.kind ?? "-"}` : `${e.type}`)));
      for (const k of ["enrollment", "roster", "lms", "survey", "rating", "message:create:dm:-", "message:delete:group:-", "message:create:forum:forum_topic", "message:create:channel:thread"]) expect(kinds).toContain(k);
      const statuses = new Set(s.plan.students.map((st) => st.outcome.status));
      for (const st of ["active", "completed", "withdrawn", "paused", "frozen"]) expect(statuses).toContain(st);
    }
  });

  it("measures one slice (time and heap are logged, not asserted)", () => {
    const school = demo.schools[0];
    if (!school) throw new Error("no school");
    const heap0 = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    let events = 0;
    let peak = 0;
    for (const s of streamSlices(demo, school)) {
      for (const _ of s.events()) events++;
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      break;
    }
    const cpu = process.cpuUsage(cpu0);
    console.log(`one xl slice: ${events} events, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU, heap +${((peak - heap0) / 2 ** 20).toFixed(0)} MiB`);
    expect(events).toBeGreaterThan(0);
  }, 60_000);
});

describe("streamed demo: every slice of `full` owns its share of the id spaces", () => {
  it("keeps as many slices as `full` has apart (with cohorts of 2–3 students)", () => {
    const shape: Partial<SliceShape> = { slices: STREAM_SHAPES.full.slices, scale: { ...STREAM_SHAPES.full.scale, studentsPerCohort: [2, 3] } };
    const demo = planStream({ scale: "full", anchor, shape });
    const all = slices(demo, shape.slices ?? 0);
    expect(all).toHaveLength(STREAM_SHAPES.full.slices);
    assertDistinct(all);
  }, 120_000);
});

describe("IdFactory with an id space", () => {
  it("gives disjoint ids of each source's style to two spaces, and keeps the unspaced sequence", () => {
    const styles = ["telegram", "slack", "discord", "mattermost"] as const;
    const make = (index: number) => {
      const ids = new IdFactory(new Rng(`space-test/${index}`), { index, count: 61 });
      const r = new Rng(`names/${index}`);
      const out: string[] = [];
      for (let i = 0; i < 300; i++) {
        for (const s of styles) out.push(`u:${s}:${ids.user(s)}`, `c:${s}:${ids.channel(s, i % 2 === 0, 1_770_000_000_000)}`);
        out.push(`x:${ids.lmsUser("xapi")}`, `l:${ids.lmsUser("lms_csv")}`, `e:${ids.email(randomName(r), null)}`);
      }
      return out;
    };
    const a = make(0);
    const b = make(60);
    expect(new Set(a).size).toBe(a.length);
    expect(a.filter((x) => new Set(b).has(x))).toEqual([]);
    expect(a.find((x) => x.startsWith("u:telegram:"))).toMatch(/^u:telegram:\d+$/);
    expect(a.find((x) => x.startsWith("u:slack:"))).toMatch(/^u:slack:U0[A-Z0-9]{9}$/);
    expect(a.find((x) => x.startsWith("u:mattermost:"))).toMatch(/^u:mattermost:[a-z0-9]{26}$/);
    expect(a.find((x) => x.startsWith("x:"))).toMatch(/^x:u-[0-9a-f]{10}$/);
    // Without a space the factory draws exactly as before (the small / large demo depends on it).
    const plain = new IdFactory(new Rng("plain"));
    const r = new Rng("plain");
    expect(plain.user("telegram")).toBe(String(r.int(150_000_000, 7_900_000_000)));
    expect(plain.claimsName(randomName(new Rng("n")))).toBe(true);
  });
});

describe("the whole-plan scales are unchanged", () => {
  it("small gives byte-identical events to before the streaming generator", () => {
    // sha256 over JSON of every event of both schools, taken before db/seed/stream.ts existed.
    const plan = planDemo({ scale: "small", seed: 7, anchor });
    expect(hashEvents(plan.schools.flatMap((s) => [...generateSchoolEvents(s)]))).toBe("2aeb75c6fe2ba07251ee46c0d63932cddb00d3e9105d1a730b5391cac467e2d4");
  }, 30_000);
});
