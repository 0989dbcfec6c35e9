/**
 * Category cues with weights (see lexicon.ts for the notation). The category with the highest score
 * wins; ties go to the first in CATEGORY_ORDER. Conventions (docs/classifier.md):
 * - technical is the school's platform and tools (LMS, video, Zoom link, app, account), not the
 *   student's own dev environment (that is content);
 * - a technical blocker outweighs what it blocks ("не могу загрузить домашку" → technical);
 * - deadlines, payments and documents outweigh the assignment they concern ("дедлайн по ДЗ" → organisational).
 */
import type { TextFlags } from "../classify";

export type Topic = Exclude<TextFlags["category"], "other">;
export const CATEGORY_ORDER: readonly Topic[] = ["technical", "organisational", "content", "emotional"];

export const TOPIC_STEMS: Record<Topic, string> = {
  organisational: `
    дедлайн:3 deadline:3 deadlines:3 дедлайны:3 срок:2 сроки:2 продл:3 extension:3 extend:2
    перенест:2 перенос:2 оплат:3 оплачива:3 заплат:2 доплат:3 платеж:3 платн:2 рассрочк:3 сплит:2 долями:2
    payment:3 pay=:3 paid:2 paying:2 installment:3 instalment:3 invoice:3 charged:3 refund:3 деньги:2 денег:2 возврат:2
    вычет:3 налог:2 чек:2 реквизит:3 юрлиц:3 договор:3 contract:2 сертификат:3 certificate:3 диплом:3 diploma:3 справк:3
    расписани:3 schedule:3 вебинар:2 webinar:2 созвон:2 встреч:2 session:1 q&a:2 recorded:2 recording:1 записи:1 запись:1
    академ:3 заморо:3 freeze:3 freezing:3 пауз:2 pause:3 отпуск:2 каникул:2 праздник:1 перевест:3 перевод:2
    transfer:3 switch:2 cohort:3 поток:2 потока:2 группу:1 тариф:3 tariff:3 subscription:3 plan=:1 стоимост:3 стоит:1
    скидк:3 discount:3 upfront:2 отчисл:3 пересдач:3 retake:3 выпускн:3 graduation:3 куратор:1 coordinator:2
    командировк:2 заболел:2 болел:2 sick:2 travelling:2 traveling:2 employer:2 работодател:2 стажировк:2 трудоустройств:2
    зачисл:3 enroll:2 enrollment:2 записаться:2 длится:3 продолжительност:2 модулей:2 weeks:1 семестр:2
    программу:1 программа:1 пропустил:2 пропустила:2 опоздал:1 отсутств:1 часовой:2 timezone:2 rescheduled:3 moved:1 понедельник:1 вторник:1 сред=:1 среду:1 четверг:1 пятниц:1 суббот:1 воскресень:1 monday:1 tuesday:1 wednesday:1 thursday:1 friday:1 saturday:1 sunday:1 выходн:1
  `,
  content: `
    задани:2 задач:2 задачк:2 домашк:2 домашн:2 дз=:2 дзшк:2 homework:2 assignment:2 exercise:2 task:2 упражнени:2
    код:2 кода:2 коде:2 code:2 функци:2 function:2 метод:2 класс:1 классы:2 классами:2 переменн:2 variable:2 цикл:2 loop:2
    рекурси:3 recursion:3 массив:2 array:2 список:2 списком:2 list=:1 linked:2 кортеж:3 словар:2 dict:2 строк:1 string:1
    sql:3 select:2 join=:2 джойн:3 запрос:1 query:2 python:2 питон:2 pandas:3 numpy:3 javascript:2 js=:2 джс:2 джсе:2
    react:2 реакт:2 useeffect:3 css:3 html:3 flexbox:3 grid:2 git:3 merge:2 rebase:3 pull:2 commit:2 deploy:2 задеплоить:2
    heroku:2 django:2 flask:2 api:2 rest=:1 регуляр:3 regex:3 алгоритм:3 algorithm:3 сложност:2 complexity:2 теори:2
    theory:2 лекци:1 lecture:1 урок:1 урока:1 уроке:1 lesson:1 тема:1 тему:1 теме:1 разниц:2 difference:2 ревью:3 review:3
    ревьюер:3 reviewer:3 проект:2 project:2 projects:2 capstone:3 тест:1 теста:1 тесты:2 quiz:2 quizzes:2 баллов:2
    замечани:2 feedback:2 обратн:1 исправ:1 fixes:1 решени:2 solution:2 решить:2 провер:1 правильн:1 скрипт:2 оптимиз:2 test:1 tests:2 traceback:3
    exception:3 syntaxerror:3 keyerror:3 typeerror:3 indexerror:3 nonetype:3 undefined:2 none=:1 null:1 statistic:2
    статистик:3 p-value:3 градиент:3 нормализ:2 normalis:2 normaliz:2 backprop:3 модел:1 model:1 dataset:2 датасет:3
    retention:2 дашборд:2 dashboard:1 rmse:3 features:1 training:1 figma:2 макет:2 адаптив:2 дизайн:1 резюме:2
    resume=:2 interview:1 литератур:3 книг:2 book:2 chapter:2 почитать:2 туториал:2 tutorial:2 видос:1 readme:3
    ооп:3 oop:3 async:3 await:2 декомпоз:2 idempotent:3 notebook:2 ноутбук:1 jupyter:1 ci=:2 pr=:2 vs=:1
    install:2 установить:2 pip:2 npm:2 индекс:2 index:2 sprint:2 спринт:2 практик:1 материал:1 materials:1
  `,
  technical: `
    платформ:3 platform:3 кабинет:3 лк=:3 аккаунт:3 account:3 логин:3 login:3 залогин:3 войти:2 зайти:2 вход=:2
    парол:3 password:3 доступ:2 access:2 ошибк:1 error:1 баг:3 bug:3 глюч:3 глюк:3 видео:2 video:2 плеер:3 player:3
    звук:3 audio:3 грузит:2 загружа:2 загрузить:1 load:2 открывает:2 открываются:1 blank:2 экран:2 бесконечно:2
    spinning:2 buffering:3 тормоз:2 лага:3 зависа:3 вылета:3 crash:3 crashes:3 ссылк:1 link=:1 зум:2 zoom:2
    приложени:2 app=:2 мобильн:1 mobile:1 браузер:3 browser:3 chrome:2 хроме:2 safari:3 сафари:3 firefox:3 кэш:3
    cache:3 почт:1 email:2 подтвержден:2 verification:3 уведомлени:3 notification:3 бот:1 прикреп:2 attach:2 upload:3
    uploading:3 кнопк:2 button:2 тренажер:2 прогресс:2 progress:2 скачат:1 скачивани:2 download:1 технич:3
    maintenance:3 недоступ:3 unavailable:3 denied:3 locked:3 сменить:1 change:1 воспроизвод:3 отображ:2 логинюсь:3
    выкидывает:3 пускает:3 восстановлени:2 reset:2 sync:2 greyed:3 grayed:3 disappeared:2 пропал:1
  `,
  emotional: `
    устал:3 устала:3 tired:3 мотивац:3 motivat:3 unmotivated:3 выгор:4 burn:2 burnout:4 burned:2 burnt:2 выдохл:3
    сил=:2 страшно:3 боюсь:3 scared:3 afraid:3 fear:3 страх:3 тревож:3 anxious:3 anxiety:3 волнуюсь:3 справлюсь:3
    потяну:3 сдаюсь:4 бросить:2 брошу:3 quit:2 самозванц:4 impostor:4 imposter:4 отстающ:3 behind:2 отстала:2 отстал:2
    overwhelm:4 стресс:3 stress:3 депресс:3 depress:3 приуныл:3 тяжел:2 сложный:1 заставить:3 лень:3 procrastinat:3
    умнее:3 smart:2 глуп:1 тупая:2 тупой:1 настроени:2 грустн:3 выдохлась:3 держусь:2 advice:1
    успеваю:2 ненавиж:2 hate:1 сомнева:2 doubt:3 пропала:1 совмещ:1 balance:3 unmotivat:3
  `,
};

