/**
 * Word lists of the classifier (Russian and English, normalised: lower case, "ё" written "е").
 * Stems match the start of a token ("оплат" → "оплатила"); a trailing "=" means the whole token.
 * "stem:2" gives a weight (category scores). Phrases are regexes over `Prepared.flat`
 * (tokens joined by single spaces, with a space at both ends).
 */

// ---------------------------------------------------------------- acknowledgements
/** Words that make a message an acknowledgement on their own. */
export const ACK_CORE = `
спасибо спс спасиб спасибки спасибочки пасиб пасибо пасибки благодарю благодарствую мерси сенкс сенк сяп
ок окей оке оки окс окк хорошо хор ладно лан ладушки понял поняла поняли понятно ясно ясненько принято принял приняла
отлично супер класс круто здорово замечательно прекрасно чудесно шикарно ура ага угу да конечно договорились норм
заработало получилось разобрался разобралась разобрались помогло
thanks thank thx thnx ty tysm tyvm cheers ok okay okey k kk okie yes yep yeah yup sure noted understood
great perfect awesome cool nice amazing excellent wonderful alright fine gotcha appreciate appreciated
`;

/** Words allowed around a core word in an acknowledgement (politeness, closure, small commitments). */
export const ACK_FILLER = `
вам тебе вас тебя вы ты большое огромное огромнейшее очень все за ответ ответы помощь подробный подробное подробно
подсказку объяснение разъяснение информацию инфу оперативность быстрый быстро ответили так же тогда вот ну и я мне уже
сейчас теперь работает всем доки еще раз лучшие помогли помогаете дня вечера хорошего отличного выходных
сделаю исправлю поправлю переделаю учту посмотрю попробую жду подожду сдам пришлю отправлю загружу завтра сегодня
вечером к вечеру утру буду знать иметь виду до бывает сделал сделала исправил исправила нашел нашла сам сама тоже
now all so much a lot very you for the your help answer reply quick fast explanation info it that this i i'll
will do it's really again guys best helps helped works worked working fixed fix tonight tomorrow later try wait
we'll see then done found myself too good have day nice weekend sounds makes sense clear got
`;

