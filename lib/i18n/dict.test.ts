import { describe, expect, it } from "vitest";
import { dictionaries, pickLocale } from "./dict";

describe("pickLocale", () => {
  it.each([
    [undefined, "ru-RU,ru;q=0.9,en;q=0.8", "ru"],
    [undefined, "en-US,en;q=0.9", "en"],
    [undefined, "de-DE,en;q=0.5", "en"],
    [undefined, "de-DE", "ru"],
    [undefined, null, "ru"],
    ["en", "ru-RU", "en"],
    ["xx", "en-GB", "en"],
  ] as const)("cookie %s, header %s → %s", (cookie, header, want) => {
    expect(pickLocale(cookie, header)).toBe(want);
  });
});

describe("dictionaries", () => {
  it("have the same keys and no empty strings", () => {
    expect(Object.keys(dictionaries.en).sort()).toEqual(Object.keys(dictionaries.ru).sort());
    for (const d of Object.values(dictionaries)) for (const v of Object.values(d)) expect(v.length).toBeGreaterThan(0);
  });
});
