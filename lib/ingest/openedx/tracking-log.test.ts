import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { ingestEventSchema, type LmsEvent, type MessageEvent } from "../types";
import { sharedSamplePath } from "../common/shared-samples";
import { mapXapiToLmsEvents } from "../xapi/map";
import { parseXapiStatements } from "../xapi/parse";
import { htmlToText, parseOpenedxTrackingLog } from "./tracking-log";

const rawDir = () => sharedSamplePath("xapi-openedx", "raw_tracking_log");
const xapiDir = () => sharedSamplePath("xapi-openedx", "expected_xapi");
const files = () => fs.readdirSync(rawDir()).filter((f) => f.endsWith(".json")).sort();
const readRaw = (f: string) => fs.readFileSync(`${rawDir()}/${f}`, "utf8");
type Json = Record<string, unknown>;
const lms = (events: unknown[]) => (events as Array<{ type: string }>).filter((e): e is LmsEvent & { type: "lms" } => e.type === "lms");
const messages = (events: unknown[]) => (events as Array<{ type: string }>).filter((e): e is MessageEvent & { type: "message" } => e.type === "message");

describe("parseOpenedxTrackingLog on the real tracking-log samples", () => {
  it.each(files())("%s", (file) => {
    const text = readRaw(file);
    const src = JSON.parse(text) as Json;
    const name = (src.name ?? src.event_type) as string;
    const data = src.data as Json;
    const r = parseOpenedxTrackingLog(text);
    expect(r.rejected).toEqual([]);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    if (name.startsWith("edx.forum.")) {
      const msgs = messages(r.events);
      if (name.endsWith(".edited") && data.body === undefined) {
        expect(msgs).toEqual([]);
        expect(r.ignored["forum edits without the new body"]).toBe(1);
      } else {
        expect(msgs).toHaveLength(1);
        expect(msgs[0]?.externalId).toBe(data.id);
        expect(msgs[0]?.action).toBe(name.endsWith(".created") ? "create" : "delete");
        expect(msgs[0]?.channel.externalId).toBe(`forum:${(src.context as Json).course_id as string}`);
      }
      // Every sample author is a Student: no roster event.
      expect(r.events.filter((e) => e.type === "roster")).toEqual([]);
    } else {
      expect(lms(r.events)).toHaveLength(1);
      expect((lms(r.events)[0]?.occurredAt as Date).getTime()).toBe(Date.parse((src.timestamp ?? src.time) as string));
    }
  });

  it("pretty-printed events one after another and NDJSON give the same events", () => {
    const texts = files().map(readRaw);
    const pretty = parseOpenedxTrackingLog(texts.join("\n"));
    const ndjson = parseOpenedxTrackingLog(texts.map((t) => JSON.stringify(JSON.parse(t))).join("\n"));
    expect(ndjson.events).toEqual(pretty.events);
    expect(pretty.events.length).toBe(files().reduce((n, f) => n + parseOpenedxTrackingLog(readRaw(f)).events.length, 0));
    // Ids are derived from the event, so a re-import gives the same ids.
    expect(parseOpenedxTrackingLog(texts.join("\n")).events).toEqual(pretty.events);
  });

  it("the xAPI that event-routing-backends emits maps to the same LMS events as the raw logs", () => {
    let compared = 0;
    for (const file of files()) {
      const xapiFile = `${xapiDir()}/${file}`;
      if (!fs.existsSync(xapiFile)) continue;
      const stmt = JSON.parse(fs.readFileSync(xapiFile, "utf8")) as Json;
      const parsed = parseXapiStatements(stmt, { now: new Date(), version: "1.0.3" });
      const [fromXapi] = mapXapiToLmsEvents(parsed.statements).events;
      const raw = parseOpenedxTrackingLog(readRaw(file));
      const [fromRaw] = lms(raw.events);
      if (fromRaw) {
        // The actor differs by design: the raw log has the LMS user id, xAPI an anonymised UUID.
        const pick = (e: LmsEvent | undefined) => ({ verb: e?.verb, objectId: e?.objectId, course: e?.courseExternalId, at: (e?.occurredAt as Date).getTime(), score: e?.score, maxScore: e?.maxScore });
        expect(pick(fromRaw), file).toEqual(pick(fromXapi));
        compared++;
        continue;
      }
      // Forum posts: messages from the raw log, `posted`/`deleted` activity from xAPI, on the same post.
      const [msg] = messages(raw.events);
      if (!msg) continue;
      expect(fromXapi?.objectId?.split("/").pop(), file).toBe(msg.externalId);
      expect(fromXapi?.courseExternalId).toBe(msg.channel.externalId.replace(/^forum:/, ""));
      expect(fromXapi?.verb).toBe(msg.action === "create" ? "posted" : "deleted");
      expect((fromXapi?.occurredAt as Date).getTime()).toBe((msg.sentAt as Date).getTime());
      compared++;
    }
    expect(compared).toBe(11);
  });
});

const forum = (name: string, data: Json, ctx: Json = {}) =>
  JSON.stringify({ name, timestamp: "2024-05-01T10:00:00.000000+00:00", data: { url: "x", user_forums_roles: ["Student"], user_course_roles: [], ...data }, context: { user_id: 7, username: "kate", course_id: "course-v1:Org+Py+2024", ...ctx } });

