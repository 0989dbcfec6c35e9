import { sql } from "drizzle-orm";
import { rows, type Db } from "../db/client";
import { recomputeEpisodes } from "../db/queries/episodes";
import { listSchools } from "../db/queries/schools";

/**
 * `--verify-derive`: what the import left derived (behind its slices, or after it) against one whole
 * recompute of every school at the same instant. Digests are order-free sums of a hash per row over
 * every derived column (episode ids and load times left out), so 1.7 M episodes compare in seconds; a
 * mismatch is printed by status. A bench run at 10 M once ended with 6,551 episodes fewer than a whole
 * recompute (a derivation run had taken slices before their channels were configured).
 */
export interface DeriveCheck {
  equal: boolean;
  recomputeMs: number;
  before: Digest;
  after: Digest;
}

interface Digest {
  episodes: number;
  episodesHash: string;
  byStatus: Record<string, number>;
  contacts: number;
  contactsHash: string;
}

async function digest(db: Db): Promise<Digest> {
  const [e] = await rows<{ n: number; h: string | null }>(
    db,
    sql`select count(*)::int as n, sum(hashtext(concat_ws('|', e.channel_id, coalesce(e.thread_id, 0), e.opened_message_id, e.student_person_id, e.cohort_id,
              e.opened_at, e.last_student_message_at, e.message_count, e.kind, e.status, e.priority, e.category, e.owner_role, e.owner_person_id, e.answered_at,
              e.answer_message_id, e.responder_person_id, e.first_bot_reply_at, e.first_peer_reply_at, e.policy_id, e.target_minutes, e.clock,
              e.response_calendar_minutes, e.response_business_minutes, e.breached))::bigint)::text as h
        from episodes e`,
  );
  const status = await rows<{ s: string; n: number }>(db, sql`select status::text as s, count(*)::int as n from episodes group by 1 order by 1`);
  const [c] = await rows<{ n: number; h: string | null }>(
    db,
    sql`select count(*)::int as n, sum(hashtext(concat_ws('|', k.rule, k.message_id, k.channel_id, k.thread_id, k.staff_person_id, k.student_person_id,
              k.sent_at, k.student_replied_at))::bigint)::text as h
        from staff_contacts k`,
  );
  return {
    episodes: e?.n ?? 0,
    episodesHash: e?.h ?? "0",
    byStatus: Object.fromEntries(status.map((r) => [r.s, r.n])),
    contacts: c?.n ?? 0,
    contactsHash: c?.h ?? "0",
  };
}

export async function verifyDerive(db: Db, now: Date, log: (m: string) => void): Promise<DeriveCheck> {
  const before = await digest(db);
  const t0 = performance.now();
  for (const s of await listSchools(db)) await recomputeEpisodes(db, s.id, { scopes: "all", now });
  const recomputeMs = Math.round(performance.now() - t0);
  const after = await digest(db);
  const equal = JSON.stringify(before) === JSON.stringify(after);
  if (equal) log(`derivation verified: ${before.episodes} episodes and ${before.contacts} staff contacts equal a whole recompute (${Math.round(recomputeMs / 1000)} s)`);
  else log(`DERIVATION DIFFERS from a whole recompute: ${JSON.stringify(before)} against ${JSON.stringify(after)}`);
  return { equal, recomputeMs, before, after };
}
