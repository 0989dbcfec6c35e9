import type { ChannelRef, IdentityRef, IngestEvent, SourceRef } from "../types";
import { zodReason } from "../common/zod-reason";
import { normaliseSlackMessage } from "./message";
import { slackConversationSchema, slackMessageSchema, slackUserSchema, type SlackUser } from "./schema";

export interface SlackExportOptions {
  /** Workspace id (T…), the source's externalId. Default: the team of most users in users.json. */
  teamId?: string;
}

/** A users.json entry as identity plus what IdentityRef has no field for (roster hints, time zone). */
export type SlackExportUser = IdentityRef & { tz?: string; isAdmin?: boolean; isOwner?: boolean; deleted?: boolean };

export interface SlackExportResult {
  events: IngestEvent[];
  /** Files or messages that could not be imported, with why. `ref` = "<folder>/<day>.json#<ts or index>". */
  rejected: Array<{ ref: string; reason: string }>;
  /** Conversations (folders) imported. */
  channels: number;
  users: SlackExportUser[];
  /** Non-fatal problems: a folder with no metadata, an unreadable users.json, skipped subtypes. */
  warnings: string[];
}

const DAY_FILE = /^([^/]+)\/(\d{4}-\d{2}-\d{2})\.json$/;
const META = ["users.json", "channels.json", "groups.json", "dms.json", "mpims.json"] as const;

/**
 * A Slack workspace export directory, already read: path → file text (the CLI reads the zip or folder).
 * Paths may carry a leading folder ("export/users.json"); the root is where the metadata files are.
 * Each conversation is a folder of daily files; a reply sits in the file of its own ts, not its parent's,
 * so threads are joined by `thread_ts`, never by file.
 */
