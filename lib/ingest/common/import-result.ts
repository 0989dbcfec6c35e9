import type { IngestEvent } from "../types";

/**
 * Result shapes shared by the Discord, Mattermost, Pachca, xAPI, Open edX, OULAD and CSV adapters.
 *
 * A file import keeps going past bad records: each one lands in `rejected` with where it was (line or
 * index) and why, and the rest are still returned. Records that are valid but carry nothing the product
 * records (reactions, unknown event kinds) are counted in `ignored` with the reason, so an operator can
 * see that nothing was silently lost.
 */
export interface Rejection {
  /** 1-based line in the input file, where the input has lines. */
  line?: number;
  /** 0-based position in an input array or file list. */
  index?: number;
  /** The file inside an archive, or the record's own id. */
  ref?: string;
  reason: string;
}

export interface ImportResult {
  events: IngestEvent[];
  rejected: Rejection[];
  /** reason -> how many records were skipped for it. */
  ignored: Record<string, number>;
  /** Accepted records with something an operator should know (a clamped time, a guessed channel). */
  warnings: string[];
}

export function emptyImportResult(): ImportResult {
  return { events: [], rejected: [], ignored: {}, warnings: [] };
}

export function countIgnored(ignored: Record<string, number>, reason: string, n = 1): void {
  ignored[reason] = (ignored[reason] ?? 0) + n;
}

/**
 * One webhook delivery. Same shape as the Telegram adapter's so that routes treat every source alike:
 * `events` (store them), `ignored` (acknowledge with 2xx, store nothing), `invalid` (400 + dead-letter).
 * `eventKey` is the delivery's own id where the source gives one, for retry de-duplication.
 */
export type WebhookParseResult =
  | { eventKey: string; events: IngestEvent[]; notes?: string[] }
  | { eventKey?: string; ignored: string }
  | { invalid: string };

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
