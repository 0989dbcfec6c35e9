import { classifyText, type TextFlags } from "./classify";
import { ingestEventSchema, type IngestEvent, type ParsedIngestEvent } from "./types";

/**
 * Input side of the bulk import (db/queries/bulk-import.ts): every event validated before anything is
 * written (a bulk load is one unit), grouped by kind in input order, and a memo of the text classifier.
 */

type Parsed<K extends ParsedIngestEvent["type"]> = Extract<ParsedIngestEvent, { type: K }>;

export type ParsedByType = { [K in ParsedIngestEvent["type"]]: Array<Parsed<K>> };

export interface ParsedBulk {
  read: number;
  byType: ParsedByType;
  rejected: Array<{ index: number; reason: string }>;
}

function emptyByType(): ParsedByType {
  return { message: [], lms: [], rating: [], survey: [], roster: [], enrollment: [], message_deletion: [], lms_item: [] };
}

function push<K extends ParsedIngestEvent["type"]>(by: ParsedByType, e: Parsed<K>): void {
  (by[e.type as K] as Array<Parsed<K>>).push(e);
}

/**
 * Validates every event with the store path's schema (zod, ~1.5 µs an event: not worth a faster
 * hand-written check). Once one event is invalid the valid ones are no longer kept (they will not be
 * written), only the reasons are collected.
 */
export async function parseAll(events: Iterable<IngestEvent> | AsyncIterable<IngestEvent>, opts: { yieldEvery?: number } = {}): Promise<ParsedBulk> {
  const byType = emptyByType();
  // Parsing beside a running import (db/seed/stream.ts prepares the next slice while one is written) must
  // let that import's replies be handled: every `yieldEvery` events the event loop runs its I/O.
  const every = opts.yieldEvery ?? 0;
  const rejected: ParsedBulk["rejected"] = [];
  let index = 0;
  const one = (raw: IngestEvent) => {
    const parsed = ingestEventSchema.safeParse(raw);
    if (!parsed.success) rejected.push({ index, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ") });
    else if (rejected.length === 0) push(byType, parsed.data);
    index++;
  };
  if (Symbol.asyncIterator in events) for await (const raw of events) one(raw);
  else
    for (const raw of events) {
      one(raw);
      if (every > 0 && index % every === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  return { read: index, byType: rejected.length > 0 ? emptyByType() : byType, rejected };
}

const MEMO_MAX = 200_000;
const memo = new Map<string, TextFlags>();

/**
 * classifyText is pure and the costliest per-message step in Node (≈ 9 µs a message at `large`);
 * exports repeat many short texts ("спасибо", "ок", stickers' captions), so a bounded memo saves most of
 * it. Results are the classifier's own, so flags are identical to the store path's.
 */
export function classifyCached(text: string | null | undefined): TextFlags {
  if (text === null || text === undefined) return classifyText(text);
  const hit = memo.get(text);
  if (hit) return hit;
  const flags = classifyText(text);
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, flags);
  return flags;
}
