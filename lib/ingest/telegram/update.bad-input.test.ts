import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { parseTelegramUpdate } from "./update";

/**
 * Hostile and broken webhook bodies. Each case states its outcome: `invalid` (dead-letter), `ignored`
 * (acknowledge, nothing stored) or `events` with how many. The parser must never throw.
 */
const opts = { botId: "42", receivedAt: new Date("2024-06-01T00:00:00Z") };
const chat = { id: -1001, type: "supergroup", title: "g" };
const from = { id: 7, is_bot: false, first_name: "A" };
const good = { message_id: 1, date: 1717000000, chat, from, text: "question?" };
const m = (patch: Record<string, unknown>) => ({ update_id: 1, message: { ...good, ...patch } });
const without = (key: keyof typeof good) => {
  const copy: Record<string, unknown> = { ...good };
  delete copy[key];
  return { update_id: 1, message: copy };
};

type Expect = { invalid: RegExp } | { ignored: RegExp } | { events: number };
const cases: Array<[string, unknown, Expect]> = [
  ["null", null, { invalid: /not a JSON object/ }],
  ["undefined", undefined, { invalid: /not a JSON object/ }],
  ["a string", "update", { invalid: /not a JSON object/ }],
  ["a number", 5, { invalid: /not a JSON object/ }],
  ["an array", [{ update_id: 1 }], { invalid: /not a JSON object/ }],
  ["empty object", {}, { invalid: /update_id/ }],
  ["update_id as string", { update_id: "1", message: good }, { invalid: /update_id/ }],
  ["negative update_id", { update_id: -1, message: good }, { invalid: /update_id/ }],
  ["fractional update_id", { update_id: 1.5, message: good }, { invalid: /update_id/ }],
  ["update_id beyond 2^53", { update_id: 2 ** 60, message: good }, { invalid: /update_id/ }],
  ["no payload", { update_id: 1 }, { invalid: /no payload/ }],
  ["two payloads", { update_id: 1, message: good, edited_message: good }, { invalid: /more than one payload/ }],
  ["message is null", { update_id: 1, message: null }, { invalid: /message/ }],
  ["message is a string", { update_id: 1, message: "hi" }, { invalid: /message/ }],
  ["message without chat", without("chat"), { invalid: /message\.chat/ }],
  ["message without message_id", without("message_id"), { invalid: /message\.message_id/ }],
  ["message without date", without("date"), { invalid: /message\.date/ }],
  ["chat.id as string", m({ chat: { ...chat, id: "-1001" } }), { invalid: /message\.chat\.id/ }],
  ["chat id beyond 2^53", m({ chat: { ...chat, id: -(2 ** 60) } }), { invalid: /message\.chat\.id/ }],
  ["unknown chat type", m({ chat: { ...chat, type: "secret" } }), { invalid: /message\.chat\.type/ }],
  ["date as ISO string", m({ date: "2024-05-29T16:26:40Z" }), { invalid: /message\.date/ }],
  ["negative date", m({ date: -5 }), { invalid: /message\.date/ }],
  ["date in ms (year 56 000)", m({ date: 1717000000000 }), { invalid: /message\.date/ }],
  ["edit_date absurdly large", { update_id: 1, edited_message: { ...good, edit_date: 1e15 } }, { invalid: /edit_date/ }],
  ["from without is_bot", m({ from: { id: 7, first_name: "A" } }), { invalid: /message\.from\.is_bot/ }],
  ["from.id fractional", m({ from: { ...from, id: 7.5 } }), { invalid: /message\.from\.id/ }],
  ["text as number", m({ text: 42 }), { invalid: /message\.text/ }],
  ["entities not an array", m({ entities: { type: "mention" } }), { invalid: /message\.entities/ }],
  ["entity with negative offset", m({ entities: [{ type: "mention", offset: -1, length: 3 }] }), { invalid: /offset/ }],
  ["reply_to_message is a string", m({ reply_to_message: "9" }), { invalid: /reply_to_message/ }],
  ["deleted_business_messages with no ids", { update_id: 1, deleted_business_messages: { business_connection_id: "b", chat, message_ids: [] } }, { invalid: /message_ids/ }],
  ["deleted_business_messages with string ids", { update_id: 1, deleted_business_messages: { business_connection_id: "b", chat, message_ids: ["5"] } }, { invalid: /message_ids/ }],
  ["deleted_business_messages without chat", { update_id: 1, deleted_business_messages: { business_connection_id: "b", message_ids: [5] } }, { invalid: /chat/ }],
  ["unknown update type", { update_id: 1, brand_new_update: {} }, { ignored: /unknown update type brand_new_update/ }],
  ["__proto__ as the payload key", JSON.parse('{"update_id":1,"__proto__":{"message_id":1}}'), { ignored: /unknown update type __proto__/ }],
  ["constructor as the payload key", { update_id: 1, constructor: good }, { ignored: /unknown update type constructor/ }],
  ["message_reaction", { update_id: 1, message_reaction: { chat, message_id: 1, date: 1, old_reaction: [], new_reaction: [] } }, { ignored: /message_reaction is not a message/ }],
  ["callback_query", { update_id: 1, callback_query: { id: "x", from } }, { ignored: /callback_query/ }],
  ["my_chat_member", { update_id: 1, my_chat_member: {} }, { ignored: /my_chat_member/ }],
  ["poll", { update_id: 1, poll: {} }, { ignored: /poll/ }],
  ["empty text is still a message", m({ text: "" }), { events: 1 }],
  ["mention entity past the end of the text", m({ text: "hi", entities: [{ type: "mention", offset: 10, length: 8 }] }), { events: 1 }],
  ["mention too short to be a username", m({ text: "@ab hi", entities: [{ type: "mention", offset: 0, length: 3 }] }), { events: 1 }],
  ["no known content (a future message type)", m({ text: undefined, checklist_v9: { items: [] } }), { events: 1 }],
  ["100 000-character text", m({ text: "я".repeat(100_000) }), { events: 1 }],
  ["unknown extra fields everywhere", m({ chat: { ...chat, brand_new: 1 }, from: { ...from, flair: "x" }, zzz: [1, 2] }), { events: 1 }],
  ["deleted_business_messages with a repeated id", { update_id: 1, deleted_business_messages: { business_connection_id: "b", chat, message_ids: [5, 5, 6] } }, { events: 2 }],
];

describe("parseTelegramUpdate bad-input corpus", () => {
  it("has at least 30 cases", () => expect(cases.length).toBeGreaterThanOrEqual(30));
  it.each(cases)("%s", (_name, input, expected) => {
    const r = parseTelegramUpdate(input, opts);
    if ("invalid" in expected) {
      expect(r).toHaveProperty("invalid");
      if ("invalid" in r) expect(r.invalid).toMatch(expected.invalid);
    } else if ("ignored" in expected) {
      expect(r).toHaveProperty("ignored");
      if ("ignored" in r) expect(r.ignored).toMatch(expected.ignored);
    } else {
      expect(r).toHaveProperty("events");
      if ("events" in r) {
        expect(r.events).toHaveLength(expected.events);
        for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
      }
    }
  });

  it("never throws on mangled variants of a valid update", () => {
    const values: unknown[] = [null, 0, -1, 1.5, "", "x", [], {}, true, 2 ** 64, Number.NaN];
    for (const key of Object.keys(good)) {
      for (const v of values) expect(() => parseTelegramUpdate(m({ [key]: v }), opts)).not.toThrow();
    }
  });
});
