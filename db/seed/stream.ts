import type { Db } from "../client";
import { DeriveBehind, type BehindSummary } from "../queries/episodes/behind";
import { storeEvents } from "../queries/ingest";
import { ensureSchool } from "../queries/schools";
import type { IdentityRef, IngestEvent, SourceRef } from "../../lib/ingest/types";
import { configureChannels, configureLmsItems, configureSchool, configureShifts } from "./config";
import { generateSchoolEvents } from "./events";
import { IdFactory, type IdSpace } from "./identity";
import { DEFAULT_SEED, planSchool } from "./plan";
import { Rng } from "./rng";
import { ORGANISATION, SCHOOLS, type ScaleSpec, type SchoolSpec } from "./specs";
import type { SchoolPlan, StreamScale } from "./types";
import { buildSchool } from "./world";

/**
 * The demo at `xl` (≈ 1 M messages) and `full` (≈ 10 M messages, 100 k students, 1 k staff, a year) scales,
 * generated in bounded memory.
 *
 * planDemo simulates a whole school in memory (≈ 650 MiB at `large`), which does not scale to 10 M
 * messages. Here one big school is made of slices: each slice is an ordinary school plan (buildSchool +
 * planSchool, the same simulator as `small` and `large`, so the same kinds of events and the same realism)
 * over a share of the students and staff. Slices share the school, its sources (workspace ids), its courses
 * and its bot; each has its own people, cohorts (streams, numbered apart), teams, channels and ids, drawn
 * from a disjoint share of every id space (IdSpace), so no two slices collide and any slice can be generated
 * alone. One slice is simulated, streamed and dropped before the next, so memory is that of one slice.
 *
 * Slices cover a year ending at the anchor (a 365-day window instead of planDemo's 182 days), with twice the
 * cohorts per course of `large`; each slice's cohorts start in between the other slices' (`phase`), from
 * ones already under way when the year opens (`leadIn`) to ones started in its last weeks, so the streams
 * of all slices together start every few days and the monthly volume is about flat over the year, as in a
 * running school of that size (planDemo's half year instead ramps up from an empty school).
 *
 * Only the first school of the holding (polaris-code: Telegram + Slack, xAPI) is generated at these
 * scales: the targets are for one school, and a second one would only lengthen the import.
 */

export interface StreamSchool {
  slug: string;
  name: string;
  timezone: string;
  slices: number;
  estimate: { messages: number; events: number; students: number; staff: number };
}

export interface StreamDemo {
  organisation: { slug: string; name: string };
  schools: StreamSchool[];
  /** What streamSlices needs to regenerate the slices (same options → same events). */
  scale: StreamScale;
  seed: number;
  anchor: Date;
  shape: SliceShape;
}

/** How a streamed school is cut into slices. */
export interface SliceShape {
  /** Slices of the school. */
  slices: number;
  /** Cohorts per course in one slice, as a multiple of the school spec's (`large` has 3 / 3 / 2 over half a year). */
  cohortsFactor: number;
  /** Students per cohort and staff of one slice. */
  scale: ScaleSpec;
  /** Days simulated, ending at the anchor. */
  windowDays: number;
  /** How far into its course a course's first cohort is when the window opens (see SliceOptions). */
  leadIn: number;
}

// One slice ≈ 1.44 k students (16 cohorts of 70–110), 16 staff, ≈ 160 k messages: about one `large`
// school over a year, with the staff per student of the targets (1 k staff for 100 k students).
// Coordinators carry about the students they do at `large` (the cohorts are spread over twice the time);
// mentors about twice as many. A coordinator is assigned a year of students (100–220; the overloaded one
// 330–440), so the capacity is 250, not `large`'s 150: as at `large`, only the overloaded one is over it.
// The simulator writes ~111 messages per student of this school over a year, so the targets' 10 M
// messages and 100 k students cannot both be met exactly: `full` is 64 slices (≈ 92 k students, ≈ 10.2 M
// messages, 1,024 staff), `xl` 7 (≈ 10 k students, ≈ 1.1 M messages, 112 staff).
const SLICE: ScaleSpec = { studentsPerCohort: [70, 110], coordinators: 6, mentorsPerCourse: 2, reviewers: 1, coordinatorsPerCohort: [1, 2], maxStudents: 250 };

export const STREAM_SHAPES: Record<StreamScale, SliceShape> = {
  xl: { slices: 7, cohortsFactor: 2, scale: SLICE, windowDays: 365, leadIn: 0.75 },
  full: { slices: 64, cohortsFactor: 2, scale: SLICE, windowDays: 365, leadIn: 0.75 },
};

