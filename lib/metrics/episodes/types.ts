import type { Role } from "@/lib/ingest/types";

/** Input and output shapes of episode derivation (METRICS.md, "Waiting episodes"). */

export type { Role };

export const STAFF_ROLES: ReadonlySet<Role> = new Set<Role>(["coordinator", "mentor", "reviewer", "support", "team_lead"]);

export type ChannelKind = "group" | "channel" | "forum" | "dm";
export type ChannelPurpose = "support" | "community" | "announcements" | "ignored";
export type AttributionMode = "strict" | "fifo";
export type ContentKind = "text" | "sticker" | "media" | "service";
export type MessageCategory = "organisational" | "content" | "technical" | "emotional" | "other";
export type EpisodeKind = "first" | "next";
export type EpisodeStatus = "open" | "answered" | "resolved_by_bot" | "abandoned";

/** The channel settings that shape episodes (a subset of the `channels` row). */
export interface EpisodeChannel {
  id: number;
  kind: ChannelKind;
  purpose: ChannelPurpose;
  attribution: AttributionMode;
  ownerRole: Role | null;
  ownerPersonId: number | null;
  /** For DMs: the non-staff participant. When set, only this person opens episodes in the DM. */
  dmStudentPersonId: number | null;
}

/** Message metadata as stored (`messages` row); text-derived flags were decided at ingestion. */
export interface EpisodeMessage {
  id: number;
  externalId: string;
  authorPersonId: number;
  authorRole: Role;
  isBot: boolean;
  sentAt: Date;
  deletedAt: Date | null;
  contentKind: ContentKind;
  isAck: boolean;
  hasQuestion: boolean;
  negative: boolean;
  category: MessageCategory | null;
  replyToExternalId: string | null;
  /** Author of the quoted message, when the source tells it. */
  replyToPersonId: number | null;
  mentionPersonIds: readonly number[];
}

/** Role of a person referenced by a reply or a mention; `undefined` = nobody on the roster (a student). */
export type RoleLookup = (personId: number) => Role | undefined;

/** One scope: a thread (`threadId` set) or the channel's main timeline (`threadId` null). */
export interface ScopeInput {
  channel: EpisodeChannel;
  threadId: number | null;
  /** The scope's messages in any order. */
  messages: readonly EpisodeMessage[];
  roleOf: RoleLookup;
  now: Date;
  /** Continue from a stored checkpoint: `messages` are then only those after it (see ScopeCheckpoint). */
  resume?: ResumeFrom;
  /** Where to take a checkpoint for the next run; none without a policy, and never in a DM. */
  checkpoint?: CheckpointPolicy;
}

/**
 * The derivation state of a scope after its messages up to (afterSentMs, afterId) in the (sentAt, id)
 * order: what a later run needs to derive only the messages after that point and get exactly what a run
 * over all of them gives (episodes.checkpoint.test.ts). Episodes closed before the point never change
 * again (no rule touches a closed episode), so only the unclosed ones are carried. JSON-safe: times are
 * epoch milliseconds. DMs take none: their owners and check-in contacts look back across the whole DM.
 */
export interface ScopeCheckpoint {
  afterSentMs: number;
  afterId: number;
  /** Messages up to the point (the policy's minimum counts them across runs). */
  messages: number;
  unclosed: CheckpointEpisode[];
  /** Students who opened an episode before the point (the next one of theirs is `next`, not `first`). */
  seen: number[];
  /** The role each author last wrote with before the point, where it is not `student` (the default). */
  observed: Array<[number, Role]>;
}

export interface CheckpointEpisode {
  episode: EpisodeJson;
  externalIds: string[];
  pendingBotAt: number | null;
  deadline: number;
}

/** An Episode with its times as epoch milliseconds. */
export type EpisodeJson = Omit<Episode, "openedAt" | "lastStudentMessageAt" | "answeredAt" | "firstBotReplyAt" | "firstPeerReplyAt"> & {
  openedAt: number;
  lastStudentMessageAt: number;
  answeredAt: number | null;
  firstBotReplyAt: number | null;
  firstPeerReplyAt: number | null;
};

export interface ResumeFrom {
  checkpoint: ScopeCheckpoint;
  /** Messages of the scope at or before the point that messages after it quote (reply targets). */
  quoted: readonly EpisodeMessage[];
}

/**
 * Take a checkpoint before the messages of the last `lagMs` of the scope (a message delivered late by up
 * to that much still falls after it), once at least `minMessages` messages precede it (smaller scopes
 * are cheap to derive whole).
 */
export interface CheckpointPolicy {
  lagMs: number;
  minMessages: number;
}

export interface EpisodeScope {
  channelId: number;
  /** null = the channel's main timeline. */
  threadId: number | null;
}

/** A waiting episode; the fields map onto the `episodes` table (SLA columns are filled by lib/metrics/sla). */
export interface Episode {
  scope: EpisodeScope;
  studentPersonId: number;
  openedMessageId: number;
  openedAt: Date;
  lastStudentMessageAt: Date;
  messageCount: number;
  kind: EpisodeKind;
  status: EpisodeStatus;
  answeredAt: Date | null;
  answerMessageId: number | null;
  responderPersonId: number | null;
  firstBotReplyAt: Date | null;
  firstPeerReplyAt: Date | null;
  /** Human answer − first bot reply, in calendar minutes (not rounded); null without both. */
  handoffMinutes: number | null;
  /** Any message of the episode was negative (→ priority `urgent` in SLA evaluation). */
  negative: boolean;
  category: MessageCategory | null;
  ownerRole: Role | null;
  ownerPersonId: number | null;
}

/** A DM message in which a staff member wrote first, not as an answer (check-in coverage). */
export interface StaffInitiatedContact {
  scope: EpisodeScope;
  messageId: number;
  sentAt: Date;
  staffPersonId: number;
  staffRole: Role;
  /** The DM's student (`dmStudentPersonId`, else the DM's first student author); null if unknown. */
  studentPersonId: number | null;
  /** The student's first message after the contact (any kind but service), or null: no reply yet. */
  studentRepliedAt: Date | null;
}

/** A message that carries its scope, for deriving many scopes from one flat list. */
export interface ScopedEpisodeMessage extends EpisodeMessage {
  channelId: number;
  threadId: number | null;
}

export interface ManyScopesInput {
  channels: ReadonlyMap<number, EpisodeChannel>;
  messages: readonly ScopedEpisodeMessage[];
  roleOf: RoleLookup;
  now: Date;
  /** Per scope (scopeKey): continue from a checkpoint; `messages` then hold only those after it. */
  resume?: ReadonlyMap<string, ResumeFrom>;
  checkpoint?: CheckpointPolicy;
}

export interface ScopesDerivation {
  episodes: Episode[];
  contacts: StaffInitiatedContact[];
  /** Per scope (scopeKey), the checkpoint taken under the policy; absent where none was taken. */
  checkpoints: Map<string, ScopeCheckpoint>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** A message deleted this soon after sending is treated as never sent (inclusive). */
export const QUICK_DELETE_MS = MINUTE_MS;
/** A bot reply the student does not follow up within this window deflects the episode. */
export const BOT_FOLLOW_UP_MS = DAY_MS;
/** An episode open this long with no answer is abandoned (elapsed time, inclusive). */
export const ABANDON_AFTER_MS = 7 * DAY_MS;
/** A staff DM message starts a new contact only after this much silence in the DM. */
export const CONTACT_QUIET_MS = HOUR_MS;
export const MS_PER_MINUTE = MINUTE_MS;
