/**
 * Text-derived flags decided at ingestion, before the privacy policy drops the text (METRICS.md, rule 1).
 * A transparent rule and lexicon model for Russian and English (lib/ingest/classify/): pure, no I/O,
 * tens of thousands of messages per second. Precision and recall are measured on labelled sets
 * (lib/ingest/__fixtures__/classify/, reported in docs/classifier.md); a better model can replace it
 * behind the same type.
 */
import { categorise } from "./classify/category";
import { acknowledges, asksSomething, soundsNegative } from "./classify/rules";
import { prepare } from "./classify/text";

export interface TextFlags {
  /** Acknowledgement needing no answer: thanks, "ок", "понял", "got it", emoji only. */
  isAck: boolean;
  /** Asks something: a question, a request, or a stated blocker ("не получается", "can't log in"). Never with isAck. */
  hasQuestion: boolean;
  /** Complaint or negative tone (drives the `urgent` priority). */
  negative: boolean;
  /** Primary topic; "other" for acknowledgements and messages without a topic. */
  category: "organisational" | "content" | "technical" | "emotional" | "other";
}

const EMPTY: TextFlags = { isAck: false, hasQuestion: false, negative: false, category: "other" };

export function classifyText(text: string | null | undefined): TextFlags {
  if (text === null || text === undefined) return { ...EMPTY };
  const p = prepare(text);
  if (p.raw === "") return { ...EMPTY };
  const hasQuestion = asksSomething(p);
  const negative = soundsNegative(p);
  const isAck = !hasQuestion && !negative && acknowledges(p);
  return { isAck, hasQuestion, negative, category: isAck ? "other" : categorise(p) };
}
