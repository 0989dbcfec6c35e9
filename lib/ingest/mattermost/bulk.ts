import type { ChannelRef, IdentityRef, MessageEvent, SourceRef } from "../types";
import { countIgnored, emptyImportResult, isRecord, type ImportResult } from "../common/import-result";
import { readJsonValues } from "../common/json-values";
import { stableDigest } from "../common/stable-id";
import { zodReason } from "../common/zod-reason";
import { mattermostSource, serviceOf } from "./normalize";
import {
  bulkChannelSchema, bulkDirectPostSchema, bulkPostSchema, bulkReplySchema, bulkTeamSchema, bulkUserSchema, type BulkReply,
} from "./schemas";

export interface MattermostBulkOptions {
  source?: Partial<SourceRef>;
}

/** What the export says about each channel, beyond ChannelRef: its team and whether it is private. */
export interface MattermostExportChannel {
  externalId: string;
  team: string | null;
  name: string;
  title?: string;
  private: boolean;
  kind: ChannelRef["kind"];
}

export type MattermostBulkResult = ImportResult & { channels: MattermostExportChannel[] };

/**
 * Bulk-export ids (README.md). The export has no post ids, so a post's id is derived from what makes
 * it unique and never changes: its channel, author, create_at and a digest of its text. The same
 * export imported twice gives the same ids. Users have no ids either: identities are `@username`.
 */
export const exportUserId = (username: string): string => `@${username}`;
export function exportPostId(channelId: string, username: string, createAt: number, message: string): string {
  return `mmx:${stableDigest([channelId, username, createAt, message], 24)}`;
}

/** Mattermost bulk export (JSONL). Lines: version, team, channel, user, post, direct_channel, direct_post, emoji. */
export function parseMattermostBulkExport(jsonl: string, opts: MattermostBulkOptions = {}): MattermostBulkResult {
  const out: MattermostBulkResult = { ...emptyImportResult(), channels: [] };
  const source = mattermostSource(opts.source);
  const { values, errors } = readJsonValues(jsonl);
  for (const e of errors) out.rejected.push({ line: e.line, reason: e.reason });

  const users = new Map<string, IdentityRef>();
  const channels = new Map<string, MattermostExportChannel>(); // key team/name
  const teams = new Map<string, string | undefined>();
  const posts: Array<{ line: number; kind: "post" | "direct_post"; value: unknown }> = [];
  if (values[0] && !(isRecord(values[0].value) && values[0].value.type === "version")) out.warnings.push("the first line is not a version line");

  for (const { value, line } of values) {
    if (!isRecord(value) || typeof value.type !== "string") {
      out.rejected.push({ line, reason: "line has no type" });
      continue;
    }
    const t = value.type;
    if (t === "version") {
      if (value.version !== 1) out.warnings.push(`export version ${String(value.version)}; this importer knows version 1`);
    } else if (t === "team") {
      const p = bulkTeamSchema.safeParse(value.team);
      if (p.success) teams.set(p.data.name, p.data.display_name ?? undefined);
      else out.rejected.push({ line, reason: zodReason(p.error, "team") });
    } else if (t === "channel") {
      const p = bulkChannelSchema.safeParse(value.channel);
      if (!p.success) out.rejected.push({ line, reason: zodReason(p.error, "channel") });
      else {
        const c = p.data;
        const externalId = `${c.team}/${c.name}`;
        channels.set(externalId, { externalId, team: c.team, name: c.name, ...(c.display_name ? { title: c.display_name } : {}), private: c.type === "P", kind: "channel" });
      }
    } else if (t === "user") {
      const p = bulkUserSchema.safeParse(value.user);
      if (!p.success) out.rejected.push({ line, reason: zodReason(p.error, "user") });
      else {
        const u = p.data;
        const full = [u.first_name, u.last_name].filter(Boolean).join(" ");
        users.set(u.username, { externalId: exportUserId(u.username), username: u.username, name: u.nickname || full || u.username, ...(u.email ? { email: u.email.toLowerCase() } : {}) });
      }
    } else if (t === "post" || t === "direct_post") posts.push({ line, kind: t, value: value[t] });
    else if (t === "direct_channel") countIgnored(out.ignored, "direct_channel lines (DMs are read from direct_post)");
    else countIgnored(out.ignored, `line type ${t}`);
  }

  const identity = (username: string): IdentityRef => {
    const known = users.get(username);
    if (known) return known;
    out.warnings.push(`user ${username} has no user line`);
    const made = { externalId: exportUserId(username), username };
    users.set(username, made);
    return made;
  };
  const usedChannels = new Map<string, MattermostExportChannel>();

  for (const { line, kind, value } of posts) {
    const p = kind === "post" ? bulkPostSchema.safeParse(value) : bulkDirectPostSchema.safeParse(value);
    if (!p.success) {
      out.rejected.push({ line, reason: zodReason(p.error, kind) });
      continue;
    }
    const post = p.data;
    const members = "channel_members" in post ? (post.channel_members as string[]) : null;
    const channel = members
      ? dmChannel(members)
      : resolveChannel(String(post.team), String(post.channel), channels, teams, out.warnings, line);
    usedChannels.set(channel.externalId, channel);
    const ref: ChannelRef = { externalId: channel.externalId, kind: channel.kind, ...(channel.title ? { title: channel.title } : {}) };
    const root = toEvent(post, ref, undefined, identity, users, source);
    out.events.push(root);
    if (post.reactions?.length) countIgnored(out.ignored, "reactions are not recorded", post.reactions.length);
    (post.replies ?? []).forEach((raw, i) => {
      const r = bulkReplySchema.safeParse(raw);
      if (!r.success) {
        out.rejected.push({ line, reason: zodReason(r.error, `${kind}.replies[${i}]`) });
        return;
      }
      if (r.data.reactions?.length) countIgnored(out.ignored, "reactions are not recorded", r.data.reactions.length);
      const reply = toEvent(r.data, ref, { id: root.externalId, author: root.author, createAt: post.create_at }, identity, users, source);
      // A reply cannot precede its root (clock skew in the sample): keep causal order for response
      // times, and say so; the id still uses the reply's own create_at.
      if (r.data.create_at < post.create_at) {
        out.warnings.push(`line ${line}: reply by ${r.data.user} at ${r.data.create_at} predates its root (${post.create_at}); sentAt set to the root's time`);
      }
      out.events.push(reply);
    });
  }
  out.channels = [...usedChannels.values()];
  out.rejected.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return out;
}

