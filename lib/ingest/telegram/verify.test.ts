import { describe, expect, it } from "vitest";
import type { HeaderBag } from "../common/header-value";
import { verifyTelegramWebhook, type TelegramVerifyResult } from "./verify";

const SECRET = "s3cr3t_TOKEN-123";
const H = "X-Telegram-Bot-Api-Secret-Token";
const long256 = "a".repeat(255) + "Z";

type Case = [name: string, headers: HeaderBag, secret: string | undefined | null, expected: TelegramVerifyResult];

function fetchHeaders(pairs: Array<[string, string]>): Headers {
  const h = new Headers();
  for (const [k, v] of pairs) h.append(k, v);
  return h;
}

const fail = (reason: Extract<TelegramVerifyResult, { ok: false }>["reason"]): TelegramVerifyResult => ({ ok: false, reason });
const OK: TelegramVerifyResult = { ok: true };

const cases: Case[] = [
  ["exact header name, right secret", { [H]: SECRET }, SECRET, OK],
  ["lower-case header name (Node)", { [H.toLowerCase()]: SECRET }, SECRET, OK],
  ["upper-case header name", { [H.toUpperCase()]: SECRET }, SECRET, OK],
  ["Fetch Headers, right secret", fetchHeaders([[H, SECRET]]), SECRET, OK],
  ["single-element array value", { [H.toLowerCase()]: [SECRET] }, SECRET, OK],
  ["surrounding whitespace is not part of an HTTP value", { [H]: `  ${SECRET} ` }, SECRET, OK],
  ["256-character secret", { [H]: long256 }, long256, OK],
  ["digits-only secret", { [H]: "1234567890" }, "1234567890", OK],
  ["missing header", { "content-type": "application/json" }, SECRET, fail("missing_header")],
  ["no headers at all", {}, SECRET, fail("missing_header")],
  ["header value undefined", { [H]: undefined }, SECRET, fail("missing_header")],
  ["similar but different header name", { "X-Telegram-Bot-Api-Secret": SECRET }, SECRET, fail("missing_header")],
  ["Fetch Headers without the header", fetchHeaders([["x-other", SECRET]]), SECRET, fail("missing_header")],
  ["empty header value", { [H]: "" }, SECRET, fail("malformed_header")],
  ["characters outside [A-Za-z0-9_-]", { [H]: "abc!def" }, SECRET, fail("malformed_header")],
  ["257 characters", { [H]: "a".repeat(257) }, SECRET, fail("malformed_header")],
  ["Cyrillic look-alike letter", { [H]: SECRET.replace("T", "Т") }, SECRET, fail("malformed_header")],
  ["embedded newline", { [H]: "s3cr3t\nTOKEN" }, SECRET, fail("malformed_header")],
  ["embedded space", { [H]: "s3cr3t TOKEN-123" }, SECRET, fail("malformed_header")],
  ["repeated header (array)", { [H.toLowerCase()]: [SECRET, SECRET] }, SECRET, fail("repeated_header")],
  ["repeated header (two keys differing in case)", { [H]: SECRET, [H.toLowerCase()]: SECRET }, SECRET, fail("repeated_header")],
  ["repeated header (Fetch Headers joins with a comma)", fetchHeaders([[H, SECRET], [H, "other"]]), SECRET, fail("repeated_header")],
  ["wrong secret, same length", { [H]: "s3cr3t_TOKEN-124" }, SECRET, fail("bad_secret")],
  ["wrong secret, shorter", { [H]: "s3cr3t" }, SECRET, fail("bad_secret")],
  ["secret plus one character", { [H]: `${SECRET}x` }, SECRET, fail("bad_secret")],
  ["different case", { [H]: SECRET.toUpperCase() }, SECRET, fail("bad_secret")],
  ["256-character secret, last character differs", { [H]: "a".repeat(256) }, long256, fail("bad_secret")],
  ["Fetch Headers, wrong secret", fetchHeaders([[H, "nope_nope"]]), SECRET, fail("bad_secret")],
  ["configured secret undefined fails closed", { [H]: SECRET }, undefined, fail("no_secret_configured")],
  ["configured secret null fails closed", { [H]: SECRET }, null, fail("no_secret_configured")],
  ["configured secret empty fails closed (even with an empty header)", { [H]: "" }, "", fail("no_secret_configured")],
  ["configured secret with invalid characters", { [H]: "bad secret" }, "bad secret", fail("no_secret_configured")],
  ["configured secret too long", { [H]: "a".repeat(257) }, "a".repeat(257), fail("no_secret_configured")],
];

describe("verifyTelegramWebhook", () => {
  it("has a corpus of at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases)("%s", (_name, headers, secret, expected) => {
    expect(verifyTelegramWebhook(headers, secret)).toEqual(expected);
  });
});
