import { describe, expect, it } from "vitest";
import {
  agentsNeeded,
  averageSpeedOfAnswer,
  effectiveAht,
  erlangB,
  erlangC,
  queueMetrics,
  rosteredFor,
  serviceLevel,
  serviceLevelFractional,
} from "./erlang";

/** 100 contacts per 30 minutes, AHT 180 s: A = 10 Erlangs. */
const textbook = { arrivalsPerInterval: 100, intervalSeconds: 1800, ahtSeconds: 180 } as const;

describe("Erlang C against published values", () => {
  it("1. the textbook case: 10 Erlangs, 80/20 → 14 agents, SL ≈ 0.89, 20 rostered at 30 % shrinkage", () => {
    // Call Centre Helper, "Erlang C formula – made simple" (callcentrehelper.com): 14 agents,
    // P(wait) 17.4 %, service level 88.8 %, ASA 7.8 s, occupancy 71.4 %; 13 agents give 79.6 %.
    const r = agentsNeeded({ arrivals: 100, intervalSeconds: 1800, ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8, shrinkage: 0.3 });
    expect(r.agents).toBe(14);
    expect(r.rostered).toBe(20);
    expect(r.serviceLevel).toBeCloseTo(0.888, 3);
    expect(r.waitProbability).toBeCloseTo(0.174, 3);
    expect(r.asa).toBeCloseTo(7.8, 1);
    expect(r.occupancy).toBeCloseTo(0.714, 3);
    expect(serviceLevel({ ...textbook, agents: 13, targetAnswerSeconds: 20 })).toBeCloseTo(0.796, 3);
  });

  it("2. M/M/1: P(wait) = ρ and ASA = ρ·AHT/(1 − ρ) (Kleinrock, Queueing Systems vol. 1, §3.2)", () => {
    const i = { arrivalsPerInterval: 0.7, intervalSeconds: 1, ahtSeconds: 1, agents: 1 };
    expect(erlangC(i)).toBeCloseTo(0.7, 12);
    expect(averageSpeedOfAnswer(i)).toBeCloseTo(0.7 / 0.3, 12);
  });

  it("3. M/M/2: P(wait) = 2ρ²/(1 + ρ) (Kleinrock §3.5); A = 1 → 1/3", () => {
    expect(erlangC({ arrivalsPerInterval: 1, intervalSeconds: 1, ahtSeconds: 1, agents: 2 })).toBeCloseTo(1 / 3, 12);
    const rho = 0.9;
    expect(erlangC({ arrivalsPerInterval: 2 * rho, intervalSeconds: 1, ahtSeconds: 1, agents: 2 })).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
  });

  it("4. A = 2, N = 3: P(wait) = 4/9 (M/M/c closed form, Gross & Harris, Fundamentals of Queueing Theory)", () => {
    expect(erlangC({ arrivalsPerInterval: 2, intervalSeconds: 1, ahtSeconds: 1, agents: 3 })).toBeCloseTo(4 / 9, 12);
  });

  it("5. Erlang B table values at 1 % blocking (standard traffic tables, e.g. ITU-T E.501 era tables)", () => {
    // N = 10 → 4.461 E, N = 20 → 12.031 E, N = 50 → 37.901 E, N = 100 → 84.064 E; and B(10 E, 10) = 0.2146.
    expect(erlangB(4.461, 10)).toBeCloseTo(0.01, 4);
    expect(erlangB(12.031, 20)).toBeCloseTo(0.01, 4);
    expect(erlangB(37.901, 50)).toBeCloseTo(0.01, 4);
    expect(erlangB(84.064, 100)).toBeCloseTo(0.01, 4);
    expect(erlangB(10, 10)).toBeCloseTo(0.2146, 4);
  });

  it("6. Halfin–Whitt (1981) heavy-traffic limit at 1000+ agents, no overflow", () => {
    // N = A + β√A: P(wait) → 1 / (1 + β·Φ(β)/φ(β)); β = 1 → 0.2234.
    const limit = 1 / (1 + 0.841345 / 0.241971);
    const big = erlangC({ arrivalsPerInterval: 9000, intervalSeconds: 1, ahtSeconds: 1, agents: 9095 });
    expect(big).toBeGreaterThan(0);
    expect(big).toBeCloseTo(limit, 2);
    const r = agentsNeeded({ arrivals: 20_000, intervalSeconds: 3600, ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8 });
    expect(r.agents).toBeGreaterThan(1000);
    expect(Number.isFinite(r.serviceLevel)).toBe(true);
    expect(r.serviceLevel).toBeGreaterThanOrEqual(0.8);
  });
});

