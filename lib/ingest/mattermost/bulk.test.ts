import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import { readSharedSample } from "../common/shared-samples";
import { parseMattermostBulkExport } from "./bulk";

const SAMPLE = "zulip_fixture_mattermost_bulk_export.jsonl";
const text = () => readSharedSample("mattermost", SAMPLE);

interface RawPost {
  team: string;
  channel: string;
  user: string;
  message: string;
  create_at: number;
  reactions: unknown[] | null;
  replies: Array<{ user: string; message: string; create_at: number; reactions?: unknown[] | null }> | null;
}
const lines = () =>
  text()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as { type: string; post?: RawPost; channel?: { team: string; name: string; type: string } });
const rawPosts = () => lines().flatMap((l) => (l.type === "post" && l.post ? [l.post] : []));
const msgs = (r: { events: unknown[] }) => r.events as MessageEvent[];

describe("parseMattermostBulkExport on the real sample", () => {
  it("one valid event per post and per nested reply, counted from the file", () => {
    const r = parseMattermostBulkExport(text());
    const posts = rawPosts();
    const replies = posts.reduce((n, p) => n + (p.replies?.length ?? 0), 0);
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(posts.length + replies);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    const reactions = posts.reduce((n, p) => n + (p.reactions?.length ?? 0) + (p.replies ?? []).reduce((k, x) => k + (x.reactions?.length ?? 0), 0), 0);
    expect(r.ignored["reactions are not recorded"]).toBe(reactions);
    expect(r.ignored["line type emoji"]).toBe(lines().filter((l) => l.type === "emoji").length);
  });

  it("derives stable, unique post ids that do not depend on line order", () => {
    const a = msgs(parseMattermostBulkExport(text())).map((e) => e.externalId);
    expect(new Set(a).size).toBe(a.length);
    const shuffled = text().split("\n").filter(Boolean);
    const [version, ...rest] = shuffled;
    const b = msgs(parseMattermostBulkExport([version, ...rest.reverse()].join("\n"))).map((e) => e.externalId);
    expect(new Set(b)).toEqual(new Set(a));
    expect(a.every((id) => /^mmx:[0-9a-f]{24}$/.test(id))).toBe(true);
  });

  it("threads exist only as nested replies: each reply is in its root's thread and replies to it", () => {
    const ev = msgs(parseMattermostBulkExport(text()));
    const withReplies = rawPosts().filter((p) => p.replies?.length);
    const threaded = ev.filter((e) => e.thread);
    expect(threaded).toHaveLength(withReplies.reduce((n, p) => n + (p.replies?.length ?? 0), 0));
    for (const r of threaded) {
      const root = ev.find((e) => e.externalId === r.thread?.externalId);
      expect(root).toBeDefined();
      expect(root?.thread).toBeUndefined();
      expect(r.replyTo?.externalId).toBe(root?.externalId);
      expect(r.channel).toEqual(root?.channel);
    }
  });

  it("a reply whose create_at predates its root is kept after the root, with a warning", () => {
    const early = rawPosts().flatMap((p) => (p.replies ?? []).filter((x) => x.create_at < p.create_at).map((x) => ({ p, x })));
    expect(early).toHaveLength(1);
    const r = parseMattermostBulkExport(text());
    const { p, x } = early[0] ?? { p: undefined, x: undefined };
    const reply = msgs(r).find((e) => e.text === x?.message && e.thread);
    expect(reply?.sentAt).toEqual(new Date(p?.create_at ?? 0));
    expect(r.warnings.some((w) => w.includes("predates its root"))).toBe(true);
  });

  it("keeps the private channel's posts and reports it private", () => {
    const priv = lines().filter((l) => l.type === "channel" && l.channel?.type === "P").map((l) => `${l.channel?.team}/${l.channel?.name}`);
    expect(priv).toEqual(["gryffindor/dumbledores-army"]);
    const r = parseMattermostBulkExport(text());
    const count = rawPosts().filter((p) => p.channel === "dumbledores-army").reduce((n, p) => n + 1 + (p.replies?.length ?? 0), 0);
    expect(msgs(r).filter((e) => e.channel.externalId === priv[0])).toHaveLength(count);
    expect(r.channels.find((c) => c.externalId === priv[0])?.private).toBe(true);
  });

  it("system text without a type (joins, adds) is service", () => {
    const system = rawPosts().filter((p) => / (joined|left) the (channel|team)\.$| added to the channel by /.test(p.message)).length;
    expect(system).toBeGreaterThan(0);
    expect(msgs(parseMattermostBulkExport(text())).filter((e) => e.contentKind === "service")).toHaveLength(system);
  });

  it("a post whose team does not own the named channel resolves to the only channel of that name", () => {
    const r = parseMattermostBulkExport(text());
    const snape = msgs(r).find((e) => e.author.externalId === "@snape");
    expect(snape?.channel.externalId).toBe("slytherin/slytherin-quidditch-team");
    expect(r.warnings.some((w) => w.includes("not in team gryffindor"))).toBe(true);
  });

  it("authors are @username identities with the export's email and name; @mentions of known users resolve", () => {
    const ev = msgs(parseMattermostBulkExport(text()));
    expect(ev.find((e) => e.author.externalId === "@ron")?.author).toEqual({ externalId: "@ron", username: "ron", name: "Ron Weasley", email: "ron@zulip.com" });
    expect(ev.find((e) => e.text === "@ron Welcome mate!")?.mentions).toEqual([expect.objectContaining({ externalId: "@ron" })]);
  });
});

