import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signSlackRequest, verifySlackSignature, type SlackSignatureInput, type SlackVerifyResult } from "./verify";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TS = "1700000000";
const BODY = '{"token":"x","team_id":"T1","type":"event_callback","event":{"type":"message","text":"привет?"}}';
const NOW = new Date(Number(TS) * 1000);
const SIG = signSlackRequest(SECRET, TS, BODY);
const at = (deltaSec: number) => new Date(NOW.getTime() + deltaSec * 1000);
const base: SlackSignatureInput = { timestamp: TS, signature: SIG, rawBody: BODY, signingSecret: SECRET, now: NOW };
const OK: SlackVerifyResult = { ok: true };
const fail = (reason: Extract<SlackVerifyResult, { ok: false }>["reason"]): SlackVerifyResult => ({ ok: false, reason });

const cases: Array<[string, Partial<SlackSignatureInput>, SlackVerifyResult]> = [
  ["valid request", {}, OK],
  ["the documented recipe computed independently", { signature: `v0=${createHmac("sha256", SECRET).update(`v0:${TS}:${BODY}`).digest("hex")}` }, OK],
  ["upper-case hex signature", { signature: `v0=${SIG.slice(3).toUpperCase()}` }, OK],
  ["body as UTF-8 bytes", { rawBody: new TextEncoder().encode(BODY) }, OK],
  ["empty body signed as empty", { rawBody: "", signature: signSlackRequest(SECRET, TS, "") }, OK],
  ["now 300 s after the timestamp (edge)", { now: at(300) }, OK],
  ["now 300 s before the timestamp (edge)", { now: at(-300) }, OK],
  ["now 301 s after: stale", { now: at(301) }, fail("stale")],
  ["now 301 s before: from the future", { now: at(-301) }, fail("stale")],
  ["a day-old replay", { now: at(86_400) }, fail("stale")],
  ["timestamp 0", { timestamp: "0", signature: signSlackRequest(SECRET, "0", BODY) }, fail("stale")],
  ["timestamp far in the future", { timestamp: "999999999999", signature: signSlackRequest(SECRET, "999999999999", BODY) }, fail("stale")],
  ["now is an invalid Date", { now: new Date(Number.NaN) }, fail("stale")],
  ["timestamp header missing", { timestamp: undefined }, fail("missing_header")],
  ["timestamp header null", { timestamp: null }, fail("missing_header")],
  ["timestamp header empty", { timestamp: "" }, fail("missing_header")],
  ["signature header missing", { signature: undefined }, fail("missing_header")],
  ["signature header null", { signature: null }, fail("missing_header")],
  ["signature header empty", { signature: "" }, fail("missing_header")],
  ["timestamp not a number", { timestamp: "yesterday" }, fail("malformed_timestamp")],
  ["timestamp with a fraction", { timestamp: "1700000000.5" }, fail("malformed_timestamp")],
  ["negative timestamp", { timestamp: "-1700000000" }, fail("malformed_timestamp")],
  ["timestamp with leading space", { timestamp: " 1700000000" }, fail("malformed_timestamp")],
  ["timestamp in milliseconds (13 digits)", { timestamp: "1700000000000" }, fail("malformed_timestamp")],
  ["timestamp in exponent form", { timestamp: "1.7e9" }, fail("malformed_timestamp")],
  ["signature without the v0= prefix", { signature: SIG.slice(3) }, fail("malformed_signature")],
  ["signature with another version", { signature: `v1=${SIG.slice(3)}` }, fail("malformed_signature")],
  ["signature too short", { signature: SIG.slice(0, -2) }, fail("malformed_signature")],
  ["signature with non-hex characters", { signature: `v0=${"z".repeat(64)}` }, fail("malformed_signature")],
  ["signature with a trailing space", { signature: `${SIG} ` }, fail("malformed_signature")],
  ["two signatures joined", { signature: `${SIG},${SIG}` }, fail("malformed_signature")],
  ["all-zero signature", { signature: `v0=${"0".repeat(64)}` }, fail("bad_signature")],
  ["signed with another secret", { signature: signSlackRequest("another-secret", TS, BODY) }, fail("bad_signature")],
  ["body changed by one character", { rawBody: BODY.replace("привет?", "привет!") }, fail("bad_signature")],
  ["body re-serialised (whitespace)", { rawBody: JSON.stringify(JSON.parse(BODY), null, 1) }, fail("bad_signature")],
  ["replay with a fresh timestamp but the old signature", { timestamp: String(Number(TS) + 10), now: at(10) }, fail("bad_signature")],
  ["signature of the body alone (no v0:ts: prefix)", { signature: `v0=${createHmac("sha256", SECRET).update(BODY).digest("hex")}` }, fail("bad_signature")],
  ["bytes of a different encoding", { rawBody: new Uint8Array(Buffer.from(BODY, "latin1")) }, fail("bad_signature")],
  ["signing secret missing", { signingSecret: undefined }, fail("no_signing_secret")],
  ["signing secret empty", { signingSecret: "" }, fail("no_signing_secret")],
];

describe("verifySlackSignature", () => {
  it("has a corpus of at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases)("%s", (_name, patch, expected) => {
    expect(verifySlackSignature({ ...base, ...patch })).toEqual(expected);
  });
});
