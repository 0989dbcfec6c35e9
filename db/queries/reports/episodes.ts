import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { inPeriod, numOrNull, openFlags, slaFlags } from "./common";

/**
 * One row per episode for exports (`report episodes`): ids as the source gives them, so a row can be
 * found again in Telegram or Slack; no names and no text. `breached` is judged at `now`, like the SLA
 * summary (an open episode past its target is breached now).
 */

export interface EpisodeExportRow {
  source: string;
  channel: string;
  thread: string | null;
  student: string | null;
  openedAt: string;
  answeredAt: string | null;
  responder: string | null;
  firstBotReplyAt: string | null;
  kind: string;
  calendarMinutes: number | null;
  businessMinutes: number | null;
  policy: string | null;
  targetMinutes: number | null;
  status: string;
  breached: boolean;
}

export const episodeExportColumns = [
  "source", "channel", "thread", "student", "opened_at", "answered_at", "responder", "first_bot_reply_at", "kind",
  "calendar_minutes", "business_minutes", "policy", "target_minutes", "status", "breached",
] as const;

const iso = (col: string) => sql.raw(`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** The person's id in the channel's source (their first identity there), or null. */
const sourceIdOf = (person: string) =>
  sql.raw(`(select si.external_id from source_identities si where si.school_id = e.school_id and si.person_id = ${person} and si.source_id = ch.source_id order by si.id limit 1)`);

export async function episodeExport(db: Db, schoolId: number, tz: string, period: Period | null, now: Date): Promise<EpisodeExportRow[]> {
  const f = slaFlags(await openFlags(db, schoolId, tz, period, now));
  const found = await rows<Record<string, unknown>>(
    db,
    sql`select s.kind::text as source, ch.external_id as channel, th.external_id as thread, ${sourceIdOf("e.student_person_id")} as student,
          ${iso("e.opened_at")} as opened_at, ${iso("e.answered_at")} as answered_at, ${sourceIdOf("e.responder_person_id")} as responder,
          ${iso("e.first_bot_reply_at")} as first_bot_reply_at, e.kind::text as kind, e.response_calendar_minutes as calendar_minutes,
          e.response_business_minutes as business_minutes, p.name as policy, e.target_minutes, e.status::text as status, ${f.breached} as breached
        from episodes e join channels ch on ch.id = e.channel_id join sources s on s.id = ch.source_id
          left join threads th on th.id = e.thread_id left join sla_policies p on p.id = e.policy_id
        where e.school_id = ${schoolId} ${period ? sql`and ${inPeriod(sql`e.opened_at`, tz, period)}` : sql``}
        order by e.opened_at, e.opened_message_id`,
  );
  return found.map((r) => ({
    source: String(r.source),
    channel: String(r.channel),
    thread: r.thread === null ? null : String(r.thread),
    student: r.student === null ? null : String(r.student),
    openedAt: String(r.opened_at),
    answeredAt: r.answered_at === null ? null : String(r.answered_at),
    responder: r.responder === null ? null : String(r.responder),
    firstBotReplyAt: r.first_bot_reply_at === null ? null : String(r.first_bot_reply_at),
    kind: String(r.kind),
    calendarMinutes: numOrNull(r.calendar_minutes),
    businessMinutes: numOrNull(r.business_minutes),
    policy: r.policy === null ? null : String(r.policy),
    targetMinutes: numOrNull(r.target_minutes),
    status: String(r.status),
    breached: r.breached === true,
  }));
}

/**
 * lib/csv.ts prefixes cells that start with "-" with a quote (formula injection), which would turn a
 * Telegram chat id "-1001234567890" into "'-1001234567890". A plain negative integer is no formula, so
 * such ids go out as numbers (Telegram ids stay far below 2^53; longer ones stay text).
 */
function idCell(v: string | null): string | number | null {
  return v !== null && /^-\d{1,15}$/.test(v) ? Number(v) : v;
}

/** The export row as a CSV line in `episodeExportColumns` order. */
export function episodeCsvRow(r: EpisodeExportRow): Array<string | number | null> {
  return [
    r.source, idCell(r.channel), idCell(r.thread), idCell(r.student), r.openedAt, r.answeredAt, idCell(r.responder), r.firstBotReplyAt,
    r.kind, r.calendarMinutes, r.businessMinutes, r.policy, r.targetMinutes, r.status, r.breached ? "true" : "false",
  ];
}
