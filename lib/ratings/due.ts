import type { RatingPolicy } from "./policy";

/** An answered episode of the source, not rated and not asked yet, as db/queries/rating-requests reads it. */
export interface DueCandidate {
  episodeId: number;
  /** The episode's opening message id: stable across recomputes (lib/ratings/token.ts). */
  episodeKey: number;
  answeredAt: Date;
  channelExternalId: string;
  channelKind: "group" | "channel" | "forum" | "dm";
  channelPurpose: "support" | "community" | "announcements" | "ignored";
  threadExternalId: string | null;
  studentPersonId: number;
  /** The student's id in this source; null when they have none here (they cannot be asked here). */
  studentExternalId: string | null;
  responderExternalId: string | null;
  responderName: string | null;
  responderRole: string | null;
  answerMessageExternalId: string;
  /** The student's latest survey in any source of the school, for the once-per-N-hours rule. */
  lastAskedAt: Date | null;
}

export type SkipReason = "dm_not_allowed" | "channel_off" | "not_support" | "asked_recently" | "no_student_identity";

export interface DueSelection {
  due: DueCandidate[];
  skipped: Array<{ episodeId: number; reason: SkipReason }>;
  /** The last candidate looked at (offered or skipped): the next page starts after it. */
  last: DueCandidate | null;
}

/**
 * Which candidates the bot should ask about, in order. Pure: `candidates` are in (answeredAt, id)
 * order and already past the cursor. A student is asked at most once per `minHoursBetweenAsks`: a
 * survey sent within that time before `now` counts, and so does an earlier episode on this same page
 * (the bot is about to ask about it).
 * A skipped episode is not offered again later: the cursor moves past it, because a question hours
 * after the answer is worth little and a student asked twice in a day stops answering.
 */
export function selectDue(candidates: readonly DueCandidate[], policy: RatingPolicy, limit: number, now: Date): DueSelection {
  const due: DueCandidate[] = [];
  const skipped: DueSelection["skipped"] = [];
  const onPage = new Set<number>();
  const gapMs = policy.minHoursBetweenAsks * 3_600_000;
  let last: DueCandidate | null = null;
  for (const c of candidates) {
    if (due.length >= limit) break;
    last = c;
    const override = policy.channels[c.channelExternalId];
    let reason: SkipReason | null = null;
    if (override === false) reason = "channel_off";
    else if (override !== true && c.channelKind === "dm" && !policy.askInDms) reason = "dm_not_allowed";
    else if (override !== true && c.channelKind !== "dm" && c.channelPurpose !== "support") reason = "not_support";
    else if (c.studentExternalId === null) reason = "no_student_identity";
    else if (gapMs > 0 && (onPage.has(c.studentPersonId) || (c.lastAskedAt !== null && now.getTime() - c.lastAskedAt.getTime() < gapMs))) reason = "asked_recently";
    if (reason) {
      skipped.push({ episodeId: c.episodeId, reason });
      continue;
    }
    due.push(c);
    onPage.add(c.studentPersonId);
  }
  return { due, skipped, last };
}
