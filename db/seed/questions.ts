import type { Rng } from "./rng";
import { DAY, HOUR, MIN, Sim } from "./sim";
import { feedbackAfterAnswer } from "./feedback";
import { ACKS, ACKS_EN, ANSWER_TAILS, BOT_REPLIES, COMPLAINT_ANSWERS, COMPLAINTS, DETAILS, PEER_HELP, QA_CONTENT, QA_EN, QA_GENERAL, STICKERS, WAITING, fill, type QA } from "./texts";
import type { Category, ChannelDef, SimMsg, SimThread, StaffDef, StudentDef, Tier } from "./types";

const RATE: Record<Tier, number> = { none: 1.0, standard: 1.9, premium: 2.6 };
const CATEGORY_WEIGHTS: Array<[Category, number]> = [["organisational", 0.3], ["technical", 0.14], ["content", 0.46], ["emotional", 0.1]];

type Where = "dm" | "forum" | "duty" | "cohort";

interface Place {
  where: Where;
  ch: ChannelDef;
  thread?: SimThread;
}

/** All the questions one student asks over the period, each played out as a waiting episode. */
export function simulateQuestions(sim: Sim, st: StudentDef): void {
  const r = sim.rng.fork(`q:${st.key}`);
  const from = Math.max(st.cohort.startMs + DAY, sim.plan.windowStart);
  const to = st.activeUntil;
  if (to <= from) return;
  const weeks = (to - from) / (7 * DAY);
  const n = r.poisson(RATE[st.tier] * (0.4 + 1.2 * st.engagement) * weeks);
  const fading = st.outcome.disengageAt !== undefined ? st.outcome.disengageAt - 21 * DAY : Infinity;
  for (let i = 0; i < n; i++) {
    const t = sim.clock.studentTime(r, from, to);
    if (t > fading && r.chance(0.5)) continue; // going quiet before dropping out
    const weights = CATEGORY_WEIGHTS.map(([c, w]) => (c === "emotional" ? w * (1.6 - st.engagement) : w));
    const cat = CATEGORY_WEIGHTS[r.weightedIndex(weights)]?.[0] ?? "content";
    episode(sim, st, placeFor(sim, st, cat, t, r), t, cat, 0, r);
  }
}

function placeFor(sim: Sim, st: StudentDef, cat: Category, t: number, r: Rng): Place {
  const cohortChat: Place = { where: "cohort", ch: st.cohort.chat };
  if (st.tier === "none") return cohortChat;
  if (cat === "content") {
    const u = r.next();
    if (u < 0.6) {
      const forum = st.cohort.course.forum;
      if (forum.threads === "topics") {
        const week = Math.floor((t - st.cohort.startMs) / (7 * DAY));
        const topic = forum.topics[Math.min(forum.topics.length - 1, Math.max(0, Math.floor(week / 2)))];
        return { where: "forum", ch: forum, ...(topic ? { thread: topic } : {}) };
      }
      return { where: "forum", ch: forum };
    }
    if (u < 0.8 && st.source === sim.plan.duty.source) return { where: "duty", ch: sim.plan.duty };
    return cohortChat;
  }
  if (st.dm && r.chance(st.tier === "premium" ? 0.7 : 0.5)) return { where: "dm", ch: st.dm };
  return cohortChat;
}

function responderFor(sim: Sim, st: StudentDef, place: Place, cat: Category, negative: boolean, t: number, r: Rng): StaffDef | "duty" | undefined {
  const course = st.cohort.course;
  if (place.where === "duty") return "duty";
  if (place.where === "forum") return sim.pickResponder(r.chance(0.2) && course.reviewers.length > 0 ? course.reviewers : course.mentors, t, r);
  if (place.where === "dm") return st.coordinator;
  if (negative && r.chance(0.3)) return undefined; // escalated to the coordinators' lead, picked by the caller
  if (cat === "content" && course.mentors.length > 0 && r.chance(0.3)) return sim.pickResponder(course.mentors, t, r);
  if (st.coordinator && r.chance(0.6)) return st.coordinator;
  return st.cohort.coordinators.length > 0 ? sim.pickResponder(st.cohort.coordinators, t, r) : st.coordinator;
}

function questionFor(st: StudentDef, cat: Category, r: Rng): QA {
  if (st.english && r.chance(0.7)) return r.pick(QA_EN);
  return r.pick(cat === "content" ? QA_CONTENT[st.cohort.course.domain] : QA_GENERAL[cat]);
}

