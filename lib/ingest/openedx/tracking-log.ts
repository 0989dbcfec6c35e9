import type { IdentityRef, IngestEvent, LmsEvent, MessageEvent, RosterEvent, SourceRef } from "../types";
import { countIgnored, emptyImportResult, isRecord, type ImportResult } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { readJsonValues } from "../common/json-values";
import { stableDigest } from "../common/stable-id";
import { blockKey, courseKeyIn } from "./keys";

export interface OpenedxLogOptions {
  source?: Partial<SourceRef>;
}

export type OpenedxLogResult = ImportResult & {
  /** Forum deletions by someone other than the author (a moderator): the author is not in the event. */
  unattributedDeletes: Array<{ messageId: string; channelId: string; deletedAt: Date }>;
};

/** Forum roles and course roles that make a person staff (FORMATS.md 6b; Open edX django_comment_client roles). */
const STAFF_FORUM_ROLES = new Set(["Administrator", "Moderator", "Community TA", "Group Moderator"]);
const STAFF_COURSE_ROLES = new Set(["instructor", "staff"]);

/** Video events, old browser names and newer edx.video.* names, to the verbs event-routing-backends uses. */
const VIDEO_VERBS: Record<string, string> = {
  load_video: "initialized", "edx.video.loaded": "initialized",
  play_video: "played", "edx.video.played": "played",
  pause_video: "paused", "edx.video.paused": "paused",
  seek_video: "seeked", "edx.video.position.changed": "seeked",
  stop_video: "terminated", "edx.video.stopped": "terminated",
  complete_video: "completed", "edx.video.completed": "completed",
};

const LMS_EVENTS = new Set([
  "edx.course.enrollment.activated", "edx.course.enrollment.deactivated", "edx.course.grade.now_passed", "edx.course.grade.now_failed",
  "edx.grades.subsection.grade_calculated", "edx.grades.course.grade_calculated", "edx.completion.block_completion.changed", "problem_check",
]);

interface Raw {
  name: string;
  at: Date;
  rawTime: string;
  data: Record<string, unknown>;
  ctx: Record<string, unknown>;
  top: Record<string, unknown>;
  line: number;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);

/** Forum bodies are HTML; the product classifies plain text. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(p|div|li|h\d)>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * Raw Open edX tracking logs: one JSON event per line (pretty-printed and syslog-prefixed copies are
 * read too). Forum posts become message events in a per-course forum channel with a thread per
 * discussion; `user_forums_roles` / `user_course_roles` mark staff, who also get roster events (role
 * mentor); grades, completion, enrollment and video become LMS events with the same verbs, object keys
 * and course keys as the xAPI that event-routing-backends emits for them.
 */
export function parseOpenedxTrackingLog(text: string, opts: OpenedxLogOptions = {}): OpenedxLogResult {
  const out: OpenedxLogResult = { ...emptyImportResult(), unattributedDeletes: [] };
  const source: SourceRef = { kind: "openedx", externalId: opts.source?.externalId ?? "openedx", name: opts.source?.name ?? "Open edX" };
  const staff = new Set<string>();
  const { values, errors } = readJsonValues(text);
  for (const e of errors) out.rejected.push({ line: e.line, reason: e.reason });

  for (const { value, line } of values) {
    const raw = readEvent(value, line);
    if ("reason" in raw) {
      out.rejected.push({ line, reason: raw.reason });
      continue;
    }
    const produced = toEvents(raw, source, out);
    if (produced === null) {
      countIgnored(out.ignored, `event ${raw.name}`);
      continue;
    }
    for (const ev of produced) {
      if (ev.type === "roster") {
        if (staff.has(ev.identity.externalId)) continue;
        staff.add(ev.identity.externalId);
      }
      out.events.push(ev);
    }
  }
  out.rejected.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return out;
}

