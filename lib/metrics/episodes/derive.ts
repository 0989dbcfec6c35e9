import {
  addressing,
  authorClass,
  buildContext,
  canRespond,
  isQuicklyDeleted,
  isSubstantive,
  joinsOpenEpisode,
  needsAnswer,
  quotedAuthor,
  type ScopeContext,
} from "./addressing";
import {
  ABANDON_AFTER_MS,
  BOT_FOLLOW_UP_MS,
  CONTACT_QUIET_MS,
  MS_PER_MINUTE,
  STAFF_ROLES,
  type CheckpointEpisode,
  type Episode,
  type EpisodeJson,
  type EpisodeMessage,
  type EpisodeStatus,
  type Role,
  type ScopeCheckpoint,
  type ScopeInput,
  type StaffInitiatedContact,
} from "./types";

/** Deterministic order: by sent time, then by id. Duplicate ids are a caller bug (ids are primary keys). */
export function sortMessages(messages: readonly EpisodeMessage[]): EpisodeMessage[] {
  const sorted = [...messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime() || a.id - b.id);
  const ids = new Set<number>();
  for (const m of sorted) {
    if (ids.has(m.id)) throw new Error(`deriveEpisodes: duplicate message id ${m.id}`);
    ids.add(m.id);
  }
  return sorted;
}

/** `a` comes after `b` in the deterministic message order. */
function isAfter(a: { sentAt: Date; id: number }, b: { sentAt: Date; id: number }): boolean {
  return a.sentAt.getTime() - b.sentAt.getTime() > 0 || (a.sentAt.getTime() === b.sentAt.getTime() && a.id > b.id);
}

/** An episode being built. It is "unclosed" until answered, abandoned or resolved by a bot. */
interface Working {
  episode: Episode;
  /** External ids of the messages that opened or joined it (a staff quote of one answers it). */
  externalIds: Set<string>;
  /** The first bot reply after the student's latest message; a student follow-up clears it. */
  pendingBotAt: number | null;
  deadline: number;
}

export interface ScopeAnalysis {
  episodes: Episode[];
  contacts: StaffInitiatedContact[];
  /** Under input.checkpoint: the state before the scope's last lagMs of messages (null: none taken). */
  checkpoint: ScopeCheckpoint | null;
}

const ms = (d: Date | null): number | null => (d === null ? null : d.getTime());
const date = (n: number | null): Date | null => (n === null ? null : new Date(n));

function episodeToJson(e: Episode): EpisodeJson {
  return {
    ...e,
    scope: { ...e.scope },
    openedAt: e.openedAt.getTime(),
    lastStudentMessageAt: e.lastStudentMessageAt.getTime(),
    answeredAt: ms(e.answeredAt),
    firstBotReplyAt: ms(e.firstBotReplyAt),
    firstPeerReplyAt: ms(e.firstPeerReplyAt),
  };
}

function episodeFromJson(e: EpisodeJson): Episode {
  return {
    ...e,
    scope: { ...e.scope },
    openedAt: new Date(e.openedAt),
    lastStudentMessageAt: new Date(e.lastStudentMessageAt),
    answeredAt: date(e.answeredAt),
    firstBotReplyAt: date(e.firstBotReplyAt),
    firstPeerReplyAt: date(e.firstPeerReplyAt),
  };
}

const toCheckpointEpisode = (w: Working): CheckpointEpisode => ({
  episode: episodeToJson(w.episode),
  externalIds: [...w.externalIds],
  pendingBotAt: w.pendingBotAt,
  deadline: w.deadline,
});

const fromCheckpointEpisode = (c: CheckpointEpisode): Working => ({
  episode: episodeFromJson(c.episode),
  externalIds: new Set(c.externalIds),
  pendingBotAt: c.pendingBotAt,
  deadline: c.deadline,
});

function botDeflected(w: Working, at: number): boolean {
  return w.pendingBotAt !== null && at > w.pendingBotAt + BOT_FOLLOW_UP_MS;
}

/** Does `m` (a reply or mention) refer to this episode: quotes one of its messages, or names its student? */
function refersTo(ctx: ScopeContext, m: EpisodeMessage, w: Working): boolean {
  const student = w.episode.studentPersonId;
  if (m.mentionPersonIds.includes(student)) return true;
  const quoted = quotedAuthor(ctx, m);
  if (!quoted) return false;
  return quoted.message ? w.externalIds.has(quoted.message.externalId) : quoted.personId === student;
}

