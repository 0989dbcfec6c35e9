import type { Role } from "../../lib/ingest/types";
import type { Shift } from "./clock";
import type { Domain, MessengerStyle, Scale } from "./types";

/** The fixed shape of the demo holding; everything random hangs off these. */
export interface CourseSpec {
  key: string;
  title: string;
  slug: string;
  weeks: number;
  domain: Domain;
  cohorts: number;
  /** Index into the school's messengers. */
  messenger: 0 | 1;
}

export interface SchoolSpec {
  slug: string;
  name: string;
  timezone: string;
  domain: string;
  messengers: Array<{ style: MessengerStyle; name: string }>;
  lms: { kind: "xapi" | "lms_csv"; name: string };
  courses: CourseSpec[];
  /** Mentor teams for the large scale; the small scale folds them into the first. */
  mentorTeams: Array<{ name: string; courseKeys: string[] }>;
  coordinatorTeam: string;
  roleLabels: Partial<Record<Role, string>>;
  /** ISO weekdays with 9:00–21:00 in the default calendar. */
  calendarDays: number[];
}

export const ORGANISATION = { slug: "polaris", name: "Образовательный холдинг «Полярис»" };

export const SCHOOLS: SchoolSpec[] = [
  {
    slug: "polaris-code",
    name: "Полярис.Код",
    timezone: "Europe/Moscow",
    domain: "polaris-code.ru",
    messengers: [
      { style: "telegram", name: "Telegram @polaris_code_bot" },
      { style: "slack", name: "Slack Полярис.Код" },
    ],
    lms: { kind: "xapi", name: "LRS Полярис.Код" },
    courses: [
      { key: "python", title: "Python-разработчик", slug: "python-dev", weeks: 16, domain: "code", cohorts: 3, messenger: 0 },
      { key: "analytics", title: "Аналитик данных", slug: "data-analyst", weeks: 12, domain: "data", cohorts: 3, messenger: 0 },
      { key: "frontend", title: "Frontend-разработчик", slug: "frontend-dev", weeks: 14, domain: "code", cohorts: 2, messenger: 1 },
    ],
    mentorTeams: [
      { name: "Менторы разработки", courseKeys: ["python", "frontend"] },
      { name: "Менторы аналитики", courseKeys: ["analytics"] },
    ],
    coordinatorTeam: "Кураторы",
    roleLabels: { student: "Студент", coordinator: "Куратор", mentor: "Ментор", reviewer: "Ревьюер", support: "Техподдержка", team_lead: "Тимлид", bot: "Бот" },
    calendarDays: [1, 2, 3, 4, 5, 6],
  },
  {
    slug: "polaris-design",
    name: "Полярис.Дизайн",
    timezone: "Asia/Yekaterinburg",
    domain: "polaris-design.ru",
    messengers: [
      { style: "discord", name: "Discord Полярис.Дизайн" },
      { style: "mattermost", name: "Mattermost Полярис.Продукт" },
    ],
    lms: { kind: "lms_csv", name: "GetCourse Полярис.Дизайн" },
    courses: [
      { key: "uxui", title: "UX/UI-дизайнер", slug: "ux-ui", weeks: 12, domain: "design", cohorts: 3, messenger: 0 },
      { key: "graphic", title: "Графический дизайнер", slug: "graphic", weeks: 10, domain: "design", cohorts: 2, messenger: 0 },
      { key: "product", title: "Продакт-менеджер", slug: "product", weeks: 8, domain: "product", cohorts: 2, messenger: 1 },
    ],
    mentorTeams: [
      { name: "Наставники дизайна", courseKeys: ["uxui", "graphic"] },
      { name: "Наставники продукта", courseKeys: ["product"] },
    ],
    coordinatorTeam: "Трекеры",
    roleLabels: { student: "Студент", coordinator: "Трекер", mentor: "Наставник", reviewer: "Проверяющий", support: "Поддержка", team_lead: "Руководитель группы", bot: "Бот" },
    calendarDays: [1, 2, 3, 4, 5],
  },
];

export interface ScaleSpec {
  studentsPerCohort: [number, number];
  coordinators: number;
  mentorsPerCourse: number;
  reviewers: number;
  coordinatorsPerCohort: [number, number];
  maxStudents: number;
}

export const SCALES: Record<Scale, ScaleSpec> = {
  large: { studentsPerCohort: [160, 250], coordinators: 12, mentorsPerCourse: 3, reviewers: 4, coordinatorsPerCohort: [2, 3], maxStudents: 150 },
  small: { studentsPerCohort: [17, 27], coordinators: 3, mentorsPerCourse: 1, reviewers: 1, coordinatorsPerCohort: [1, 2], maxStudents: 50 },
};

const WEEKDAYS = [1, 2, 3, 4, 5];
export const SHIFTS = {
  late: { days: [2, 3, 4, 5, 6], startMin: 12 * 60, endMin: 21 * 60 },
  weekend: { days: [3, 4, 5, 6, 7], startMin: 10 * 60, endMin: 19 * 60 },
  office: { days: WEEKDAYS, startMin: 10 * 60, endMin: 19 * 60 },
  evening: { days: [2, 3, 4, 5, 6], startMin: 13 * 60, endMin: 21 * 60 },
  longWeekend: { days: [4, 5, 6, 7, 1], startMin: 11 * 60, endMin: 20 * 60 },
  duty: { days: [1, 2, 3, 4, 5, 6, 7], startMin: 9 * 60, endMin: 21 * 60 },
  always: { days: [1, 2, 3, 4, 5, 6, 7], startMin: 0, endMin: 24 * 60 },
} satisfies Record<string, Shift>;
