/**
 * Backlog model for long SLAs (mentors, 24 h): how many staff-hours per day answer every question
 * within its target. No queueing randomness: at this scale what matters is whether the day's work
 * fits between arrival and deadline. See docs/staffing.md for the model and its limits.
 *
 * - Steady state: every day looks like the average day (`dailyArrivals` per hour-of-day, spread
 *   evenly within each hour). Time runs in minutes over a repeating day.
 * - Staff work only in `workingHours`; s staff give s staff-minutes of work per minute (fluid).
 * - First come, first served (with one target for all, that is earliest-deadline-first, the order that
 *   meets deadlines whenever any order can). A question is answered when its handling ends.
 * - One person handles one question: it cannot end before `handleMinutes` of working time after it
 *   arrives, so a question whose target ends before that is **unreachable** — no staffing helps
 *   (e.g. a 30-minute target for a question asked at 23:00 when work starts at 09:00). Unreachable
 *   questions are still handled (their work counts) but are left out of the deadline check.
 * - The plan is level: the same head count in every working hour, the smallest that meets every
 *   reachable deadline (bisection on a simulation). It is rosterable; a shaped plan could be cheaper
 *   when targets are shorter than a day.
 * - clock `business`: the target counts only working minutes; questions asked outside working hours
 *   wait for the opening, and the timeline is compressed to working minutes.
 */

export interface BacklogInput {
  /** Questions per hour-of-day (24 values) on an average day. */
  readonly dailyArrivals: readonly number[];
  /** Staff minutes to handle one question. */
  readonly handleMinutes: number;
  /** Answer within this many minutes (e.g. 1440). */
  readonly targetMinutes: number;
  /** Hours of day (0–23) in which staff can work. */
  readonly workingHours: readonly number[];
  /** How the target is counted; default `calendar`. */
  readonly clock?: "calendar" | "business";
}

export interface BacklogPlan {
  /** Staff-hours per day in the plan. */
  readonly staffHoursPerDay: number;
  /** Staff on duty per hour-of-day (fractional: a share of a person's hour). */
  readonly perHour: number[];
  /** The pure workload (questions × handle time), hours/day: a lower bound on any plan. */
  readonly workloadHours: number;
  /** Questions per day, by arrival hour, that no staffing can answer within target. */
  readonly unreachableByHour: number[];
  /** Share of the day's questions that are unreachable (0 when there are none). */
  readonly unreachableShare: number;
  /** True when every question can be answered within target. */
  readonly feasible: boolean;
  /** Longest response (minutes, on the model's clock) of a reachable question under the plan. */
  readonly maxResponseMinutes: number;
}

const DAY = 1440;
const EPS = 1e-9;

interface Timeline {
  /** Period in minutes (1440, or working minutes per day for the business clock). */
  readonly period: number;
  readonly working: readonly boolean[];
  /** Questions arriving at each minute of the period. */
  readonly arrivals: readonly number[];
  /** Arrival hour-of-day of each minute's questions (for reporting). */
  readonly hourOf: readonly number[][];
}

function validate(i: BacklogInput): Set<number> {
  if (i.dailyArrivals.length !== 24) throw new RangeError(`dailyArrivals needs 24 hours, got ${i.dailyArrivals.length}`);
  if (i.dailyArrivals.some((v) => !Number.isFinite(v) || v < 0)) throw new RangeError("dailyArrivals must be finite and ≥ 0");
  if (!Number.isFinite(i.handleMinutes) || i.handleMinutes < 0) throw new RangeError("handleMinutes must be ≥ 0");
  if (!Number.isFinite(i.targetMinutes) || i.targetMinutes <= 0) throw new RangeError("targetMinutes must be > 0");
  const hours = new Set(i.workingHours);
  for (const h of hours) if (!Number.isInteger(h) || h < 0 || h > 23) throw new RangeError(`working hour ${h} is not 0–23`);
  return hours;
}

function timeline(i: BacklogInput, hours: Set<number>): Timeline {
  const perMinute = (m: number): number => (i.dailyArrivals[Math.floor(m / 60)] ?? 0) / 60;
  if (i.clock !== "business") {
    return {
      period: DAY,
      working: Array.from({ length: DAY }, (_, m) => hours.has(Math.floor(m / 60))),
      arrivals: Array.from({ length: DAY }, (_, m) => perMinute(m)),
      hourOf: Array.from({ length: DAY }, (_, m) => [Math.floor(m / 60)]),
    };
  }
  // Compressed: working minutes only; a question asked while closed arrives at the next opening.
  const open = Array.from({ length: DAY }, (_, m) => m).filter((m) => hours.has(Math.floor(m / 60)));
  const arrivals = new Array<number>(open.length).fill(0);
  const hourOf = open.map((): number[] => []);
  const index = new Map(open.map((m, i) => [m, i]));
  let next = 0;
  // Walk the day backwards twice so each minute knows the next opening, wrapping past midnight.
  for (let step = 0; step < 2 * DAY && open.length > 0; step++) {
    const m = DAY - 1 - (step % DAY);
    next = index.get(m) ?? next;
    if (step < DAY || perMinute(m) === 0) continue;
    arrivals[next] = (arrivals[next] ?? 0) + perMinute(m);
    hourOf[next]?.push(Math.floor(m / 60));
  }
  return { period: open.length, working: open.map(() => true), arrivals, hourOf };
}