/** The unclosed episodes a staff or bot message responds to (rule 3), never the author's own. */
function respondedEpisodes(ctx: ScopeContext, m: EpisodeMessage, unclosed: readonly Working[]): Working[] {
  const candidates = unclosed.filter((w) => w.episode.studentPersonId !== m.authorPersonId);
  if (ctx.answersAll) return candidates;
  if (ctx.channel.attribution === "fifo" && addressing(ctx, m).unaddressed) return candidates.slice(0, 1);
  return candidates.filter((w) => refersTo(ctx, m, w));
}

interface Owner {
  ownerRole: Role | null;
  ownerPersonId: number | null;
}

/** Owner of a DM episode: the channel's owner when set, else the DM's staff counterpart around the opening. */
function dmOwner(ctx: ScopeContext, staffMessages: readonly EpisodeMessage[], opened: EpisodeMessage): Owner {
  const { ownerPersonId, ownerRole } = ctx.channel;
  if (ownerPersonId !== null) {
    const role = ownerRole ?? ctx.roleOfPerson(ownerPersonId);
    return { ownerPersonId, ownerRole: STAFF_ROLES.has(role) ? role : ownerRole };
  }
  const firstAfter = staffMessages.findIndex((s) => isAfter(s, opened));
  const counterpart = firstAfter === -1 ? staffMessages.at(-1) : (staffMessages[firstAfter - 1] ?? staffMessages[firstAfter]);
  if (!counterpart) return { ownerPersonId: null, ownerRole };
  return { ownerPersonId: counterpart.authorPersonId, ownerRole: ownerRole ?? counterpart.authorRole };
}

