import { sql } from "drizzle-orm";
import { rows, type Db } from "../client";
import * as t from "../schema";
import type { ParsedIngestEvent, SourceRef } from "../../lib/ingest/types";
import type { StoreResult } from "./ingest";

type Parsed<K extends ParsedIngestEvent["type"]> = Extract<ParsedIngestEvent, { type: K }>;

/** What these writers need from the store path's per-transaction context (db/queries/ingest.ts). */
export interface StoreScope {
  db: Db;
  schoolId: number;
  source(ref: SourceRef): Promise<{ id: number; storeGroupText: boolean }>;
  course(externalId: string, title?: string): Promise<number>;
  cohort(courseId: number, c: { externalId: string }): Promise<number>;
}

/**
 * Deletions without an author: mark the stored message deleted, keeping the row (its sent_at and
 * flags are SLA history). The channel id may name the message's channel or its thread (a Discord
 * thread is a channel). Nothing is created for a message never seen; a repeat changes nothing.
 */
export async function storeDeletions(s: StoreScope, events: Parsed<"message_deletion">[], result: StoreResult): Promise<Array<{ channelId: number; threadId: number }>> {
  const dirty: Array<{ channelId: number; threadId: number }> = [];
  for (const e of events) {
    const src = await s.source(e.source);
    // Two statements, each on the (school, channel, external_id) key, rather than one with an OR the planner cannot index.
    type Row = { channel_id: number; thread_id: number | null };
    let changed = await rows<Row>(s.db, sql`
      update messages m set deleted_at = ${e.deletedAt}
      from channels c
      where c.school_id = ${s.schoolId} and c.source_id = ${src.id} and c.external_id = ${e.channelExternalId}
        and m.school_id = c.school_id and m.channel_id = c.id and m.external_id = ${e.externalId} and m.deleted_at is null
      returning m.channel_id, m.thread_id`);
    if (changed.length === 0) {
      changed = await rows<Row>(s.db, sql`
        update messages m set deleted_at = ${e.deletedAt}
        from threads th join channels c on c.id = th.channel_id
        where c.school_id = ${s.schoolId} and c.source_id = ${src.id} and th.school_id = c.school_id and th.external_id = ${e.channelExternalId}
          and m.school_id = c.school_id and m.channel_id = c.id and m.thread_id = th.id and m.external_id = ${e.externalId} and m.deleted_at is null
        returning m.channel_id, m.thread_id`);
    }
    if (changed.length > 0) result.updated++;
    else result.duplicates++;
    for (const c of changed) dirty.push({ channelId: Number(c.channel_id), threadId: Number(c.thread_id ?? 0) });
  }
  return dirty;
}

/** The schedule of a cohort (OULAD assessments, a CSV of deadlines) into lms_items, upserted on its id. */
export async function storeLmsItems(s: StoreScope, events: Parsed<"lms_item">[], result: StoreResult): Promise<void> {
  for (const e of events) {
    const courseId = await s.course(e.courseExternalId);
    const cohortId = await s.cohort(courseId, { externalId: e.cohortExternalId });
    const values = { schoolId: s.schoolId, cohortId, externalId: e.externalId, kind: e.kind, title: e.title ?? null, dueAt: e.dueAt ?? null, weight: e.weight ?? null };
    const written = await s.db
      .insert(t.lmsItems)
      .values(values)
      .onConflictDoUpdate({
        target: [t.lmsItems.schoolId, t.lmsItems.cohortId, t.lmsItems.externalId],
        set: { kind: sql`excluded.kind`, title: sql`excluded.title`, dueAt: sql`excluded.due_at`, weight: sql`excluded.weight` },
        setWhere: sql`(${t.lmsItems.kind}, ${t.lmsItems.title}, ${t.lmsItems.dueAt}, ${t.lmsItems.weight}) is distinct from (excluded.kind, excluded.title, excluded.due_at, excluded.weight)`,
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    const w = written[0];
    if (!w) result.duplicates++;
    else if (w.inserted) result.stored++;
    else result.updated++;
  }
}
