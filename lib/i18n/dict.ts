/** UI strings. Russian first: the users are Russian-speaking schools. Keys are shared; a missing key fails typecheck. */
const ru = {
  appName: "Качество поддержки",
  nav_overview: "Обзор",
  nav_sla: "SLA",
  nav_queue: "Очередь",
  nav_team: "Команда",
  nav_satisfaction: "Удовлетворённость",
  nav_outcomes: "Результаты",
  nav_shifts: "Смены",
  nav_settings: "Настройки",
  school: "Школа",
  period: "Период",
  from: "с",
  to: "по",
  apply: "Применить",
  last7: "7 дней",
  last30: "30 дней",
  last90: "90 дней",
  signOut: "Выйти",
  signIn: "Войти",
  email: "Эл. почта",
  password: "Пароль",
  signInTitle: "Вход в панель качества поддержки",
  signInFailed: "Неверная почта или пароль",
  signInRateLimited: "Слишком много попыток. Попробуйте через 15 минут.",
  students: "Студенты",
  staff: "Сотрудники",
  cohorts: "Потоки",
  activeEnrollments: "Активные зачисления",
  messages: "Сообщения",
  dmMessages: "из них в личных",
  channels: "Каналы",
  inPeriod: "за период",
  total: "всего",
  volumeTitle: "Сообщения по дням и источникам",
  volumeEmpty: "За этот период сообщений нет.",
  day: "День",
  source: "Источник",
  exportCsv: "Скачать CSV",
  loading: "Загрузка…",
  language: "Язык",
  noSchool: "У этой учётной записи нет доступа ни к одной школе.",
  overviewTitle: "Обзор",
  nav_audit: "Журнал",
  signInExpired: "Сессия истекла. Войдите снова.",
  signInNoAccount: "Для этой учётной записи каталога нет пользователя панели. Обратитесь к администратору.",
  signInWith: "Войти через",
  or: "или",
  forbiddenTitle: "Нет доступа",
  forbiddenText: "Эта страница не входит в права вашей роли в этой школе.",
} as const;

export type MessageKey = keyof typeof ru;

const en: Record<MessageKey, string> = {
  appName: "Support quality",
  nav_overview: "Overview",
  nav_sla: "SLA",
  nav_queue: "Queue",
  nav_team: "Team",
  nav_satisfaction: "Satisfaction",
  nav_outcomes: "Outcomes",
  nav_shifts: "Shifts",
  nav_settings: "Settings",
  school: "School",
  period: "Period",
  from: "from",
  to: "to",
  apply: "Apply",
  last7: "7 days",
  last30: "30 days",
  last90: "90 days",
  signOut: "Sign out",
  signIn: "Sign in",
  email: "Email",
  password: "Password",
  signInTitle: "Sign in to the support-quality dashboard",
  signInFailed: "Wrong email or password",
  signInRateLimited: "Too many attempts. Try again in 15 minutes.",
  students: "Students",
  staff: "Staff",
  cohorts: "Cohorts",
  activeEnrollments: "Active enrollments",
  messages: "Messages",
  dmMessages: "of them in DMs",
  channels: "Channels",
  inPeriod: "in period",
  total: "total",
  volumeTitle: "Messages per day and source",
  volumeEmpty: "No messages in this period.",
  day: "Day",
  source: "Source",
  exportCsv: "Download CSV",
  loading: "Loading…",
  language: "Language",
  noSchool: "This account has no access to any school.",
  overviewTitle: "Overview",
  nav_audit: "Audit log",
  signInExpired: "Your session has expired. Please sign in again.",
  signInNoAccount: "No dashboard user matches this directory account. Ask an administrator.",
  signInWith: "Sign in with",
  or: "or",
  forbiddenTitle: "Access denied",
  forbiddenText: "This page is not part of your role at this school.",
};

export const dictionaries = { ru, en } as const;
export type Locale = keyof typeof dictionaries;
export const locales: Locale[] = ["ru", "en"];

export function translator(locale: Locale): (key: MessageKey) => string {
  const d: Record<MessageKey, string> = dictionaries[locale];
  return (key) => d[key];
}

/** Cookie wins; otherwise the browser's first language we have; Russian by default. */
export function pickLocale(cookie: string | undefined, acceptLanguage: string | null): Locale {
  if (cookie === "ru" || cookie === "en") return cookie;
  const langs = (acceptLanguage ?? "").split(",").map((p) => p.split(";")[0]?.trim().slice(0, 2).toLowerCase());
  for (const l of langs) if (l === "ru" || l === "en") return l;
  return "ru";
}

export function formatNumber(n: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === "ru" ? "ru-RU" : "en-GB").format(n);
}

/**
 * Per-page message catalogues (lib/i18n/pages/<page>.ts), so pages add strings without touching this file.
 * English must have every Russian key: a missing key fails typecheck.
 */
export function defineMessages<K extends string>(ru: Record<K, string>, en: Record<K, string>): Record<Locale, Record<K, string>> {
  return { ru, en };
}

export function pageTranslator<K extends string>(messages: Record<Locale, Record<K, string>>, locale: Locale): (key: K) => string {
  return (key) => messages[locale][key];
}
