import type { Rng } from "./rng";
import { DAY, HOUR, MIN, type Sim } from "./sim";
import { RATING_COMMENTS_BAD, RATING_COMMENTS_GOOD, fill } from "./texts";
import type { SimMsg, StudentDef } from "./types";

/**
 * After an answered question the school's bot sometimes asks "how was the help?"; some students answer.
 * The score follows the wait, so CSAT and response time move together as they do in the field.
 */
export function feedbackAfterAnswer(sim: Sim, st: StudentDef, answer: SimMsg, askedAt: number, inDm: boolean, negative: boolean, r: Rng): void {
  if (!r.chance(0.3)) return;
  const sentAt = answer.at + r.int(30, 240) * MIN;
  if (sentAt > sim.plan.anchor) return;
  const n = sim.plan.surveys.length;
  sim.plan.surveys.push({ student: st, kind: "csat", at: sentAt, id: `csat-${sim.plan.slug}-${n + 1}` });
  if (!r.chance(0.45)) return;
  const givenAt = sentAt + r.int(1, 600) * MIN;
  if (givenAt > sim.plan.anchor) return;
  const waitH = (answer.at - askedAt) / HOUR;
  // Most students rate 5 when helped the same day; a wait past a day costs the most.
  const mean = (waitH < 1 ? 4.85 : waitH < 4 ? 4.7 : waitH < 12 ? 4.5 : waitH < 24 ? 4.2 : waitH < 48 ? 3.6 : 2.8) - (negative ? 0.8 : 0);
  const five = Math.min(5, Math.max(1, Math.round(r.normal(mean, 0.6))));
  // One source collects on a 1–10 scale; the store path normalises it to 1–5.
  const tenScale = st.source.style === "discord";
  const raw = tenScale ? Math.min(10, Math.max(1, five * 2 - r.int(0, 1))) : five;
  // fill() picks exactly as r.pick does, then agrees the verbs with the student ("ждал" / "ждала").
  const comment = r.chance(0.25) ? fill(r, five >= 4 ? RATING_COMMENTS_GOOD : RATING_COMMENTS_BAD, { n: 0, m: 0, f: st.female }) : undefined;
  sim.plan.ratings.push({
    student: st, kind: "csat", at: givenAt, raw, scaleMax: tenScale ? 10 : 5, ...(comment ? { comment } : {}), fromDm: inDm || r.chance(0.5), about: answer,
    id: `r-${sim.plan.slug}-${sim.plan.ratings.length + 1}`,
  });
}

/** A mid-course NPS poll for a share of students; detractors cluster where support was weak. */
export function npsPoll(sim: Sim, st: StudentDef, r: Rng): void {
  const at = st.cohort.startMs + (st.cohort.endMs - st.cohort.startMs) * 0.5 + r.int(0, 3) * DAY + r.int(10, 20) * HOUR;
  if (at > st.activeUntil || at > sim.plan.anchor || !r.chance(0.25)) return;
  sim.plan.surveys.push({ student: st, kind: "nps", at, id: `nps-${sim.plan.slug}-${sim.plan.surveys.length + 1}` });
  if (!r.chance(0.5)) return;
  const c = st.coordinator;
  const mean = (st.tier === "premium" ? 8.2 : st.tier === "standard" ? 7.6 : 6.4) + (c?.trait === "slow" ? -1.8 : c?.trait === "overloaded" ? -1.2 : 0) + (st.engagement - 0.5) * 2;
  const raw = Math.min(10, Math.max(0, Math.round(r.normal(mean, 1.8))));
  sim.plan.ratings.push({ student: st, kind: "nps", at: at + r.int(5, 300) * MIN, raw, scaleMax: 10, fromDm: true, id: `nps-r-${sim.plan.slug}-${sim.plan.ratings.length + 1}` });
}
