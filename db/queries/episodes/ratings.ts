import { sql } from "drizzle-orm";
import type { Db } from "../../client";
import type { EpisodeInsert } from "./evaluate";
import type { Replaced } from "./write";

/**
 * Links ratings to the episode their `about_message_id` answered (the survey bot names the answer):
 * sets ratings.episode_id, responder_person_id (the episode's responder) and cohort_id (the scope's, as
 * METRICS.md attributes CSAT). When one answer closed several episodes (a thread), the rater's own
 * episode wins, else the earliest opened. A rating about a message that answered nothing has no link.
 *
 * Why in memory: ratings and episodes have no index on the message ids that join them, and PGlite
 * never ANALYZEs, so the planner picks nested loops over whole tables (seconds per batch). The school's
 * rated messages are few; reading them once and writing changes by primary key is fast on both engines.
 * docs/metrics.md proposes the two indexes that would let SQL do it.
 */

interface RatingRef {
  id: number;
  raterId: number;
  aboutMessageId: number;
  episodeId: number | null;
  /** `unlinked` already looked for its episode once (ratings.link_checked). */
  checked: boolean;
}

interface Link {
  id: number;
  episodeId: number | null;
  responderPersonId: number | null;
  cohortId: number | null;
}

const COLS = sql`id::text as id, person_id::text as rater, about_message_id::text as about, episode_id::text as episode, link_checked as checked`;

export class RatingLinker {
  private byAbout = new Map<number, RatingRef[]>();
  private byEpisode = new Map<number, RatingRef>();
  private byId = new Map<number, RatingRef>();
  linked = 0;
  /** Made by `pending`: it holds only the ratings its batches add (addMessages); `load`'s holds every one. */
  private partial = false;

  /** Every rating of the school that names a message (a full recompute, or a run over many scopes). */
  static async load(db: Db, schoolId: number): Promise<RatingLinker> {
    const linker = new RatingLinker();
    linker.addRows(await db.execute(sql`select ${COLS} from ratings where school_id = ${schoolId} and about_message_id is not null`));
    return linker;
  }

  /**
   * An incremental run's linker: the unlinked ratings not yet looked for by `unlinked` (a partial index);
   * each part of a batch then adds the ratings its messages can relink or unlink (`addMessages`). At 10 M
   * messages the school has ~200 k rated messages: reading them all on each derivation run after a webhook
   * took ~300 ms and ~200 MB of the server's memory (docs/performance.md).
   */
  static async pending(db: Db, schoolId: number): Promise<RatingLinker> {
    const linker = new RatingLinker();
    linker.partial = true;
    linker.addRows(await db.execute(sql`
      select ${COLS} from ratings where school_id = ${schoolId} and about_message_id is not null and episode_id is null and not link_checked`));
    return linker;
  }

  /**
   * Adds the ratings about some of a batch's messages that afterBatch may relink or unlink (an answer lies
   * in its episode's scope): the messages a part of the batch read, i.e. every message of the scopes
   * derived whole and only the messages after the checkpoint of resumed ones (the episodes they rewrite were
   * opened after it or were open at it, so their answers are later; earlier answers belong to episodes left
   * as stored). By the ids the part already read: reading the scopes' messages again for their ids walked
   * each resumed chat's whole history once more (~80 ms a run under the bench's webhook load, round 20).
   */
  async addMessages(db: Db, schoolId: number, messages: ReadonlyArray<{ id: number }>): Promise<void> {
    // A linker from `load` holds them all already (and a full recompute's parts need not list their ids).
    if (!this.partial || messages.length === 0) return;
    // One index probe per id (ratings_about_msg_idx): through `array(select unnest(…))`, whose length the
    // planner cannot see. With the array itself it expected thousands of matches and scanned every rating
    // of the school (5,000 ids at 10 M messages: 335 ms against 11 ms).
    this.addRows(await db.execute(sql`
      select ${COLS} from ratings where school_id = ${schoolId}
        and about_message_id = any(array(select unnest(${`{${messages.map((m) => Math.trunc(m.id)).join(",")}}`}::bigint[])))`));
  }

  private addRows(res: unknown): void {
    for (const r of (res as { rows: Array<{ id: string; rater: string; about: string; episode: string | null; checked: boolean }> }).rows) {
      const id = Number(r.id);
      if (this.byId.has(id)) continue;
      const ref: RatingRef = { id, raterId: Number(r.rater), aboutMessageId: Number(r.about), episodeId: r.episode === null ? null : Number(r.episode), checked: r.checked };
      this.byId.set(id, ref);
      this.byAbout.set(ref.aboutMessageId, [...(this.byAbout.get(ref.aboutMessageId) ?? []), ref]);
      if (ref.episodeId !== null) this.byEpisode.set(ref.episodeId, ref);
    }
  }

