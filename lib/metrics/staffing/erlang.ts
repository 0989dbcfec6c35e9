/**
 * Erlang C (M/M/N queue) for duty queues with short SLAs. See docs/staffing.md.
 *
 * Traffic A = arrivals × AHT / interval (Erlangs). With N agents and A < N:
 *   Erlang B by the recursion B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1))  (no factorials, no A^N),
 *   P(wait) = C(N, A) = N·B / (N − A·(1 − B)),
 *   service level SL(t) = 1 − C · exp(−(N − A) · t / AHT),
 *   ASA = C · AHT / (N − A), occupancy = A / N.
 * With N ≤ A the queue grows without bound in steady state: C = 1, SL = 0, ASA = ∞.
 */

export interface ErlangInput {
  /** Contacts arriving in one interval (may be fractional: a forecast). */
  readonly arrivalsPerInterval: number;
  readonly intervalSeconds: number;
  /** Average handle time of one contact, seconds (already divided by chat concurrency, see `effectiveAht`). */
  readonly ahtSeconds: number;
  readonly agents: number;
}

function check(name: string, value: number, min: number): void {
  if (!Number.isFinite(value) || value < min) throw new RangeError(`${name} must be a finite number ≥ ${min}, got ${value}`);
}

function checkInput(i: ErlangInput): void {
  check("arrivalsPerInterval", i.arrivalsPerInterval, 0);
  check("intervalSeconds", i.intervalSeconds, Number.MIN_VALUE);
  check("ahtSeconds", i.ahtSeconds, 0);
  check("agents", i.agents, 0);
  if (!Number.isInteger(i.agents)) throw new RangeError(`agents must be an integer, got ${i.agents}`);
}

/** Offered traffic in Erlangs. */
export function trafficErlangs(i: Pick<ErlangInput, "arrivalsPerInterval" | "intervalSeconds" | "ahtSeconds">): number {
  return (i.arrivalsPerInterval * i.ahtSeconds) / i.intervalSeconds;
}

/** Erlang B blocking probability for `servers` servers offered `traffic` Erlangs (stable recursion). */
export function erlangB(traffic: number, servers: number): number {
  check("traffic", traffic, 0);
  check("servers", servers, 0);
  let b = 1;
  for (let n = 1; n <= servers; n++) b = (traffic * b) / (n + traffic * b);
  return b;
}

/** C from B for N servers; 1 when the queue is unstable (N ≤ A). */
function cFromB(b: number, traffic: number, servers: number): number {
  if (traffic === 0) return 0;
  if (servers <= traffic) return 1;
  return (servers * b) / (servers - traffic * (1 - b));
}

/** Probability that a contact waits at all (Erlang C). */
export function erlangC(i: ErlangInput): number {
  checkInput(i);
  const a = trafficErlangs(i);
  return cFromB(erlangB(a, i.agents), a, i.agents);
}

export interface QueueMetrics {
  readonly waitProbability: number;
  readonly serviceLevel: number;
  readonly asa: number;
  readonly occupancy: number;
}

function metricsFrom(c: number, a: number, n: number, aht: number, target: number): QueueMetrics {
  if (a === 0) return { waitProbability: 0, serviceLevel: 1, asa: 0, occupancy: 0 };
  if (n <= a) return { waitProbability: 1, serviceLevel: 0, asa: Infinity, occupancy: 1 };
  const sl = aht === 0 ? 1 : 1 - c * Math.exp((-(n - a) * target) / aht);
  return { waitProbability: c, serviceLevel: Math.min(1, Math.max(0, sl)), asa: (c * aht) / (n - a), occupancy: a / n };
}

/** Share of contacts answered within `targetAnswerSeconds`. */
export function serviceLevel(i: ErlangInput & { readonly targetAnswerSeconds: number }): number {
  check("targetAnswerSeconds", i.targetAnswerSeconds, 0);
  const a = trafficErlangs(i);
  return metricsFrom(erlangC(i), a, i.agents, i.ahtSeconds, i.targetAnswerSeconds).serviceLevel;
}

/** Average speed of answer (mean wait, seconds, over all contacts); Infinity when N ≤ A. */
export function averageSpeedOfAnswer(i: ErlangInput): number {
  const a = trafficErlangs(i);
  return metricsFrom(erlangC(i), a, i.agents, i.ahtSeconds, 0).asa;
}

/** All queue metrics for N agents at once. */
export function queueMetrics(i: ErlangInput & { readonly targetAnswerSeconds: number }): QueueMetrics {
  check("targetAnswerSeconds", i.targetAnswerSeconds, 0);
  const a = trafficErlangs(i);
  return metricsFrom(erlangC(i), a, i.agents, i.ahtSeconds, i.targetAnswerSeconds);
}