/** Acknowledgement phrases, rewritten to a core word before the coverage check. */
export const ACK_PHRASES =
  / (?:без проблем|не проблема|нет проблем|ничего страшного|не за что|пожалуйста|обращайтесь|no problem|not a problem|no worries|np|you're welcome|will do|got it|makes sense|sounds good|all good|of course|thank you|no prob)(?= )/g;

/** A thanks anywhere lets a longer message count as an acknowledgement (if nothing else needs an answer). */
export const THANKS = / (?:спасибо|спс|спасиб\S*|пасиб\S*|благодар\S*|мерси|thanks|thank|thx|ty|tysm|appreciate\S*) /;

/** Words after which the message carries something new: "ок, но…", "спасибо, а как…", "thanks, but…". */
export const CONTRAST = / (?:но|а|однако|только|правда|хотя|все равно|еще вопрос|вопрос|кстати|but|however|though|still|although|one more|another|also) /;

// ---------------------------------------------------------------- questions and requests
/** Interrogatives that mark a question at the start of a sentence (after "а", "и", "ну", greetings). */
export const WH_START = `
как када кагда чо че шо скоко каков какой какая какое какие какую каким каких какого какому что чем чего чему где куда откуда когда почему
зачем отчего сколько скока скоко кто кого кому кем чей чья чье чьи разве неужели можно
кто-нибудь кто-нить кого-нибудь кого-нить что-нибудь
how how's hows what what's whats wat where when why which who whom whose is are am was were do does did can could
would will should shall may might have has any anyone anybody isn't aren't doesn't
`;
/** Words that may precede a sentence-initial interrogative: "а как…", "ребят, где…", "hi, when…". */
export const LEAD_IN = `
а и у ну так ой слушайте слушай ребят ребята народ коллеги всем привет приветик здравствуйте здрасьте добрый доброе день
вечер утро вопрос hi hello hey guys folks everyone all so and also but quick question pls please
`;
/** Interrogatives that ask even in mid-sentence ("а сертификат где скачать", "дедлайн по проекту когда"). */
export const WH_ANYWHERE = / (?:где|куда|откуда|зачем|почему|сколько|скока|скоко|какой|какая|какое|какие|какую|каким|каких|какого) /;
/** Exclusions after a sentence-initial interrogative: "как и договаривались", "what a waste", "when I run it, …". */
export const WH_NOT = /^(?:как (?:и|только|раз|всегда|обычно|будто|бы|договаривались|говорится|минимум|максимум)|что ж|сколько можно|what a)(?: |$)/;
/** Polite imperatives ("-ите/-йте/-ьте") that are not requests. */
export const NOT_REQUEST = `
здравствуйте извините простите извиняйте пишите обращайтесь продолжайте держитесь смотрите учтите имейте представьте
знайте отдыхайте обратите хотите видите будьте идите заходите говорите поздравьте берегите
`;
/** Requests and help-seeking (singular imperatives, modal constructions, English). */
export const REQUEST =
  / (?:подскажи|помоги|помогите|объясни|поясни|скинь|кинь|глянь|посмотри|проверь|скажи|напиши|дай|пришли|покажи|расскажи|прошу|требую|плиз|плз|пж|пжлст|можно ли|можно мне|можно как|нужно ли|надо ли|можете|можешь|могли бы|нужна помощь|помощь нужна|хочу узнать|хочу уточнить|хотел(?:а)? бы (?:узнать|уточнить|спросить)|у меня вопрос|есть вопрос|подскажете|не знаете|знаете ли|мне (?:нужн\S*|надо)|i need (?:an?|to|help|the|my|some)|хочу (?:возврат|вернуть|заморозить|перевестись|оформить|получить|поменять|сменить|перенести|отменить)|i want (?:a refund|to cancel|my money|to freeze|to transfer|to switch)|i'd like (?:a refund|to cancel|to freeze|to transfer|to switch)|вопрос по|вопрос про|please|pls|plz|help me|help with|please help|need help|need some help|can you|could you|would you|can someone|can anyone|could someone|does anyone|anyone know|any idea|any ideas|any tips|any advice|is there a way|wondering|not sure (?:if|how|whether|what|why)|i'd like to know|need help|let me know when|what should i) /;
/** Stated blockers that ask for help without a question: "не могу понять", "не получается", "won't load". */
export const BLOCKER =
  / (?:не (?:очень |совсем |до конца |могу |могу никак |получается |выходит )?(?:понимаю|понять|понял|поняла|понятно|ясно|разобраться|разберусь|найти|найду|нахожу|зайти|войти|залогиниться|открыть|загрузить|прикрепить|сдать|отправить|оплатить|скачать|запустить|настроить)|непонятно|неясно|не получается|не выходит|не работает|не работают|не открывается|не открываются|не грузится|не грузятся|не загружается|не запускается|не приходит|не приходят|не пускает|не принимает|не отображается|не отображаются|не воспроизводится|не показывает|не возвращает|не проходит|не проходят|не видит|не компилируется|не сохраняется|не знаю (?:как|что|где|куда|почему|зачем)|ничего не (?:возвращает|выводит|работает|получается)|вылетает|выкидывает|зависает|тормозит|лагает|глючит|крашится|падает|выдает (?:ошибку|\S+error)|пишет (?:ошибку|неверный)|пропал(?:и|а)? (?:доступ|прогресс|оценки|все|урок|звук|видео|кнопка)|не то с|что не так|в чем (?:ошибка|проблема)|застрял|застряла|not found|пишет (?:что|неправильный)|i don't understand|i dont understand|don't get|can't figure|cant figure|cannot figure|can't log|cant log|can't login|cant login|can't access|cannot access|unable to|i'm stuck|im stuck|i am stuck|still stuck|got stuck|doesn't work|does not work|doesnt work|isn't working|not working|won't load|wont load|doesn't load|never arrives|doesn't arrive|keeps (?:crashing|buffering|logging)|logs me out|greyed out|grayed out|blank page|crashes|disappeared|lost access|out of sync|access denied|getting an? (?:error|\d{3})|\S+error on line|(?:возвращает|выводит) (?:none|null|undefined|nan|пуст\S*)|returns (?:none|null|undefined|nan|empty)|return undefined|(?:404|500|502|503)|i can't (?:submit|upload|open|access|find|see|log|get)|i cannot (?:submit|upload|open|access|find|see|log|get)) /;

// ---------------------------------------------------------------- negative tone
/** Negative stems (a preceding negation such as "не", "not", "без" cancels them: "не плохо"). */
export const NEGATIVE_STEMS = `
ужас кошмар безобраз отвратит отвратн мерзк бесит бесят бешен взбеш злюсь злит раздража надоел достал задолбал
заколебал разочаров недовол жалоб пожалуюсь пожаловаться претензи обман лохотрон мошен позор отстой пипец капец
бред издевательств издеваетесь неприемлем неуважени хамств хамит хамск грубо грубый некомпетент непрофессионал
халтур бесполезн ненавиж ненавист несправедлив возмут возмущ плох худш отврат ненормальн фигня хрень дерьм говн
бля сука заеб еба пизд хуй нахрен нафиг выгор сдаюсь
disappoint terribl awful horribl refund complain unacceptabl frustrat angry furious annoy pissed ridiculous worst
scam ripoff rip-off useless hate ignored ignoring rude unprofessional outrageous pathetic garbage
trash sucks wtf damn fuck shit crap unfair depressed hopeless miserable disgust bad=
`;
/** Satisfaction words that turn negative when negated: "не доволен", "не устраивает", "not happy". */
export const NEGATED_POSITIVE = `довол устраива нравит понрави рекоменд соответству оправда happy satisfied worth recommend acceptable like= enjoy`;
/** Negators for the two lists above (within two tokens before the word). */
export const NEGATORS = `не ни нет без not no never don't dont doesn't didn't isn't wasn't aren't won't wouldn't without`;
const ORD = String.raw`(?:второй|третий|четвертый|пятый|шестой|седьмой|\d+-?(?:й|ый|ий)?)`;
const NEG_RU = String.raw`никто (?:не|ничего)|никого нет|без ответа|нет ответа|ответа нет|не отвечает|не отвечают|не отвечать|не ответили|игнор\S*|сколько (?:можно|еще|мне|ждать)|${ORD} (?:день|дня|дней|раз|неделю|недели|сутки) (?:жду|ждем|пишу|без|спрашиваю|одно|повторяю|обращаюсь)|пишу (?:уже )?${ORD} раз|(?:жду|ждем|ждать) (?:ответа )?(?:уже )?(?:неделю|сутки|(?:\d+|два|три|четыре|пять) (?:дня|дней|часа|часов)|с утра|со вчера|${ORD} (?:день|неделю))|(?:верн\S+|вернуть) (?:мне )?(?:деньги|оплату|средства)|возврат\S* (?:денег|средств|оплаты|стоимости)|(?:оформить|получить|требую|хочу|сделать|запросить|на) возврат|расторг\S*|ни в какие ворота|за что я (?:плачу|платил)|спасибо за ничего|ну спасибо(?! (?:большое|огромное|вам|тебе))|вы издеваетесь|(?:опять|снова) (?:\S+ )?не (?:работает|грузится|открывается|пускает|загружается|отвечает|отвечают)|так и не (?:дали|ответили|пришел|пришло|пришли|вернули|получил|получила|открыли|починили)|до сих пор (?:нет|не ответ|не пришл|не вернул|не дали|не открыл|не починил|ничего не)|зря (?:потратил|потратила|трачу|купил|купила|плачу|заплатил)|деньги на ветер|(?:хочу|хочется) (?:все )?бросить|руки опускаются|не для меня|за такие деньги|дважды списал\S*|списали (?:\S+ )?(?:два раза|дважды|повторно)|по (?:два|три) раза`;
const NEG_EN = String.raw`(?:no one|nobody) (?:answers|responds|replies|replied|responded|is|responding|answering|replying|cares)|no (?:answer|response|reply) (?:for|after|since|yet)|still no (?:answer|reply|response)|still waiting|been waiting|waste of|money back|charged twice|thanks for nothing|burned out|burnt out|burnout|give up|giving up|fed up|sick of|broken again|what a joke|not for me`;
/** Negative phrases (complaints, waiting, refunds, despair, sarcasm). */
export const NEGATIVE_PHRASES = new RegExp(` (?:${NEG_RU}|${NEG_EN}) `);
/** Angry emoji count as negative tone. */
export const NEGATIVE_EMOJI = /[😡🤬😤👎💩]/u;