  /**
   * After a batch replaced its episodes: relink ratings about the batch's answers, unlink ratings of its
   * deleted episodes. An answer message lies in one scope, so every episode it answered is in this batch.
   */
  async afterBatch(db: Db, schoolId: number, rows: readonly EpisodeInsert[], replaced: Replaced): Promise<void> {
    const links = new Map<number, Link>();
    for (const id of replaced.deletedIds) {
      const ref = this.byEpisode.get(id);
      if (ref) links.set(ref.id, { id: ref.id, episodeId: null, responderPersonId: null, cohortId: null });
    }
    const byAnswer = new Map<number, EpisodeInsert[]>();
    for (const r of rows) if (r.answerMessageId != null && this.byAbout.has(r.answerMessageId)) byAnswer.set(r.answerMessageId, [...(byAnswer.get(r.answerMessageId) ?? []), r]);
    const chosen: Array<{ ref: RatingRef; best: EpisodeInsert }> = [];
    for (const [about, episodes] of byAnswer) {
      for (const ref of this.byAbout.get(about) ?? []) {
        const best = [...episodes].sort(
          (a, b) =>
            Number(b.studentPersonId === ref.raterId) - Number(a.studentPersonId === ref.raterId) ||
            a.openedAt.getTime() - b.openedAt.getTime() ||
            a.openedMessageId - b.openedMessageId,
        )[0];
        if (best) chosen.push({ ref, best });
      }
    }
    // Unchanged episodes kept their rows and ids: look those up.
    const ids = new Map(replaced.idByOpening);
    const missing = [...new Set(chosen.map((c) => c.best.openedMessageId).filter((o) => !ids.has(o)))];
    if (missing.length > 0) {
      const res = await db.execute(sql`
        select id::text as id, opened_message_id::text as opened from episodes
        where school_id = ${schoolId} and opened_message_id in (select x::bigint from json_array_elements_text(${JSON.stringify(missing.map(String))}::json) as j(x))`);
      for (const r of (res as unknown as { rows: Array<{ id: string; opened: string }> }).rows) ids.set(Number(r.opened), Number(r.id));
    }
    for (const { ref, best } of chosen) {
      const episodeId = ids.get(best.openedMessageId);
      if (episodeId !== undefined) links.set(ref.id, { id: ref.id, episodeId, responderPersonId: best.responderPersonId ?? null, cohortId: best.cohortId ?? null });
    }
    await this.write(db, schoolId, [...links.values()]);
  }

  /**
   * Ratings carry no dirty mark, so one stored after its episode was computed is linked here, against
   * episodes already in the table, whether or not its scope was recomputed in this run.
   */
  async unlinked(db: Db, schoolId: number): Promise<void> {
    // Each rating is looked for once after it is stored: later, an episode its message answers can only
    // appear when that scope is derived, and afterBatch links it then.
    const waiting = [...this.byAbout.values()].flat().filter((r) => r.episodeId === null && !r.checked);
    if (waiting.length === 0) return;
    const about = JSON.stringify([...new Set(waiting.map((r) => String(r.aboutMessageId)))]);
    const res = await db.execute(sql`
      select id::text as id, answer_message_id::text as answer, student_person_id::text as student, opened_message_id::text as opened,
        extract(epoch from opened_at)::float8 as at, responder_person_id::text as responder, cohort_id::text as cohort
      from episodes where school_id = ${schoolId} and answer_message_id in (select x::bigint from json_array_elements_text(${about}::json) as j(x))`);
    type Row = { id: string; answer: string; student: string; opened: string; at: number; responder: string | null; cohort: string | null };
    const byAnswer = new Map<number, Row[]>();
    for (const e of (res as unknown as { rows: Row[] }).rows) byAnswer.set(Number(e.answer), [...(byAnswer.get(Number(e.answer)) ?? []), e]);
    const links: Link[] = [];
    for (const ref of waiting) {
      const best = [...(byAnswer.get(ref.aboutMessageId) ?? [])].sort(
        (a, b) => Number(Number(b.student) === ref.raterId) - Number(Number(a.student) === ref.raterId) || a.at - b.at || Number(a.opened) - Number(b.opened),
      )[0];
      if (best) links.push({ id: ref.id, episodeId: Number(best.id), responderPersonId: best.responder === null ? null : Number(best.responder), cohortId: best.cohort === null ? null : Number(best.cohort) });
    }
    await this.write(db, schoolId, links);
    await db.execute(sql`
      update ratings set link_checked = true
      where school_id = ${schoolId} and id in (select x::bigint from json_array_elements_text(${JSON.stringify(waiting.map((r) => String(r.id)))}::json) as j(x))`);
    for (const r of waiting) r.checked = true;
  }

  private async write(db: Db, schoolId: number, links: readonly Link[]): Promise<void> {
    const changed = links.filter((l) => {
      const ref = this.find(l.id);
      return ref !== undefined && ref.episodeId !== l.episodeId;
    });
    if (changed.length === 0) return;
    const json = JSON.stringify(changed.map((l) => ({ id: l.id, e: l.episodeId, p: l.responderPersonId, c: l.cohortId })));
    await db.execute(sql`
      update ratings r set episode_id = v.e, responder_person_id = v.p, cohort_id = v.c
      from json_to_recordset(${json}::json) as v(id bigint, e bigint, p bigint, c bigint)
      where r.school_id = ${schoolId} and r.id = v.id`);
    for (const l of changed) {
      const ref = this.find(l.id);
      if (!ref) continue;
      if (ref.episodeId !== null) this.byEpisode.delete(ref.episodeId);
      ref.episodeId = l.episodeId;
      if (l.episodeId !== null) {
        this.byEpisode.set(l.episodeId, ref);
        this.linked += 1;
      }
    }
  }

  private find(id: number): RatingRef | undefined {
    return this.byId.get(id);
  }
}

/** Links the school's unlinked ratings to episodes already computed (also the last step of every recompute). */
export async function linkRatings(db: Db, schoolId: number): Promise<number> {
  const linker = await RatingLinker.load(db, schoolId);
  await linker.unlinked(db, schoolId);
  return linker.linked;
}
