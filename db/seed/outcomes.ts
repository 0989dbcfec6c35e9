import { DAY } from "./clock";
import type { Rng } from "./rng";
import type { StudentDef, Tier } from "./types";

const BASE: Record<Tier, number> = { none: 0.24, standard: 0.8, premium: 0.88 };

/**
 * The support a student will get is known before any message is simulated (who their coordinator is, how
 * fast and how caring that person is), so the outcome can depend on it and the messages then show it:
 * slow or overloaded coordinators and no check-ins mean longer waits and more withdrawals. This is the
 * correlation the outcome pages are meant to find; it is built in, so the demo has something true to show.
 */
export function completionChance(st: StudentDef): number {
  let p = BASE[st.tier] + 0.4 * (st.engagement - 0.5);
  const c = st.coordinator;
  if (st.tier !== "none" && c) {
    p -= c.trait === "slow" ? 0.22 : c.trait === "overloaded" ? 0.16 : c.trait === "normal" ? 0.03 : 0;
    if (c.checkinEveryDays === null) p -= 0.1;
  }
  return Math.min(0.97, Math.max(0.03, p));
}

export function decideOutcome(st: StudentDef, anchor: number, rng: Rng): void {
  const { startMs, endMs, ended } = st.cohort;
  const length = endMs - startMs;
  const completes = rng.chance(completionChance(st));
  if (completes) {
    if (ended) {
      const endedAt = Math.min(anchor - 3600_000, endMs + rng.int(0, 3) * DAY + rng.int(10, 20) * 3600_000);
      st.outcome = { status: "completed", endedAt, finalResult: st.engagement > 0.75 && st.skill > 0.7 ? "distinction" : "pass" };
    } else st.outcome = { status: "active" };
    st.activeUntil = Math.min(anchor, endMs);
    return;
  }
  // Drop-outs come early more often than late: a skewed fraction of the course.
  const frac = 0.1 + 0.8 * Math.pow(rng.next(), 1.5);
  // At least three weeks in: quiet for two weeks or more, then formally out (or paused, then frozen).
  const withdrawAt = Math.min(Math.max(startMs + 21 * DAY, startMs + frac * length + rng.int(0, 10) * DAY), endMs - DAY);
  const disengageAt = Math.max(startMs + 5 * DAY, withdrawAt - rng.int(14, 35) * DAY);
  st.activeUntil = Math.min(anchor, disengageAt);
  if (ended) {
    st.outcome = { status: "withdrawn", endedAt: withdrawAt, disengageAt, finalResult: "withdrawn" };
    return;
  }
  if (withdrawAt > anchor) {
    // Not withdrawn yet, but may already be quiet: an active enrollment the risk score should flag.
    st.outcome = { status: "active", disengageAt };
    return;
  }
  if (rng.chance(0.4)) {
    // Unreachable for 30 days: paused, then frozen a month later (METRICS.md, at-risk students).
    const pausedAt = disengageAt + 30 * DAY;
    const frozenAt = pausedAt + 30 * DAY;
    if (pausedAt > anchor) st.outcome = { status: "active", disengageAt };
    else if (frozenAt > anchor) st.outcome = { status: "paused", pausedAt, disengageAt };
    else st.outcome = { status: "frozen", pausedAt, frozenAt, disengageAt };
    return;
  }
  st.outcome = { status: "withdrawn", endedAt: withdrawAt, disengageAt, finalResult: "withdrawn" };
}