function dmChannel(members: readonly string[]): MattermostExportChannel {
  const sorted = [...new Set(members)].sort();
  return { externalId: `dm:${sorted.join(",")}`, team: null, name: sorted.join(","), private: true, kind: "dm" };
}

/**
 * A post names its channel by team and channel name. Real exports can disagree (the sample has a post
 * in team "gryffindor" naming slytherin's channel): a channel name unique across teams is then taken
 * as that channel; otherwise the pair is kept as it is, as an unknown public channel.
 */
function resolveChannel(
  team: string,
  name: string,
  channels: ReadonlyMap<string, MattermostExportChannel>,
  teams: ReadonlyMap<string, string | undefined>,
  warnings: string[],
  line: number,
): MattermostExportChannel {
  const exact = channels.get(`${team}/${name}`);
  if (exact) return exact;
  const byName = [...channels.values()].filter((c) => c.name === name);
  const [only] = byName;
  if (byName.length === 1 && only) {
    warnings.push(`line ${line}: channel ${name} is not in team ${team}; using ${only.externalId}`);
    return only;
  }
  warnings.push(`line ${line}: channel ${team}/${name} has no channel line${teams.has(team) ? "" : " (nor its team)"}; kept as a public channel`);
  return { externalId: `${team}/${name}`, team, name, private: false, kind: "channel" };
}

const MENTION = /(?:^|[^\w@])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])/gi;

function toEvent(
  p: BulkReply,
  channel: ChannelRef,
  root: { id: string; author: IdentityRef; createAt: number } | undefined,
  identity: (u: string) => IdentityRef,
  users: ReadonlyMap<string, IdentityRef>,
  source: SourceRef,
): MessageEvent {
  const author = identity(p.user);
  const fromBot = p.props?.from_bot === true || p.props?.from_bot === "true";
  const mentions = [...p.message.matchAll(MENTION)].map((m) => users.get((m[1] ?? "").toLowerCase())).filter((u): u is IdentityRef => !!u);
  return {
    type: "message",
    action: "create",
    source,
    channel,
    ...(root ? { thread: { externalId: root.id, kind: "thread" as const }, replyTo: { externalId: root.id, author: root.author } } : {}),
    externalId: exportPostId(channel.externalId, p.user, p.create_at, p.message),
    author: fromBot ? { ...author, isBot: true } : author,
    sentAt: new Date(root ? Math.max(p.create_at, root.createAt) : p.create_at),
    ...(p.edit_at ? { editedAt: new Date(p.edit_at) } : {}),
    text: p.message,
    contentKind: serviceOf(p.type, p.message) ? "service" : "text",
    mentions: [...new Map(mentions.map((m) => [m.externalId, m])).values()],
  };
}