/** Earliest end of one question arriving at minute k, or null when it cannot end within target. */
function earliestEnd(t: Timeline, k: number, handle: number, target: number): number | null {
  let need = handle;
  for (let m = k; m - k <= target; m++) {
    if (!t.working[m % t.period]) continue;
    if (need <= EPS) return m;
    need -= 1;
    if (need <= EPS) return m + 1 - k <= target ? m + 1 : null;
  }
  return null;
}

interface Sim {
  readonly ok: boolean;
  readonly maxResponse: number;
}

interface Bucket {
  readonly at: number;
  work: number;
  /** Earliest possible end (absolute minute); null = unreachable. */
  readonly end: number | null;
}

/**
 * Runs enough days from empty for the backlog to settle; checks every reachable deadline.
 * Reachable questions go first, in arrival order; unreachable ones (already lost) take what capacity
 * is left, so they cost staff-hours but never push a question that can still be saved past its target.
 */
function simulate(t: Timeline, staff: number, handle: number, target: number, ends: readonly (number | null)[]): Sim {
  const days = Math.ceil(target / t.period) + 4;
  const queues: [Bucket[], Bucket[]] = [[], []];
  const heads: [number, number] = [0, 0];
  let maxResponse = 0;
  let ok = true;
  for (let m = 0; m < days * t.period && ok; m++) {
    const k = m % t.period;
    const arriving = t.arrivals[k] ?? 0;
    if (arriving > 0) {
      const end = ends[k] ?? null;
      queues[end === null ? 1 : 0].push({ at: m, work: arriving * handle, end: end === null ? null : end - k + m });
    }
    let cap = t.working[k] ? staff : 0;
    for (const p of [0, 1] as const) {
      const queue = queues[p];
      while (heads[p] < queue.length) {
        const q = queue[heads[p]];
        if (!q) break;
        const used = Math.min(cap, q.work);
        q.work -= used;
        cap -= used;
        if (q.work > EPS) break;
        heads[p] += 1;
        if (q.end === null) continue;
        const response = Math.max(handle === 0 ? m : m + 1, q.end) - q.at;
        maxResponse = Math.max(maxResponse, response);
        if (response > target + EPS) ok = false;
      }
    }
  }
  const endTime = days * t.period;
  const [reachable] = queues;
  for (let j = heads[0]; j < reachable.length && ok; j++) {
    const q = reachable[j];
    if (q && q.at + target < endTime) ok = false;
  }
  return { ok, maxResponse };
}

const tidy = (x: number): number => Math.round(x * 1e9) / 1e9;

export function backlogStaffHours(input: BacklogInput): BacklogPlan {
  const hours = validate(input);
  const { handleMinutes: handle, targetMinutes: target } = input;
  const t = timeline(input, hours);
  const total = input.dailyArrivals.reduce((a, b) => a + b, 0);
  const workload = (total * handle) / 60;
  const ends = t.arrivals.map((a, k) => (a > 0 ? earliestEnd(t, k, handle, target) : null));
  const unreachableByHour = new Array<number>(24).fill(0);
  t.arrivals.forEach((a, k) => {
    if (a <= 0 || ends[k] !== null) return;
    const from = t.hourOf[k] ?? [];
    // In the compressed timeline several closed hours feed one opening minute: share by their rates.
    const rates = from.map((h) => (input.dailyArrivals[h] ?? 0) / 60);
    const sum = rates.reduce((x, y) => x + y, 0);
    from.forEach((h, j) => (unreachableByHour[h] = (unreachableByHour[h] ?? 0) + (sum > 0 ? (a * (rates[j] ?? 0)) / sum : 0)));
  });
  const unreachable = tidy(unreachableByHour.reduce((a, b) => a + b, 0));
  const base = { workloadHours: tidy(workload), unreachableByHour: unreachableByHour.map(tidy), unreachableShare: total > 0 ? tidy(unreachable / total) : 0 };
  const workingMinutes = t.working.filter(Boolean).length;
  if (workingMinutes === 0) {
    return { ...base, staffHoursPerDay: 0, perHour: new Array<number>(24).fill(0), feasible: total === 0, maxResponseMinutes: 0 };
  }
  if (workload === 0) {
    const sim = simulate(t, 0, handle, target, ends);
    return { ...base, staffHoursPerDay: 0, perHour: new Array<number>(24).fill(0), feasible: unreachable === 0, maxResponseMinutes: sim.maxResponse };
  }
  let lo = (workload * 60) / workingMinutes;
  let hi = lo;
  while (!simulate(t, hi, handle, target, ends).ok) {
    lo = hi;
    hi *= 2;
    if (hi > 1e7) throw new RangeError("no finite staffing meets the target");
  }
  while (hi - lo > Math.max(1e-4, hi * 1e-5)) {
    const mid = (lo + hi) / 2;
    if (simulate(t, mid, handle, target, ends).ok) hi = mid;
    else lo = mid;
  }
  const level = hi;
  const perHour = Array.from({ length: 24 }, (_, h) => (hours.has(h) ? level : 0));
  return {
    ...base,
    staffHoursPerDay: level * hours.size,
    perHour,
    feasible: unreachable === 0,
    maxResponseMinutes: simulate(t, level, handle, target, ends).maxResponse,
  };
}