export function parseSlackExport(files: ReadonlyMap<string, string>, opts: SlackExportOptions = {}): SlackExportResult {
  const result: SlackExportResult = { events: [], rejected: [], channels: 0, users: [], warnings: [] };
  const rel = relativise(files);
  const meta = (name: (typeof META)[number]): unknown[] => {
    const text = rel.get(name);
    if (text === undefined) return [];
    try {
      const v: unknown = JSON.parse(text);
      if (Array.isArray(v)) return v;
    } catch {
      // fall through to the warning
    }
    result.warnings.push(`${name} is not a JSON array: ignored`);
    return [];
  };

  const users = new Map<string, SlackExportUser>();
  const teams = new Map<string, number>();
  for (const raw of meta("users.json")) {
    const u = slackUserSchema.safeParse(raw);
    if (!u.success) {
      result.warnings.push(`users.json entry skipped: ${zodReason(u.error)}`);
      continue;
    }
    users.set(u.data.id, exportUser(u.data));
    if (u.data.team_id) teams.set(u.data.team_id, (teams.get(u.data.team_id) ?? 0) + 1);
  }
  result.users = [...users.values()];

  const teamId = opts.teamId ?? [...teams.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!teamId) throw new Error("cannot tell the Slack workspace id (no team_id in users.json): pass --team T…");
  const source: SourceRef = { kind: "slack", externalId: teamId };

  // Folder → conversation. Channels and private groups are folders by name; DMs by id; group DMs by name.
  // DM and group-DM titles are left out: they are built from the participants' names.
  const folders = new Map<string, ChannelRef>();
  const conversations: Array<[(typeof META)[number], ChannelRef["kind"], boolean]> = [
    ["channels.json", "group", true], ["groups.json", "group", true], ["dms.json", "dm", false], ["mpims.json", "dm", false],
  ];
  for (const [file, kind, titled] of conversations) {
    for (const raw of meta(file)) {
      const c = slackConversationSchema.safeParse(raw);
      if (!c.success) {
        result.warnings.push(`${file} entry skipped: ${zodReason(c.error)}`);
        continue;
      }
      const ref: ChannelRef = { externalId: c.data.id, kind, ...(titled && c.data.name ? { title: c.data.name } : {}) };
      folders.set(file === "dms.json" ? c.data.id : (c.data.name ?? c.data.id), ref);
    }
  }

  const days = [...rel.keys()].flatMap((p) => {
    const m = DAY_FILE.exec(p);
    return m && m[1] && m[2] ? [{ path: p, folder: m[1], day: m[2] }] : [];
  });
  days.sort((a, b) => (a.path < b.path ? -1 : 1));
  // Events carry plain identities; the extra roster hints stay in `users`.
  const identities = new Map([...users].map(([id, { tz: _tz, isAdmin: _a, isOwner: _o, deleted: _d, ...identity }]) => [id, identity]));
  const lookup = (id: string): IdentityRef | undefined => identities.get(id);
  const seen = new Set<string>();
  const skipped = new Map<string, number>();
  const imported = new Set<string>();

  for (const { path, folder } of days) {
    let channel = folders.get(folder);
    if (!channel) {
      // The live channel id is unknown, so this conversation will not merge with live events.
      result.warnings.push(`no channels/groups/dms/mpims entry for folder "${folder}": imported with the folder name as its id`);
      channel = { externalId: folder, kind: "group", title: folder };
      folders.set(folder, channel);
    }
    let list: unknown;
    try {
      list = JSON.parse(rel.get(path) ?? "");
    } catch (err) {
      result.rejected.push({ ref: path, reason: `not JSON: ${(err as Error).message}` });
      continue;
    }
    if (!Array.isArray(list)) {
      result.rejected.push({ ref: path, reason: "a day file must be a JSON array of messages" });
      continue;
    }
    imported.add(folder);
    list.forEach((raw, i) => {
      const parsed = slackMessageSchema.safeParse(raw);
      if (!parsed.success) {
        result.rejected.push({ ref: `${path}#${i}`, reason: zodReason(parsed.error) });
        return;
      }
      const ref = `${path}#${parsed.data.ts}`;
      // The same ts twice in one conversation is one message (exporters repeat thread parents).
      const key = `${channel.externalId}\u0000${parsed.data.ts}`;
      if (seen.has(key)) return;
      seen.add(key);
      const n = normaliseSlackMessage(parsed.data, "create", { source, channel, users: lookup });
      if ("invalid" in n) result.rejected.push({ ref, reason: n.invalid });
      else if ("skip" in n) skipped.set(n.skip, (skipped.get(n.skip) ?? 0) + 1);
      else result.events.push(n.event);
    });
  }
  for (const [reason, count] of skipped) result.warnings.push(`${count} × ${reason}`);
  result.channels = imported.size;
  return result;
}

/** Strip the folder that holds the metadata files, so "export/B75B4C7/2025-01-10.json" → "B75B4C7/2025-01-10.json". */
function relativise(files: ReadonlyMap<string, string>): Map<string, string> {
  const norm = [...files.entries()].map(([p, text]) => [p.replace(/\\/g, "/").replace(/^(\.\/|\/)+/, ""), text] as const);
  const roots = norm
    .map(([p]) => p)
    .filter((p) => META.some((m) => p === m || p.endsWith(`/${m}`)))
    .map((p) => p.slice(0, p.lastIndexOf("/") + 1));
  const root = roots.sort((a, b) => a.length - b.length)[0] ?? "";
  return new Map(norm.filter(([p]) => p.startsWith(root)).map(([p, text]) => [p.slice(root.length), text]));
}

function exportUser(u: SlackUser): SlackExportUser {
  const name = u.profile?.display_name || u.profile?.real_name || u.real_name || u.name || undefined;
  return {
    externalId: u.id,
    ...(name ? { name } : {}),
    ...(u.name ? { username: u.name } : {}),
    // An email links the account to a roster person, so only a well-formed one is passed on.
    ...(u.profile?.email && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(u.profile.email) ? { email: u.profile.email } : {}),
    isBot: u.is_bot === true,
    ...(u.tz ? { tz: u.tz } : {}),
    ...(u.is_admin ? { isAdmin: true } : {}),
    ...(u.is_owner ? { isOwner: true } : {}),
    ...(u.deleted ? { deleted: true } : {}),
  };
}