function readEvent(value: unknown, line: number): Raw | { reason: string } {
  if (!isRecord(value)) return { reason: "an event must be a JSON object" };
  const name = str(value.name) ?? str(value.event_type);
  if (!name) return { reason: "no name or event_type" };
  const rawTime = str(value.timestamp) ?? str(value.time);
  const at = rawTime ? parseIsoInstant(rawTime) : null;
  if (!rawTime || !at) return { reason: `${name}: no valid timestamp/time` };
  // Browser events carry `event` as a JSON *string*; server events an object (`data` in newer logs).
  let data: unknown = value.data ?? value.event ?? {};
  if (typeof data === "string") {
    try {
      data = JSON.parse(data);
    } catch {
      data = {};
    }
  }
  return { name, at, rawTime, data: isRecord(data) ? data : {}, ctx: isRecord(value.context) ? value.context : {}, top: value, line };
}

function toEvents(r: Raw, source: SourceRef, out: OpenedxLogResult): IngestEvent[] | null {
  if (r.name.startsWith("edx.forum.")) return forumEvents(r, source, out);
  const course = courseKeyIn(str(r.ctx.course_id) ?? str(r.data.course_id) ?? "") ?? undefined;
  // Grades and completion name the learner in data.user_id; context.user_id is whoever triggered the
  // recalculation (staff rescoring, a background task) — the sample has 4 vs 3.
  const userId = str(r.data.user_id) ?? str(r.ctx.user_id);
  if (!userId) {
    if (!(r.name in VIDEO_VERBS) && !LMS_EVENTS.has(r.name)) return null;
    out.rejected.push({ line: r.line, reason: `${r.name}: no user id` });
    return [];
  }
  const ctxUser = str(r.ctx.user_id);
  const username = ctxUser === userId ? (str(r.ctx.username) ?? str(r.top.username)) : undefined;
  const actor: IdentityRef = { externalId: userId, ...(username ? { username } : {}) };
  const lms = (verb: string, objectId: string | undefined, objectKind: string, more: Partial<LmsEvent> = {}): LmsEvent[] => [
    {
      type: "lms",
      source,
      externalId: `oedx:${stableDigest([r.name, r.rawTime, userId, objectId ?? ""], 24)}`,
      actor,
      ...(course ? { courseExternalId: course } : {}),
      verb,
      ...(objectId ? { objectId } : {}),
      objectKind,
      occurredAt: r.at,
      ...more,
      extra: { event: r.name, ...(more.extra ?? {}) },
    },
  ];
  const videoVerb = VIDEO_VERBS[r.name];
  if (videoVerb) {
    const id = str(r.data.id);
    return lms(videoVerb, course && id ? blockKey(course, "video", id) : id, "video", typeof r.data.duration === "number" ? { extra: { duration: r.data.duration } } : {});
  }
  switch (r.name) {
    case "edx.course.enrollment.activated":
      return lms("registered", course, "course", str(r.data.mode) ? { extra: { mode: str(r.data.mode) } } : {});
    case "edx.course.enrollment.deactivated":
      return lms("unregistered", course, "course");
    case "edx.course.grade.now_passed":
      return lms("passed", course, "course");
    case "edx.course.grade.now_failed":
      return lms("failed", course, "course");
    case "edx.grades.subsection.grade_calculated": {
      const earned = r.data.weighted_total_earned;
      const possible = r.data.weighted_total_possible;
      const block = str(r.data.block_id);
      return lms("earned", block, blockType(block) ?? "subsection", {
        ...(typeof earned === "number" ? { score: earned } : {}),
        ...(typeof possible === "number" ? { maxScore: possible } : {}),
      });
    }
    case "edx.grades.course.grade_calculated":
      return lms("earned", course, "course", typeof r.data.percent_grade === "number" ? { score: r.data.percent_grade, maxScore: 1 } : {});
    case "edx.completion.block_completion.changed": {
      const block = str(r.data.block_id);
      const completion = r.data.completion;
      return lms("progressed", block, str(r.data.block_type) ?? blockType(block) ?? "block", typeof completion === "number" ? { extra: { progress: completion * 100 } } : {});
    }
    case "problem_check": {
      // The browser's problem_check only carries the raw answers; the server's carries the grade.
      if ((str(r.top.event_source) ?? str(r.ctx.event_source)) !== "server" || typeof r.data.grade !== "number") return null;
      const problem = str(r.data.problem_id);
      return lms("evaluated", problem, "problem", {
        score: r.data.grade,
        ...(typeof r.data.max_grade === "number" ? { maxScore: r.data.max_grade } : {}),
        extra: { success: r.data.success === "correct", ...(typeof r.data.attempts === "number" ? { attempts: r.data.attempts } : {}) },
      });
    }
    default:
      return null;
  }
}

