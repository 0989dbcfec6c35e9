import { and, eq } from "drizzle-orm";
import { rows, sql, type Db } from "../client";
import { schools, sources } from "../schema";
import type { SourceKind } from "../../lib/ingest/types";
import type { DueCandidate } from "../../lib/ratings/due";
import type { DueCursor } from "../../lib/ratings/cursor";
import type { RatingPolicy } from "../../lib/ratings/policy";
import type { HookEpisode } from "../../lib/ingest/ratings-hook";

/** SQL of the rating-request hook (docs/ratings.md). The rules of who is asked live in lib/ratings. */

export interface RatingSource {
  schoolId: number;
  sourceId: number;
  kind: SourceKind;
  externalId: string;
  /** The same secret the source's webhook checks (sources.settings.secret). */
  secret: string | null;
  settings: Record<string, unknown>;
}

export async function findRatingSource(db: Db, schoolSlug: string, kind: SourceKind, externalId: string): Promise<RatingSource | null> {
  const [r] = await db
    .select({ schoolId: sources.schoolId, sourceId: sources.id, kind: sources.kind, externalId: sources.externalId, settings: sources.settings })
    .from(sources)
    .innerJoin(schools, eq(schools.id, sources.schoolId))
    .where(and(eq(schools.slug, schoolSlug), eq(sources.kind, kind), eq(sources.externalId, externalId)));
  if (!r) return null;
  return { ...r, secret: typeof r.settings.secret === "string" ? r.settings.secret : null };
}

interface CandidateRow extends Record<string, unknown> {
  episode_id: string;
  episode_key: string;
  answered_ms: number | string;
  channel_ext: string;
  channel_kind: DueCandidate["channelKind"];
  channel_purpose: DueCandidate["channelPurpose"];
  thread_ext: string | null;
  student_id: string;
  student_ext: string | null;
  responder_ext: string | null;
  responder_name: string | null;
  responder_role: string | null;
  answer_ext: string;
  last_asked_ms: number | string | null;
}

/**
 * Answered episodes of one source, past the cursor and within [since, until], that have no rating
 * (linked, or naming the answer and given by the student) and no survey for them, in (answered_at, id)
 * order of the episode key (its opening message id). Survey rows are matched by their hook id
 * (`sqd-ask:csat:<key>`) or by a linked episode_id.
 */