describe("shrinkage, occupancy, concurrency", () => {
  it("rostered = ceil(agents / (1 − shrinkage)) without float dust", () => {
    expect(rosteredFor(14, 0.3)).toBe(20);
    expect(rosteredFor(14, 0)).toBe(14);
    expect(rosteredFor(15, 0.3)).toBe(22);
    expect(rosteredFor(7, 0.5)).toBe(14);
    expect(() => rosteredFor(1, 1)).toThrow(RangeError);
  });

  it("a maximum occupancy adds agents beyond the service-level need", () => {
    const r = agentsNeeded({ arrivals: 100, intervalSeconds: 1800, ahtSeconds: 180, targetAnswerSeconds: 20, targetServiceLevel: 0.8, maxOccupancy: 0.6 });
    expect(r.agents).toBe(17); // 10 / 17 = 0.588 ≤ 0.6 < 10 / 16
    expect(r.occupancy).toBeLessThanOrEqual(0.6);
  });

  it("chat concurrency divides AHT: 2 chats at once need what half the AHT needs", () => {
    expect(effectiveAht(360, 2)).toBe(180);
    const chat = agentsNeeded({ arrivals: 100, intervalSeconds: 1800, ahtSeconds: 360, targetAnswerSeconds: 20, targetServiceLevel: 0.8, concurrency: 2 });
    expect(chat.agents).toBe(14);
    expect(() => effectiveAht(100, 0.5)).toThrow(RangeError);
  });

  it("a 30-minute SLA on an hourly interval: the duty-queue case", () => {
    const r = agentsNeeded({ arrivals: 12, intervalSeconds: 3600, ahtSeconds: 600, targetAnswerSeconds: 1800, targetServiceLevel: 0.9 });
    expect(r.agents).toBe(3); // A = 2; N = 3: SL = 1 − (4/9)·e^(−1·1800/600)
    expect(r.serviceLevel).toBeCloseTo(1 - (4 / 9) * Math.exp(-3), 12);
  });
});

describe("edge cases", () => {
  it("no arrivals needs nobody and answers everything", () => {
    expect(agentsNeeded({ arrivals: 0, intervalSeconds: 3600, ahtSeconds: 300, targetAnswerSeconds: 60, targetServiceLevel: 0.8 })).toMatchObject({ agents: 0, rostered: 0, serviceLevel: 1 });
    expect(erlangC({ arrivalsPerInterval: 0, intervalSeconds: 3600, ahtSeconds: 300, agents: 0 })).toBe(0);
  });

  it("an unstable queue (N ≤ A) waits always, SL 0, ASA ∞", () => {
    const m = queueMetrics({ ...textbook, agents: 10, targetAnswerSeconds: 20 });
    expect(m).toMatchObject({ waitProbability: 1, serviceLevel: 0, asa: Infinity });
  });

  it("fractional staffing interpolates between neighbours", () => {
    const at = (agents: number): number => serviceLevelFractional({ ...textbook, agents, targetAnswerSeconds: 20 });
    expect(at(13.5)).toBeCloseTo((at(13) + at(14)) / 2, 12);
    expect(at(14)).toBeCloseTo(serviceLevel({ ...textbook, agents: 14, targetAnswerSeconds: 20 }), 12);
  });

  it("rejects nonsense inputs", () => {
    expect(() => erlangC({ ...textbook, agents: 2.5 })).toThrow(RangeError);
    expect(() => erlangC({ ...textbook, arrivalsPerInterval: -1, agents: 3 })).toThrow(RangeError);
    expect(() => agentsNeeded({ arrivals: 1, intervalSeconds: 60, ahtSeconds: 60, targetAnswerSeconds: 1, targetServiceLevel: 1 })).toThrow(RangeError);
  });
});
