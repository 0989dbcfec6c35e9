import { describe, expect, it } from "vitest";
import { bearerMatches, signRatingToken, verifyRatingToken } from "./token";
import { decodeCursor, encodeCursor } from "./cursor";
import { DEFAULT_RATING_POLICY, ratingPolicyOf, type RatingPolicy } from "./policy";
import { selectDue, type DueCandidate } from "./due";
import { parseRatingHookBody, ratingHookEvent } from "../ingest/ratings-hook";

const SECRET = "0123456789abcdef-secret";

describe("rating tokens", () => {
  it("round-trips school and episode, and fits Telegram's 64-byte callback_data with a prefix", () => {
    const t = signRatingToken(SECRET, 7, 123456789);
    expect(verifyRatingToken(SECRET, 7, t)).toBe(123456789);
    expect(`r10:${t}`.length).toBeLessThanOrEqual(64);
  });
  it.each([
    ["another secret", (t: string) => verifyRatingToken("another-secret-0123456", 7, t)],
    ["another school", (t: string) => verifyRatingToken(SECRET, 8, t)],
    ["another episode", (t: string) => verifyRatingToken(SECRET, 7, t.replace(/^\d+/, "43"))],
    ["no secret", (t: string) => verifyRatingToken(null, 7, t)],
    ["garbage", () => verifyRatingToken(SECRET, 7, "42.not-a-mac")],
  ])("refuses a token checked with %s", (_n, check) => {
    expect(check(signRatingToken(SECRET, 7, 42))).toBeNull();
  });
  it("compares the Bearer secret and fails closed without a real one", () => {
    expect(bearerMatches(`Bearer ${SECRET}`, SECRET)).toBe(true);
    expect(bearerMatches(`bearer   ${SECRET}`, SECRET)).toBe(true);
    expect(bearerMatches(`Bearer ${SECRET}x`, SECRET)).toBe(false);
    expect(bearerMatches(null, SECRET)).toBe(false);
    expect(bearerMatches("Bearer short", "short")).toBe(false);
    expect(bearerMatches(`Basic ${SECRET}`, SECRET)).toBe(false);
  });
});

describe("due cursor", () => {
  it("round-trips and refuses what it did not make", () => {
    const c = { answeredAt: new Date("2026-03-02T10:00:00.123Z"), key: 17 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor("nope!")).toBeNull();
    expect(decodeCursor(Buffer.from("x-1").toString("base64url"))).toBeNull();
  });
});

describe("rating policy", () => {
  it("defaults: no DMs, once a day, three days back, ten minutes after the answer", () => {
    expect(ratingPolicyOf({})).toEqual({ ok: true, policy: DEFAULT_RATING_POLICY });
    expect(DEFAULT_RATING_POLICY).toMatchObject({ enabled: true, askInDms: false, minHoursBetweenAsks: 24, maxAgeHours: 72, delayMinutes: 10 });
  });
  it("reports a malformed policy with its path", () => {
    expect(ratingPolicyOf({ ratings: { askInDms: "yes" } })).toEqual({ ok: false, error: expect.stringMatching(/^sources\.settings\.ratings\.askInDms: /) });
  });
});

const NOW = new Date("2026-03-10T12:00:00Z");
let n = 0;
const cand = (over: Partial<DueCandidate> = {}): DueCandidate => ({
  episodeId: ++n, episodeKey: 1000 + n, answeredAt: new Date(NOW.getTime() - 3_600_000 + n * 1000), channelExternalId: "-100", channelKind: "group", channelPurpose: "support",
  threadExternalId: null, studentPersonId: n * 10, studentExternalId: `s${n}`, responderExternalId: "m1", responderName: "Марк", responderRole: "mentor",
  answerMessageExternalId: `a${n}`, lastAskedAt: null, ...over,
});
const policy = (over: Partial<RatingPolicy> = {}): RatingPolicy => ({ ...DEFAULT_RATING_POLICY, ...over });

