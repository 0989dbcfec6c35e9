// No `import "server-only"`: shared with the production server's plain ingest path, which runs outside
// Next's react-server build (lib/server/webhook-core.ts, docs/adr/0004-ingest-server.md).
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/client";
import { storeParsedBatch, type ClaimJobs, type ParsedJob, type StoreResult } from "../../db/queries/ingest";
import type { ParsedIngestEvent } from "../ingest/types";

/**
 * Group commit for webhook deliveries (docs/performance.md, round 2). Every delivery of one school used to
 * be its own transaction of ~12 round trips under the school's advisory lock, so concurrent deliveries
 * only queued behind each other. Here the deliveries of a school that arrive while its previous batch is
 * being written wait for that batch to end and are then written together: one transaction, one lock, one
 * lookup of each source, channel and identity. There is no timer: an idle school writes a delivery at
 * once (the next tick), and under load a batch is whatever arrived during the previous one, so latency
 * stays one or two transactions long.
 *
 * Guarantees kept: a request is answered only after its own events and receipt are committed; each
 * delivery is validated on its own before it joins a batch (a bad one is refused alone by the caller);
 * if a batch's transaction fails, each of its deliveries is retried alone, so one that cannot be stored
 * fails its own request and never loses the others; a delivery whose receipt exists stores nothing.
 */

export interface Delivery {
  sourceId: number;
  eventKey: string;
  payloadHash: string;
  events: ParsedIngestEvent[];
}

export type DeliveryOutcome = { kind: "stored"; result: StoreResult } | { kind: "duplicate" };

interface Pending {
  delivery: Delivery;
  resolve: (o: DeliveryOutcome) => void;
  reject: (e: unknown) => void;
}

interface SchoolQueue {
  pending: Pending[];
  running: boolean;
}

/** A batch this large is already one short transaction's worth; more waits for the next one. */
export const MAX_BATCH = 256;

// Per database handle (tests open several databases in one process, with the same school ids). On
// globalThis: the production server loads this module twice (Next's bundle and the plain ingest path), and
// two queues for one school would be two writers contending for its advisory lock instead of one batch.
const queueHolder = globalThis as unknown as { __sqdWebhookQueues?: WeakMap<Db, Map<number, SchoolQueue>> };
const queues = (queueHolder.__sqdWebhookQueues ??= new WeakMap());

const keyOf = (d: { sourceId: number; eventKey: string }) => `${d.sourceId}\u0000${d.eventKey}`;

/** Resolves once the delivery's events and receipt are committed (or it was a re-delivery); rejects if it alone cannot be stored. */
export function submitDelivery(db: Db, schoolId: number, delivery: Delivery): Promise<DeliveryOutcome> {
  let bySchool = queues.get(db);
  if (!bySchool) queues.set(db, (bySchool = new Map()));
  let q = bySchool.get(schoolId);
  if (!q) bySchool.set(schoolId, (q = { pending: [], running: false }));
  const queue = q;
  return new Promise<DeliveryOutcome>((resolve, reject) => {
    queue.pending.push({ delivery, resolve, reject });
    if (!queue.running) {
      queue.running = true;
      // The next tick, so that deliveries parsed in the same tick share the first batch.
      setImmediate(() => void drain(db, schoolId, queue));
    }
  });
}

async function drain(db: Db, schoolId: number, q: SchoolQueue): Promise<void> {
  try {
    while (q.pending.length > 0) {
      // Re-deliveries of one event in one batch: the first goes now, the others wait for the next batch,
      // where the first one's receipt (if it was stored) answers them as duplicates.
      const batch: Pending[] = [];
      const later: Pending[] = [];
      const keys = new Set<string>();
      for (const p of q.pending) {
        const k = keyOf(p.delivery);
        if (batch.length >= MAX_BATCH || keys.has(k)) later.push(p);
        else {
          keys.add(k);
          batch.push(p);
        }
      }
      q.pending = later;
      await flush(db, schoolId, batch);
    }
  } finally {
    q.running = false;
    // Only reached with deliveries left if a flush threw unexpectedly: they are still served.
    if (q.pending.length > 0) {
      q.running = true;
      setImmediate(() => void drain(db, schoolId, q));
    }
  }
}

const jobOf = (d: Delivery): ParsedJob => ({ events: d.events });

/**
 * The deliveries' receipts, inserted first in the batch's transaction (storeParsedBatch's claim): a
 * delivery whose receipt is already stored (a re-delivery) gets no row back and is not stored again; the
 * others' receipts commit with their events or not at all. One statement with the batch as one JSON
 * parameter, where a look-up of the received ones before the transaction and their insert in it were two:
 * the look-up was, by time, the second statement of the bench's webhook load after the message insert
 * (0.70 ms a batch against the insert's 0.19; docs/performance.md, round 23). `duplicates` holds the answer
 * of the transaction's last attempt, the committed one.
 */
function receiptsClaim(schoolId: number, ds: readonly Delivery[]): { claim: ClaimJobs; duplicates: () => ReadonlySet<number> } {
  let duplicates: ReadonlySet<number> = new Set();
  const claim: ClaimJobs = async (tx) => {
    const json = JSON.stringify(ds.map((d) => ({ s: d.sourceId, k: d.eventKey, h: d.payloadHash })));
    const inserted = await rows<{ source_id: unknown; event_key: string }>(
      tx,
      sql`insert into ingest_receipts (school_id, source_id, event_key, payload_hash)
          select ${schoolId}::bigint, v.s, v.k, v.h from json_to_recordset(${json}::json) as v(s bigint, k text, h text)
          on conflict do nothing
          returning source_id, event_key`,
    );
    // A batch holds each (source, event key) once (drain), so a returned key is one delivery.
    const fresh = new Set(inserted.map((r) => keyOf({ sourceId: Number(r.source_id), eventKey: r.event_key })));
    duplicates = new Set(ds.flatMap((d, i) => (fresh.has(keyOf(d)) ? [] : [i])));
    return duplicates;
  };
  return { claim, duplicates: () => duplicates };
}

/** One batch (or one delivery alone): its outcome per delivery once committed. */
async function store(db: Db, schoolId: number, batch: readonly Pending[]): Promise<DeliveryOutcome[]> {
  const { claim, duplicates } = receiptsClaim(schoolId, batch.map((p) => p.delivery));
  const results = await storeParsedBatch(db, schoolId, batch.map((p) => jobOf(p.delivery)), claim);
  const dup = duplicates();
  return batch.map((_, i): DeliveryOutcome => {
    if (dup.has(i)) return { kind: "duplicate" };
    const result = results[i];
    if (!result) throw new Error("group commit returned no result for a delivery");
    return { kind: "stored", result };
  });
}

async function flush(db: Db, schoolId: number, batch: Pending[]): Promise<void> {
  try {
    const outcomes = await store(db, schoolId, batch);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o) p.resolve(o);
      else p.reject(new Error("group commit returned no outcome for a delivery"));
    });
    return;
  } catch (e) {
    // One failing alone is answered with its own error below; with one delivery there is nothing to retry.
    if (batch.length === 1) {
      batch[0]?.reject(e);
      return;
    }
  }
  for (const p of batch) {
    try {
      const [o] = await store(db, schoolId, [p]);
      if (o) p.resolve(o);
      else p.reject(new Error("group commit returned no outcome for a delivery"));
    } catch (e) {
      p.reject(e);
    }
  }
}

/** For tests: deliveries waiting or being written for a school of this database. */
export function pendingDeliveries(db: Db, schoolId: number): number {
  const q = queues.get(db)?.get(schoolId);
  return q ? q.pending.length + (q.running ? 1 : 0) : 0;
}
