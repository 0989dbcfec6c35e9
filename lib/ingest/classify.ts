/**
 * Text-derived flags decided at ingestion, before the privacy policy drops the text (METRICS.md, rule 1).
 * Pure and deliberately simple: word lists for Russian and English. Precision and recall are measured
 * on a labelled set (lib/ingest/classify.test.ts); a better model can replace this behind the same type.
 */
export interface TextFlags {
  isAck: boolean;
  hasQuestion: boolean;
  negative: boolean;
  category: "organisational" | "content" | "technical" | "emotional" | "other";
}

const ACK = new Set([
  "спасибо", "спс", "благодарю", "ок", "окей", "ok", "okay", "хорошо", "понял", "поняла", "понятно", "ясно", "принято", "отлично", "супер", "класс",
  "ага", "угу", "да", "thanks", "thank you", "thx", "ty", "got it", "great", "cool", "nice", "sure", "👍", "🙏", "спасибо большое", "большое спасибо",
  "thanks a lot", "many thanks", "понял спасибо", "поняла спасибо", "ок спасибо", "ok thanks", "все понятно", "всё понятно", "done", "готово",
]);

const QUESTION_WORDS = /(^|[\s,.(])(как|что|где|когда|почему|зачем|какой|какая|какие|каком|сколько|можно ли|подскажите|объясните|помогите|кто|ли\b|how|what|where|when|why|which|who|can i|could you|is it|does|do i|should i|help)(?=$|[\s,.?!)])/iu;

const NEGATIVE = /(ужас|отвратит|безобраз|бесит|надоело|разочаров|недоволен|недовольна|жалоб|верните деньги|возврат денег|вернуть деньги|обман|никто не отвечает|не отвечает|игнор|сколько можно|хамств|кошмар|плохо|отстой|терпение|disappoint|terrible|awful|refund|complain|unacceptable|frustrat|angry|nobody answers|no one answers|ignored|worst|ridiculous|waste of)/iu;

const CATEGORIES: Array<[TextFlags["category"], RegExp]> = [
  ["technical", /(не открывается|не грузится|ошибк|error|bug|баг|доступ|access|логин|login|парол|password|платформ|не работает|doesn'?t work|broken|crash|404|500|видео не|video won'?t|не могу зайти|can'?t log)/iu],
  ["organisational", /(дедлайн|deadline|срок|перенос|продлен|extension|оплат|payment|договор|сертификат|certificate|диплом|расписан|schedule|вебинар|webinar|академ|отпуск|freeze|заморо|пауз|перевод в|поток|cohort|invoice|чек|справк)/iu],
  ["emotional", /(устал|выгор|не успеваю|не справляюсь|сложно мне|тяжело|мотивац|бросить|сдаюсь|burn ?out|overwhelm|give up|stressed|tired|anxious|не получается ничего)/iu],
  ["content", /(задани|задач|домашк|homework|assignment|код|code|функци|function|ревью|review|проект|project|тест|test|модул|module|урок|lesson|лекци|lecture|формул|sql|python|не понимаю|don'?t understand|explain|объясн)/iu],
];

const EMOJI_ONLY = /^[\p{Extended_Pictographic}\p{Emoji_Component}\s\u200d\ufe0f!.)(]+$/u;

function normalise(text: string): string {
  return text.toLowerCase().replace(/ё/g, "е").replace(/[!.,)(]+/g, " ").replace(/\s+/g, " ").trim();
}

export function classifyText(text: string | null | undefined): TextFlags {
  const raw = (text ?? "").trim();
  if (raw === "") return { isAck: false, hasQuestion: false, negative: false, category: "other" };
  const norm = normalise(raw);
  const isAck = EMOJI_ONLY.test(raw) || ACK.has(norm) || ACK.has(norm.replace(/ ?(вам|тебе|you)$/u, ""));
  const hasQuestion = raw.includes("?") || QUESTION_WORDS.test(raw);
  const negative = NEGATIVE.test(raw);
  let category: TextFlags["category"] = "other";
  if (!isAck) {
    for (const [name, re] of CATEGORIES) {
      if (re.test(raw)) {
        category = name;
        break;
      }
    }
    if (category === "other" && negative) category = "emotional";
  }
  return { isAck, hasQuestion: hasQuestion && !isAck, negative, category };
}
