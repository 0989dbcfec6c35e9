import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../../client";
import { scopeKey, type ResumeFrom, type ScopeCheckpoint } from "@/lib/metrics/episodes";
import type { SchoolContext } from "./context";
import type { DirtyMark } from "./write";
import { loadChannels, scopeSet, type ChannelInfo, type ScopeAfter, type ScopeRef } from "./load";

/**
 * Stored scope checkpoints (db/schema scope_checkpoints; lib/metrics/episodes ScopeCheckpoint): which
 * dirty scopes a recompute may resume instead of deriving them whole, and writing the new ones.
 *
 * A scope resumes only when all of these hold, else it is derived whole (always correct, only slower):
 * its dirty mark names the earliest new or changed message (`from_sent_at`, set by the store path only)
 * and that message is after the checkpoint; the checkpoint was taken under the same fingerprint (the
 * school's roles, bots, policies and calendars, and the channel's settings); the channel is not a DM.
 * Marks and checkpoints are read inside the batch's transaction, under recompute's lock, so a concurrent
 * run cannot clear a mark or replace a checkpoint between the decision and the write.
 */

/**
 * A resumed scope's stored checkpoint is moved forward once it is this many messages behind the new one:
 * until then every run re-derives them (was 200: under the bench's webhook load, ~20 s of a busy chat on
 * every run, more than the lag itself).
 */
export const ADVANCE_MESSAGES = 50;

export interface ResumePlan {
  after: ScopeAfter;
  fingerprint: string;
  checkpoint: ScopeCheckpoint;
}

/** The fingerprint a scope's checkpoint is valid under: the school's context and the channel's settings. */
export function channelFingerprint(ctx: SchoolContext, c: ChannelInfo): string {
  const settings = [c.id, c.sourceId, c.kind, c.purpose, c.attribution, c.ownerRole, c.ownerPersonId, c.dmStudentPersonId, c.cohortId];
  return createHash("sha1").update(`${ctx.fingerprint}|${JSON.stringify(settings)}`).digest("hex");
}

/** Which of a batch's marked scopes resume from their checkpoint (see above), by scope key. */
export async function planResume(db: Db, ctx: SchoolContext, marks: readonly DirtyMark[]): Promise<Map<string, ResumePlan>> {
  const plans = new Map<string, ResumePlan>();
  const timed = marks.filter((m) => m.fromMs !== null);
  if (timed.length === 0) return plans;
  const res = await db.execute(sql`
    select k.channel_id::text as c, k.thread_id::text as t, k.fingerprint as f, k.state::text as s
    from scope_checkpoints k
    where k.school_id = ${ctx.schoolId} and (k.channel_id, k.thread_id) in ${scopeSet(timed)}`);
  const rows = (res as unknown as { rows: Array<{ c: string; t: string; f: string; s: string }> }).rows;
  if (rows.length === 0) return plans;
  const channels = await loadChannels(db, ctx.schoolId, [...new Set(rows.map((r) => Number(r.c)))]);
  const fromOf = new Map(timed.map((m) => [scopeKey(m.channelId, m.threadId), m.fromMs]));
  for (const r of rows) {
    const channelId = Number(r.c);
    const threadId = Number(r.t);
    const key = scopeKey(channelId, threadId);
    const channel = channels.get(channelId);
    const from = fromOf.get(key);
    if (!channel || channel.kind === "dm" || from == null) continue;
    const fingerprint = channelFingerprint(ctx, channel);
    if (fingerprint !== r.f) continue;
    const checkpoint = JSON.parse(r.s) as ScopeCheckpoint;
    if (!(from > checkpoint.afterSentMs)) continue;
    plans.set(key, { after: { channelId, threadId, afterSentMs: checkpoint.afterSentMs, afterId: checkpoint.afterId }, fingerprint, checkpoint });
  }
  return plans;
}

/** The resume inputs of a part's planned scopes (their quoted earlier messages were loaded separately). */
export function resumeInputs(plans: ReadonlyMap<string, ResumePlan>, quoted: ReadonlyMap<string, ResumeFrom["quoted"]>): Map<string, ResumeFrom> {
  const out = new Map<string, ResumeFrom>();
  for (const [key, p] of plans) out.set(key, { checkpoint: p.checkpoint, quoted: quoted.get(key) ?? [] });
  return out;
}

/**
 * After a part was derived: stores the checkpoints it took (`taken`, by scope key, with their
 * fingerprints) and drops the stored ones of its other scopes (derived without taking one: too small, a
 * DM, no policy), so no checkpoint outlives a derivation that did not confirm it. A resumed scope keeps its
 * row untouched until the new checkpoint is ADVANCE_MESSAGES past it.
 */
export async function writeCheckpoints(
  db: Db,
  schoolId: number,
  scopes: readonly ScopeRef[],
  taken: ReadonlyMap<string, { checkpoint: ScopeCheckpoint; fingerprint: string }>,
  resumed: ReadonlyMap<string, ResumePlan>,
): Promise<void> {
  if (scopes.length === 0) return;
  const without = scopes.filter((s) => !taken.has(scopeKey(s.channelId, s.threadId)));
  if (without.length > 0) {
    await db.execute(sql`delete from scope_checkpoints where school_id = ${schoolId} and (channel_id, thread_id) in ${scopeSet(without)}`);
  }
  const rows: Array<{ c: number; t: number; ps: string; pid: number; f: string; s: string }> = [];
  for (const [key, { checkpoint, fingerprint }] of taken) {
    const was = resumed.get(key);
    // The stored checkpoint stays valid (the state at its own point): move it only when a run would
    // otherwise re-read ADVANCE_MESSAGES more, since a chat with many open episodes has a big state to write.
    if (was && was.fingerprint === fingerprint && checkpoint.messages - was.checkpoint.messages < ADVANCE_MESSAGES) continue;
    const [c, t] = key.split(":").map(Number);
    rows.push({ c: c ?? 0, t: t ?? 0, ps: new Date(checkpoint.afterSentMs).toISOString(), pid: checkpoint.afterId, f: fingerprint, s: JSON.stringify(checkpoint) });
  }
  if (rows.length === 0) return;
  await db.execute(sql`
    insert into scope_checkpoints (school_id, channel_id, thread_id, after_sent_at, after_message_id, fingerprint, state)
    select ${schoolId}, v.c, v.t, v.ps, v.pid, v.f, v.s::jsonb
    from json_to_recordset(${JSON.stringify(rows)}::json) as v(c bigint, t bigint, ps timestamptz, pid bigint, f text, s text)
    on conflict (school_id, channel_id, thread_id) do update
      set after_sent_at = excluded.after_sent_at, after_message_id = excluded.after_message_id, fingerprint = excluded.fingerprint,
          state = excluded.state, written_at = now()`);
}
