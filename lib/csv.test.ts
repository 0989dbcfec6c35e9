import { describe, expect, it } from "vitest";
import Papa from "papaparse";
import { toCsv } from "./csv";

describe("toCsv", () => {
  it("round-trips Cyrillic, commas, quotes and newlines", () => {
    const csv = toCsv(["имя", "n"], [["Иванов, \"Ваня\"\nстудент", 3], [null, 0]]);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    expect(parsed).toEqual([["имя", "n"], ["Иванов, \"Ваня\"\nстудент", "3"], ["", "0"]]);
  });
  it.each(["=1+1", "+7 999", "-2", "@SUM(A1)"])("neutralises formula-like cell %s", (v) => {
    const parsed = Papa.parse<string[]>(toCsv(["v"], [[v]]).slice(1), { skipEmptyLines: true }).data;
    expect(parsed[1]?.[0]).toBe(`'${v}`);
  });
});
