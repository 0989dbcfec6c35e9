import type { Db } from "../client";
import { ensureSchool } from "../queries/schools";
import { configureChannels, configureLmsItems, configureSchool, configureShifts } from "./config";
import { countSchoolEvents, generateSchoolEvents, summariseSchool, type SchoolSummary } from "./events";
import { DEFAULT_SEED, planDemo } from "./plan";
import { storeInBatches } from "./stream";
import type { SchoolPlan } from "./types";

export { generateSchoolEvents, countSchoolEvents, summariseSchool, type SchoolSummary } from "./events";
export { planDemo, DEFAULT_SEED } from "./plan";
export type { DemoPlan, SchoolPlan } from "./types";

export interface DemoOptions {
  scale: "small" | "large";
  seed?: number;
  /** End of the simulated period (UTC midnight of "today" in the CLI; a fixed date in tests). */
  anchor: Date;
  onProgress?: (done: number, total: number) => void;
  /** Events per storeEvents call (one transaction each). */
  batchSize?: number;
  /**
   * Store the schools at the same time (`npm run bench`): each school's writers are serialised by its own
   * advisory lock, so two schools can use both cores (one in Node, one in PostgreSQL) instead of one after
   * the other. Same rows; only the order of generated ids between schools differs. Off by default so the
   * CLI's seed stays one school after the other.
   */
  parallelSchools?: boolean;
}

export interface DemoSummary {
  organisation: { slug: string; name: string };
  seed: number;
  scale: "small" | "large";
  anchor: string;
  schools: SchoolSummary[];
}

/**
 * Seeds the demo holding: one organisation, two schools. Every roster line, enrollment, message, LMS event,
 * survey and rating goes through storeEvents, the same path real imports take, so the demo exercises it
 * and a second run is a no-op (the sources' ids are the idempotency keys). Configuration that is not an
 * event is written by ./config. Returns the counts the database should now hold for each school.
 */
export async function seedDemo(db: Db, opts: DemoOptions): Promise<DemoSummary> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const plan = planDemo({ scale: opts.scale, seed, anchor: opts.anchor });
  const total = plan.schools.reduce((n, s) => n + countSchoolEvents(s), 0);
  const progress = { done: 0, total, report: opts.onProgress };
  report(progress, 0);
  // Schools (and their organisation) are created one after the other: ensureSchool upserts the organisation.
  const rows: Array<{ school: SchoolPlan; row: Awaited<ReturnType<typeof ensureSchool>> }> = [];
  for (const school of plan.schools) rows.push({ school, row: await ensureSchool(db, { organisation: plan.organisation, slug: school.slug, name: school.name, timezone: school.timezone }) });
  const one = async ({ school, row }: (typeof rows)[number]) => {
    await configureSchool(db, row.id, school);
    await storeSchool(db, row.id, school, opts.batchSize ?? 5000, progress);
    await configureChannels(db, row.id, school);
    await configureLmsItems(db, row.id, school);
    await configureShifts(db, row.id, school);
  };
  if (opts.parallelSchools) await Promise.all(rows.map(one));
  else for (const r of rows) await one(r);
  return { organisation: plan.organisation, seed, scale: opts.scale, anchor: opts.anchor.toISOString(), schools: plan.schools.map(summariseSchool) };
}

interface Progress {
  done: number;
  total: number;
  report?: (done: number, total: number) => void;
}

function report(p: Progress, n: number): void {
  p.done += n;
  p.report?.(p.done, p.total);
}

function storeSchool(db: Db, schoolId: number, school: SchoolPlan, batchSize: number, progress: Progress): Promise<void> {
  return storeInBatches(db, schoolId, generateSchoolEvents(school), batchSize, (n) => report(progress, n));
}
