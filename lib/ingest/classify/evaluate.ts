/**
 * Measuring the classifier against labelled JSONL fixtures (lib/ingest/__fixtures__/classify/).
 * Used by classify.test.ts (floors) and report.ts (the tables in docs/classifier.md).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { TextFlags } from "../classify";

export type Category = TextFlags["category"];
export type Lang = "ru" | "en";
export const CATEGORIES: readonly Category[] = ["organisational", "content", "technical", "emotional", "other"];
export const FLAGS = ["isAck", "hasQuestion", "negative"] as const;
export type Flag = (typeof FLAGS)[number];

export interface LabelledMessage {
  text: string;
  lang: Lang;
  isAck: boolean;
  hasQuestion: boolean;
  negative: boolean;
  category: Category;
}

export const FIXTURE_DIR = path.resolve(import.meta.dirname, "../__fixtures__/classify");

function isCategory(v: unknown): v is Category {
  return typeof v === "string" && (CATEGORIES as readonly string[]).includes(v);
}

/** Reads a JSONL fixture; throws on a malformed line so a typo in the labels cannot pass silently. */
export function loadFixture(name: string): LabelledMessage[] {
  const lines = readFileSync(path.join(FIXTURE_DIR, name), "utf8").split("\n");
  const rows: LabelledMessage[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const o: unknown = JSON.parse(line);
    if (typeof o !== "object" || o === null) throw new Error(`${name}:${i + 1}: not an object`);
    const r = o as Record<string, unknown>;
    const { text, lang, isAck, hasQuestion, negative, category } = r;
    if (typeof text !== "string" || (lang !== "ru" && lang !== "en") || typeof isAck !== "boolean" || typeof hasQuestion !== "boolean" || typeof negative !== "boolean" || !isCategory(category)) {
      throw new Error(`${name}:${i + 1}: bad row`);
    }
    rows.push({ text, lang, isAck, hasQuestion, negative, category });
  });
  return rows;
}

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  /** Messages whose label is positive. */
  support: number;
  precision: number;
  recall: number;
}

function score(tp: number, fp: number, fn: number): Score {
  // An empty class (no predictions / no positives) scores 1: nothing was wrongly claimed or missed.
  return { tp, fp, fn, support: tp + fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

export interface Mistake {
  text: string;
  field: Flag | "category";
  expected: string;
  got: string;
}

export interface Evaluation {
  n: number;
  flags: Record<Flag, Score>;
  categories: Record<Category, Score>;
  categoryAccuracy: number;
  mistakes: Mistake[];
}

export function evaluate(rows: readonly LabelledMessage[], classify: (text: string) => TextFlags): Evaluation {
  const flagCounts = Object.fromEntries(FLAGS.map((f) => [f, { tp: 0, fp: 0, fn: 0 }])) as Record<Flag, { tp: number; fp: number; fn: number }>;
  const catCounts = Object.fromEntries(CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }])) as Record<Category, { tp: number; fp: number; fn: number }>;
  const mistakes: Mistake[] = [];
  let correctCat = 0;
  for (const row of rows) {
    const got = classify(row.text);
    for (const f of FLAGS) {
      const c = flagCounts[f];
      if (got[f] && row[f]) c.tp++;
      else if (got[f]) c.fp++;
      else if (row[f]) c.fn++;
      if (got[f] !== row[f]) mistakes.push({ text: row.text, field: f, expected: String(row[f]), got: String(got[f]) });
    }
    if (got.category === row.category) {
      correctCat++;
      catCounts[row.category].tp++;
    } else {
      catCounts[got.category].fp++;
      catCounts[row.category].fn++;
      mistakes.push({ text: row.text, field: "category", expected: row.category, got: got.category });
    }
  }
  const flags = Object.fromEntries(FLAGS.map((f) => [f, score(flagCounts[f].tp, flagCounts[f].fp, flagCounts[f].fn)])) as Record<Flag, Score>;
  const categories = Object.fromEntries(CATEGORIES.map((c) => [c, score(catCounts[c].tp, catCounts[c].fp, catCounts[c].fn)])) as Record<Category, Score>;
  return { n: rows.length, flags, categories, categoryAccuracy: rows.length === 0 ? 1 : correctCat / rows.length, mistakes };
}

export interface Breakdown {
  all: Evaluation;
  ru: Evaluation;
  en: Evaluation;
}

export function evaluateByLanguage(rows: readonly LabelledMessage[], classify: (text: string) => TextFlags): Breakdown {
  return {
    all: evaluate(rows, classify),
    ru: evaluate(rows.filter((r) => r.lang === "ru"), classify),
    en: evaluate(rows.filter((r) => r.lang === "en"), classify),
  };
}

const pct = (x: number) => x.toFixed(2);

/** Markdown tables: one row per flag and per category, precision / recall / support for all, ru and en. */
export function formatBreakdown(title: string, b: Breakdown): string {
  const head = `| ${title} | P (all) | R (all) | n+ | P (ru) | R (ru) | n+ | P (en) | R (en) | n+ |\n|---|---|---|---|---|---|---|---|---|---|`;
  const line = (name: string, pick: (e: Evaluation) => Score) =>
    `| ${name} | ${[b.all, b.ru, b.en].map((e) => { const s = pick(e); return `${pct(s.precision)} | ${pct(s.recall)} | ${s.support}`; }).join(" | ")} |`;
  const rows = [
    ...FLAGS.map((f) => line(f, (e) => e.flags[f])),
    ...CATEGORIES.map((c) => line(`category: ${c}`, (e) => e.categories[c])),
  ];
  const acc = `Category accuracy: ${pct(b.all.categoryAccuracy)} (ru ${pct(b.ru.categoryAccuracy)}, en ${pct(b.en.categoryAccuracy)}); messages: ${b.all.n} (ru ${b.ru.n}, en ${b.en.n}).`;
  return `${head}\n${rows.join("\n")}\n\n${acc}`;
}

/**
 * Messages per second over `rounds` passes of `texts`, after a warm-up, best of `repeats` runs (shared
 * machines are noisy; the best run is the least disturbed). A report, not an assertion: machines differ.
 */
export function throughput(texts: readonly string[], classify: (text: string) => TextFlags, rounds = 100, repeats = 3): { perSecond: number; messages: number; ms: number } {
  let sink = 0;
  for (let r = 0; r < 20; r++) for (const t of texts) sink += classify(t).isAck ? 1 : 0;
  let best = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    for (let r = 0; r < rounds; r++) for (const t of texts) sink += classify(t).hasQuestion ? 1 : 0;
    best = Math.min(best, performance.now() - start);
  }
  const messages = rounds * texts.length;
  if (sink < 0) throw new Error("unreachable");
  return { perSecond: Math.round((messages / best) * 1000), messages, ms: Math.round(best) };
}
