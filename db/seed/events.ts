import type { EnrollmentEvent, IdentityRef, IngestEvent, MessageEvent } from "../../lib/ingest/types";
import type { EnrollmentStatus, PersonDef, SchoolPlan, SimMsg, SourceDef, StaffDef, StudentDef } from "./types";

function ident(p: PersonDef, source: SourceDef): IdentityRef {
  const id = p.ids.get(source.key);
  if (!id) throw new Error(`${p.name} has no account in ${source.key}`);
  return id;
}

function enrollment(st: StudentDef, plan: SchoolPlan, status: EnrollmentStatus, at?: number): EnrollmentEvent {
  const c = st.cohort;
  return {
    type: "enrollment", source: plan.lms.ref, student: ident(st, plan.lms),
    course: { externalId: c.course.externalId, title: c.course.title },
    cohort: { externalId: c.externalId, title: c.title, startsOn: c.startsOn, endsOn: c.endsOn },
    tier: st.tier, status, enrolledAt: new Date(st.enrolledAt),
    ...(at !== undefined ? { endedAt: new Date(at) } : {}),
    ...(status === "completed" || status === "withdrawn" ? { finalResult: st.outcome.finalResult ?? status } : {}),
  };
}

function staffRoster(s: StaffDef, source: SourceDef): IngestEvent {
  const assigned = s.assigned.filter((st) => st.source === source).map((st) => ident(st, source).externalId);
  return {
    type: "roster", source: source.ref, identity: { ...ident(s, source), email: s.email }, role: s.role,
    ...(s.team ? { team: s.team } : {}), ...(s.isLead ? { isTeamLead: true } : {}), ...(s.capacity ? { capacity: s.capacity } : {}),
    ...(assigned.length > 0 ? { assignedStudentExternalIds: assigned } : {}),
  };
}

function message(m: SimMsg): MessageEvent {
  const src = m.ch.source;
  const root = m.thread?.root;
  const reply = m.replyTo && m.replyTo.id !== "" ? m.replyTo : undefined;
  return {
    type: "message", action: "create", source: src.ref, channel: m.ch.ref,
    ...(m.thread && root && root.id !== "" ? { thread: { externalId: root.id, kind: m.thread.kind, ...(m.thread.title ? { title: m.thread.title } : {}) } } : {}),
    externalId: m.id, author: ident(m.author, src), sentAt: new Date(m.at), text: m.text, contentKind: m.kind,
    ...(reply ? { replyTo: { externalId: reply.id, author: ident(reply.author, src) } } : {}),
    mentions: (m.mentions ?? []).map((p) => ident(p, src)),
  };
}

/**
 * Every event of one school, in the order the store path needs across batches: people and enrollments
 * first (so messages and LMS events find known people, and staff rosters find their assigned students),
 * then messages, learning events, surveys and ratings (after the answers they are about), and last the
 * status changes, so an enrollment's history reads active → paused → frozen / withdrawn / completed.
 */
export function* generateSchoolEvents(plan: SchoolPlan): Generator<IngestEvent> {
  for (const st of plan.students) yield enrollment(st, plan, "active");
  for (const st of plan.students) yield { type: "roster", source: st.source.ref, identity: { ...ident(st, st.source), email: st.email }, role: "student" };
  for (const source of plan.messengers) {
    for (const s of plan.staff) yield staffRoster(s, source);
    yield staffRoster(plan.bot, source);
  }
  for (const m of plan.messages) {
    const e = message(m);
    yield e;
    if (m.deletedAfterMs !== undefined) yield { ...e, action: "delete", deletedAt: new Date(m.at + m.deletedAfterMs) };
  }
  for (const x of plan.lmsEvents) {
    const c = x.student.cohort;
    yield {
      type: "lms", source: plan.lms.ref, externalId: x.id, actor: ident(x.student, plan.lms), courseExternalId: c.course.externalId, cohortExternalId: c.externalId,
      verb: x.verb, objectId: x.objectId, objectKind: x.objectKind, occurredAt: new Date(x.at),
      ...(x.score !== undefined ? { score: x.score } : {}), ...(x.maxScore !== undefined ? { maxScore: x.maxScore } : {}), ...(x.amount !== undefined ? { amount: x.amount } : {}),
    };
  }
  for (const s of plan.surveys) yield { type: "survey", source: s.student.source.ref, externalId: s.id, kind: s.kind, recipient: ident(s.student, s.student.source), sentAt: new Date(s.at) };
  for (const r of plan.ratings) {
    const about = r.about && r.about.id !== "" ? { channelExternalId: r.about.ch.ref.externalId, aboutMessageExternalId: r.about.id } : {};
    yield {
      type: "rating", source: r.student.source.ref, externalId: r.id, kind: r.kind, rater: ident(r.student, r.student.source), rawScore: r.raw, scaleMax: r.scaleMax,
      ...(r.comment ? { comment: r.comment } : {}), fromDm: r.fromDm, ...about, givenAt: new Date(r.at),
    };
  }
  for (const st of plan.students) if (st.outcome.status === "frozen" && st.outcome.pausedAt !== undefined) yield enrollment(st, plan, "paused", st.outcome.pausedAt);
  for (const st of plan.students) {
    const o = st.outcome;
    if (o.status === "active") continue;
    const at = o.status === "paused" ? o.pausedAt : o.status === "frozen" ? o.frozenAt : o.endedAt;
    yield enrollment(st, plan, o.status, at);
  }
}

export function countSchoolEvents(plan: SchoolPlan): number {
  const deletes = plan.messages.filter((m) => m.deletedAfterMs !== undefined).length;
  const transitions = plan.students.filter((s) => s.outcome.status !== "active").length + plan.students.filter((s) => s.outcome.status === "frozen").length;
  return plan.students.length * 2 + (plan.staff.length + 1) * plan.messengers.length + plan.messages.length + deletes + plan.lmsEvents.length + plan.surveys.length + plan.ratings.length + transitions;
}

export interface SchoolSummary {
  slug: string;
  name: string;
  timezone: string;
  people: number;
  staff: number;
  bots: number;
  students: number;
  courses: number;
  cohorts: number;
  enrollments: number;
  channels: number;
  messages: number;
  lmsEvents: number;
  surveys: number;
  ratings: number;
}

/** What the store path will hold for this school once the events are in (one person per student and staff member, linked by email). */
export function summariseSchool(plan: SchoolPlan): SchoolSummary {
  return {
    slug: plan.slug, name: plan.name, timezone: plan.timezone,
    people: plan.students.length + plan.staff.length + 1, staff: plan.staff.length, bots: 1, students: plan.students.length,
    courses: plan.courses.length, cohorts: plan.cohorts.length, enrollments: plan.students.length,
    channels: new Set(plan.messages.map((m) => m.ch)).size, messages: plan.messages.length,
    lmsEvents: plan.lmsEvents.length, surveys: plan.surveys.length, ratings: plan.ratings.length,
  };
}
