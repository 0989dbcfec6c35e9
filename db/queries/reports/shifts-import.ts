import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import * as t from "../../schema";
import type { Role } from "@/lib/ingest/types";
import { num } from "./common";

/**
 * Writes for the shift CSV import (docs/staffing.md "CSV import"): resolve each file's person to one
 * person of the school, then insert the file's shifts in one transaction, skipping ones already
 * stored, so uploading the same file twice adds nothing the second time.
 */

export interface PersonMatch {
  personId: number;
  /** Staff roles the person holds at the school (any validity window: a plan may be for next month). */
  roles: Role[];
}

/**
 * Each key (an email, a messenger source id or username, or a display name; case-insensitive) to the
 * people of the school it names. Email first, then a source identity, then a name: the first kind that
 * matches anyone decides, so an email never falls through to a namesake. Bots are left out.
 */
export async function matchPeople(db: Db, schoolId: number, keys: readonly string[]): Promise<Map<string, PersonMatch[]>> {
  const out = new Map<string, PersonMatch[]>();
  if (keys.length === 0) return out;
  const lower = [...new Set(keys.map((k) => k.toLowerCase()))];
  const r = await rows<{ key: string; rank: unknown; person_id: unknown; roles: string | null }>(
    db,
    sql`with k(key) as (select unnest(array[${sql.join(lower.map((x) => sql`${x}::text`), sql`, `)}])),
        hits as (
          select k.key, 1 as rank, p.id as person_id from k join people p on p.school_id = ${schoolId} and lower(p.email) = k.key and not p.is_bot
          union
          select k.key, 2, i.person_id from k join source_identities i on i.school_id = ${schoolId} and (lower(i.external_id) = k.key or lower(i.username) = k.key) and not i.is_bot
          union
          select k.key, 3, p.id from k join people p on p.school_id = ${schoolId} and lower(p.display_name) = k.key and not p.is_bot
        ),
        best as (select key, min(rank) as rank from hits group by key)
        select h.key, h.rank, h.person_id,
               (select string_agg(distinct r.role::text, ',') from person_roles r where r.school_id = ${schoolId} and r.person_id = h.person_id) as roles
        from hits h join best b on b.key = h.key and b.rank = h.rank
        order by h.key, h.person_id`,
  );
  for (const x of r) {
    const list = out.get(x.key) ?? [];
    const personId = num(x.person_id);
    if (!list.some((m) => m.personId === personId)) list.push({ personId, roles: (x.roles ?? "").split(",").filter((s): s is Role => s !== "") });
    out.set(x.key, list);
  }
  return out;
}

export interface NewShift {
  personId: number;
  role: Role;
  startsAt: Date;
  endsAt: Date;
  weekly: boolean;
  repeatUntil: Date | null;
}

/**
 * Inserts the shifts not already stored (same person, role, times, recurrence), all or none.
 * Returns how many were inserted and how many were already there.
 */
export async function insertShiftsOnce(db: Db, schoolId: number, list: readonly NewShift[]): Promise<{ inserted: number; existing: number }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // One import at a time per school: two concurrent uploads of one file must not both insert.
    await tx.execute(sql`select pg_advisory_xact_lock(8101::int, ${schoolId}::int)`);
    let inserted = 0;
    let existing = 0;
    const seen = new Set<string>();
    for (const s of list) {
      const key = `${s.personId}|${s.role}|${s.startsAt.toISOString()}|${s.endsAt.toISOString()}|${s.weekly}|${s.repeatUntil?.toISOString() ?? ""}`;
      if (seen.has(key)) {
        existing += 1;
        continue;
      }
      seen.add(key);
      const [found] = await rows<{ n: unknown }>(
        tx,
        sql`select count(*) as n from shifts
            where school_id = ${schoolId} and person_id = ${s.personId} and role::text = ${s.role}
              and starts_at = ${s.startsAt.toISOString()}::timestamptz and ends_at = ${s.endsAt.toISOString()}::timestamptz
              and weekly = ${s.weekly} and repeat_until is not distinct from ${s.repeatUntil?.toISOString() ?? null}::timestamptz`,
      );
      if (num(found?.n ?? 0) > 0) {
        existing += 1;
        continue;
      }
      await tx.insert(t.shifts).values({ schoolId, ...s });
      inserted += 1;
    }
    return { inserted, existing };
  });
}