/**
 * Chat concurrency: an agent holding `concurrency` chats at once is modelled as one server that is
 * `concurrency` times faster, i.e. effective AHT = AHT / k (same throughput: k chats per AHT).
 * AHT is a chat's wall-clock handling time while the agent multitasks at that level. The
 * approximation is optimistic about waiting (one fast server queues less than k slow ones would).
 */
export function effectiveAht(ahtSeconds: number, concurrency = 1): number {
  check("ahtSeconds", ahtSeconds, 0);
  check("concurrency", concurrency, 1);
  return ahtSeconds / concurrency;
}

/** Rostered heads for productive agents: ceil(agents / (1 − shrinkage)), guarded against float dust (14 / 0.7). */
export function rosteredFor(agents: number, shrinkage = 0): number {
  if (!(shrinkage >= 0 && shrinkage < 1)) throw new RangeError(`shrinkage must be in [0, 1), got ${shrinkage}`);
  return Math.ceil(agents / (1 - shrinkage) - 1e-9);
}

export interface AgentsNeededInput {
  readonly arrivals: number;
  readonly intervalSeconds: number;
  readonly ahtSeconds: number;
  readonly targetAnswerSeconds: number;
  /** 0..1, e.g. 0.8 for "80 % within target". */
  readonly targetServiceLevel: number;
  /** Upper bound on A/N, e.g. 0.85; default 1 (no bound). */
  readonly maxOccupancy?: number;
  /** Share of rostered time not on the queue (breaks, meetings, other work), [0, 1). */
  readonly shrinkage?: number;
  /** Chats handled at once by one agent (≥ 1); see `effectiveAht`. */
  readonly concurrency?: number;
}

export interface AgentsNeeded {
  /** Productive agents on the queue. */
  readonly agents: number;
  /** People to roster: ceil(agents / (1 − shrinkage)). */
  readonly rostered: number;
  readonly serviceLevel: number;
  readonly occupancy: number;
  readonly asa: number;
  readonly waitProbability: number;
  readonly trafficErlangs: number;
}

/** Upper bound on the search: far beyond any school; a bug guard, not a business rule. */
const MAX_AGENTS = 1_000_000;

/**
 * The smallest N with SL(N) ≥ target and A/N ≤ maxOccupancy. One pass of the Erlang B recursion
 * (O(N)), so 1000+ agents cost microseconds and never overflow.
 */
export function agentsNeeded(input: AgentsNeededInput): AgentsNeeded {
  const { arrivals, intervalSeconds, targetAnswerSeconds, targetServiceLevel } = input;
  const maxOccupancy = input.maxOccupancy ?? 1;
  const shrinkage = input.shrinkage ?? 0;
  check("arrivals", arrivals, 0);
  check("intervalSeconds", intervalSeconds, Number.MIN_VALUE);
  check("targetAnswerSeconds", targetAnswerSeconds, 0);
  if (!(targetServiceLevel >= 0 && targetServiceLevel < 1)) {
    throw new RangeError(`targetServiceLevel must be in [0, 1) (1 needs infinitely many agents), got ${targetServiceLevel}`);
  }
  if (!(maxOccupancy > 0 && maxOccupancy <= 1)) throw new RangeError(`maxOccupancy must be in (0, 1], got ${maxOccupancy}`);
  const aht = effectiveAht(input.ahtSeconds, input.concurrency ?? 1);
  const a = trafficErlangs({ arrivalsPerInterval: arrivals, intervalSeconds, ahtSeconds: aht });
  if (a === 0) {
    return { agents: 0, rostered: 0, serviceLevel: 1, occupancy: 0, asa: 0, waitProbability: 0, trafficErlangs: 0 };
  }
  let b = 1;
  for (let n = 1; n <= MAX_AGENTS; n++) {
    b = (a * b) / (n + a * b);
    if (n <= a || a / n > maxOccupancy) continue;
    const m = metricsFrom(cFromB(b, a, n), a, n, aht, targetAnswerSeconds);
    if (m.serviceLevel >= targetServiceLevel) {
      return {
        agents: n,
        rostered: rosteredFor(n, shrinkage),
        serviceLevel: m.serviceLevel,
        occupancy: m.occupancy,
        asa: m.asa,
        waitProbability: m.waitProbability,
        trafficErlangs: a,
      };
    }
  }
  throw new RangeError(`more than ${MAX_AGENTS} agents needed (traffic ${a} Erlangs)`);
}

/**
 * Service level for a possibly fractional staffing (a shift covering half an hour gives 0.5):
 * linear interpolation between floor(N) and ceil(N) agents.
 */
export function serviceLevelFractional(i: Omit<ErlangInput, "agents"> & { readonly agents: number; readonly targetAnswerSeconds: number }): number {
  check("agents", i.agents, 0);
  const lo = Math.floor(i.agents);
  const frac = i.agents - lo;
  const slLo = serviceLevel({ ...i, agents: lo });
  if (frac < 1e-9) return slLo;
  return slLo + frac * (serviceLevel({ ...i, agents: lo + 1 }) - slLo);
}
