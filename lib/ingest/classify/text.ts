/**
 * Text preparation shared by the classifier's rules: one pass of normalisation and tokenisation per
 * message, so each rule works on the same cheap representation.
 */

export interface Prepared {
  /** Trimmed original text (case kept: capitalised unknown words after "спасибо" are names). */
  raw: string;
  /**
   * Lower-cased, "ё" → "е", curly apostrophes straightened, code and URLs replaced by a sentence break,
   * runs of 3+ identical letters collapsed ("спасибооо" → "спасибо"), spaces collapsed; punctuation kept.
   */
  norm: string;
  /** Word tokens of `norm` (letters/digits, inner hyphens and apostrophes kept: "что-то", "don't"). */
  tokens: string[];
  /** Tokens joined by single spaces, wrapped in spaces: " спасибо за ответ ". For phrase regexes. */
  flat: string;
  /** Sentences of `norm` (split on . ! ? … ; : and new lines; commas kept) with their tokens. */
  sentences: Array<{ text: string; tokens: string[] }>;
  /** A "?" outside code and URLs. */
  questionMark: boolean;
  /** Fenced or inline code, or lines that look like code. */
  code: boolean;
  /** No letters or digits at all (emoji, stickers as text, "+", ")))"). */
  symbolsOnly: boolean;
  /** Capitalised words of `raw` (lower-cased, computed on first use): names, as in "Спасибо, Анна Сергеевна!". */
  capitalised: () => Set<string>;
}

const FENCED = /```[\s\S]*?(```|$)/g;
const INLINE = /`[^`\n]+`/g;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const CODE_LINE =
  /(^|\n)\s*(def |for \w+ in |while .+:|if .+:\s*$|return\b|print\(|console\.log|const |let |var |function |import |from \w+ import|SELECT\s|#include)|[{};]\s*($|\n)|=>|===?|\b[A-Za-z_]\w*\[\w+[+-]?\d*\]|\b[A-Z]\w*Error\b/m;
const LETTER_RUN = /(\p{L})\1{2,}/gu;
const TOKEN = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu;
const SENTENCE_BREAK = /[.!?…;:\n]+/;
const CAPITALISED = /(?<![\p{L}\p{N}])\p{Lu}\p{Ll}+/gu;
/** A word mixing Latin and Cyrillic letters ("oк" typed with a Latin "o") is read as Cyrillic. */
const WORD = /\p{L}+/gu;
const LATIN_LOOKALIKE: Record<string, string> = { a: "а", c: "с", e: "е", k: "к", m: "м", o: "о", p: "р", t: "т", x: "х", y: "у", h: "н", b: "в" };

function cyrillicLookalikes(word: string): string {
  if (!/[a-z]/.test(word) || !/[а-я]/.test(word)) return word;
  return word.replace(/[a-z]/g, (c) => LATIN_LOOKALIKE[c] ?? c);
}

function tokensOf(s: string): string[] {
  return s.match(TOKEN) ?? [];
}

/** Longer texts are read as their first and last parts: bounded time per message, the closing question kept. */
const HEAD = 6000;
const TAIL = 2000;

export function prepare(text: string): Prepared {
  const trimmed = text.trim();
  const raw = trimmed.length > HEAD + TAIL ? `${trimmed.slice(0, HEAD)}\n${trimmed.slice(-TAIL)}` : trimmed;
  const ticks = raw.includes("`");
  const code = ticks || CODE_LINE.test(raw);
  let stripped = ticks ? raw.replace(FENCED, " . ").replace(INLINE, " x ") : raw;
  if (stripped.includes("http") || stripped.includes("www.")) stripped = stripped.replace(URL, " url ");
  let lower = stripped.toLowerCase().replace(/ё/g, "е");
  if (/[’‘ʼ]/.test(lower)) lower = lower.replace(/[’‘ʼ]/g, "'");
  lower = lower
    .replace(LETTER_RUN, "$1")
    .replace(/[ \t\u00a0]+/g, " ")
    .trim();
  const norm = /[a-z]/.test(lower) && /[а-я]/.test(lower) ? lower.replace(WORD, cyrillicLookalikes) : lower;
  // Sentence breaks never fall inside a token, so the message's tokens are its sentences' tokens.
  const tokens: string[] = [];
  const sentences: Prepared["sentences"] = [];
  for (const text of norm.split(SENTENCE_BREAK)) {
    const t = tokensOf(text);
    if (t.length === 0) continue;
    sentences.push({ text, tokens: t });
    for (const w of t) tokens.push(w);
  }
  let names: Set<string> | undefined;
  const capitalised = () => {
    if (!names) {
      names = new Set<string>();
      for (const m of raw.matchAll(CAPITALISED)) names.add(m[0].toLowerCase().replace(/ё/g, "е"));
    }
    return names;
  };
  return {
    raw,
    norm,
    tokens,
    flat: ` ${tokens.join(" ")} `,
    sentences,
    questionMark: stripped.includes("?"),
    code,
    symbolsOnly: !/[\p{L}\p{N}]/u.test(raw),
    capitalised,
  };
}

/**
 * Prefix index over word stems: `match(token)` returns the entries whose stem starts the token
 * (Russian morphology is suffixal: "оплат" matches "оплата", "оплатить", "оплатила").
 * A stem written with a trailing "=" must equal the whole token ("app=" does not match "apply").
 */
export class StemIndex<T> {
  private readonly buckets = new Map<string, Array<{ stem: string; exact: boolean; value: T }>>();

  constructor(entries: Iterable<[string, T]>) {
    for (const [spec, value] of entries) {
      const exact = spec.endsWith("=");
      const stem = exact ? spec.slice(0, -1) : spec;
      const key = stem.slice(0, 2);
      const list = this.buckets.get(key) ?? [];
      list.push({ stem, exact, value });
      this.buckets.set(key, list);
    }
  }

  /** First matching entry for the token (entries are tried longest stem first). */
  find(token: string): T | undefined {
    const list = this.buckets.get(token.slice(0, 2));
    if (!list) return undefined;
    for (const e of list) if (e.exact ? token === e.stem : token.startsWith(e.stem)) return e.value;
    return undefined;
  }

  /** Sorts every bucket longest stem first, so "неплох" is tried before "не…" style short stems. */
  seal(): this {
    for (const list of this.buckets.values()) list.sort((a, b) => b.stem.length - a.stem.length);
    return this;
  }
}

/** Parses "stem stem:2 stem=:3" lists (weight defaults to `dflt`). */
export function weighted(list: string, dflt = 1): Array<[string, number]> {
  return list
    .split(/\s+/)
    .filter((w) => w !== "")
    .map((w) => {
      const i = w.lastIndexOf(":");
      return i > 0 ? [w.slice(0, i), Number(w.slice(i + 1))] : [w, dflt];
    });
}

export function words(list: string): Set<string> {
  return new Set(list.split(/\s+/).filter((w) => w !== ""));
}
