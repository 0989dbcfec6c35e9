import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How the production server is started (server/main.ts), for the callers that spawn it: the demo
 * command, the bench and Playwright. `npm start` (package.json) runs the same command line.
 *
 * - `--import tsx`: the server is TypeScript like the CLI, run through tsx's loader in one process (no
 *   build step of its own, and the same module resolution the CLI and tests use).
 * - `--max-semi-space-size=32`: a webhook load allocates many short-lived objects (bodies, events, query
 *   parameters); with V8's default 16 MiB young generation the scavenger took ~9 % of the server's time
 *   at 800 req/s, with 32 MiB ~3 % (docs/adr/0004-ingest-server.md). It costs at most a few tens of MiB.
 */
export function serverNodeFlags(): string[] {
  return ["--max-semi-space-size=32", "--import", tsxLoader()];
}

/** tsx's loader by its resolved URL, so that the command works from any working directory. */
function tsxLoader(): string {
  try {
    return import.meta.resolve("tsx");
  } catch {
    return "tsx";
  }
}

export const SERVER_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../server/main.ts");

/** `node <flags> server/main.ts <args>` as an argv for spawn (the command is process.execPath). */
export function serverArgs(args: readonly string[], extraNodeFlags: readonly string[] = []): string[] {
  return [...extraNodeFlags, ...serverNodeFlags(), SERVER_ENTRY, ...args];
}
