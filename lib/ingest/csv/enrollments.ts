import type { EnrollmentEvent, SourceRef } from "../types";
import { readCsvRows } from "../common/csv-rows";
import type { Rejection } from "../common/import-result";
import { EMAIL, parseCalendarDate, parseDateCell, parseSourceCell } from "./common";

export interface EnrollmentsCsvOptions {
  /** The school's time zone, for dates without a time. Default UTC. */
  timeZone?: string;
  /** Source of the student identities when the file has no `source` column. Default lms_csv. */
  source?: SourceRef;
}

export interface EnrollmentRow {
  line: number;
  school?: string;
  event: EnrollmentEvent;
}

export interface EnrollmentsCsvResult {
  rows: EnrollmentRow[];
  events: EnrollmentEvent[];
  rejected: Rejection[];
  warnings: string[];
}

const STATUS: Record<string, EnrollmentEvent["status"]> = {
  active: "active", completed: "completed", withdrawn: "withdrawn", paused: "paused", frozen: "frozen", transferred: "transferred",
  активен: "active", учится: "active", завершил: "completed", завершен: "completed", окончил: "completed", выпускник: "completed",
  отчислен: "withdrawn", ушел: "withdrawn", возврат: "withdrawn", пауза: "paused", академ: "frozen", заморожен: "frozen", перевод: "transferred", переведен: "transferred",
};
const ENDED = new Set<EnrollmentEvent["status"]>(["completed", "withdrawn", "transferred"]);

/**
 * Enrollments CSV: `student_external_id` and/or `student_email`, `course`, `cohort`, `tier`, `status`,
 * `enrolled_at`, `ended_at`; optional `school`, `source`, `student_name`, `course_title`,
 * `cohort_title`, `cohort_starts_on`, `cohort_ends_on`, `final_result`. Bad rows are rejected with
 * their line and reason; the rest go on.
 */
export function parseEnrollmentsCsv(text: string, opts: EnrollmentsCsvOptions = {}): EnrollmentsCsvResult {
  const out: EnrollmentsCsvResult = { rows: [], events: [], rejected: [], warnings: [] };
  const zone = opts.timeZone ?? "UTC";
  const csv = readCsvRows(text);
  for (const e of csv.errors) out.rejected.push({ line: e.line, reason: e.reason });
  const missing = ["course", "cohort", "status"].filter((c) => !csv.header.includes(c));
  if (!csv.header.includes("student_external_id") && !csv.header.includes("student_email")) missing.push("student_external_id or student_email");
  if (missing.length > 0) {
    out.rejected.push({ line: 1, reason: `missing columns: ${missing.join(", ")}` });
    return out;
  }
  const seen = new Map<string, number>();
  for (const { line, cells } of csv.rows) {
    const bad = (reason: string) => out.rejected.push({ line, reason });
    const source = cells.source ? parseSourceCell(cells.source) : (opts.source ?? { kind: "lms_csv" as const, externalId: "lms_csv" });
    if (typeof source === "string") {
      bad(source);
      continue;
    }
    const email = (cells.student_email ?? "").toLowerCase();
    const id = cells.student_external_id || email;
    if (!id) {
      bad("student_external_id and student_email are both empty");
      continue;
    }
    if (email && !EMAIL.test(email)) {
      bad(`student_email "${cells.student_email}" is not an e-mail address`);
      continue;
    }
    if (!cells.course || !cells.cohort) {
      bad("course and cohort are required");
      continue;
    }
    const status = STATUS[(cells.status ?? "").trim().toLowerCase()];
    if (!status) {
      bad(`status "${cells.status}" is not one of active, completed, withdrawn, paused, frozen, transferred`);
      continue;
    }
    const dates: Record<string, Date | undefined> = {};
    let dateError = "";
    for (const col of ["enrolled_at", "ended_at"] as const) {
      const v = cells[col] ?? "";
      if (!v) continue;
      const d = parseDateCell(v, zone);
      if (!d) dateError ||= `${col} "${v}" is not a date (YYYY-MM-DD, DD.MM.YYYY or ISO date-time)`;
      else dates[col] = d;
    }
    if (dateError) {
      bad(dateError);
      continue;
    }
    if (dates.enrolled_at && dates.ended_at && dates.ended_at < dates.enrolled_at) {
      bad("ended_at is before enrolled_at");
      continue;
    }
    if (status === "active" && dates.ended_at) {
      bad("an active enrollment cannot have ended_at");
      continue;
    }
    const cohortDates: Record<string, string> = {};
    for (const [col, key] of [["cohort_starts_on", "startsOn"], ["cohort_ends_on", "endsOn"]] as const) {
      const v = cells[col] ?? "";
      if (!v) continue;
      const d = parseCalendarDate(v);
      if (d) cohortDates[key] = d;
      else dateError ||= `${col} "${v}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`;
    }
    if (dateError) {
      bad(dateError);
      continue;
    }
    const key = `${cells.school ?? ""}\u0000${source.kind}:${source.externalId}\u0000${id}\u0000${cells.cohort}`;
    const first = seen.get(key);
    if (first !== undefined) {
      bad(`${id} is enrolled in ${cells.cohort} twice (first at line ${first})`);
      continue;
    }
    seen.set(key, line);
    if (ENDED.has(status) && !dates.ended_at) out.warnings.push(`line ${line}: ${status} without ended_at: completion-rate periods cannot place it`);
    const event: EnrollmentEvent = {
      type: "enrollment",
      source,
      student: { externalId: id, ...(email ? { email } : {}), ...(cells.student_name ? { name: cells.student_name } : {}) },
      course: { externalId: cells.course, ...(cells.course_title ? { title: cells.course_title } : {}) },
      cohort: { externalId: cells.cohort, ...(cells.cohort_title ? { title: cells.cohort_title } : {}), ...cohortDates },
      tier: cells.tier || "standard",
      status,
      ...(dates.enrolled_at ? { enrolledAt: dates.enrolled_at } : {}),
      ...(dates.ended_at ? { endedAt: dates.ended_at } : {}),
      ...(cells.final_result ? { finalResult: cells.final_result } : {}),
    };
    out.rows.push({ line, ...(cells.school ? { school: cells.school } : {}), event });
  }
  out.events = out.rows.map((r) => r.event);
  out.rejected.sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
  return out;
}