function blockType(key: string | undefined): string | undefined {
  return key ? /\+type@([^+]+)\+/.exec(key)?.[1] : undefined;
}

function forumEvents(r: Raw, source: SourceRef, out: OpenedxLogResult): IngestEvent[] | null {
  const m = /^edx\.forum\.(thread|response|comment)\.(created|edited|deleted)$/.exec(r.name);
  if (!m) return null;
  const [, kind, what] = m as unknown as [string, "thread" | "response" | "comment", "created" | "edited" | "deleted"];
  const course = courseKeyIn(str(r.ctx.course_id) ?? "");
  const userId = str(r.ctx.user_id);
  const postId = str(r.data.id);
  if (!course || !userId || !postId) {
    out.rejected.push({ line: r.line, reason: `${r.name}: needs context.course_id, context.user_id and data.id` });
    return [];
  }
  const author: IdentityRef = { externalId: userId, ...(str(r.ctx.username) ? { username: str(r.ctx.username) } : {}) };
  const channel = { externalId: `forum:${course}`, kind: "forum" as const, title: `${course} forum` };
  const threadId = kind === "thread" ? postId : str((r.data.discussion as Record<string, unknown> | undefined)?.id);
  const title = str(r.data.title);
  const thread = threadId ? { thread: { externalId: threadId, kind: "forum_topic" as const, ...(kind === "thread" && title ? { title } : {}) } } : {};
  const events: IngestEvent[] = [];

  const roles = [...arr(r.data.user_forums_roles), ...arr(r.data.user_course_roles)];
  if (roles.some((x) => STAFF_FORUM_ROLES.has(x) || STAFF_COURSE_ROLES.has(x))) {
    const roster: RosterEvent = { type: "roster", source, identity: author, role: "mentor" };
    events.push(roster);
  }
  const body = str(r.data.body);
  const text = body === undefined ? undefined : kind === "thread" && title ? `${title}\n\n${htmlToText(body)}` : htmlToText(body);

  if (what === "created") {
    const responseId = str((r.data.response as Record<string, unknown> | undefined)?.id);
    // A response answers the thread's opening post; a comment answers its response.
    const replyTo = kind === "response" && threadId ? threadId : kind === "comment" ? responseId : undefined;
    const msg: MessageEvent = {
      type: "message", action: "create", source, channel, ...thread, externalId: postId, author, sentAt: r.at,
      text: text ?? null, contentKind: "text", ...(replyTo ? { replyTo: { externalId: replyTo } } : {}), mentions: [],
    };
    events.push(msg);
  } else if (what === "edited") {
    // Edit events usually carry no new body: an edit without text would erase the stored text.
    if (text === undefined) {
      countIgnored(out.ignored, "forum edits without the new body");
      return events;
    }
    events.push({ type: "message", action: "edit", source, channel, ...thread, externalId: postId, author, sentAt: r.at, editedAt: r.at, text, contentKind: "text", mentions: [] });
  } else if (r.data.own_content === true) {
    events.push({ type: "message", action: "delete", source, channel, ...thread, externalId: postId, author, sentAt: r.at, deletedAt: r.at, mentions: [] });
  } else {
    out.unattributedDeletes.push({ messageId: postId, channelId: channel.externalId, deletedAt: r.at });
  }
  return events;
}

function arr(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
