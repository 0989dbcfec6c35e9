/**
 * Prints the quality tables of docs/classifier.md and a throughput figure:
 *   npx tsx lib/ingest/classify/report.ts            (tables and throughput)
 *   npx tsx lib/ingest/classify/report.ts --mistakes (also every disagreement, for tuning on labelled.jsonl)
 */
import { classifyText } from "../classify";
import { evaluateByLanguage, formatBreakdown, loadFixture, throughput } from "./evaluate";

const showMistakes = process.argv.includes("--mistakes");
const labelled = loadFixture("labelled.jsonl");
const holdout = loadFixture("holdout.jsonl");

for (const [name, rows] of [["labelled.jsonl (tuning set)", labelled], ["holdout.jsonl (not tuned on)", holdout]] as const) {
  const b = evaluateByLanguage(rows, classifyText);
  console.log(`### ${name}\n\n${formatBreakdown("flag / category", b)}\n`);
  if (showMistakes || rows === holdout) {
    console.log(`Disagreements (${b.all.mistakes.length}):\n`);
    for (const m of b.all.mistakes) console.log(`- ${m.field}: expected ${m.expected}, got ${m.got} — ${JSON.stringify(m.text.slice(0, 120))}`);
    console.log("");
  }
}

const texts = [...labelled, ...holdout].map((r) => r.text);
const t = throughput(texts, classifyText);
const chars = Math.round(texts.reduce((a, s) => a + s.length, 0) / texts.length);
console.log(`Throughput: ${t.perSecond.toLocaleString("en-US")} messages/s (${t.messages} classifications of the fixture texts in ${t.ms} ms, best of 3 after warm-up; mean ${chars} characters; Node ${process.version}).`);
