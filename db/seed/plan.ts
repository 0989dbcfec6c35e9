import { snowflake, MM_ALPHABET } from "./identity";
import { buildLmsItems, simulateLms } from "./lms";
import { npsPoll } from "./feedback";
import { simulateQuestions } from "./questions";
import { Rng } from "./rng";
import { Sim } from "./sim";
import { simulateCheckins, simulateCohortChat, simulateSchoolChannels } from "./social";
import { ORGANISATION, SCHOOLS } from "./specs";
import type { ChannelDef, DemoPlan, LmsItemDef, Scale, SchoolPlan, SimMsg } from "./types";
import { buildSchool } from "./world";

export interface PlanOptions {
  scale: Scale;
  seed?: number;
  anchor: Date;
}

export const DEFAULT_SEED = 42;

/** The whole demo holding, simulated in memory. Pure: the same options give the same plan. */
export function planDemo(opts: PlanOptions): DemoPlan {
  const anchor = opts.anchor.getTime();
  if (!Number.isFinite(anchor)) throw new Error("seedDemo: anchor is not a valid date");
  const root = new Rng(`demo/${opts.seed ?? DEFAULT_SEED}/${opts.scale}/${anchor}`);
  return { organisation: ORGANISATION, schools: SCHOOLS.map((spec) => planSchool(buildSchool(spec, opts.scale, anchor, root.fork(spec.slug)), root.fork(`${spec.slug}/sim`))) };
}

/** Simulates one school built by buildSchool (a whole demo school, or one slice of a streamed one, ./stream). */
export function planSchool(plan: SchoolPlan, rng: Rng): SchoolPlan {
  const sim = new Sim(plan, rng);
  for (const c of plan.courses) for (const topic of c.forum.topics) plan.messages.push(topic.root);
  // Order matters only for peers: support-chat chatter replies to questions, so questions come first.
  for (const st of plan.students) simulateQuestions(sim, st);
  for (const st of plan.students) simulateCheckins(sim, st);
  for (const cohort of plan.cohorts) simulateCohortChat(sim, cohort);
  simulateSchoolChannels(sim);
  const npsRng = rng.fork("nps");
  for (const st of plan.students) npsPoll(sim, st, npsRng);

  const itemsByCohort = new Map<string, LmsItemDef[]>();
  for (const cohort of plan.cohorts) {
    const items = buildLmsItems(plan, cohort);
    itemsByCohort.set(cohort.key, items);
    plan.lmsItems.push(...items);
  }
  const lmsRng = rng.fork("lms");
  for (const st of plan.students) simulateLms(plan, st, itemsByCohort.get(st.cohort.key) ?? [], lmsRng.fork(st.key));
  plan.lmsEvents.sort((a, b) => a.at - b.at);
  plan.surveys.sort((a, b) => a.at - b.at);
  plan.ratings.sort((a, b) => a.at - b.at);
  finaliseMessages(plan, rng.fork("ids"));
  return plan;
}

/**
 * Keep what falls inside the period, order by time, and number messages per channel the way each source
 * does (Telegram counters, Slack timestamps, Discord snowflakes, Mattermost ids). Thread ids are their
 * roots' ids in every source, which is how Slack, Mattermost, Discord and Telegram topics work.
 */
function finaliseMessages(plan: SchoolPlan, rng: Rng): void {
  const kept = sortByTime(plan.messages.filter((m) => m.at >= plan.windowStart && m.at <= plan.anchor));
  const counters = new Map<ChannelDef, { next: number; used: Set<string> }>();
  for (const m of kept) {
    let c = counters.get(m.ch);
    if (!c) {
      c = { next: rng.int(2, 4000), used: new Set() };
      counters.set(m.ch, c);
    }
    m.id = messageId(m, c, rng);
  }
  plan.messages = kept;
}

/**
 * Messages by time, then by the order they were simulated in (a total order, so any sort gives this one).
 * The keys are copied into typed arrays and an index is sorted: comparing scattered message objects cost
 * ~3× more (cache misses), which mattered once slices of the streamed scales sort 10 M messages.
 */
function sortByTime(msgs: SimMsg[]): SimMsg[] {
  const n = msgs.length;
  const at = new Float64Array(n);
  const seq = new Float64Array(n);
  const order = new Uint32Array(n);
  msgs.forEach((m, i) => {
    at[i] = m.at;
    seq[i] = m.seq;
    order[i] = i;
  });
  order.sort((i, j) => (at[i] ?? 0) - (at[j] ?? 0) || (seq[i] ?? 0) - (seq[j] ?? 0));
  return Array.from(order, (i) => msgs[i] as SimMsg);
}

function messageId(m: SimMsg, c: { next: number; used: Set<string> }, rng: Rng): string {
  switch (m.ch.source.style) {
    case "telegram":
      c.next += rng.chance(0.05) ? 2 : 1; // gaps: messages the export does not show
      return String(c.next);
    case "slack": {
      const sec = Math.floor(m.at / 1000);
      let micro = (m.at % 1000) * 1000 + rng.int(0, 999);
      let ts = `${sec}.${String(micro).padStart(6, "0")}`;
      while (c.used.has(ts)) {
        micro = (micro + 1) % 1_000_000;
        ts = `${sec}.${String(micro).padStart(6, "0")}`;
      }
      c.used.add(ts);
      return ts;
    }
    case "discord":
      c.next += 1;
      return snowflake(m.at, c.next);
    default:
      return rng.chars(MM_ALPHABET, 26);
  }
}
