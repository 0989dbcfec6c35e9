import { describe, expect, it } from "vitest";
import { sessionOptions } from "./client";

describe("sessionOptions", () => {
  it.each([
    ["a plain URL", "postgres://u@localhost:5432/db", "-c max_parallel_workers_per_gather=0"],
    ["a URL with its own options (kept first)", "postgres://u@localhost/db?options=-c%20statement_timeout%3D5000", "-c statement_timeout=5000 -c max_parallel_workers_per_gather=0"],
    ["a key=value string (not a URL)", "host=localhost dbname=db", "-c max_parallel_workers_per_gather=0"],
  ])("%s", (_what, url, expected) => {
    expect(sessionOptions(url)).toBe(expected);
  });
});
