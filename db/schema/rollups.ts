import { boolean, integer, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { ref, schoolId, ts } from "./columns";
import { sources } from "./messaging";

/**
 * Messages counted per 15-minute bucket (UTC), source and DM-or-not: the overview's volume and counts
 * read this instead of scanning every message of the period (docs/performance.md). Kept by statement
 * triggers on `messages` (migration 0003), so every writer — the store path, imports, tests' fixtures —
 * keeps it exact without knowing it exists. Every time zone in use today is offset from UTC by a
 * multiple of 15 minutes, so a local day is always a whole number of buckets and the sums are exact.
 */
export const messageVolume = pgTable("message_volume", {
  schoolId: schoolId(),
  bucket: ts("bucket").notNull(),
  sourceId: ref("source_id").notNull().references(() => sources.id),
  dm: boolean("dm").notNull(),
  messages: integer("messages").notNull(),
}, (t) => [primaryKey({ columns: [t.schoolId, t.bucket, t.sourceId, t.dm] })]);
