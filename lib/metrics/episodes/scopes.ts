import { analyzeScope } from "./derive";
import type { Episode, EpisodeScope, ManyScopesInput, ScopeCheckpoint, ScopedEpisodeMessage, ScopesDerivation, StaffInitiatedContact } from "./types";

/** Key of a scope; the main timeline is thread 0, as in the `dirty_scopes` table. */
export function scopeKey(channelId: number, threadId: number | null): string {
  return `${channelId}:${threadId ?? 0}`;
}

export interface ScopeGroup {
  scope: EpisodeScope;
  messages: ScopedEpisodeMessage[];
}

/** Group a flat message list by scope, ordered by channel id then thread id (main timeline first). */
export function groupByScope(messages: readonly ScopedEpisodeMessage[]): ScopeGroup[] {
  const groups = new Map<string, ScopeGroup>();
  for (const m of messages) {
    const key = scopeKey(m.channelId, m.threadId);
    let group = groups.get(key);
    if (!group) {
      group = { scope: { channelId: m.channelId, threadId: m.threadId }, messages: [] };
      groups.set(key, group);
    }
    group.messages.push(m);
  }
  return [...groups.values()].sort((a, b) => compareScopes(a.scope, b.scope));
}

export function compareScopes(a: EpisodeScope, b: EpisodeScope): number {
  return a.channelId - b.channelId || (a.threadId ?? 0) - (b.threadId ?? 0);
}

/** The canonical order of episodes: by scope, then opening time, then opening message id. */
export function compareEpisodes(a: Episode, b: Episode): number {
  return compareScopes(a.scope, b.scope) || a.openedAt.getTime() - b.openedAt.getTime() || a.openedMessageId - b.openedMessageId;
}

function compareContacts(a: StaffInitiatedContact, b: StaffInitiatedContact): number {
  return compareScopes(a.scope, b.scope) || a.sentAt.getTime() - b.sentAt.getTime() || a.messageId - b.messageId;
}

/**
 * Derive every scope present in a flat message list (a recompute of dirty scopes passes all messages of
 * those scopes). Throws when a message names a channel that is not in `channels`.
 */
export function deriveScopes(input: ManyScopesInput): ScopesDerivation {
  const episodes: Episode[] = [];
  const contacts: StaffInitiatedContact[] = [];
  const checkpoints = new Map<string, ScopeCheckpoint>();
  const groups = groupByScope(input.messages);
  // A resumed scope with no message after its checkpoint still re-judges its carried episodes at `now`.
  const present = new Set(groups.map((g) => scopeKey(g.scope.channelId, g.scope.threadId)));
  for (const key of input.resume?.keys() ?? []) {
    if (present.has(key)) continue;
    const [c, t] = key.split(":").map(Number);
    groups.push({ scope: { channelId: c ?? 0, threadId: t ? t : null }, messages: [] });
  }
  groups.sort((a, b) => compareScopes(a.scope, b.scope));
  for (const group of groups) {
    const channel = input.channels.get(group.scope.channelId);
    if (!channel) throw new Error(`deriveScopes: unknown channel ${group.scope.channelId}`);
    const key = scopeKey(group.scope.channelId, group.scope.threadId);
    const result = analyzeScope({
      channel,
      threadId: group.scope.threadId,
      messages: group.messages,
      roleOf: input.roleOf,
      now: input.now,
      resume: input.resume?.get(key),
      checkpoint: input.checkpoint,
    });
    episodes.push(...result.episodes);
    contacts.push(...result.contacts);
    if (result.checkpoint) checkpoints.set(key, result.checkpoint);
  }
  return { episodes: episodes.sort(compareEpisodes), contacts: contacts.sort(compareContacts), checkpoints };
}
