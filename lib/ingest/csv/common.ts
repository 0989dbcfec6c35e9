import { DateTime } from "luxon";
import { roles, sourceKinds, type Role, type SourceKind, type SourceRef } from "../types";

/**
 * `source` cells: a kind (`telegram`) or `kind:externalId` (`slack:T0123`). A bare kind means the
 * adapters' default source for that kind (one per school: `discord`, `mattermost`, `pachca`, …); the
 * Telegram and Slack adapters key their sources by bot / workspace id, so for those give the id.
 */
export function parseSourceCell(cell: string): SourceRef | string {
  const [kindRaw = "", ...rest] = cell.split(":");
  const kind = kindRaw.trim().toLowerCase();
  if (!(sourceKinds as readonly string[]).includes(kind)) return `source "${cell}" is not one of ${sourceKinds.join(", ")}`;
  const id = rest.join(":").trim();
  return { kind: kind as SourceKind, externalId: id || kind };
}

/** Schools name roles their own way (METRICS.md): common Russian and English labels are accepted. */
const ROLE_SYNONYMS: Record<string, Role> = {
  student: "student", студент: "student", ученик: "student", learner: "student", слушатель: "student",
  coordinator: "coordinator", curator: "coordinator", куратор: "coordinator", координатор: "coordinator",
  mentor: "mentor", tutor: "mentor", teacher: "mentor", expert: "mentor", ментор: "mentor", наставник: "mentor", преподаватель: "mentor", эксперт: "mentor", тьютор: "mentor",
  reviewer: "reviewer", ревьюер: "reviewer", проверяющий: "reviewer",
  support: "support", "tech support": "support", поддержка: "support", техподдержка: "support",
  team_lead: "team_lead", "team lead": "team_lead", teamlead: "team_lead", тимлид: "team_lead", руководитель: "team_lead",
  bot: "bot", бот: "bot",
};

export function parseRole(cell: string): Role | null {
  const k = cell.trim().toLowerCase().replace(/-/g, " ").replace(/\s+/g, " ");
  return (roles as readonly string[]).includes(k) ? (k as Role) : (ROLE_SYNONYMS[k] ?? ROLE_SYNONYMS[k.replace(/ /g, "_")] ?? null);
}

export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * Dates as spreadsheets write them: `2025-03-01`, `01.03.2025` (Russian locale), or an ISO date-time.
 * A bare date or a date-time without offset is read in `zone` (the school's), at the start of the day.
 */
export function parseDateCell(cell: string, zone: string): Date | null {
  const s = cell.trim();
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  const dt = ru
    ? DateTime.fromObject({ year: Number(ru[3]), month: Number(ru[2]), day: Number(ru[1]) }, { zone })
    : /^\d{4}-\d{2}-\d{2}$/.test(s)
      ? DateTime.fromISO(s, { zone })
      : /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)
        ? DateTime.fromISO(s.replace(" ", "T"), { zone, setZone: false })
        : null;
  return dt?.isValid ? dt.toJSDate() : null;
}

/** A calendar date (cohort start/end) as YYYY-MM-DD, from `2025-03-01` or `01.03.2025`; null if not a real date. */
export function parseCalendarDate(cell: string): string | null {
  const s = cell.trim();
  const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(s);
  const dt = ru ? DateTime.fromObject({ year: Number(ru[3]), month: Number(ru[2]), day: Number(ru[1]) }, { zone: "UTC" }) : /^\d{4}-\d{2}-\d{2}$/.test(s) ? DateTime.fromISO(s, { zone: "UTC" }) : null;
  return dt?.isValid ? dt.toISODate() : null;
}