/** Multi-word cues (regexes over Prepared.flat), with category and weight. */
export const TOPIC_PHRASES: Array<[Topic, number, RegExp]> = [
  ["organisational", 3, / (?:следующ\S*|нов\S*) (?:модул\S*|поток\S*|урок\S*)| (?:после окончания|after the course|course ends)| сколько стоит| как долго| (?:кто|контакт\S*|номер\S*) (?:\S+ )?(?:куратор\S*|координатор\S*)| who is my (?:coordinator|curator|mentor)| до какого числа| by when| срок сдачи| how (?:long|many weeks)| часовой пояс| time zone| когда (?:будет|будут|выдадут|начина\S*|откро\S*|следующ\S*)| when (?:is|will|does) the (?:next|deadline|webinar|session|schedule)/],
  ["organisational", 2, / (?:перейти|перевестись|перевод) (?:в|на) (?:\S+ )?(?:поток\S*|групп\S*|тариф\S*|курс\S*|формат\S*) | switch to | ссылк\S* на (?:созвон|вебинар|расписание|встречу)/],
  ["technical", 3, / (?:не могу|не получается|can't|cannot|unable to) (?:зайти|войти|залогиниться|загрузить|прикрепить|открыть|скачать|log|login|access|attach|upload)| код подтверждения| (?:404|500|502|503)| (?:white|black|белый|черный) (?:экран|screen)| технические работы| не (?:грузится|загружается|воспроизводится|открывается|отображаются|отображается|приходит)| won't load| doesn't load/],
  ["content", 2, / (?:в \d+ строке|on line \d+|line \d+|(?:тест\S*|tests?) (?:\S+ )?(?:\S+ )?(?:падает|падают|красные|fail\S*)|провер\S* (?:\S+ )?(?:работ\S*|дз|домашк\S*|задани\S*|проект\S*))/],
  ["technical", 2, / (?:не работает|не работают|doesn't work|does not work|isn't working|not working|broken) /],
  ["content", 3, / (?:code review|pull request|unit tests?|test case|edge cases?|в чем разница|what's the difference|difference between|system design|вложенн\S* цикл)/],
  ["emotional", 3, / (?:нет сил|сил нет|не справл\S*|не потян\S*|не мое|не моe|not for me|not smart enough|giving up|give up|keep going|stay motivated|falling behind|lost all motivation|найти время|стоит ли продолжать|синдром самозванца|ничего не (?:получается|выходит|успеваю)|не получается ничего|nothing works out|тяжел\S* период|сложн\S* период|не могу заставить|can't make myself|all my motivation)/],
];
