import type { EnrollmentEvent, LmsEvent, SourceRef } from "../types";
import { emptyImportResult, type ImportResult } from "../common/import-result";
import { readCsvRows, type CsvRow } from "../common/csv-rows";
import { dayDate, dayInstant, isIsoDate, startDateFor } from "./dates";

export interface OuladFiles {
  courses: string;
  assessments: string;
  studentInfo: string;
  studentRegistration: string;
  studentAssessment: string;
  vle: string;
  /** The click stream (10M rows in full): optional, and aggregated per student, site and day. */
  studentVle?: string;
}

export interface OuladOptions {
  /** Start date per presentation ("2013J") or module-presentation ("AAA-2013J"), YYYY-MM-DD. See dates.ts for the default. */
  startDates?: Readonly<Record<string, string>>;
  source?: Partial<SourceRef>;
}

export interface OuladCohort {
  externalId: string;
  course: string;
  presentation: string;
  startsOn: string;
  endsOn?: string;
  lengthDays?: number;
}

/** The assessment schedule: IngestEvent has no "assignment due" event, so it is returned beside the events. */
export interface OuladAssessment {
  id: string;
  cohort: string;
  type: string;
  dueOn?: string;
  weight?: number;
}

export type OuladResult = ImportResult & { cohorts: OuladCohort[]; assessments: OuladAssessment[] };

const INT = /^-?\d+$/;
const num = (s: string | undefined): number | undefined => (s !== undefined && INT.test(s) ? Number(s) : undefined);
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * The Open University Learning Analytics Dataset (one school, real outcomes). Modules → courses,
 * module-presentations → cohorts (`AAA-2013J`), studentInfo + studentRegistration → enrollments,
 * studentAssessment → `submitted` LMS events with the score, studentVle → `experienced` events
 * (clicks summed per student, site and day). Decisions in README.md.
 */
export function parseOulad(files: OuladFiles, opts: OuladOptions = {}): OuladResult {
  const out: OuladResult = { ...emptyImportResult(), cohorts: [], assessments: [] };
  const source: SourceRef = { kind: "oulad", externalId: opts.source?.externalId ?? "oulad", name: opts.source?.name ?? "OULAD" };
  for (const [k, v] of Object.entries(opts.startDates ?? {})) if (!isIsoDate(v)) out.warnings.push(`startDates.${k} "${v}" is not YYYY-MM-DD: ignored`);
  const startDates = Object.fromEntries(Object.entries(opts.startDates ?? {}).filter(([, v]) => isIsoDate(v)));

  const read = (name: keyof OuladFiles, text: string, required: string[]): CsvRow[] => {
    const r = readCsvRows(text);
    for (const e of r.errors) out.rejected.push({ ref: name, line: e.line, reason: e.reason });
    const missing = required.filter((c) => !r.header.includes(c));
    if (missing.length > 0) {
      out.rejected.push({ ref: name, line: 1, reason: `missing columns: ${missing.join(", ")}` });
      return [];
    }
    return r.rows;
  };
  const reject = (ref: string, row: CsvRow, reason: string) => out.rejected.push({ ref, line: row.line, reason });

  // Cohorts.
  const cohorts = new Map<string, OuladCohort>();
  const cohortOf = (module: string, presentation: string, ref: string, row: CsvRow): OuladCohort | null => {
    const key = `${module}-${presentation}`;
    const known = cohorts.get(key);
    if (known) return known;
    const start = startDateFor(module, presentation, startDates);
    if (!start) {
      reject(ref, row, `no start date for presentation ${presentation} (pass startDates)`);
      return null;
    }
    const made: OuladCohort = { externalId: key, course: module, presentation, startsOn: start };
    cohorts.set(key, made);
    out.warnings.push(`${key} is not in courses.csv: its end date is unknown`);
    return made;
  };
  for (const row of read("courses", files.courses, ["code_module", "code_presentation", "module_presentation_length"])) {
    const { code_module: module = "", code_presentation: pres = "" } = row.cells;
    const length = num(row.cells.module_presentation_length);
    const start = startDateFor(module, pres, startDates);
    if (!module || !pres || length === undefined || length <= 0) reject("courses", row, "needs code_module, code_presentation and a positive module_presentation_length");
    else if (!start) reject("courses", row, `no start date for presentation ${pres} (pass startDates)`);
    else cohorts.set(`${module}-${pres}`, { externalId: `${module}-${pres}`, course: module, presentation: pres, startsOn: start, endsOn: dayDate(start, length), lengthDays: length });
  }

  // Assessments (the schedule) and VLE sites.
  const assessments = new Map<string, OuladAssessment & { cohortRef: OuladCohort; due?: number }>();
  for (const row of read("assessments", files.assessments, ["code_module", "code_presentation", "id_assessment", "assessment_type", "date", "weight"])) {
    const c = row.cells;
    const id = c.id_assessment ?? "";
    if (!INT.test(id)) {
      reject("assessments", row, "id_assessment is not an integer");
      continue;
    }
    const cohort = cohortOf(c.code_module ?? "", c.code_presentation ?? "", "assessments", row);
    if (!cohort) continue;
    // Some exams have no date: their deadline is the end of the presentation, which OULAD leaves implicit.
    const due = num(c.date);
    const weight = c.weight !== undefined && NUMBER.test(c.weight) ? Number(c.weight) : undefined;
    assessments.set(id, { id, cohort: cohort.externalId, type: c.assessment_type ?? "", ...(due !== undefined ? { dueOn: dayDate(cohort.startsOn, due), due } : {}), ...(weight !== undefined ? { weight } : {}), cohortRef: cohort });
  }
  out.assessments = [...assessments.values()].map(({ cohortRef: _c, due: _d, ...a }) => a);
  const sites = new Map<string, string>();
  for (const row of read("vle", files.vle, ["id_site", "activity_type"])) sites.set(row.cells.id_site ?? "", row.cells.activity_type ?? "");

  enrollments(files, read, reject, cohortOf, source, out);
  submissions(files, read, reject, assessments, source, out);
  if (files.studentVle !== undefined) clicks(files.studentVle, read, reject, cohortOf, sites, source, out);
  out.cohorts = [...cohorts.values()];
  return out;
}

