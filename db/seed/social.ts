import type { Rng } from "./rng";
import { DAY, MIN, isStudent, type Sim } from "./sim";
import {
  ACKS, ANNOUNCEMENTS, BANTER, CHATTER, PEER_ECHO, CHECKIN_ANSWERS, CHECKIN_REPLIES, CHECKINS, CHECKINS_FIRST, FLOOD, FLOOD_STAFF, OUTREACH, SCHOOL_NEWS, STICKERS, fill,
} from "./texts";
import type { ChannelDef, CohortDef, SimMsg, StudentDef } from "./types";

/** Conversations per active student per day in a cohort chat; tuned so the demo has ~100 messages per student. */
const CHATTER_RATE = 0.3;
const FLOOD_RATE = 0.06;

const activeOn = (st: StudentDef, t: number) => st.cohort.startMs <= t && st.activeUntil > t;

/** Students talking among themselves: openers and replies to each other, none of which asks staff anything. */
export function simulateCohortChat(sim: Sim, cohort: CohortDef): void {
  const r = sim.rng.fork(`chat:${cohort.key}`);
  const { chat } = cohort;
  const from = Math.max(cohort.startMs, sim.plan.windowStart);
  const to = Math.min(cohort.endMs, sim.plan.anchor);
  for (const st of cohort.students) {
    // Joining the cohort chat from the welcome e-mail, in the days around the start.
    const at = sim.clock.studentTime(r, Math.max(st.enrolledAt, cohort.startMs - 3 * DAY), cohort.startMs + DAY);
    if (at >= sim.plan.windowStart) sim.post({ ch: chat, at, author: st, kind: "service", text: null });
  }
  // Questions are simulated first, so peers in a support chat have something to reply to.
  const said = sim.plan.messages.filter((m) => m.ch === chat && m.kind === "text" && m.deletedAfterMs === undefined && isStudent(m.author)).sort((a, b) => a.at - b.at);
  for (let day = sim.clock.dayIndex(from); sim.clock.day(day).start < to; day++) {
    const d = sim.clock.day(day);
    const active = cohort.students.filter((s) => activeOn(s, d.start));
    if (active.length < 2) continue;
    const n = r.poisson(active.length * CHATTER_RATE * (d.weekday >= 6 ? 1.3 : 1));
    for (let i = 0; i < n; i++) conversation(sim, chat, active, said, sim.clock.studentTime(r, d.start, d.start + DAY - 1), r);
    if (d.weekday === 1 || d.weekday === 4) announce(sim, cohort, day, r);
  }
}

function conversation(sim: Sim, ch: ChannelDef, active: StudentDef[], said: SimMsg[], t: number, r: Rng): void {
  const author = r.weighted(active, (s) => 0.2 + s.engagement);
  if (ch.purpose !== "community") {
    // In a support chat every unaddressed student message waits for staff, so here peers only chime in
    // under someone's question ("+1", "me too"), addressed to the asker.
    const hi = firstAtOrAfter(said, t);
    const lo = firstAtOrAfter(said, t - 2 * DAY);
    const target = hi > lo ? said[r.int(lo, hi - 1)] : undefined;
    if (!target) return;
    let at = t;
    for (let k = r.poisson(0.6); k >= 0; k--) {
      const who = k === 0 ? author : r.pick(active);
      if (who === target.author || who.activeUntil < at) continue;
      sim.post({ ch, at, author: who, ...sim.address(ch, target, target.author, fill(r, PEER_ECHO, sim.slots(who, at)), r, 0.9) });
      at += r.int(1, 90) * MIN;
    }
    return;
  }
  if (author.activeUntil < t) return;
  const [openerText, fitting] = r.pick(CHATTER);
  const opener = sim.post({ ch, at: t, author, text: fill(r, [openerText], sim.slots(author, t)) });
  let prev = opener;
  for (let k = r.poisson(1.6); k > 0; k--) {
    const who = r.pick(active);
    const to = r.chance(0.85) ? opener : prev;
    const at = prev.at + r.int(1, 40) * MIN;
    if (who === to.author || who.activeUntil < at) continue;
    if (r.chance(0.2) && sim.canQuote(ch)) prev = sim.post({ ch, at, author: who, kind: "sticker", text: r.pick(STICKERS), replyTo: to });
    else prev = sim.post({ ch, at, author: who, ...sim.address(ch, to, to.author, fill(r, to === opener ? fitting : BANTER, sim.slots(who, at)), r, 0.85) });
  }
}

function firstAtOrAfter(xs: SimMsg[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid]?.at ?? Infinity) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function announce(sim: Sim, cohort: CohortDef, day: number, r: Rng): void {
  const who = cohort.coordinators[0];
  if (!who || !r.chance(0.85)) return;
  const at = sim.clock.at(day, r.int(10 * 60, 12 * 60));
  const week = Math.floor((at - cohort.startMs) / (7 * DAY)) + 1;
  sim.post({ ch: cohort.chat, at, author: who, text: fill(r, ANNOUNCEMENTS, { n: week, m: Math.floor((week - 1) / 2) + 1 }) });
}

