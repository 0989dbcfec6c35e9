/**
 * The three flag rules: question/request, negative tone, acknowledgement. Each takes a Prepared text.
 */
import {
  ACK_CORE, ACK_FILLER, ACK_PHRASES, BLOCKER, CONTRAST, LEAD_IN, NEGATED_POSITIVE, NEGATIVE_EMOJI, NEGATIVE_PHRASES,
  NEGATIVE_STEMS, NEGATORS, NOT_REQUEST, REQUEST, THANKS, WH_ANYWHERE, WH_NOT, WH_START,
} from "./lexicon";
import { StemIndex, words, type Prepared } from "./text";

const WH = words(WH_START);
const LEAD = words(LEAD_IN);
const NOT_REQ = words(NOT_REQUEST);
const EN_AUX = words("is are am was were do does did can could would will should shall may might have has isn't aren't doesn't");
const EN_SUBJECT = words("i you we they he she it there this that these those the my your our anyone someone somebody anybody everyone his her its");
/** "Do it like this", "Have a nice day" are imperatives: "do/have" ask only before a personal pronoun. */
const EN_PERSON = words("i you we they");
const GREETING = words("привет приветик здравствуйте здрасьте день вечер утро hi hello hey dear");
/** "Когда/when" opens a subordinate clause when the sentence has a comma: "Когда запускаю, падает". */
const SUBORDINATE = words("когда when");
/** Interrogatives that ask when they end a sentence: "дедлайн по проекту когда", "а это что". */
const WH_LAST = words("когда как что кто где куда сколько скока");
const NOT_BEFORE_LAST = words("за не ни вот и так то");
const DEMONSTRATIVE = words("там туда оттуда везде вот то так тогда столько такой такая такое такие неважно знаю понял поняла");
const NOT_LI = words("вряд едва то чуть");
const IMPERATIVE = /^[а-я]{2,}(?:ите|йте|ьте)$/;

function sentenceAsks(sentence: string, tokens: string[], capitalised: () => Set<string>): boolean {
  let i = 0;
  let greeted = false;
  for (; i < tokens.length - 1 && i < 5; i++) {
    const t = tokens[i] ?? "";
    if (GREETING.has(t)) greeted = true;
    // A name after a greeting: "Добрый день, Анна, когда…", "Hi Anna, when…".
    if (!LEAD.has(t) && !(greeted && !WH.has(t) && capitalised().has(t))) break;
  }
  const first = tokens[i];
  if (first !== undefined && WH.has(first)) {
    const rest = tokens.slice(i).join(" ");
    const subordinate = SUBORDINATE.has(first) && sentence.slice(sentence.indexOf(first)).includes(",");
    const next = tokens[i + 1] ?? "";
    const inverted = !EN_AUX.has(first) || (first === "do" || first === "have" ? EN_PERSON.has(next) : EN_SUBJECT.has(next));
    if (!WH_NOT.test(rest) && !subordinate && inverted) return true;
  }
  const n = tokens.length;
  if (n >= 2 && WH_LAST.has(tokens[n - 1] ?? "") && !NOT_BEFORE_LAST.has(tokens[n - 2] ?? "")) return true;
  // Mid-sentence "где/почему/сколько…" asks unless it opens a relative clause (", где") or follows "там/вот/знаю".
  const flat = ` ${tokens.join(" ")} `;
  const m = WH_ANYWHERE.exec(flat);
  if (m) {
    const word = m[0].trim();
    const at = tokens.indexOf(word);
    const before = tokens[at - 1];
    const comma = new RegExp(`,\\s*${word}(?:\\s|$)`).test(sentence);
    const idiom = tokens[at - 2] === "ни" || before === "ни" || WH_NOT.test(tokens.slice(at).join(" ")); // "ни в какие ворота", "ну сколько можно"
    if (at > 0 && !comma && !idiom && !(before !== undefined && DEMONSTRATIVE.has(before))) return true;
  }
  return false;
}

/** "…ли" (not "вряд ли"), or a polite imperative that is not negated and not an offer ("если что, напишите"). */
function particleOrImperative(tokens: string[]): boolean {
  let conditional = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? "";
    if (t === "если") conditional = true;
    if (t === "ли" && i > 0 && !NOT_LI.has(tokens[i - 1] ?? "")) return true;
    if (!conditional && IMPERATIVE.test(t) && !NOT_REQ.has(t) && tokens[i - 1] !== "не") return true;
  }
  return false;
}

/** A question, a request, or a stated blocker that asks for help. */
export function asksSomething(p: Prepared): boolean {
  if (p.questionMark) return true;
  if (REQUEST.test(p.flat) || BLOCKER.test(p.flat) || p.flat.endsWith(" help ")) return true;
  return p.sentences.some((s) => particleOrImperative(s.tokens) || sentenceAsks(s.text, s.tokens, p.capitalised));
}

const NEG = new StemIndex(Array.from(words(NEGATIVE_STEMS), (w): [string, true] => [w, true])).seal();
const POS = new StemIndex(Array.from(words(NEGATED_POSITIVE), (w): [string, true] => [w, true])).seal();
const NEGATOR = words(NEGATORS);

function negated(tokens: string[], i: number): boolean {
  return NEGATOR.has(tokens[i - 1] ?? "") || NEGATOR.has(tokens[i - 2] ?? "");
}

/** Complaint or negative tone; "не плохо", "not bad" are not negative, "не доволен", "not happy" are. */
export function soundsNegative(p: Prepared): boolean {
  if (NEGATIVE_PHRASES.test(p.flat) || NEGATIVE_EMOJI.test(p.raw)) return true;
  const { tokens } = p;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? "";
    if (NEG.find(t) && !negated(tokens, i)) return true;
    if (POS.find(t) && negated(tokens, i)) return true;
  }
  return false;
}

const CORE = words(ACK_CORE);
const FILLER = words(ACK_FILLER);
/** Wanting something ("хочу", "нужно", "need") is not an acknowledgement, except praise ("хочу отметить"). */
const WANTS = / (?:хочу|хотел|хотела|хотелось|нужно|нужна|нужен|надо|need|want|would like)(?! (?:отметить|поблагодарить|сказать спасибо|to thank|to say thanks))/;
const MAX_ACK_TOKENS = 12;
const MAX_THANKS_TOKENS = 30;

/**
 * An acknowledgement: thanks, agreement, confirmation, a short closing ("ок, сделаю", "всё заработало"),
 * emoji only. Called only when the message neither asks anything nor sounds negative.
 */
export function acknowledges(p: Prepared): boolean {
  if (p.symbolsOnly) return p.raw !== "";
  const flat = p.flat.replace(ACK_PHRASES, " ок");
  if (CONTRAST.test(flat) || WANTS.test(flat)) return false;
  const tokens = flat.trim().split(/ +/);
  let core = false;
  let names = 0;
  let covered = tokens.length <= MAX_ACK_TOKENS;
  for (const t of tokens) {
    if (!covered) break;
    if (CORE.has(t)) core = true;
    else if (FILLER.has(t)) continue;
    else if (names < 2 && p.capitalised().has(t)) names++;
    else covered = false;
  }
  if (covered && core) return true;
  // A longer thanks: "Спасибо, что так быстро ответили, буду рекомендовать вас друзьям".
  return THANKS.test(p.flat) && p.tokens.length <= MAX_THANKS_TOKENS;
}
