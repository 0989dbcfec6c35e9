import { sql } from "drizzle-orm";
import type { Db } from "../../client";
import { deriveScopes, type StaffInitiatedContact } from "@/lib/metrics/episodes";
import { ABANDON_AFTER_MS } from "@/lib/metrics/episodes";
import { loadSchoolContext } from "./context";
import { loadChannels, loadScopeMessages, type ScopeRef } from "./load";

/**
 * Staff-initiated DM contacts (check-in coverage) within [from, to), computed on the fly by the same
 * pure rule recompute uses (lib/metrics/episodes `staffInitiatedContacts`).
 *
 * Pages no longer call this: recompute stores the contacts (`staff_contacts`, rule `initiated`,
 * ./staff-contacts.ts) and the team page and check-ins read them. It stays as the reference the stored
 * rows are tested against. Why the look-back: whether a staff message is a contact depends on whether an
 * episode was open and on the last human message before it; an episode opened more than 7 days earlier is
 * closed by then, so messages from `from − 7 days − 1 day` on decide every contact inside the window.
 */
export async function staffContactsBetween(db: Db, schoolId: number, from: Date, to: Date): Promise<StaffInitiatedContact[]> {
  const lookBack = new Date(from.getTime() - ABANDON_AFTER_MS - 24 * 3_600_000);
  const res = await db.execute(sql`
    select distinct m.channel_id::text as c, coalesce(m.thread_id, 0)::text as t
    from messages m join channels ch on ch.id = m.channel_id
    where m.school_id = ${schoolId} and ch.kind = 'dm' and m.sent_at >= ${from.toISOString()}::timestamptz and m.sent_at < ${to.toISOString()}::timestamptz
      and exists (select 1 from person_roles r where r.school_id = m.school_id and r.person_id = m.author_person_id
                  and r.role in ('coordinator', 'mentor', 'reviewer', 'support', 'team_lead'))`);
  const scopes: ScopeRef[] = (res as unknown as { rows: Array<{ c: string; t: string }> }).rows.map((r) => ({ channelId: Number(r.c), threadId: Number(r.t) }));
  if (scopes.length === 0) return [];
  const ctx = await loadSchoolContext(db, schoolId, to);
  const out: StaffInitiatedContact[] = [];
  const BATCH = 2_000;
  for (let i = 0; i < scopes.length; i += BATCH) {
    const part = scopes.slice(i, i + BATCH);
    const channels = await loadChannels(db, schoolId, [...new Set(part.map((s) => s.channelId))]);
    const messages = await loadScopeMessages(db, ctx, part, { from: lookBack, to });
    const { contacts } = deriveScopes({ channels, messages, roleOf: ctx.roleOf, now: to });
    for (const c of contacts) if (c.sentAt >= from && c.sentAt < to) out.push(c);
  }
  return out;
}