describe("selectDue", () => {
  it.each([
    ["a DM by default", cand({ channelKind: "dm", channelPurpose: "support" }), policy(), "dm_not_allowed"],
    ["a DM when the source allows it", cand({ channelKind: "dm" }), policy({ askInDms: true }), null],
    ["a community chat", cand({ channelPurpose: "community" }), policy(), "not_support"],
    ["a channel turned off", cand({ channelExternalId: "-9" }), policy({ channels: { "-9": false } }), "channel_off"],
    ["a DM turned on by channel", cand({ channelKind: "dm", channelExternalId: "d1" }), policy({ channels: { d1: true } }), null],
    ["a student with no identity here", cand({ studentExternalId: null }), policy(), "no_student_identity"],
    ["a student asked 3 h ago", cand({ lastAskedAt: new Date(NOW.getTime() - 3 * 3_600_000) }), policy(), "asked_recently"],
    ["a student asked 25 h ago", cand({ lastAskedAt: new Date(NOW.getTime() - 25 * 3_600_000) }), policy(), null],
    ["a student asked 3 h ago, no minimum gap", cand({ lastAskedAt: new Date(NOW.getTime() - 3 * 3_600_000) }), policy({ minHoursBetweenAsks: 0 }), null],
  ])("%s", (_name, c, p, reason) => {
    const s = selectDue([c], p, 10, NOW);
    expect(s.skipped.map((x) => x.reason)).toEqual(reason ? [reason] : []);
    expect(s.due).toHaveLength(reason ? 0 : 1);
    expect(s.last).toBe(c);
  });

  it("asks one student once per page, and stops at the limit with the cursor on the last one looked at", () => {
    const a = cand({ studentPersonId: 1 });
    const b = cand({ studentPersonId: 1 });
    const c = cand();
    const d = cand();
    const s = selectDue([a, b, c, d], policy(), 2, NOW);
    expect(s.due.map((x) => x.episodeId)).toEqual([a.episodeId, c.episodeId]);
    expect(s.skipped).toEqual([{ episodeId: b.episodeId, reason: "asked_recently" }]);
    expect(s.last).toBe(c);
  });
});

describe("rating hook body", () => {
  const ep = { episodeId: 5, episodeKey: 77, channelExternalId: "-100", channelKind: "group" as const, answerMessageExternalId: "a5", studentExternalId: "s5" };
  const src = { kind: "telegram" as const, externalId: "bot" };
  it("becomes a rating event about the answer, with a stable id", () => {
    const p = parseRatingHookBody({ token: "5.x", score: 4, comment: "спасибо", rater: { externalId: "s5" } });
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const e = ratingHookEvent(p.body, ep, src, NOW);
    expect(e).toEqual({ ok: true, event: expect.objectContaining({ type: "rating", externalId: "sqd-rating:csat:77", rawScore: 4, scaleMax: 5, channelExternalId: "-100", aboutMessageExternalId: "a5", fromDm: false, givenAt: NOW }) });
  });
  it.each([
    [{ token: "5.x", score: 6 }, /score: must be a whole number 1..5/],
    [{ token: "5.x", score: 0, scale: 10 }, null],
    [{ token: "5.x", kind: "nps", score: 11 }, /score/],
    [{ token: "5.x", kind: "nps", score: 9, scale: 5 }, /scale: NPS/],
    [{ token: "5.x", score: 4.5 }, /score/],
    [{ token: "5.x", score: 4, extra: 1 }, /Unrecognized key/],
    [{ score: 4 }, /token/],
  ])("validates %j", (body, err) => {
    const p = parseRatingHookBody(body);
    if (err === null) expect(p.ok).toBe(true);
    else expect(p.ok ? "" : p.error).toMatch(err);
  });
  it("refuses a rating pressed by someone else in the chat", () => {
    const p = parseRatingHookBody({ token: "5.x", score: 5, rater: { externalId: "s6" } });
    if (!p.ok) throw new Error(p.error);
    expect(ratingHookEvent(p.body, ep, src, NOW)).toMatchObject({ ok: false, status: 403 });
  });
});
