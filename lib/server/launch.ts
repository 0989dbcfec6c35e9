import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * How the production server is started (server/main.ts), for the callers that spawn it: the demo
 * command, the bench and Playwright. `npm start` (package.json) runs the same command line.
 *
 * - `--import tsx`: the server is TypeScript like the CLI, run through tsx's loader in one process (no
 *   build step of its own, and the same module resolution the CLI and tests use).
 * - `--max-semi-space-size=8` (half V8's default young generation): rounds 2–22 ran the server with 32,
 *   when derivation shared its thread with the webhook requests and the scavenger took ~9 % of its time
 *   with 16. Derivation has its own thread on PostgreSQL now (lib/server/derive-worker.ts), whose heap is
 *   a second one in the process (the flag sizes both). Peak RSS under the bench's webhook load: 516–530 MiB
 *   with 32, 442–482 with 16, 387–413 with 8, at request rates within this machine's noise of each other
 *   (docs/adr/0015-derivation-thread.md).
 */
export function serverNodeFlags(): string[] {
  return ["--max-semi-space-size=8", "--import", tsxLoader()];
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