/**
 * Per student of a slice, what the simulator produced over 365 days (all 64 slices of `full`, seed 42,
 * anchor 2026-03-01: 110.9 messages and 165.4 events per student): used only for the estimates, which
 * planStream gives without simulating.
 */
const PER_STUDENT = { messages: 111, events: 165 };

export interface StreamOptions {
  scale: StreamScale;
  anchor: Date;
  seed?: number;
  /** Overrides of the scale's shape: fewer slices, smaller cohorts (tests). */
  shape?: Partial<SliceShape>;
}

/** The streamed holding: which schools, how many slices, and what they will hold. Cheap: no simulation. */
export function planStream(opts: StreamOptions): StreamDemo {
  if (!Number.isFinite(opts.anchor.getTime())) throw new Error("planStream: anchor is not a valid date");
  const shape: SliceShape = { ...STREAM_SHAPES[opts.scale], ...opts.shape };
  // Each slice draws its staff's names from its 1/(slices + 1) share of the ~3,600 names (IdFactory.claimsName):
  // beyond ~100 slices a share gets too small for 17 distinct names.
  if (!Number.isInteger(shape.slices) || shape.slices < 1 || shape.slices > 100) throw new Error(`planStream: slices must be 1…100, not ${shape.slices}`);
  const schools = [SCHOOLS[0] as SchoolSpec].map((spec): StreamSchool => {
    const cohorts = spec.courses.reduce((n, c) => n + c.cohorts * shape.cohortsFactor, 0);
    const students = Math.round(shape.slices * cohorts * ((shape.scale.studentsPerCohort[0] + shape.scale.studentsPerCohort[1]) / 2));
    return {
      slug: spec.slug, name: spec.name, timezone: spec.timezone, slices: shape.slices,
      estimate: { messages: Math.round(students * PER_STUDENT.messages), events: Math.round(students * PER_STUDENT.events), students, staff: shape.slices * staffPerSlice(spec, shape.scale) },
    };
  });
  return { organisation: ORGANISATION, schools, scale: opts.scale, seed: opts.seed ?? DEFAULT_SEED, anchor: new Date(opts.anchor.getTime()), shape };
}

/** Staff of one slice, as buildStaff makes them (team leads, coordinators, mentors, reviewers; the bot is the school's). */
function staffPerSlice(spec: SchoolSpec, sc: ScaleSpec): number {
  const teams = sc.coordinators > 5 ? spec.mentorTeams.length : 1;
  return 1 + sc.coordinators + teams + sc.mentorsPerCourse * spec.courses.length + sc.reviewers;
}

/** What every slice of a school shares: the sources and the bot. Drawn from the space no slice owns. */
interface Shared {
  spec: SchoolSpec;
  rng: Rng;
  messengers: SourceRef[];
  lms: SourceRef;
  bot: Map<string, IdentityRef>;
}

function shared(demo: StreamDemo, school: StreamSchool): Shared {
  const spec = SCHOOLS.find((s) => s.slug === school.slug);
  if (!spec) throw new Error(`streamSlices: no school ${school.slug}`);
  const rng = new Rng(`stream/${demo.seed}/${demo.scale}/${demo.anchor.getTime()}/${spec.slug}`);
  const ids = new IdFactory(rng.fork("ids"), { index: school.slices, count: school.slices + 1 });
  const messengers = spec.messengers.map((m) => ({ kind: m.style, externalId: ids.workspace(m.style, spec.domain), name: m.name }));
  const lms = { kind: spec.lms.kind, externalId: ids.workspace(spec.lms.kind, spec.domain), name: spec.lms.name };
  const bot = new Map<string, IdentityRef>(
    spec.messengers.map((m) => [m.style, { externalId: ids.user(m.style), name: `${spec.name} Бот`, username: `${spec.slug.replace(/-/g, "_")}_bot`, isBot: true }]),
  );
  return { spec, rng, messengers, lms, bot };
}

