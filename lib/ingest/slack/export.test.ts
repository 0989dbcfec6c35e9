import { describe, expect, it } from "vitest";
import { readSharedSampleTree } from "../common/shared-samples";
import { ingestEventSchema, type MessageEvent } from "../types";
import { parseSlackExport, type SlackExportResult } from "./export";

interface RawMsg {
  ts: string;
  user?: string;
  subtype?: string;
  thread_ts?: string;
  bot_id?: string;
  edited?: { ts: string };
  files?: unknown[];
  text?: string;
  latest_reply?: string;
  parent_user_id?: string;
}

const files = readSharedSampleTree("slack", "export");
const days = [...files.entries()].filter(([p]) => /^[^/]+\/\d{4}-\d{2}-\d{2}\.json$/.test(p)).sort(([a], [b]) => (a < b ? -1 : 1));
const raw: Array<RawMsg & { file: string }> = days.flatMap(([p, text]) => (JSON.parse(text) as RawMsg[]).map((m) => ({ ...m, file: p })));
const users = JSON.parse(files.get("users.json") ?? "[]") as Array<{ id: string; is_bot: boolean; tz?: string; team_id: string }>;
const channels = JSON.parse(files.get("channels.json") ?? "[]") as Array<{ id: string; name: string }>;

const r = parseSlackExport(files);
const events = r.events as MessageEvent[];
const byTs = new Map(events.map((e) => [e.externalId, e]));
const ms = (d: MessageEvent["sentAt"] | undefined) => (d as Date | undefined)?.getTime();

describe("parseSlackExport on the slackdump fixture export", () => {
  it("imports every message of every day file, each a valid event, rejecting none", () => {
    expect(r.rejected).toEqual([]);
    expect(r.channels).toBe(channels.length);
    expect(events).toHaveLength(raw.length);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });

  it("maps the folder to the channel id from channels.json, and uses the workspace id of users.json as source", () => {
    const channel = channels[0];
    for (const e of events) expect(e.channel).toEqual({ externalId: channel?.id, kind: "group", title: channel?.name });
    const team = users[0]?.team_id;
    expect(users.filter((u) => u.team_id === team).length).toBeGreaterThan(users.length / 2);
    for (const e of events) expect(e.source).toEqual({ kind: "slack", externalId: team });
  });

  it("takes times from ts in UTC, to the millisecond", () => {
    for (const m of raw) expect(ms(byTs.get(m.ts)?.sentAt)).toBe(Math.floor(Number(m.ts) * 1000));
    expect((byTs.get("1736478514.897649")?.sentAt as Date).toISOString()).toBe("2025-01-10T03:08:34.897Z");
  });

  it("keeps a thread whose replies are in the next day's file as one thread, parent included", () => {
    const parent = raw.find((m) => m.thread_ts === m.ts && m.subtype !== "tombstone" && raw.some((x) => x.thread_ts === m.ts && x.file !== m.file));
    expect(parent).toBeDefined();
    const members = raw.filter((m) => m.thread_ts === parent?.ts);
    expect(new Set(members.map((m) => m.file)).size).toBe(2);
    for (const m of members) expect(byTs.get(m.ts)?.thread).toEqual({ externalId: parent?.ts, kind: "thread" });
    expect(events.filter((e) => e.thread)).toHaveLength(raw.filter((m) => m.thread_ts).length);
    expect(events.filter((e) => !e.thread)).toHaveLength(raw.filter((m) => !m.thread_ts).length);
  });

  it("keeps the tombstone parent as a deleted message with its ts, so its replies still scope to its thread", () => {
    const tomb = raw.find((m) => m.subtype === "tombstone");
    const e = byTs.get(tomb?.ts ?? "");
    expect(e).toMatchObject({ action: "create", text: null, thread: { externalId: tomb?.ts }, author: { externalId: tomb?.parent_user_id } });
    expect(ms(e?.deletedAt)).toBe(Math.floor(Number(tomb?.latest_reply) * 1000));
    const replies = raw.filter((m) => m.thread_ts === tomb?.ts && m.ts !== tomb?.ts);
    expect(replies.length).toBeGreaterThan(0);
    for (const m of replies) expect(byTs.get(m.ts)?.thread?.externalId).toBe(tomb?.ts);
    expect(events.filter((x) => x.deletedAt)).toHaveLength(1);
  });

  it("marks the edit, the bot message, the channel join and file shares", () => {
    const edited = raw.filter((m) => m.edited);
    expect(edited).toHaveLength(1);
    expect(ms(byTs.get(edited[0]?.ts ?? "")?.editedAt)).toBe(Math.floor(Number(edited[0]?.edited?.ts) * 1000));
    const bots = raw.filter((m) => m.bot_id || users.find((u) => u.id === m.user)?.is_bot);
    expect(bots.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.author.isBot)).toHaveLength(bots.length);
    const joins = raw.filter((m) => m.subtype === "channel_join");
    expect(joins).toHaveLength(1);
    expect(events.filter((e) => e.contentKind === "service").map((e) => e.externalId)).toEqual(joins.map((m) => m.ts));
    expect(events.filter((e) => e.contentKind === "media")).toHaveLength(raw.filter((m) => (m.files?.length ?? 0) > 0).length);
  });

  it("names authors from users.json and returns users with their time zones", () => {
    expect(r.users).toHaveLength(users.length);
    for (const u of users) expect(r.users.find((x) => x.externalId === u.id)?.tz).toBe(u.tz ?? undefined);
    for (const e of events) expect(e.author.name).toBeTruthy();
    expect(new Set(events.map((e) => e.author.externalId))).toEqual(new Set(raw.map((m) => m.parent_user_id && m.subtype === "tombstone" ? m.parent_user_id : m.user)));
  });
});

