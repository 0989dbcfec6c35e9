import * as t from "../../schema";
import type { BusinessCalendar } from "@/lib/metrics/calendar";
import { businessMinutesBetween } from "@/lib/metrics/business-time";
import type { Episode } from "@/lib/metrics/episodes";
import { evaluateSla, matchPolicy, type Priority, type SlaPolicy } from "@/lib/metrics/sla";
import type { SchoolContext } from "./context";
import type { ChannelInfo } from "./load";

export type EpisodeInsert = typeof t.episodes.$inferInsert;

const MINUTE = 60_000;

/**
 * Priority from the episode: `urgent` when any of its messages was negative (a complaint), else
 * `normal`. Nothing is derived as `low`: no signal in the data says a question can wait; a school can
 * still write `low` policies for future use.
 */
export function priorityOf(e: Pick<Episode, "negative">): Priority {
  return e.negative ? "urgent" : "normal";
}

export interface PolicyChoice {
  policy: SlaPolicy | null;
  /** The calendar business minutes are counted on: the policy's, else the school's default. */
  calendar: BusinessCalendar | null;
}

/**
 * The policy for an episode: most specific match on (owner role, channel kind, priority). The owner role
 * is the episode's: the channel's owner role, or for a DM the counterpart staff member's role (decided by
 * lib/metrics/episodes). A `business` policy with no calendar uses the school's default; with neither,
 * the policy cannot be evaluated and the episode is treated as having no policy (a warning says so).
 */
export function choosePolicy(ctx: SchoolContext, e: Episode, channel: ChannelInfo, warn: (message: string) => void): PolicyChoice {
  const fallback = ctx.defaultCalendarId !== null ? (ctx.calendars.get(ctx.defaultCalendarId) ?? null) : null;
  const policy = matchPolicy(ctx.policies, { ownerRole: e.ownerRole, channelKind: channel.kind, priority: priorityOf(e) });
  if (!policy) return { policy: null, calendar: fallback };
  const calendar = policy.calendarId !== null ? (ctx.calendars.get(policy.calendarId) ?? null) : fallback;
  if (policy.clock === "business" && calendar === null) {
    warn(`policy ${ctx.policyNames.get(policy.id) ?? policy.id} runs on business time but has no calendar and the school has no default calendar; its episodes get no target`);
    return { policy: null, calendar: null };
  }
  return { policy, calendar };
}

export interface SlaColumns {
  policyId: number | null;
  targetMinutes: number | null;
  clock: "business" | "calendar" | null;
  responseCalendarMinutes: number | null;
  responseBusinessMinutes: number | null;
  breached: boolean;
}

/**
 * SLA columns of an episode as of `now`:
 * - answered / open: lib/metrics/sla `evaluateSla` (open: breached = breaching now at recompute time;
 *   reports re-evaluate open episodes at their own `now`);
 * - abandoned: breached whenever it has a target (METRICS.md: "it stays a breach");
 * - resolved by bot: never breached — a deflection is not a human response, so it is left out of SLA
 *   compliance (neither met nor known);
 * - no policy: no target, never breached; response minutes are still recorded.
 */
export function slaColumns(e: Episode, choice: PolicyChoice, now: Date): SlaColumns {
  const { policy, calendar } = choice;
  const answeredAt = e.status === "answered" ? e.answeredAt : null;
  const responseCalendarMinutes = answeredAt ? Math.max(0, answeredAt.getTime() - e.openedAt.getTime()) / MINUTE : null;
  if (!policy || (e.status !== "answered" && e.status !== "open")) {
    const responseBusinessMinutes = answeredAt && calendar ? businessMinutesBetween(calendar, e.openedAt, answeredAt) : null;
    if (!policy) return { policyId: null, targetMinutes: null, clock: null, responseCalendarMinutes, responseBusinessMinutes, breached: false };
    return { policyId: policy.id, targetMinutes: policy.targetMinutes, clock: policy.clock, responseCalendarMinutes, responseBusinessMinutes, breached: e.status === "abandoned" };
  }
  // evaluateSla counts business minutes on the same calendar: reuse them (business time is the costly part).
  const ev = evaluateSla({ openedAt: e.openedAt, answeredAt, policy, calendar, now });
  return { policyId: policy.id, targetMinutes: policy.targetMinutes, clock: policy.clock, responseCalendarMinutes, responseBusinessMinutes: ev.responseBusinessMinutes, breached: ev.breached };
}

/** The `episodes` row of a derived episode (computed_at is left to the database clock). */
export function episodeRow(ctx: SchoolContext, e: Episode, channel: ChannelInfo, now: Date, warn: (message: string) => void): EpisodeInsert {
  const sla = slaColumns(e, choosePolicy(ctx, e, channel, warn), now);
  return {
    schoolId: ctx.schoolId,
    channelId: e.scope.channelId,
    threadId: e.scope.threadId,
    studentPersonId: e.studentPersonId,
    // The scope's cohort (METRICS.md: CSAT "attributed to the scope's cohort"). DMs have none here;
    // reports fall back to the student's enrollment at read time, so roster changes need no recompute.
    cohortId: channel.cohortId,
    openedMessageId: e.openedMessageId,
    openedAt: e.openedAt,
    lastStudentMessageAt: e.lastStudentMessageAt,
    messageCount: e.messageCount,
    kind: e.kind,
    status: e.status,
    priority: priorityOf(e),
    category: e.category,
    ownerRole: e.ownerRole,
    ownerPersonId: e.ownerPersonId,
    answeredAt: e.answeredAt,
    answerMessageId: e.answerMessageId,
    responderPersonId: e.responderPersonId,
    firstBotReplyAt: e.firstBotReplyAt,
    firstPeerReplyAt: e.firstPeerReplyAt,
    ...sla,
  };
}