export async function dueCandidates(
  db: Db,
  q: { schoolId: number; sourceId: number; after: DueCursor | null; since: Date; until: Date; fetch: number },
): Promise<DueCandidate[]> {
  const s = q.schoolId;
  const afterAt = q.after ? q.after.answeredAt.toISOString() : null;
  const afterKey = q.after ? q.after.key : 0;
  const list = await rows<CandidateRow>(
    db,
    sql`
      select e.id::text as episode_id, e.opened_message_id::text as episode_key, (extract(epoch from e.answered_at) * 1000)::float8 as answered_ms,
             c.external_id as channel_ext, c.kind::text as channel_kind, c.purpose::text as channel_purpose,
             t.external_id as thread_ext, e.student_person_id::text as student_id,
             (select si.external_id from source_identities si
               where si.school_id = ${s} and si.source_id = ${q.sourceId} and si.person_id = e.student_person_id
               order by si.mapped desc, si.id limit 1) as student_ext,
             (select si.external_id from source_identities si
               where si.school_id = ${s} and si.source_id = ${q.sourceId} and si.person_id = e.responder_person_id
               order by si.mapped desc, si.id limit 1) as responder_ext,
             rp.display_name as responder_name,
             (select pr.role::text from person_roles pr where pr.school_id = ${s} and pr.person_id = e.responder_person_id
               order by pr.role limit 1) as responder_role,
             am.external_id as answer_ext,
             (select (extract(epoch from max(sr.sent_at)) * 1000)::float8 from survey_requests sr
               where sr.school_id = ${s} and sr.person_id = e.student_person_id) as last_asked_ms
      from episodes e
      join channels c on c.id = e.channel_id and c.school_id = ${s}
      left join threads t on t.id = e.thread_id and t.school_id = ${s}
      join messages am on am.id = e.answer_message_id and am.school_id = ${s}
      left join people rp on rp.id = e.responder_person_id and rp.school_id = ${s}
      where e.school_id = ${s} and c.source_id = ${q.sourceId}
        and e.status = 'answered' and e.answered_at is not null
        and e.answered_at >= ${q.since.toISOString()}::timestamptz and e.answered_at <= ${q.until.toISOString()}::timestamptz
        and (${afterAt}::timestamptz is null or (e.answered_at, e.opened_message_id) > (${afterAt}::timestamptz, ${afterKey}::bigint))
        and not exists (select 1 from ratings r where r.school_id = ${s}
              and (r.episode_id = e.id or (r.about_message_id = e.answer_message_id and r.person_id = e.student_person_id)))
        and not exists (select 1 from survey_requests sr where sr.school_id = ${s}
              and (sr.episode_id = e.id or (sr.source_id = ${q.sourceId} and sr.external_id = 'sqd-ask:csat:' || e.opened_message_id::text)))
      order by e.answered_at, e.opened_message_id
      limit ${q.fetch}`,
  );
  return list.map((r) => ({
    episodeId: Number(r.episode_id),
    episodeKey: Number(r.episode_key),
    answeredAt: new Date(Number(r.answered_ms)),
    channelExternalId: r.channel_ext,
    channelKind: r.channel_kind,
    channelPurpose: r.channel_purpose,
    threadExternalId: r.thread_ext,
    studentPersonId: Number(r.student_id),
    studentExternalId: r.student_ext,
    responderExternalId: r.responder_ext,
    responderName: r.responder_name,
    responderRole: r.responder_role,
    answerMessageExternalId: r.answer_ext,
    lastAskedAt: r.last_asked_ms === null ? null : new Date(Number(r.last_asked_ms)),
  }));
}

/** The episode a verified token names (by key), if it is an answered episode of this source with the student known here. */
export async function hookEpisode(db: Db, schoolId: number, sourceId: number, episodeKey: number): Promise<HookEpisode | null> {
  const [r] = await rows<{ episode_id: string; channel_ext: string; channel_kind: HookEpisode["channelKind"]; answer_ext: string; student_ext: string | null }>(
    db,
    sql`
      select e.id::text as episode_id, c.external_id as channel_ext, c.kind::text as channel_kind, am.external_id as answer_ext,
             (select si.external_id from source_identities si
               where si.school_id = ${schoolId} and si.source_id = ${sourceId} and si.person_id = e.student_person_id
               order by si.mapped desc, si.id limit 1) as student_ext
      from episodes e
      join channels c on c.id = e.channel_id and c.school_id = ${schoolId}
      join messages am on am.id = e.answer_message_id and am.school_id = ${schoolId}
      where e.school_id = ${schoolId} and e.opened_message_id = ${episodeKey} and c.source_id = ${sourceId} and e.status = 'answered'`,
  );
  if (!r || r.student_ext === null) return null;
  return { episodeId: Number(r.episode_id), episodeKey, channelExternalId: r.channel_ext, channelKind: r.channel_kind, answerMessageExternalId: r.answer_ext, studentExternalId: r.student_ext };
}

/**
 * Replaces a source's rating-request policy (sources.settings.ratings), keeping the rest of its settings
 * (the secret among them). Already validated by the caller (lib/ratings/policy.ts). False = no such source.
 */
export async function setSourceRatingPolicy(db: Db, schoolId: number, kind: SourceKind, externalId: string, policy: RatingPolicy): Promise<boolean> {
  const updated = await db
    .update(sources)
    .set({ settings: sql`${sources.settings} || jsonb_build_object('ratings', ${JSON.stringify(policy)}::jsonb)` })
    .where(and(eq(sources.schoolId, schoolId), eq(sources.kind, kind), eq(sources.externalId, externalId)))
    .returning({ id: sources.id });
  return updated.length > 0;
}
