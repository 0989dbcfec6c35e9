import type { EnrollmentEvent, LmsEvent } from "@/lib/ingest/types";
import type { OuladResult } from "@/lib/ingest/oulad";
import type { RiskItem, RiskSnapshot, RiskSubmission } from "./features";

/**
 * Validation data from parsed OULAD (lib/ingest/oulad): one labelled snapshot per enrollment still
 * active on day `d` of its presentation. Pure: the caller reads the files.
 *
 * No leakage: the snapshot holds only what is dated on or before day d (submissions, clicks; the
 * registration; pre-course clicks, all before day 0; previous attempts and credits, known at
 * registration). Excluded: enrollments registered after day d, withdrawn on or before day d, and the
 * withdrawals without a date (their timing is unknown). Label: withdrew after day d.
 */
export interface OuladExtras {
  /** Key `<cohort>|<id_student>` (cohort `AAA-2013J`). */
  readonly previousAttempts?: ReadonlyMap<string, number>;
  readonly studiedCredits?: ReadonlyMap<string, number>;
  /** Pre-course clicks per enrollment; absent from the map = none (the derived file lists only enrollments with some). */
  readonly preCourseClicks?: ReadonlyMap<string, number>;
}

export interface OuladCase {
  readonly cohort: string;
  readonly presentation: string;
  readonly student: string;
  readonly snapshot: RiskSnapshot;
  /** true = withdrew after the as-of day. */
  readonly label: boolean;
}

interface Enrollment {
  cohort: string;
  student: string;
  enrolledAt?: Date;
  withdrawnAt?: Date;
  withdrawn: boolean;
  submissions: RiskSubmission[];
  activityAt: Date[];
}

export interface OuladIndex {
  readonly enrollments: readonly Enrollment[];
  readonly items: ReadonlyMap<string, RiskItem[]>;
  readonly starts: ReadonlyMap<string, { startsAt: Date; presentation: string }>;
  readonly extras: OuladExtras;
}

const noon = (isoDate: string): Date => new Date(`${isoDate}T12:00:00.000Z`);
const KIND: Record<string, RiskItem["kind"]> = { TMA: "assignment", CMA: "test", Exam: "exam" };

export function indexOulad(parsed: OuladResult, extras: OuladExtras = {}): OuladIndex {
  const starts = new Map(parsed.cohorts.map((c) => [c.externalId, { startsAt: noon(c.startsOn), presentation: c.presentation }]));
  const items = new Map<string, RiskItem[]>();
  for (const a of parsed.assessments) {
    const list = items.get(a.cohort) ?? [];
    list.push({ id: a.id, kind: KIND[a.type] ?? "other", ...(a.dueOn ? { dueAt: noon(a.dueOn) } : {}), ...(a.weight !== undefined ? { weight: a.weight } : {}) });
    items.set(a.cohort, list);
  }
  const byKey = new Map<string, Enrollment>();
  for (const e of parsed.events) {
    if (e.type !== "enrollment") continue;
    const en = e as EnrollmentEvent;
    const withdrawn = en.status === "withdrawn";
    const at = (d: EnrollmentEvent["enrolledAt"]): Date | undefined => (d === undefined ? undefined : new Date(d as Date | string | number));
    const enrolledAt = at(en.enrolledAt);
    const withdrawnAt = withdrawn ? at(en.endedAt) : undefined;
    byKey.set(`${en.cohort.externalId}|${en.student.externalId}`, {
      cohort: en.cohort.externalId,
      student: en.student.externalId,
      withdrawn,
      ...(enrolledAt ? { enrolledAt } : {}),
      ...(withdrawnAt ? { withdrawnAt } : {}),
      submissions: [],
      activityAt: [],
    });
  }
  for (const e of parsed.events) {
    if (e.type !== "lms") continue;
    const l = e as LmsEvent;
    const en = byKey.get(`${l.cohortExternalId}|${l.actor.externalId}`);
    if (!en) continue;
    const at = new Date(l.occurredAt as Date | string | number);
    if (l.verb === "submitted") {
      en.submissions.push({ itemId: l.objectId ?? "", submittedAt: at, ...(l.score !== undefined ? { scorePct: (100 * l.score) / (l.maxScore ?? 100) } : {}), ...(l.extra?.banked === true ? { banked: true } : {}) });
    } else en.activityAt.push(at);
  }
  return { enrollments: [...byKey.values()], items, starts, extras };
}

/** The labelled cases on day `day` of every presentation (or of one, e.g. "2013B"). */
export function ouladCasesAt(index: OuladIndex, day: number, presentation?: string): OuladCase[] {
  const out: OuladCase[] = [];
  for (const en of index.enrollments) {
    const start = index.starts.get(en.cohort);
    if (!start || (presentation !== undefined && start.presentation !== presentation)) continue;
    const asOf = new Date(start.startsAt.getTime() + day * 86_400_000);
    if (en.enrolledAt && en.enrolledAt.getTime() > asOf.getTime()) continue; // not enrolled yet
    if (en.withdrawn && !en.withdrawnAt) continue; // timing unknown
    if (en.withdrawnAt && en.withdrawnAt.getTime() <= asOf.getTime()) continue; // already gone: known at as-of
    const key = `${en.cohort}|${en.student}`;
    const prev = index.extras.previousAttempts?.get(key);
    const credits = index.extras.studiedCredits?.get(key);
    const snapshot: RiskSnapshot = {
      asOf,
      startsAt: start.startsAt,
      ...(en.enrolledAt ? { enrolledAt: en.enrolledAt } : {}),
      items: index.items.get(en.cohort) ?? [],
      submissions: en.submissions.filter((s) => s.submittedAt.getTime() <= asOf.getTime()),
      activityAt: en.activityAt.filter((a) => a.getTime() <= asOf.getTime()),
      ...(index.extras.preCourseClicks ? { preCourseActions: index.extras.preCourseClicks.get(key) ?? 0 } : {}),
      ...(prev !== undefined ? { previousAttempts: prev } : {}),
      ...(credits !== undefined ? { studiedCredits: credits } : {}),
    };
    out.push({ cohort: en.cohort, presentation: start.presentation, student: en.student, snapshot, label: en.withdrawn });
  }
  return out;
}