/** Slice `k` of a school: an ordinary school plan over its share of people and ids, simulated. */
function planSlice(demo: StreamDemo, school: StreamSchool, sh: Shared, k: number): SchoolPlan {
  const { shape } = demo;
  const n = k + 1;
  // Teams are per slice (a lead each); school-wide channels get the slice's number, as a big school's many
  // off-topic chats and forums would.
  const spec: SchoolSpec = {
    ...sh.spec,
    courses: sh.spec.courses.map((c) => ({ ...c, cohorts: c.cohorts * shape.cohortsFactor })),
    mentorTeams: sh.spec.mentorTeams.map((t) => ({ ...t, name: `${t.name} ${n}` })),
    coordinatorTeam: `${sh.spec.coordinatorTeam} ${n}`,
  };
  const space: IdSpace = { index: k, count: school.slices + 1 };
  const plan = buildSchool(spec, shape.scale, demo.anchor.getTime(), sh.rng.fork(`slice:${k}`), {
    space, index: k, count: school.slices, phase: (k + 0.5) / school.slices, windowDays: shape.windowDays, leadIn: shape.leadIn,
    channelTitle: (t) => (/^[a-z0-9-]+$/.test(t) ? `${t}-${n}` : `${t} · ${n}`),
  });
  // The school's sources and bot, not the slice's own: buildSchool drew them from the slice's generator.
  plan.messengers.forEach((m, i) => {
    const ref = sh.messengers[i];
    if (ref) m.ref = ref;
  });
  plan.lms.ref = sh.lms;
  plan.bot.ids = new Map(sh.bot);
  planSchool(plan, sh.rng.fork(`slice:${k}/sim`));
  // Survey, rating and CSV-LMS ids are numbered per plan; the slice's number keeps them apart.
  const tag = (id: string) => id.replace(plan.slug, `${plan.slug}-s${n}`);
  for (const s of plan.surveys) s.id = tag(s.id);
  for (const r of plan.ratings) r.id = tag(r.id);
  if (plan.lms.style === "lms_csv") for (const x of plan.lmsEvents) x.id = tag(x.id);
  return plan;
}

export interface StreamSlice {
  index: number;
  plan: SchoolPlan;
  events: () => Generator<IngestEvent>;
}

/**
 * One slice at a time: its plan (for configureChannels/LmsItems/Shifts of ./config) and its events in store
 * order. A slice is dropped when the next is asked for: its `plan` then throws, so the caller's reference
 * to the old slice cannot keep two slices in memory while the next one is simulated.
 */
export function* streamSlices(demo: StreamDemo, school: StreamSchool): Generator<StreamSlice> {
  const sh = shared(demo, school);
  for (let k = 0; k < school.slices; k++) {
    let current: SchoolPlan | null = planSlice(demo, school, sh, k);
    const plan = (): SchoolPlan => {
      if (!current) throw new Error(`streamSlices: slice ${k} was dropped when the next one was generated`);
      return current;
    };
    yield {
      index: k,
      get plan() {
        return plan();
      },
      events: () => generateSchoolEvents(plan()),
    };
    current = null;
  }
}

/**
 * A store in two steps, so the next slice is generated and validated while this one is written: importing
 * alternates Node's work (generation, validation, resolving ids) with PostgreSQL's (the inserts, seconds a
 * slice at school scale), and in sequence each waits for the other. `prepare` must not touch the database
 * and must yield to the event loop now and then; `write` calls `onLongWait` when it starts a long wait
 * (bulk-import.ts `bulkSliceStore`), from which the next slice's `prepare` starts.
 */
export interface SliceStore<P> {
  prepare(events: Iterable<IngestEvent>): Promise<P>;
  write(db: Db, schoolId: number, prepared: P, onLongWait: () => void): Promise<void>;
}

export interface SeedStreamOptions extends StreamOptions {
  onProgress?: (done: number, totalEstimate: number) => void;
  /**
   * Stores one slice's events (default: storeEvents in batches of 5,000, as seedDemo does), or a SliceStore,
   * whose next slice is prepared while one is written.
   */
  store?: ((db: Db, schoolId: number, events: Iterable<IngestEvent>) => Promise<void>) | SliceStore<unknown>;
  /**
   * Derive episodes as the school is stored: each slice's scopes while the next slice is generated and
   * stored (DeriveBehind), judged at `now`; `onDerived` hears the runs and the wait after the last slice.
   */
  deriveBehind?: { now: Date; onDerived?: (r: { slug: string } & BehindSummary) => void };
}

export interface StreamSummary {
  schools: Array<{ slug: string; messages: number; events: number; students: number; staff: number }>;
}

/**
 * Like seedDemo, but streaming: the school and its configuration once, then per slice its events through
 * `store`, then the slice's channels, LMS schedule and shifts (additive, see ./config). Progress is
 * reported every 5,000 events generated, against the estimate (and, last, against the exact total).
 * Returns what was generated (staff without the school's one bot).
 */
