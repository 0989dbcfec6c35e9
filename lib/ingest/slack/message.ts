import type { ChannelRef, IdentityRef, MessageEvent, SourceRef, ThreadRef } from "../types";
import { serviceSubtypes, speechSubtypes, type SlackMessage } from "./schema";
import { slackMentionIds, slackTsToDate } from "./ts";

/** Names and bot flags known from users.json (export); live events carry ids only. */
export type SlackUserLookup = (id: string) => IdentityRef | undefined;

export interface SlackMessageContext {
  source: SourceRef;
  channel: ChannelRef;
  users?: SlackUserLookup;
}

export type SlackNormalised = { event: MessageEvent } | { skip: string } | { invalid: string };

/**
 * Thread scoping. A message with `thread_ts` is in the thread whose externalId is `thread_ts`, and that
 * includes the parent itself (thread_ts === ts): a question asked at the top of a thread and answered
 * inside it is one conversation. Replies carry no `replyTo`: Slack threads are flat, the thread is the
 * link (a Slack reply quotes nobody). Live, a parent arrives before it has replies and so without
 * thread_ts; its thread id equals its own ts, which lets the store attach it when the first reply comes.
 */
export function slackThread(m: Pick<SlackMessage, "thread_ts">): ThreadRef | undefined {
  return m.thread_ts ? { externalId: m.thread_ts, kind: "thread" } : undefined;
}

export function slackAuthor(m: SlackMessage, users: SlackUserLookup | undefined): IdentityRef | null {
  const id = m.user ?? m.bot_id;
  if (!id) return null;
  const known = users?.(id);
  const isBot = m.bot_id !== undefined || m.subtype === "bot_message" || known?.isBot === true;
  const profile = m.user_profile;
  const name = known?.name ?? (profile?.display_name || profile?.real_name || undefined) ?? (isBot ? (m.username ?? m.bot_profile?.name) : undefined);
  return { ...known, externalId: id, ...(name ? { name } : {}), isBot };
}

function mentionsOf(text: string, users: SlackUserLookup | undefined): IdentityRef[] {
  return slackMentionIds(text).map((id) => users?.(id) ?? { externalId: id });
}

/**
 * One Slack message (live or exported) as a `create`/`edit` event. Tombstones (deleted thread parents) are
 * kept as deleted messages with their ts, so their replies still scope to the thread.
 */
export function normaliseSlackMessage(m: SlackMessage, action: "create" | "edit", ctx: SlackMessageContext): SlackNormalised {
  const sub = m.subtype;
  if (sub !== undefined && sub !== "tombstone" && !serviceSubtypes.has(sub) && !speechSubtypes.has(sub)) {
    return { skip: `message subtype ${sub} is not a message to track` };
  }
  const sentAt = slackTsToDate(m.ts);
  if (!sentAt) return { invalid: `bad ts ${m.ts}` };
  const thread = slackThread(m);
  const base = { type: "message" as const, action, source: ctx.source, channel: ctx.channel, externalId: m.ts, sentAt, ...(thread ? { thread } : {}) };

  if (sub === "tombstone") {
    // A tombstone's `user` is often USLACKBOT; `parent_user_id` keeps who asked. Slack only tombstones a
    // parent that had replies and allows no reply after, so the last reply bounds the deletion time from
    // below: using it keeps the question from looking like one deleted within a minute.
    const author = m.parent_user_id ?? m.user;
    if (!author) return { invalid: `tombstone ${m.ts} names no author` };
    const lastReply = m.latest_reply ?? m.replies?.at(-1)?.ts;
    const deletedAt = (lastReply ? slackTsToDate(lastReply) : null) ?? sentAt;
    return { event: { ...base, author: ctx.users?.(author) ?? { externalId: author }, text: null, contentKind: "text", deletedAt, mentions: [] } };
  }

  const author = slackAuthor(m, ctx.users);
  if (!author) return { invalid: `message ${m.ts} has neither user nor bot_id` };
  const editedAt = m.edited ? slackTsToDate(m.edited.ts) : null;
  const edited = editedAt ? { editedAt } : {};
  if (sub !== undefined && serviceSubtypes.has(sub)) {
    return { event: { ...base, ...edited, author, text: null, contentKind: "service", mentions: [] } };
  }
  const text = m.text ?? null;
  const hasFiles = (m.files?.length ?? 0) > 0 || sub === "file_share";
  return {
    event: {
      ...base,
      ...edited,
      author,
      text: hasFiles && text === "" ? null : text,
      contentKind: hasFiles ? "media" : "text",
      mentions: text ? mentionsOf(text, ctx.users) : [],
    },
  };
}