function episode(sim: Sim, st: StudentDef, place: Place, t: number, cat: Category, depth: number, r: Rng): void {
  const { ch } = place;
  const inGroup = ch.ref.kind !== "dm";
  const negative = depth === 0 && r.chance(0.035);
  const slots = sim.slots(st, t);
  const qa = questionFor(st, cat, r);
  const text = fill(r, negative ? COMPLAINTS : [qa[0]], slots);
  if (inGroup && depth === 0 && r.chance(0.02)) {
    // Posted by mistake and deleted within the minute: needs no answer (METRICS.md rule 1).
    sim.post({ ch, ...(place.thread ? { thread: place.thread } : {}), at: t - 50_000, author: st, text, deletedAfterMs: r.int(5, 40) * 1000 });
  }
  const first = sim.post({ ch, ...(place.thread ? { thread: place.thread } : {}), at: t, author: st, text });
  let thread = place.thread;
  if (!thread && ch.threads === "per_question") thread = sim.newThread(first);
  const inThread = thread ? { thread } : {};
  const mine: SimMsg[] = [first];
  let last = t;
  const extra = r.chance(0.3) ? (r.chance(0.3) ? 2 : 1) : 0;
  for (let i = 0; i < extra; i++) {
    last += r.int(20, 240) * 1000;
    const media = r.chance(0.35);
    mine.push(sim.post({ ch, ...inThread, at: last, author: st, text: media ? r.pick(["Скрин ошибки", null]) : fill(r, DETAILS, slots), kind: media ? "media" : "text" }));
  }

  const bot = sim.plan.bot;
  if ((place.where === "cohort" || place.where === "duty") && (cat === "organisational" || cat === "technical") && !negative && r.chance(0.3)) {
    const b = sim.post({ ch, ...inThread, at: last + r.int(3, 40) * 1000, author: bot, isBot: true, text: r.pick(BOT_REPLIES), ...(sim.canQuote(ch) ? { replyTo: first } : {}) });
    if (r.chance(0.45)) {
      // Deflected: the bot's link was enough.
      const ackAt = b.at + r.int(1, 15) * MIN;
      if (r.chance(0.6) && ackAt < st.activeUntil) sim.post({ ch, ...inThread, at: ackAt, author: st, text: fill(r, st.english ? ACKS_EN : ACKS, slots), ...(sim.canQuote(ch) ? { replyTo: b } : {}) });
      return;
    }
  }

  let responder = responderFor(sim, st, place, cat, negative, last, r);
  let at = Infinity;
  let answerer: StaffDef | undefined;
  if (responder === undefined) responder = sim.plan.staff.find((s) => s.role === "team_lead" && s.team === st.cohort.coordinators[0]?.team) ?? st.cohort.coordinators[0];
  if (responder === "duty") {
    const d = sim.dutyAnswer(last, r);
    if (d && !r.chance(0.03)) ({ at, who: answerer } = d);
  } else if (responder) {
    const unattended = st.tier === "none" && place.where === "cohort" ? 0.3 : 0;
    // A mentor glancing at a cohort chat answers faster than the forum queue moves.
    const pace = place.where === "cohort" && responder.role === "mentor" ? 0.4 : 1;
    if (!r.chance(responder.abandon + unattended)) at = sim.answerTime(responder, last, negative, r, pace);
    answerer = responder;
  }

  if (inGroup && r.chance(st.tier === "none" ? 0.3 : 0.1)) {
    const peer = sim.peer(st, t, r);
    const pt = t + r.int(3, 120) * MIN;
    if (peer && pt < Math.min(at, st.cohort.endMs)) sim.post({ ch, ...inThread, at: pt, author: peer, ...sim.address(ch, first, st, fill(r, PEER_HELP, sim.slots(peer, pt)), r, 0.8) });
  }
  const waited = Math.min(at, sim.plan.anchor) - last;
  if (waited > 5 * HOUR && r.chance(0.3)) {
    const wt = last + r.range(2 * HOUR, Math.min(waited - 10 * MIN, 30 * HOUR));
    if (wt < st.activeUntil) mine.push(sim.post({ ch, ...inThread, at: wt, author: st, text: fill(r, WAITING, slots) }));
  }
  if (!answerer || !Number.isFinite(at) || at > sim.plan.anchor) return;

  // Answers in a group timeline quote or mention the student; in DMs and threads the place says who.
  const quoteTarget = r.chance(0.7) ? first : (mine[mine.length - 1] ?? first);
  const answerText = fill(r, negative ? COMPLAINT_ANSWERS : [qa[1]], { ...slots, f: answerer.female });
  const addressed = (txt: string) => (inGroup && !thread ? sim.address(ch, quoteTarget, st, txt, r) : { text: txt });
  const ans = sim.post({ ch, ...inThread, at, author: answerer, ...addressed(answerText) });
  let lastAnswer = ans;
  if (r.chance(0.3)) lastAnswer = sim.post({ ch, ...inThread, at: at + r.int(40, 240) * 1000, author: answerer, ...addressed(r.pick(ANSWER_TAILS)) });

  const ackAt = lastAnswer.at + r.int(1, 180) * MIN;
  if (r.chance(0.5) && ackAt < st.activeUntil) {
    const sticker = inGroup && r.chance(0.25);
    sim.post({
      ch, ...inThread, at: ackAt, author: st, kind: sticker ? "sticker" : "text",
      text: sticker ? r.pick(STICKERS) : fill(r, st.english ? ACKS_EN : ACKS, slots), ...(sim.canQuote(ch) && inGroup && !thread ? { replyTo: ans } : {}),
    });
  }
  feedbackAfterAnswer(sim, st, ans, t, place.where === "dm", negative, r);

  if (depth < 2 && r.chance(0.2)) {
    const t2 = lastAnswer.at + r.int(5, 2 * 24 * 60) * MIN;
    if (t2 < st.activeUntil) episode(sim, st, { ...place, ...(thread ? { thread } : {}) }, t2, r.chance(0.6) ? cat : "content", depth + 1, r);
  }
}