export async function seedStream(db: Db, opts: SeedStreamOptions): Promise<StreamSummary> {
  const demo = planStream(opts);
  const store = pipelined(opts.store ?? ((d: Db, schoolId: number, events: Iterable<IngestEvent>) => storeInBatches(d, schoolId, events, 5000)));
  const total = demo.schools.reduce((n, s) => n + s.estimate.events, 0);
  let done = 0;
  opts.onProgress?.(0, total);
  const out: StreamSummary["schools"] = [];
  for (const school of demo.schools) {
    const row = await ensureSchool(db, { organisation: demo.organisation, slug: school.slug, name: school.name, timezone: school.timezone });
    const sum = { slug: school.slug, messages: 0, events: 0, students: 0, staff: 0 };
    const behind = opts.deriveBehind ? await DeriveBehind.start(db, row.id, opts.deriveBehind.now) : null;
    let pending = 0;
    const counted = function* (events: Generator<IngestEvent>): Generator<IngestEvent> {
      for (const e of events) {
        sum.events++;
        if (++pending === 5000) {
          done += pending;
          pending = 0;
          opts.onProgress?.(done, total);
        }
        yield e;
      }
    };
    const slices = streamSlices(demo, school);
    // The next slice, generated (which drops the one before it from the generator: its plan is taken first)
    // and being prepared. A failed prepare is thrown where its slice is awaited, never as unhandled.
    const next = (): { slice: StreamSlice; plan: SchoolPlan; prepared: Promise<unknown> } | null => {
      const it = slices.next();
      if (it.done) return null;
      const plan = it.value.plan;
      const prepared = store.prepare(counted(it.value.events()));
      prepared.catch(() => undefined);
      return { slice: it.value, plan, prepared };
    };
    let cur = next();
    while (cur) {
      const { slice, plan } = cur;
      if (slice.index === 0) await configureSchool(db, row.id, plan);
      const prepared = await cur.prepared;
      // The next slice, started once, a turn of the event loop after the write asks for it (so the long
      // statement is on its way before generation holds Node); an error in it is thrown where it is awaited.
      let following: Promise<ReturnType<typeof next>> | null = null;
      const startNext = () => {
        if (!following) {
          following = new Promise<ReturnType<typeof next>>((resolve, reject) =>
            setImmediate(() => {
              try {
                resolve(next());
              } catch (e) {
                reject(e);
              }
            }),
          );
          following.catch(() => undefined);
        }
        return following;
      };
      await store.write(db, row.id, prepared, store.overlap ? () => void startNext() : () => undefined);
      const upcoming = store.overlap ? startNext() : null;
      done += pending;
      pending = 0;
      opts.onProgress?.(done, total);
      await configureChannels(db, row.id, plan);
      await configureLmsItems(db, row.id, plan);
      await configureShifts(db, row.id, plan);
      // The slice's scopes are complete (slices share no channels) and configured: derive them behind the next.
      behind?.partStored();
      sum.messages += plan.messages.length;
      sum.students += plan.students.length;
      sum.staff += plan.staff.length;
      cur = upcoming ? await upcoming : next();
    }
    if (behind) {
      // Awaited on its own: as the argument of an optional call it would not run without a listener.
      const derived = await behind.finish();
      opts.deriveBehind?.onDerived?.({ slug: school.slug, ...derived });
    }
    out.push(sum);
  }
  // The total was an estimate; at the end it is what was generated.
  opts.onProgress?.(done, done);
  return { schools: out };
}

/** The store as a SliceStore; a plain function's `prepare` hands the lazy events on, and nothing overlaps. */
function pipelined(store: NonNullable<SeedStreamOptions["store"]>): SliceStore<unknown> & { overlap: boolean } {
  if (typeof store !== "function") return { prepare: (events) => store.prepare(events), write: (d, id, p, w) => store.write(d, id, p, w), overlap: true };
  return {
    prepare: async (events) => events,
    write: (d, id, events) => store(d, id, events as Iterable<IngestEvent>),
    overlap: false,
  };
}

/**
 * storeEvents in transactions of `batchSize` (how seedDemo and seedStream store a school): one INSERT … ON
 * CONFLICT cannot touch a row twice, so two status changes of one enrollment go to different batches.
 * `onStored` hears each committed batch's size (progress).
 */
export async function storeInBatches(db: Db, schoolId: number, events: Iterable<IngestEvent>, batchSize = 5000, onStored?: (n: number) => void): Promise<void> {
  let batch: IngestEvent[] = [];
  let enrollmentKeys = new Set<string>();
  const flush = async () => {
    if (batch.length === 0) return;
    const res = await storeEvents(db, schoolId, batch);
    if (res.rejected.length > 0) {
      const first = res.rejected[0];
      throw new Error(`demo seed: ${res.rejected.length} events rejected by the store path (first: #${first?.index} ${first?.reason})`);
    }
    onStored?.(batch.length);
    batch = [];
    enrollmentKeys = new Set();
  };
  for (const e of events) {
    const key = e.type === "enrollment" ? `${e.student.externalId}\u0000${e.cohort.externalId}` : null;
    if (batch.length >= batchSize || (key !== null && enrollmentKeys.has(key))) await flush();
    if (key !== null) enrollmentKeys.add(key);
    batch.push(e);
  }
  await flush();
}
