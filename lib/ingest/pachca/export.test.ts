import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ingestEventSchema, type MessageEvent } from "../types";
import { parsePachcaExport } from "./export";

/**
 * No real Pachca export is public, so the archive under __fixtures__/export was built by hand from the
 * official format description (see __fixtures__/README.md). Counts are taken from the fixture files.
 */
function loadFixture(): Map<string, string> {
  const base = path.join(import.meta.dirname, "__fixtures__", "export");
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(base, full).split(path.sep).join("/"), fs.readFileSync(full, "utf8"));
    }
  };
  walk(base);
  return out;
}

interface RawMessage {
  id: number;
  content?: string | null;
  deleted_at: string | null;
  reactions: unknown[];
  user: { id: number; role: string };
  chat: { id: number; personal: boolean };
  thread: { message_id: number; message_chat_id: string } | null;
}
const rawMessages = (files: Map<string, string>): RawMessage[] =>
  [...files.entries()].filter(([p]) => p !== "chats.json").flatMap(([, t]) => JSON.parse(t) as RawMessage[]);
const msgs = (r: { events: unknown[] }) => r.events as MessageEvent[];

describe("parsePachcaExport on the documented archive layout", () => {
  const files = loadFixture();
  const raw = rawMessages(files);

  it("one valid event per message, counted from the files", () => {
    const r = parsePachcaExport(files);
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(raw.length);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    expect(r.ignored["reactions are not recorded"]).toBe(raw.reduce((n, m) => n + m.reactions.length, 0));
    expect(r.chats.map((c) => c.id).sort()).toEqual([12925828, 12926012]);
  });

  it("personal chats are DMs without content (text unknown, not empty)", () => {
    const ev = msgs(parsePachcaExport(files));
    const personal = raw.filter((m) => m.chat.personal);
    expect(personal.length).toBeGreaterThan(0);
    for (const m of personal) {
      const e = ev.find((x) => x.externalId === String(m.id));
      expect(e?.channel.kind).toBe("dm");
      expect(e?.text).toBeNull();
    }
  });

  it("thread messages go to the chat the thread was opened in (message_chat_id is a string here)", () => {
    const ev = msgs(parsePachcaExport(files));
    const inThread = raw.filter((m) => m.thread);
    expect(inThread.length).toBe(2);
    for (const m of inThread) {
      const e = ev.find((x) => x.externalId === String(m.id));
      expect(e?.channel.externalId).toBe(m.thread?.message_chat_id);
      expect(e?.thread).toEqual({ externalId: String(m.thread?.message_id), kind: "thread" });
    }
  });

  it("deleted_at is kept as the deletion time; bots are role bot; emails are lower-cased", () => {
    const ev = msgs(parsePachcaExport(files));
    const deleted = raw.filter((m) => m.deleted_at);
    expect(ev.filter((e) => e.deletedAt)).toHaveLength(deleted.length);
    expect(ev.filter((e) => e.author.isBot)).toHaveLength(raw.filter((m) => m.user.role === "bot").length);
    expect(ev.find((e) => e.author.externalId === "201001")?.author.email).toBe("anna.smirnova@mail.example");
  });

  it("without chats.json, kinds come from each message's chat.personal", () => {
    const noChats = new Map([...files].filter(([p]) => p !== "chats.json"));
    const r = parsePachcaExport(noChats);
    expect(r.warnings[0]).toContain("no chats.json");
    expect(msgs(r).filter((e) => e.channel.kind === "dm")).toHaveLength(raw.filter((m) => m.chat.personal).length);
  });

  it("bad files and bad messages are rejected with where they were; the rest continue", () => {
    const bad = new Map(files);
    bad.set("Broken_1/2025-01-15.json", "{oops");
    bad.set("Object_2/2025-01-15.json", "{}");
    bad.set("Mixed_3/2025-01-15.json", JSON.stringify([{ id: "x" }]));
    bad.set("notes.txt", "hello");
    const r = parsePachcaExport(bad);
    expect(r.rejected.map((x) => x.ref).sort()).toEqual(["Broken_1/2025-01-15.json", "Mixed_3/2025-01-15.json", "Object_2/2025-01-15.json"]);
    expect(r.rejected.find((x) => x.ref === "Mixed_3/2025-01-15.json")?.index).toBe(0);
    expect(r.events).toHaveLength(raw.length);
    expect(Object.values(r.ignored).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it("a message appearing in two files is kept once", () => {
    const dup = new Map(files);
    const first = [...files.entries()].find(([p]) => p.endsWith("2025-01-16.json"));
    dup.set("Copy_12925828/2025-01-16.json", first?.[1] ?? "[]");
    const r = parsePachcaExport(dup);
    expect(r.events).toHaveLength(raw.length);
    expect(r.warnings.some((w) => w.includes("kept once"))).toBe(true);
  });

  it("archive paths with a top-level folder are accepted", () => {
    const nested = new Map([...files].map(([p, t]) => [`export_22322/${p}`, t] as const));
    expect(parsePachcaExport(nested).events).toHaveLength(raw.length);
  });
});
