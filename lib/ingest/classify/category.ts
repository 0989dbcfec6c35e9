/**
 * Category by weighted cues: stems and phrases per topic (topics.ts), code in the message counts for
 * content. Highest score wins, ties by CATEGORY_ORDER; no cue at all → "other".
 */
import type { TextFlags } from "../classify";
import { StemIndex, weighted, type Prepared } from "./text";
import { CATEGORY_ORDER, TOPIC_PHRASES, TOPIC_STEMS, type Topic } from "./topics";

type Cue = Array<[Topic, number]>;

function buildIndex(): StemIndex<Cue> {
  const merged = new Map<string, Cue>();
  for (const topic of CATEGORY_ORDER) {
    for (const [stem, weight] of weighted(TOPIC_STEMS[topic])) {
      const cue = merged.get(stem) ?? [];
      if (!cue.some(([t]) => t === topic)) cue.push([topic, weight]);
      merged.set(stem, cue);
    }
  }
  return new StemIndex(merged).seal();
}

const INDEX = buildIndex();
const CODE_WEIGHT = 3;
/** A single weak cue ("куратор", "праздник") is not enough to name a topic. */
const MIN_SCORE = 2;

export function scoreTopics(p: Prepared): Record<Topic, number> {
  const score: Record<Topic, number> = { technical: 0, organisational: 0, content: 0, emotional: 0 };
  for (const t of p.tokens) {
    const cue = INDEX.find(t);
    if (cue) for (const [topic, w] of cue) score[topic] += w;
  }
  for (const [topic, w, re] of TOPIC_PHRASES) if (re.test(p.flat)) score[topic] += w;
  if (p.code) score.content += CODE_WEIGHT;
  return score;
}

export function categorise(p: Prepared): TextFlags["category"] {
  const score = scoreTopics(p);
  let best: TextFlags["category"] = "other";
  let top = MIN_SCORE - 1;
  for (const topic of CATEGORY_ORDER) {
    if (score[topic] > top) {
      top = score[topic];
      best = topic;
    }
  }
  return best;
}
