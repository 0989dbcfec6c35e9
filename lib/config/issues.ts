import type { z } from "zod";

/** One problem in a config document, located by its JSON path (`calendars[0].weekly.mon[1]`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** The document is wrong; `issues` lists every problem found, so one run fixes them all. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid config:\n${issues.map((i) => `  ${i.path || "(document)"}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** `["calendars", 0, "weekly", "mon-fri", 1]` → `calendars[0].weekly["mon-fri"][1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else if (typeof p === "string" && /^[A-Za-z_$][\w$]*$/.test(p)) out += out === "" ? p : `.${p}`;
    else out += `[${JSON.stringify(String(p))}]`;
  }
  return out;
}

export function zodIssues(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ConfigIssue[] {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}