type Read = (name: keyof OuladFiles, text: string, required: string[]) => CsvRow[];
type Reject = (ref: string, row: CsvRow, reason: string) => void;
type CohortOf = (module: string, presentation: string, ref: string, row: CsvRow) => OuladCohort | null;

const STATUS: Record<string, EnrollmentEvent["status"]> = { Pass: "completed", Distinction: "completed", Fail: "completed", Withdrawn: "withdrawn" };

function enrollments(files: OuladFiles, read: Read, reject: Reject, cohortOf: CohortOf, source: SourceRef, out: OuladResult): void {
  const reg = new Map<string, CsvRow>();
  for (const row of read("studentRegistration", files.studentRegistration, ["code_module", "code_presentation", "id_student", "date_registration", "date_unregistration"])) {
    reg.set(`${row.cells.code_module}|${row.cells.code_presentation}|${row.cells.id_student}`, row);
  }
  const seen = new Set<string>();
  let noEnd = 0;
  let noStart = 0;
  let failedAfterLeaving = 0;
  for (const row of read("studentInfo", files.studentInfo, ["code_module", "code_presentation", "id_student", "final_result"])) {
    const { code_module: module = "", code_presentation: pres = "", id_student: student = "", final_result: result = "" } = row.cells;
    const key = `${module}|${pres}|${student}`;
    const status = STATUS[result];
    if (!INT.test(student)) {
      reject("studentInfo", row, "id_student is not an integer");
      continue;
    }
    if (!status) {
      reject("studentInfo", row, `final_result "${result}" is not Pass, Distinction, Fail or Withdrawn`);
      continue;
    }
    if (seen.has(key)) {
      reject("studentInfo", row, `student ${student} appears twice in ${module}-${pres}`);
      continue;
    }
    const cohort = cohortOf(module, pres, "studentInfo", row);
    if (!cohort) continue;
    seen.add(key);
    const r = reg.get(key)?.cells;
    const registered = num(r?.date_registration);
    const unregistered = num(r?.date_unregistration);
    if (registered === undefined) noStart++;
    let endedAt: Date | undefined;
    if (status === "withdrawn") {
      if (unregistered !== undefined) endedAt = dayInstant(cohort.startsOn, unregistered);
      else noEnd++;
    } else {
      // Fail means the student reached the end (FORMATS/brief): completed at the presentation's end,
      // even in the few rows that also carry a date_unregistration.
      if (unregistered !== undefined) failedAfterLeaving++;
      if (cohort.lengthDays !== undefined) endedAt = dayInstant(cohort.startsOn, cohort.lengthDays);
    }
    out.events.push({
      type: "enrollment",
      source,
      student: { externalId: student },
      course: { externalId: module, title: module },
      cohort: { externalId: cohort.externalId, title: `${module} ${pres}`, startsOn: cohort.startsOn, ...(cohort.endsOn ? { endsOn: cohort.endsOn } : {}) },
      // OU students had no messenger support: the "without support" baseline of METRICS.md.
      tier: "none",
      status,
      ...(registered !== undefined ? { enrolledAt: dayInstant(cohort.startsOn, registered) } : {}),
      ...(endedAt ? { endedAt } : {}),
      finalResult: result,
    });
  }
  if (noStart > 0) out.warnings.push(`${noStart} enrollment(s) without date_registration: enrolledAt unknown`);
  if (noEnd > 0) out.warnings.push(`${noEnd} withdrawal(s) without date_unregistration: endedAt unknown`);
  if (failedAfterLeaving > 0) out.warnings.push(`${failedAfterLeaving} non-withdrawn enrollment(s) with a date_unregistration: final_result wins (completed)`);
}

