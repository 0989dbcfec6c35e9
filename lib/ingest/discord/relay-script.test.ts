import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

describe("relay.example.mjs", () => {
  it("is syntactically valid Node (node --check); it is not run in tests", () => {
    const file = path.join(import.meta.dirname, "relay.example.mjs");
    expect(() => execFileSync(process.execPath, ["--check", file], { stdio: "pipe" })).not.toThrow();
  });
});