describe("parseSlackExport on synthetic exports", () => {
  const u = (id: string, extra: Record<string, unknown> = {}) => ({ id, team_id: "T1", name: id.toLowerCase(), real_name: `Real ${id}`, profile: { display_name: "", real_name: `Real ${id}` }, ...extra });
  const base = (): Map<string, string> =>
    new Map([
      ["export/users.json", JSON.stringify([u("U1", { profile: { email: "ann@school.test", display_name: "ann" } }), u("U2", { is_admin: true }), u("B1", { is_bot: true })])],
      ["export/channels.json", JSON.stringify([{ id: "C1", name: "help" }])],
      ["export/groups.json", JSON.stringify([{ id: "G1", name: "mentors" }])],
      ["export/dms.json", JSON.stringify([{ id: "D1", members: ["U1", "U2"] }])],
      ["export/mpims.json", JSON.stringify([{ id: "G2", name: "mpdm-u1--u2--u3-1" }])],
      ["export/help/2025-01-01.json", JSON.stringify([{ type: "message", user: "U1", text: "hi <@U2>", ts: "1735700000.000001" }])],
      ["export/mentors/2025-01-01.json", JSON.stringify([{ type: "message", user: "U2", text: "x", ts: "1735700000.000002" }])],
      ["export/D1/2025-01-01.json", JSON.stringify([{ type: "message", user: "U1", text: "private", ts: "1735700000.000003" }])],
      ["export/mpdm-u1--u2--u3-1/2025-01-01.json", JSON.stringify([{ type: "message", user: "U1", text: "group dm", ts: "1735700000.000004" }])],
    ]);
  const kinds = (res: SlackExportResult) => Object.fromEntries((res.events as MessageEvent[]).map((e) => [e.channel.externalId, [e.channel.kind, e.channel.title ?? null]]));

  it("maps channels, private groups, DMs and group DMs; DM titles are left out", () => {
    const res = parseSlackExport(base());
    expect(res.channels).toBe(4);
    expect(kinds(res)).toEqual({ C1: ["group", "help"], G1: ["group", "mentors"], D1: ["dm", null], G2: ["dm", null] });
  });

  it("names mentions, passes emails and roster hints on", () => {
    const res = parseSlackExport(base());
    const e = (res.events as MessageEvent[]).find((x) => x.channel.externalId === "C1");
    expect(e?.author).toEqual({ externalId: "U1", name: "ann", username: "u1", email: "ann@school.test", isBot: false });
    expect(e?.mentions).toEqual([{ externalId: "U2", name: "Real U2", username: "u2", isBot: false }]);
    expect(res.users.find((x) => x.externalId === "U2")?.isAdmin).toBe(true);
    expect(res.users.find((x) => x.externalId === "B1")?.isBot).toBe(true);
  });

  it("rejects broken day files and messages, keeps the rest, and warns about folders without metadata", () => {
    const f = base();
    f.set("export/help/2025-01-02.json", "{ not json");
    f.set("export/help/2025-01-03.json", JSON.stringify({ messages: [] }));
    f.set("export/help/2025-01-04.json", JSON.stringify([{ type: "message", user: "U1", ts: "bad" }, { type: "message", ts: "1735800000.000001" }, { type: "message", user: "U1", text: "ok", ts: "1735800000.000002" }]));
    f.set("export/random/2025-01-01.json", JSON.stringify([{ type: "message", user: "U1", text: "?", ts: "1735700000.000009" }]));
    const res = parseSlackExport(f);
    expect(res.rejected.map((x) => x.ref)).toEqual(["help/2025-01-02.json", "help/2025-01-03.json", "help/2025-01-04.json#0", "help/2025-01-04.json#1735800000.000001"]);
    expect(res.rejected[3]?.reason).toMatch(/neither user nor bot_id/);
    expect((res.events as MessageEvent[]).some((e) => e.externalId === "1735800000.000002")).toBe(true);
    expect(res.warnings.join("\n")).toMatch(/folder "random"/);
    for (const e of res.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
  });

  it("counts a message repeated across files once, and needs a workspace id", () => {
    const f = base();
    f.set("export/help/2025-01-02.json", f.get("export/help/2025-01-01.json") ?? "");
    expect(parseSlackExport(f).events.filter((e) => e.type === "message" && e.channel.externalId === "C1")).toHaveLength(1);
    f.set("export/users.json", "[]");
    expect(() => parseSlackExport(f)).toThrow(/--team/);
    expect(parseSlackExport(f, { teamId: "T9" }).events[0]?.source.externalId).toBe("T9");
  });
});