function submissions(files: OuladFiles, read: Read, reject: Reject, assessments: ReadonlyMap<string, OuladAssessment & { cohortRef: OuladCohort; due?: number }>, source: SourceRef, out: OuladResult): void {
  for (const row of read("studentAssessment", files.studentAssessment, ["id_assessment", "id_student", "date_submitted", "is_banked", "score"])) {
    const c = row.cells;
    const a = assessments.get(c.id_assessment ?? "");
    const day = num(c.date_submitted);
    if (!a) {
      reject("studentAssessment", row, `unknown id_assessment ${c.id_assessment}`);
      continue;
    }
    if (!INT.test(c.id_student ?? "") || day === undefined) {
      reject("studentAssessment", row, "id_student and date_submitted must be integers");
      continue;
    }
    const score = c.score !== undefined && NUMBER.test(c.score) ? Number(c.score) : undefined;
    const banked = c.is_banked === "1";
    const event: LmsEvent = {
      type: "lms",
      source,
      externalId: `oulad:sa:${a.id}:${c.id_student}`,
      actor: { externalId: c.id_student ?? "" },
      courseExternalId: a.cohortRef.course,
      cohortExternalId: a.cohort,
      verb: "submitted",
      objectId: a.id,
      objectKind: a.type,
      // A missing score (84 rows) is a submission not yet marked, not a zero.
      ...(score !== undefined ? { score, maxScore: 100 } : {}),
      occurredAt: dayInstant(a.cohortRef.startsOn, day),
      extra: {
        assessmentType: a.type,
        ...(a.weight !== undefined ? { weight: a.weight } : {}),
        ...(a.dueOn ? { dueOn: a.dueOn, late: a.due !== undefined && day > a.due } : {}),
        // Banked: a result carried over from an earlier presentation, not work done in this one.
        ...(banked ? { banked: true } : {}),
      },
    };
    out.events.push(event);
  }
}

function clicks(text: string, read: Read, reject: Reject, cohortOf: CohortOf, sites: ReadonlyMap<string, string>, source: SourceRef, out: OuladResult): void {
  // Rows repeat for the same student, site and day (one per session): summed, so that the event id is
  // stable whatever the row order and a re-import counts once.
  const sums = new Map<string, { cohort: OuladCohort; student: string; site: string; day: number; clicks: number }>();
  for (const row of read("studentVle", text, ["code_module", "code_presentation", "id_student", "id_site", "date", "sum_click"])) {
    const c = row.cells;
    const day = num(c.date);
    const n = num(c.sum_click);
    if (!INT.test(c.id_student ?? "") || !INT.test(c.id_site ?? "") || day === undefined || n === undefined || n < 0) {
      reject("studentVle", row, "id_student, id_site, date and sum_click must be integers");
      continue;
    }
    const cohort = cohortOf(c.code_module ?? "", c.code_presentation ?? "", "studentVle", row);
    if (!cohort) continue;
    const key = `${cohort.externalId}:${c.id_student}:${c.id_site}:${day}`;
    const hit = sums.get(key);
    if (hit) hit.clicks += n;
    else sums.set(key, { cohort, student: c.id_student ?? "", site: c.id_site ?? "", day, clicks: n });
  }
  let unknownSites = 0;
  for (const [key, s] of sums) {
    const kind = sites.get(s.site);
    if (kind === undefined) unknownSites++;
    out.events.push({
      type: "lms",
      source,
      externalId: `oulad:vle:${key}`,
      actor: { externalId: s.student },
      courseExternalId: s.cohort.course,
      cohortExternalId: s.cohort.externalId,
      verb: "experienced",
      objectId: s.site,
      ...(kind ? { objectKind: kind } : {}),
      amount: s.clicks,
      occurredAt: dayInstant(s.cohort.startsOn, s.day),
    });
  }
  if (unknownSites > 0) out.warnings.push(`${unknownSites} click aggregate(s) on sites missing from vle.csv: kept without an objectKind`);
}