const V = '{"type":"version","version":1}';
const dpost = (members: string[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ type: "direct_post", direct_post: { channel_members: members, user: members[0], message: "hi, a question?", create_at: 1700000000000, ...extra } });

describe("parseMattermostBulkExport traps", () => {
  it("direct_post is a dm; member order does not matter; a group DM is a dm too", () => {
    const r = parseMattermostBulkExport([V, dpost(["kate", "mentor"]), dpost(["mentor", "kate"], { user: "mentor", create_at: 1700000001000 }), dpost(["a", "b", "c"])].join("\n"));
    const ev = msgs(r);
    expect(ev.map((e) => e.channel.kind)).toEqual(["dm", "dm", "dm"]);
    expect(ev[0]?.channel.externalId).toBe(ev[1]?.channel.externalId);
    expect(ev[2]?.channel.externalId).toBe("dm:a,b,c");
  });

  it("bad lines are rejected with their line numbers and the rest continue", () => {
    const input = [V, "{not json", JSON.stringify({ type: "post", post: { team: "t", channel: "c", user: "u", message: "m" } }), dpost(["a", "b"]), '"just a string"'].join("\n");
    const r = parseMattermostBulkExport(input);
    expect(r.rejected.map((x) => x.line)).toEqual([2, 3, 5]);
    expect(r.events).toHaveLength(1);
  });

  it("props.from_bot marks a bot; edit_at is the edit time; a user with no line is warned about", () => {
    const r = parseMattermostBulkExport([V, dpost(["bot", "kate"], { user: "bot", props: { from_bot: "true" }, edit_at: 1700000005000 })].join("\n"));
    const [e] = msgs(r);
    expect(e?.author.isBot).toBe(true);
    expect(e?.editedAt).toEqual(new Date(1700000005000));
    expect(r.warnings.some((w) => w.includes("bot has no user line"))).toBe(true);
  });

  it("a system_* type is service even with ordinary text", () => {
    const [e] = msgs(parseMattermostBulkExport([V, dpost(["a", "b"], { type: "system_generic", message: "something happened" })].join("\n")));
    expect(e?.contentKind).toBe("service");
  });

  it("identical posts (same channel, user, time and text) share one id: they are indistinguishable", () => {
    const r = parseMattermostBulkExport([V, dpost(["a", "b"]), dpost(["a", "b"])].join("\n"));
    const ids = msgs(r).map((e) => e.externalId);
    expect(ids[0]).toBe(ids[1]);
  });
});