/** Off-topic chat per messenger, and the school's news channel. */
export function simulateSchoolChannels(sim: Sim): void {
  const r = sim.rng.fork("school-channels");
  const { plan } = sim;
  const lead = plan.staff.find((s) => s.role === "team_lead");
  for (let day = plan.clock.dayIndex(plan.windowStart); plan.clock.day(day).start < plan.anchor; day++) {
    const d = plan.clock.day(day);
    for (const flood of plan.floods) {
      const active = plan.students.filter((s) => s.source === flood.source && activeOn(s, d.start));
      if (active.length === 0) continue;
      const n = r.poisson(active.length * FLOOD_RATE * (d.weekday >= 6 ? 1.5 : 1));
      let prev: SimMsg | undefined;
      for (let i = 0; i < n; i++) {
        const who = r.pick(active);
        const at = prev && r.chance(0.4) ? prev.at + r.int(1, 30) * MIN : plan.clock.studentTime(r, d.start, d.start + DAY - 1);
        if (who.activeUntil < at) continue;
        const reply = prev && prev.author !== who && r.chance(0.4) ? sim.address(flood, prev, prev.author, r.pick(BANTER), r) : { text: r.pick(FLOOD) };
        prev = sim.post({ ch: flood, at, author: who, ...reply });
      }
      if (lead && d.weekday === 1 && r.chance(0.3)) sim.post({ ch: flood, at: plan.clock.at(day, r.int(10 * 60, 18 * 60)), author: lead, text: r.pick(FLOOD_STAFF) });
    }
    if (lead && d.weekday === 2 && r.chance(0.8)) sim.post({ ch: plan.news, at: plan.clock.at(day, r.int(11 * 60, 13 * 60)), author: lead, text: r.pick(SCHOOL_NEWS) });
  }
}

/** Staff-initiated DMs: a welcome, regular check-ins, and outreach to students who went quiet. */
export function simulateCheckins(sim: Sim, st: StudentDef): void {
  const coord = st.coordinator;
  const dm = st.dm;
  if (!coord || !dm) return;
  const r = sim.rng.fork(`checkin:${st.key}`);
  const { clock } = sim;
  const start = Math.max(st.cohort.startMs, sim.plan.windowStart);
  const end = Math.min(st.cohort.endMs, sim.plan.anchor);
  const quietFrom = st.outcome.disengageAt ?? Infinity;
  const slots = (t: number) => ({ ...sim.slots(st, t), staff: coord.name.split(" ")[0] ?? coord.name, f: coord.female });
  const at0 = clock.shiftTime(r, coord.shift, start, start + 4 * DAY);
  if (at0 !== null && r.chance(coord.checkinEveryDays === null ? 0.5 : 0.95)) checkin(sim, st, dm, at0, fill(r, CHECKINS_FIRST, slots(at0)), at0 < quietFrom, r);
  if (coord.checkinEveryDays !== null) {
    const every = coord.checkinEveryDays * (st.tier === "premium" ? 1 : 2) * DAY;
    for (let t = start + every * r.range(0.7, 1.3); t < Math.min(end, quietFrom + 10 * DAY); t += every * r.range(0.7, 1.3)) {
      const at = clock.shiftTime(r, coord.shift, t, t + 3 * DAY);
      if (at !== null && at < end) checkin(sim, st, dm, at, fill(r, CHECKINS, slots(at)), at < quietFrom, r);
    }
  }
  if (st.outcome.disengageAt !== undefined && r.chance(coord.trait === "slow" ? 0.3 : 0.75)) {
    const times = r.int(1, 3);
    for (let i = 0; i < times; i++) {
      const t = st.outcome.disengageAt + (7 + i * 10) * DAY;
      const at = clock.shiftTime(r, coord.shift, t, t + 3 * DAY);
      if (at !== null && at < Math.min(end + 14 * DAY, sim.plan.anchor)) checkin(sim, st, dm, at, fill(r, OUTREACH, slots(at)), false, r);
    }
  }
}

function checkin(sim: Sim, st: StudentDef, dm: ChannelDef, at: number, text: string, canReply: boolean, r: Rng): void {
  const coord = st.coordinator;
  if (!coord) return;
  sim.post({ ch: dm, at, author: coord, text });
  if (!canReply || !r.chance(0.35 + 0.5 * st.engagement)) return;
  const replyAt = at + r.int(10, 20 * 60) * MIN;
  if (replyAt > st.activeUntil) return;
  if (r.chance(0.4)) {
    sim.post({ ch: dm, at: replyAt, author: st, text: fill(r, ACKS, sim.slots(st, replyAt)) });
    return;
  }
  sim.post({ ch: dm, at: replyAt, author: st, text: fill(r, CHECKIN_REPLIES, sim.slots(st, replyAt)) });
  const answerAt = sim.answerTime(coord, replyAt, false, r);
  if (answerAt <= sim.plan.anchor) sim.post({ ch: dm, at: answerAt, author: coord, text: r.pick(CHECKIN_ANSWERS) });
}