describe("parseOpenedxTrackingLog traps", () => {
  it("user_forums_roles / user_course_roles mark staff: one roster event per staff member, none for students", () => {
    const text = [
      forum("edx.forum.thread.created", { id: "t1", title: "Help", body: "<p>How do I submit?</p>" }),
      forum("edx.forum.response.created", { id: "r1", discussion: { id: "t1" }, body: "<p>Use the button</p>", user_forums_roles: ["Moderator"] }, { user_id: 9, username: "mentor" }),
      forum("edx.forum.comment.created", { id: "c1", discussion: { id: "t1" }, response: { id: "r1" }, body: "ok", user_forums_roles: ["Moderator"] }, { user_id: 9, username: "mentor" }),
      forum("edx.forum.comment.created", { id: "c2", discussion: { id: "t1" }, response: { id: "r1" }, body: "thanks", user_forums_roles: ["Community TA"] }, { user_id: 10 }),
      forum("edx.forum.comment.created", { id: "c3", discussion: { id: "t1" }, response: { id: "r1" }, body: "+1", user_forums_roles: ["Student"], user_course_roles: ["instructor"] }, { user_id: 11 }),
    ].join("\n");
    const r = parseOpenedxTrackingLog(text);
    const roster = r.events.filter((e) => e.type === "roster");
    expect(roster.map((e) => (e.type === "roster" ? [e.identity.externalId, e.role] : []))).toEqual([["9", "mentor"], ["10", "mentor"], ["11", "mentor"]]);
    const msgs = messages(r.events);
    expect(msgs.map((m) => [m.externalId, m.thread?.externalId, m.replyTo?.externalId])).toEqual([
      ["t1", "t1", undefined],
      ["r1", "t1", "t1"],
      ["c1", "t1", "r1"],
      ["c2", "t1", "r1"],
      ["c3", "t1", "r1"],
    ]);
    expect(msgs[0]?.text).toBe("Help\n\nHow do I submit?");
    expect(msgs[0]?.thread?.kind).toBe("forum_topic");
    expect(msgs[0]?.channel.kind).toBe("forum");
  });

  it("a deletion by someone else (a moderator) has no author in the event: returned apart", () => {
    const r = parseOpenedxTrackingLog(forum("edx.forum.response.deleted", { id: "r1", own_content: false, target_username: "kate" }, { user_id: 9 }));
    expect(messages(r.events)).toEqual([]);
    expect(r.unattributedDeletes).toEqual([{ messageId: "r1", channelId: "forum:course-v1:Org+Py+2024", deletedAt: new Date("2024-05-01T10:00:00Z") }]);
  });

  it("an edit that carries the new body is an edit", () => {
    const [e] = messages(parseOpenedxTrackingLog(forum("edx.forum.comment.edited", { id: "c1", discussion: { id: "t1" }, body: "<b>fixed</b> &amp; done" })).events);
    expect(e).toMatchObject({ action: "edit", text: "fixed & done" });
  });

  it("grades name the learner in data.user_id, not the context user who triggered them", () => {
    const text = fs.readFileSync(`${rawDir()}/edx.grades.subsection.grade_calculated.json`, "utf8");
    const [e] = lms(parseOpenedxTrackingLog(text).events);
    expect(e?.actor).toEqual({ externalId: "4" });
  });

  it("old-style events (event_type, time, `event` as a JSON string) and syslog prefixes are read", () => {
    const browser = JSON.stringify({ event_type: "play_video", time: "2024-05-01T10:00:00+00:00", event_source: "browser", event: JSON.stringify({ id: "vid1", currentTime: 3 }), context: { user_id: 7, course_id: "course-v1:Org+Py+2024" } });
    const r = parseOpenedxTrackingLog(`May  1 10:00:00 lms [tracking] ${browser}`);
    expect(lms(r.events)[0]).toMatchObject({ verb: "played", objectId: "block-v1:Org+Py+2024+type@video+block@vid1", objectKind: "video" });
  });

  it("the browser's problem_check (answers only) is ignored; unknown events are counted", () => {
    const r = parseOpenedxTrackingLog(
      [
        JSON.stringify({ name: "problem_check", event_source: "browser", timestamp: "2024-05-01T10:00:00Z", event: "input_x=1", context: { user_id: 7 } }),
        JSON.stringify({ name: "edx.ui.lms.sequence.next_selected", timestamp: "2024-05-01T10:00:00Z", context: { user_id: 7 } }),
      ].join("\n"),
    );
    expect(r.events).toEqual([]);
    expect(r.ignored).toEqual({ "event problem_check": 1, "event edx.ui.lms.sequence.next_selected": 1 });
  });

  it("events without a time or name, and forum events without a course, are rejected with their line", () => {
    const r = parseOpenedxTrackingLog(
      [JSON.stringify({ name: "play_video", context: { user_id: 1 } }), "garbage line", JSON.stringify({ timestamp: "2024-05-01T10:00:00Z" }), forum("edx.forum.thread.created", { id: "t" }, { course_id: "" })].join("\n"),
    );
    expect(r.rejected.map((x) => x.line)).toEqual([1, 2, 3, 4]);
  });

  it("htmlToText keeps paragraphs and decodes entities", () => {
    expect(htmlToText("<p>Hello&nbsp;there</p><p>a &lt; b</p>")).toBe("Hello there\na < b");
  });
});
