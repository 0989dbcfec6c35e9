import type { IdentityRef, LmsEvent, SourceRef } from "../types";
import { courseKeyIn, objectKeyOf } from "../openedx/keys";
import { VOIDED_VERB, type ValidStatement, type XapiStatement } from "./parse";
import type { XapiActivity, XapiActor } from "./schema";

export interface XapiMapOptions {
  /** The LRS client the statements came through; default one xAPI source per school. */
  source?: Partial<SourceRef>;
}

export interface XapiVoid {
  targetId: string;
  byStatementId: string;
  voidedAt: Date;
}

export interface XapiMapResult {
  events: LmsEvent[];
  /**
   * Voidings. A target in the same batch is returned with `voided: true`; a target stored earlier
   * must be marked by the store (an LmsEvent cannot update another) — see README.md.
   */
  voids: XapiVoid[];
  skipped: Array<{ id: string; reason: string }>;
}

const COURSE_TYPE = /\/activities\/course$|\/activitytype\/course$/;
const COHORT_TYPE = /\/(cohort|class|group-of-learners)$/;
const COURSE_EXT = /[/#](course|course_?id|course-id)$/i;
const COHORT_EXT = /[/#](cohort|cohort_?id|cohort-id|stream)$/i;
const PROGRESS_EXT = "https://w3id.org/xapi/cmi5/result/extensions/progress";

/** "http://adlnet.gov/expapi/verbs/completed" -> "completed"; any vocabulary's last path segment. */
export function verbShortName(id: string): string {
  const tail = id.replace(/[/#]+$/, "").split(/[/#]/).pop();
  return tail && tail.length > 0 ? tail : id;
}

/** The identity an Agent or identified Group names; the externalId is its inverse functional identifier. */
export function xapiIdentity(a: XapiActor): IdentityRef | null {
  const name = a.name ? { name: a.name } : {};
  if (a.mbox) {
    const email = a.mbox.slice("mailto:".length).toLowerCase();
    return { externalId: `mailto:${email}`, email, ...name };
  }
  if (a.mbox_sha1sum) return { externalId: `sha1:${a.mbox_sha1sum.toLowerCase()}`, ...name };
  if (a.openid) return { externalId: `openid:${a.openid}`, ...name };
  if (a.account) return { externalId: `account:${a.account.homePage}|${a.account.name}`, username: a.account.name, ...name };
  return null;
}

function contextActivities(s: XapiStatement): XapiActivity[] {
  const ca = s.context?.contextActivities;
  if (!ca) return [];
  const all = [ca.parent, ca.grouping, ca.other, ca.category];
  return all.flatMap((x) => (x === undefined ? [] : Array.isArray(x) ? x : [x])) as XapiActivity[];
}

function courseAndCohort(s: XapiStatement): { course?: string; cohort?: string } {
  const acts = contextActivities(s);
  const obj = s.object.objectType === "Activity" ? (s.object as XapiActivity) : undefined;
  const courseAct = acts.find((a) => COURSE_TYPE.test(a.definition?.type ?? "")) ?? (obj && COURSE_TYPE.test(obj.definition?.type ?? "") ? obj : undefined);
  const cohortAct = acts.find((a) => COHORT_TYPE.test(a.definition?.type ?? ""));
  const ext = Object.entries(s.context?.extensions ?? {});
  const fromExt = (re: RegExp) => ext.find(([k, v]) => re.test(k) && (typeof v === "string" || typeof v === "number"))?.[1];
  const courseIri = courseAct?.id ?? (fromExt(COURSE_EXT) !== undefined ? String(fromExt(COURSE_EXT)) : undefined);
  const cohort = cohortAct?.id ?? (fromExt(COHORT_EXT) !== undefined ? String(fromExt(COHORT_EXT)) : undefined);
  return { ...(courseIri ? { course: courseKeyIn(courseIri) ?? courseIri } : {}), ...(cohort ? { cohort } : {}) };
}

function objectOf(s: XapiStatement): { id?: string; kind?: string; iri?: string } {
  const o = s.object;
  switch (o.objectType) {
    case "Activity": {
      const a = o as XapiActivity;
      const type = a.definition?.type;
      return { id: objectKeyOf(a.id), iri: a.id, ...(type ? { kind: verbShortName(type) } : {}) };
    }
    case "StatementRef":
      return { id: o.id.toLowerCase(), kind: "statement" };
    case "SubStatement":
      return { kind: "substatement", ...(o.object.objectType === "Activity" ? { id: objectKeyOf(o.object.id) } : {}) };
    default: {
      const who = xapiIdentity(o as XapiActor);
      return { kind: o.objectType.toLowerCase(), ...(who ? { id: who.externalId } : {}) };
    }
  }
}

/**
 * Valid statements -> LMS events: verb = the verb IRI's last segment (`completed`, `passed`, `posted`,
 * `earned`…); score/maxScore from result.score (raw/max, else scaled out of 1); course from a context
 * Activity of type …/activities/course (or the object itself for `registered` on a course), or a
 * context extension named course/course_id; cohort likewise; Open edX keys extracted from IRIs.
 */
export function mapXapiToLmsEvents(statements: readonly ValidStatement[], opts: XapiMapOptions = {}): XapiMapResult {
  const source: SourceRef = { kind: "xapi", externalId: opts.source?.externalId ?? "xapi", name: opts.source?.name ?? "xAPI" };
  const out: XapiMapResult = { events: [], voids: [], skipped: [] };
  for (const v of statements) {
    if (v.statement.verb.id === VOIDED_VERB && v.statement.object.objectType === "StatementRef") {
      out.voids.push({ targetId: v.statement.object.id.toLowerCase(), byStatementId: v.id, voidedAt: v.timestamp });
    }
  }
  const voidingIds = new Set(out.voids.map((x) => x.byStatementId));
  // A voiding statement cannot itself be voided (xAPI-Data 2.3.2).
  const voided = new Set(out.voids.filter((x) => !voidingIds.has(x.targetId)).map((x) => x.targetId));

  for (const v of statements) {
    const s = v.statement;
    const actor = xapiIdentity(s.actor);
    if (!actor) {
      out.skipped.push({ id: v.id, reason: "anonymous Group actor: no one person to attribute it to" });
      continue;
    }
    const { course, cohort } = courseAndCohort(s);
    const obj = objectOf(s);
    const score = s.result?.score;
    const scoreFields =
      score?.raw !== undefined ? { score: score.raw, ...(score.max !== undefined ? { maxScore: score.max } : {}) } : score?.scaled !== undefined ? { score: score.scaled, maxScore: 1 } : {};
    const progress = s.result?.extensions?.[PROGRESS_EXT];
    const extra: Record<string, unknown> = { verbId: s.verb.id };
    if (obj.iri && obj.iri !== obj.id) extra.objectIri = obj.iri;
    if (s.result?.success !== undefined) extra.success = s.result.success;
    if (s.result?.completion !== undefined) extra.completion = s.result.completion;
    if (s.result?.duration !== undefined) extra.duration = s.result.duration;
    if (typeof progress === "number") extra.progress = progress;
    if (s.context?.registration) extra.registration = s.context.registration.toLowerCase();
    if (v.timestampAssigned) extra.timestampAssigned = true;
    out.events.push({
      type: "lms",
      source,
      externalId: v.id,
      actor,
      ...(course ? { courseExternalId: course } : {}),
      ...(cohort ? { cohortExternalId: cohort } : {}),
      verb: verbShortName(s.verb.id),
      ...(obj.id ? { objectId: obj.id } : {}),
      ...(obj.kind ? { objectKind: obj.kind } : {}),
      ...scoreFields,
      occurredAt: v.timestamp,
      ...(voided.has(v.id) ? { voided: true } : {}),
      extra,
    });
  }
  return out;
}
