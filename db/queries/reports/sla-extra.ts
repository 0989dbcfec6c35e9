import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { inPeriod, num, numOrNull, openFlags, responseMinutes, slaFlags, type OpenFlags } from "./common";
import { filterSql, type EpisodeFilter } from "./episode-detail";

/**
 * Two small SLA tables the field study asked for, from columns episodes already carry (METRICS.md §4):
 * questions by category (which repeated questions a bot could take) and what bots and peers do before
 * staff (deflection, handoff, peer replies). Episodes opened in the period, cut by the SLA page's filters.
 */

export interface CategoryRow {
  /** The message category of the episode's opening message; null = not categorised. */
  category: string | null;
  episodes: number;
  answered: number;
  /** Median first response in the policy's clock, over answered episodes (n = answered). */
  medianMinutes: number | null;
  /** With a known SLA outcome, and of those answered within target (compliance = met / known). */
  known: number;
  met: number;
}

export async function episodesByCategory(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, judged?: Promise<OpenFlags>): Promise<CategoryRow[]> {
  const flags = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
  const r = await rows<{ category: string | null; episodes: unknown; answered: unknown; median: unknown; known: unknown; met: unknown }>(
    db,
    sql`select e.category::text as category, count(*) as episodes, count(*) filter (where e.status = 'answered') as answered,
               percentile_cont(0.5) within group (order by ${responseMinutes}) as median,
               count(*) filter (where ${flags.known}) as known, count(*) filter (where ${flags.met}) as met
        from episodes e
        where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, flags)}
        group by 1
        order by 2 desc, 1`,
  );
  return r.map((x) => ({ category: x.category, episodes: num(x.episodes), answered: num(x.answered), medianMinutes: numOrNull(x.median), known: num(x.known), met: num(x.met) }));
}

export interface BotPeerCounts {
  episodes: number;
  /** A bot replied (first_bot_reply_at is set). */
  botReplied: number;
  /** Deflected: status resolved_by_bot (bot replied, no follow-up in 24 h, no human answer). */
  resolvedByBot: number;
  /** Handoff: a human answered after the bot's reply. */
  handedOff: number;
  /** Median of human answer − bot reply, calendar minutes, over the handoffs (n = handedOff). */
  medianHandoffMinutes: number | null;
  /** Another student replied (first_peer_reply_at is set). */
  peerReplied: number;
  /** A peer replied before any staff answer (or with none yet). */
  peerBeforeStaff: number;
}

export async function botAndPeerCounts(db: Db, schoolId: number, tz: string, period: Period, filter: EpisodeFilter, now: Date, judged?: Promise<OpenFlags>): Promise<BotPeerCounts> {
  const flags = slaFlags(await (judged ?? openFlags(db, schoolId, tz, period, now)));
  const handoff = sql`(e.first_bot_reply_at is not null and e.status = 'answered' and e.answered_at >= e.first_bot_reply_at)`;
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*) as episodes,
               count(*) filter (where e.first_bot_reply_at is not null) as bot_replied,
               count(*) filter (where e.status = 'resolved_by_bot') as resolved_by_bot,
               count(*) filter (where ${handoff}) as handed_off,
               percentile_cont(0.5) within group (order by case when ${handoff} then extract(epoch from (e.answered_at - e.first_bot_reply_at)) / 60.0 end) as median_handoff,
               count(*) filter (where e.first_peer_reply_at is not null) as peer_replied,
               count(*) filter (where e.first_peer_reply_at is not null and (e.answered_at is null or e.first_peer_reply_at < e.answered_at)) as peer_before_staff
        from episodes e
        where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)} and ${filterSql(filter, tz, flags)}`,
  );
  return {
    episodes: num(r?.episodes ?? 0),
    botReplied: num(r?.bot_replied ?? 0),
    resolvedByBot: num(r?.resolved_by_bot ?? 0),
    handedOff: num(r?.handed_off ?? 0),
    medianHandoffMinutes: numOrNull(r?.median_handoff),
    peerReplied: num(r?.peer_replied ?? 0),
    peerBeforeStaff: num(r?.peer_before_staff ?? 0),
  };
}
