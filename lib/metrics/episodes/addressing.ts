import {
  QUICK_DELETE_MS,
  STAFF_ROLES,
  type ChannelPurpose,
  type EpisodeChannel,
  type EpisodeMessage,
  type Role,
  type RoleLookup,
} from "./types";

/** What a scope knows about its messages and people, built once per derivation. */
export interface ScopeContext {
  channel: EpisodeChannel;
  threadId: number | null;
  isDm: boolean;
  /** A thread or a DM: any staff message answers every open episode there. */
  answersAll: boolean;
  purpose: ChannelPurpose;
  byExternalId: ReadonlyMap<string, EpisodeMessage>;
  roleOfPerson: (personId: number) => Role;
}

/** How a message's author takes part in episodes. `outsider`: a non-staff human in someone else's DM. */
export type AuthorClass = "student" | "staff" | "bot" | "outsider";
type PersonClass = "student" | "staff" | "bot";

/**
 * Threads and DMs are support places whatever the channel says (comments under an announcement need
 * answers), except in a channel the school set to `ignored`.
 */
export function effectivePurpose(channel: EpisodeChannel, threadId: number | null): ChannelPurpose {
  if (channel.purpose === "ignored") return "ignored";
  if (channel.kind === "dm" || threadId !== null) return "support";
  return channel.purpose;
}

export function buildContext(
  channel: EpisodeChannel,
  threadId: number | null,
  messages: readonly EpisodeMessage[],
  roleOf: RoleLookup,
  prior?: { quoted: readonly EpisodeMessage[]; observed: ReadonlyArray<readonly [number, Role]> },
): ScopeContext {
  // A resumed run (ScopeCheckpoint): earlier messages it quotes, and the roles earlier authors wrote with.
  const byExternalId = new Map<string, EpisodeMessage>((prior?.quoted ?? []).map((m) => [m.externalId, m]));
  const observed = new Map<number, Role>(prior?.observed ?? []);
  for (const m of messages) {
    byExternalId.set(m.externalId, m);
    observed.set(m.authorPersonId, m.isBot ? "bot" : m.authorRole);
  }
  const isDm = channel.kind === "dm";
  return {
    channel,
    threadId,
    isDm,
    answersAll: isDm || threadId !== null,
    purpose: effectivePurpose(channel, threadId),
    byExternalId,
    roleOfPerson: (personId) => roleOf(personId) ?? observed.get(personId) ?? "student",
  };
}

export function isQuicklyDeleted(m: EpisodeMessage): boolean {
  return m.deletedAt !== null && m.deletedAt.getTime() - m.sentAt.getTime() <= QUICK_DELETE_MS;
}

/** Not an acknowledgement, sticker or service message. */
export function isSubstantive(m: EpisodeMessage): boolean {
  return !m.isAck && m.contentKind !== "sticker" && m.contentKind !== "service";
}

export function authorClass(ctx: ScopeContext, m: EpisodeMessage): AuthorClass {
  if (m.isBot || m.authorRole === "bot") return "bot";
  const dmStudent = ctx.isDm ? ctx.channel.dmStudentPersonId : null;
  if (dmStudent !== null) return m.authorPersonId === dmStudent ? "student" : STAFF_ROLES.has(m.authorRole) ? "staff" : "outsider";
  return STAFF_ROLES.has(m.authorRole) ? "staff" : "student";
}

function personClass(ctx: ScopeContext, personId: number): PersonClass {
  if (ctx.isDm && personId === ctx.channel.dmStudentPersonId) return "student";
  const role = ctx.roleOfPerson(personId);
  if (role === "bot") return "bot";
  return STAFF_ROLES.has(role) ? "staff" : "student";
}

export interface QuotedAuthor {
  personId: number;
  cls: PersonClass;
  /** The quoted message when it is in the data. */
  message: EpisodeMessage | null;
}

/**
 * Author of the quoted message: from the data when the message is there, else the source's
 * `replyToPersonId`; null for no reply, or a reply to a message nobody knows (addresses nobody known).
 */
export function quotedAuthor(ctx: ScopeContext, m: EpisodeMessage): QuotedAuthor | null {
  if (m.replyToExternalId === null) return null;
  const quoted = ctx.byExternalId.get(m.replyToExternalId);
  if (quoted) {
    const cls = authorClass(ctx, quoted);
    return { personId: quoted.authorPersonId, cls: cls === "outsider" ? "student" : cls, message: quoted };
  }
  if (m.replyToPersonId === null) return null;
  return { personId: m.replyToPersonId, cls: personClass(ctx, m.replyToPersonId), message: null };
}

export interface Addressing {
  /** Replies to or mentions a staff member. */
  toStaff: boolean;
  /** Replies to or mentions another non-staff, non-bot person. */
  toPeer: boolean;
  /** Refers to nobody but the author: no mention, no reply to someone else's known message. */
  unaddressed: boolean;
}

export function addressing(ctx: ScopeContext, m: EpisodeMessage): Addressing {
  const targets: { personId: number; cls: PersonClass }[] = [];
  const quoted = quotedAuthor(ctx, m);
  if (quoted) targets.push(quoted);
  const mentions = m.mentionPersonIds.filter((p) => p !== m.authorPersonId);
  for (const p of mentions) targets.push({ personId: p, cls: personClass(ctx, p) });
  const others = targets.filter((t) => t.personId !== m.authorPersonId);
  return {
    toStaff: others.some((t) => t.cls === "staff"),
    toPeer: others.some((t) => t.cls === "student"),
    unaddressed: others.length === 0,
  };
}

/** Peers talking: addressed to another student and to no staff member. */
export function isPeerTalk(a: Addressing): boolean {
  return a.toPeer && !a.toStaff;
}

/** Rule 1: does this student message need an answer (open an episode when none is open)? */
export function needsAnswer(ctx: ScopeContext, m: EpisodeMessage): boolean {
  if (!isSubstantive(m)) return false;
  const a = addressing(ctx, m);
  switch (ctx.purpose) {
    case "support":
      return !isPeerTalk(a);
    case "community":
      return a.toStaff || (m.hasQuestion && !a.toPeer);
    case "announcements":
    case "ignored":
      return false;
  }
}

/**
 * Rule 2: does this student message join the student's open episode? Any substantive message that is
 * not peers talking: in `community` chats a follow-up needs no question mark to be part of the wait.
 */
export function joinsOpenEpisode(ctx: ScopeContext, m: EpisodeMessage): boolean {
  if (ctx.purpose === "announcements" || ctx.purpose === "ignored") return false;
  return isSubstantive(m) && !isPeerTalk(addressing(ctx, m));
}

/** Staff and bot messages that can answer (or be recorded as a bot reply): not stickers, not service. */
export function canRespond(m: EpisodeMessage): boolean {
  return m.contentKind !== "sticker" && m.contentKind !== "service";
}