/** Derive the episodes and staff-initiated DM contacts of one scope. Pure: the same message set gives the same result. */
export function analyzeScope(input: ScopeInput): ScopeAnalysis {
  const { channel, threadId, now, resume } = input;
  const sorted = sortMessages(input.messages);
  const isDm = channel.kind === "dm";
  if (resume && isDm) throw new Error("analyzeScope: a DM is always derived whole (no checkpoint)");
  const from = resume?.checkpoint;
  if (from && sorted.some((m) => !isAfter(m, { sentAt: new Date(from.afterSentMs), id: from.afterId }))) {
    throw new Error("analyzeScope: a resumed run takes only the messages after its checkpoint");
  }
  const ctx = buildContext(channel, threadId, sorted, input.roleOf, from && resume ? { quoted: resume.quoted, observed: from.observed } : undefined);
  const live = sorted.filter((m) => !isQuicklyDeleted(m));
  const staffMessages = live.filter((m) => authorClass(ctx, m) === "staff");
  const scope = { channelId: channel.id, threadId };

  const carried = (from?.unclosed ?? []).map(fromCheckpointEpisode);
  const all: Working[] = [...carried];
  let unclosed: Working[] = [...carried];
  const seenStudents = new Set<number>(from?.seen ?? []);
  const contacts: StaffInitiatedContact[] = [];
  let lastHumanAt: number | null = null;

  const close = (w: Working, status: EpisodeStatus) => {
    w.episode.status = status;
    unclosed = unclosed.filter((x) => x !== w);
  };
  const closeExpired = (at: number) => {
    for (const w of unclosed) {
      if (at >= w.deadline) close(w, botDeflected(w, w.deadline) ? "resolved_by_bot" : "abandoned");
    }
  };
  const open = (m: EpisodeMessage) => {
    const student = m.authorPersonId;
    const owner = ctx.isDm ? dmOwner(ctx, staffMessages, m) : { ownerRole: channel.ownerRole, ownerPersonId: channel.ownerPersonId };
    const w: Working = {
      episode: {
        scope: { ...scope },
        studentPersonId: student,
        openedMessageId: m.id,
        openedAt: m.sentAt,
        lastStudentMessageAt: m.sentAt,
        messageCount: 1,
        kind: seenStudents.has(student) ? "next" : "first",
        status: "open",
        answeredAt: null,
        answerMessageId: null,
        responderPersonId: null,
        firstBotReplyAt: null,
        firstPeerReplyAt: null,
        handoffMinutes: null,
        negative: m.negative,
        category: m.category,
        ...owner,
      },
      externalIds: new Set([m.externalId]),
      pendingBotAt: null,
      deadline: m.sentAt.getTime() + ABANDON_AFTER_MS,
    };
    seenStudents.add(student);
    all.push(w);
    unclosed.push(w);
  };
  const join = (w: Working, m: EpisodeMessage) => {
    const e = w.episode;
    e.messageCount += 1;
    e.lastStudentMessageAt = m.sentAt;
    e.negative ||= m.negative;
    e.category ??= m.category;
    w.externalIds.add(m.externalId);
    w.pendingBotAt = null;
  };

  // Checkpoint bookkeeping walks every message (a quickly deleted one still moves the point: the next run
  // reads strictly after it). The state is copied just before the first message inside the lag window.
  const policy = input.checkpoint && !isDm ? input.checkpoint : null;
  const boundary = policy && sorted.length > 0 ? (sorted.at(-1)?.sentAt.getTime() ?? 0) - policy.lagMs : null;
  let checkpoint: ScopeCheckpoint | null = policy && sorted.length === 0 ? (from ?? null) : null;
  let taken = false;
  let count = from?.messages ?? 0;
  let point: { sentMs: number; id: number } | null = from ? { sentMs: from.afterSentMs, id: from.afterId } : null;
  const observedBefore = new Map<number, Role>(from?.observed ?? []);
  const snapshot = (): ScopeCheckpoint | null => {
    if (!policy || point === null || count < policy.minMessages) return null;
    return {
      afterSentMs: point.sentMs,
      afterId: point.id,
      messages: count,
      unclosed: unclosed.map(toCheckpointEpisode),
      seen: [...seenStudents],
      observed: [...observedBefore].filter(([, role]) => role !== "student"),
    };
  };

  for (const m of sorted) {
    const t = m.sentAt.getTime();
    if (boundary !== null && !taken && t >= boundary) {
      checkpoint = snapshot();
      taken = true;
    }
    if (policy) observedBefore.set(m.authorPersonId, m.isBot ? "bot" : m.authorRole);
    count++;
    point = { sentMs: t, id: m.id };
    if (isQuicklyDeleted(m)) continue;
    closeExpired(t);
    const cls = authorClass(ctx, m);

    if (cls === "bot") {
      if (!canRespond(m)) continue;
      for (const w of respondedEpisodes(ctx, m, unclosed)) {
        w.episode.firstBotReplyAt ??= m.sentAt;
        w.pendingBotAt ??= t;
      }
      continue;
    }

    if (cls === "student") {
      if (isSubstantive(m)) {
        for (const w of unclosed) {
          if (w.episode.studentPersonId !== m.authorPersonId && refersTo(ctx, m, w)) w.episode.firstPeerReplyAt ??= m.sentAt;
        }
      }
      const own = unclosed.find((w) => w.episode.studentPersonId === m.authorPersonId);
      if (own && joinsOpenEpisode(ctx, m)) {
        if (botDeflected(own, t)) {
          close(own, "resolved_by_bot");
          if (needsAnswer(ctx, m)) open(m);
        } else {
          join(own, m);
        }
      } else if (!own && needsAnswer(ctx, m)) {
        open(m);
      }
    }

    if (cls === "staff" && canRespond(m)) {
      const answered = respondedEpisodes(ctx, m, unclosed);
      for (const w of answered) {
        const e = w.episode;
        e.answeredAt = m.sentAt;
        e.answerMessageId = m.id;
        e.responderPersonId = m.authorPersonId;
        e.handoffMinutes = e.firstBotReplyAt ? (t - e.firstBotReplyAt.getTime()) / MS_PER_MINUTE : null;
        close(w, "answered");
      }
      const quiet = lastHumanAt === null || t - lastHumanAt >= CONTACT_QUIET_MS;
      if (ctx.isDm && answered.length === 0 && quiet) {
        contacts.push({
          scope: { ...scope },
          messageId: m.id,
          sentAt: m.sentAt,
          staffPersonId: m.authorPersonId,
          staffRole: m.authorRole,
          studentPersonId: null,
          studentRepliedAt: null,
        });
      }
    }

    if (m.contentKind !== "service") lastHumanAt = t;
  }

  closeExpired(now.getTime());
  for (const w of unclosed) w.episode.status = botDeflected(w, now.getTime()) ? "resolved_by_bot" : "open";

  return { episodes: all.map((w) => w.episode), contacts: ctx.isDm ? withStudentReplies(ctx, live, contacts) : [], checkpoint };
}

function withStudentReplies(ctx: ScopeContext, live: readonly EpisodeMessage[], contacts: StaffInitiatedContact[]): StaffInitiatedContact[] {
  const studentMessages = live.filter((m) => authorClass(ctx, m) === "student" && m.contentKind !== "service");
  const student = ctx.channel.dmStudentPersonId ?? studentMessages[0]?.authorPersonId ?? null;
  return contacts.map((c) => {
    const reply = studentMessages.find(
      (m) => m.authorPersonId === student && isAfter(m, { sentAt: c.sentAt, id: c.messageId }),
    );
    return { ...c, studentPersonId: student, studentRepliedAt: reply?.sentAt ?? null };
  });
}
