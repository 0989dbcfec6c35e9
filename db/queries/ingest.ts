import { and, eq, inArray, or, sql } from "drizzle-orm";
import { rows, type Db } from "../client";
import * as t from "../schema";
import { classifyText } from "../../lib/ingest/classify";
import { groupBy } from "../../lib/group-by";
import { applyLmsVoids, attachThreadParents, linkLmsEnrollments, matchUsernames, mergePeople, PARENT_JOINS_THREAD, threadParentKey } from "./ingest-links";
import { storeDeletions, storeLmsItems } from "./ingest-extra";
import { arrayLiteral, insertLmsEvents, insertMessages } from "./ingest-bulk";
import {
  ingestEventSchema,
  type IdentityRef,
  type IngestEvent,
  type ParsedIngestEvent,
  type SourceRef,
} from "../../lib/ingest/types";

type Parsed<K extends ParsedIngestEvent["type"]> = Extract<ParsedIngestEvent, { type: K }>;

export interface StoreResult {
  read: number;
  stored: number;
  updated: number;
  duplicates: number;
  rejected: Array<{ index: number; reason: string }>;
}

const CHUNK = 1000;

function chunks<T>(xs: T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export const srcKey = (s: SourceRef) => `${s.kind}\u0000${s.externalId}`;

/**
 * The one store path. Validates every event, then writes all valid ones in a single transaction, so a
 * batch is either written whole or not at all; invalid events come back in `rejected` with their reason.
 * Idempotent on the sources' own ids: the same events again change no count.
 */
export interface StoreOptions {
  /** A webhook delivery is one unit: with one bad event in it, none of it is written. */
  allOrNothing?: boolean;
  /**
   * Runs inside the same transaction after the events are written: a webhook receipt, an import
   * checkpoint, the LRS's raw statements. If it throws, nothing of the batch is kept.
   */
  within?: (tx: Db, result: StoreResult) => Promise<void>;
}

export async function storeEvents(db: Db, schoolId: number, input: readonly IngestEvent[], opts: StoreOptions = {}): Promise<StoreResult> {
  const { events, rejected } = validateEvents(input);
  const result: StoreResult = { read: input.length, stored: 0, updated: 0, duplicates: 0, rejected };
  // A webhook delivery is one unit: with one bad event in it, none of it is written.
  if ((events.length === 0 && !opts.within) || (opts.allOrNothing && result.rejected.length > 0)) return result;

  await db.transaction(async (tx) => {
    // Serialise writers of one school: identity and person creation must not race between webhooks.
    await tx.execute(sql`select pg_advisory_xact_lock(${schoolId})`);
    const ctx = new StoreContext(tx as unknown as Db, schoolId);
    await writeParsed(ctx, events, result);
    await ctx.flushDirty();
    if (opts.within) await opts.within(ctx.db, result);
  });
  return result;
}

/** Validation of the store path, on its own: a caller that batches (webhook group commit) validates each delivery once, before it joins a batch. */
export function validateEvents(input: readonly IngestEvent[]): { events: ParsedIngestEvent[]; rejected: StoreResult["rejected"] } {
  const events: ParsedIngestEvent[] = [];
  const rejected: StoreResult["rejected"] = [];
  input.forEach((raw, index) => {
    const parsed = ingestEventSchema.safeParse(raw);
    if (parsed.success) events.push(parsed.data);
    else rejected.push({ index, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ") });
  });
  return { events, rejected };
}

/** One unit of a group commit: already validated events, and what runs after them in the transaction (a receipt). */
export interface ParsedJob {
  events: ParsedIngestEvent[];
  within?: (tx: Db, result: StoreResult) => Promise<void>;
}

/**
 * Group commit: several units (webhook deliveries) of one school in one transaction under one advisory
 * lock, sharing the lookups of sources, channels, threads and identities, each with its own counts. The
 * transaction is all or nothing: if it fails, the caller retries each unit alone (lib/dal/webhook-batcher.ts),
 * so one unit that cannot be stored never loses the others.
 */
export async function storeParsedBatch(db: Db, schoolId: number, jobs: readonly ParsedJob[], claim?: ClaimJobs): Promise<StoreResult[]> {
  const creates = jobs.length > 1 && jobs.every((j) => !j.within && j.events.every((e) => e.type === "message" && e.action === "create"));
  if (creates) {
    try {
      return await storeBatchOnce(db, schoolId, jobs, claim, true);
    } catch (e) {
      if (!(e instanceof NotAllNew)) throw e;
    }
  }
  return storeBatchOnce(db, schoolId, jobs, claim, false);
}

/**
 * Runs first in a group commit's transaction, under the school's lock, and answers which jobs not to store
 * (by index): the webhook batcher inserts the deliveries' receipts here and skips those already received.
 * It runs again in every attempt of the transaction (the job-by-job one after NotAllNew); only the
 * committed attempt's answer counts.
 */
export type ClaimJobs = (tx: Db) => Promise<ReadonlySet<number>>;

/** Thrown (and the transaction rolled back) when a batch written together held a message already stored. */
class NotAllNew extends Error {}

/**
 * One transaction. `together`, for the common webhook batch of only new messages: every job's messages
 * in one insert statement (and one run of the messages table's statement triggers) instead of one per
 * job. Each job's counts are then exact only if every message was new, so at the first duplicate the
 * transaction is rolled back (NotAllNew) and the batch is written job by job; the rows, ids and order
 * are those the job-by-job path writes.
 */
async function storeBatchOnce(db: Db, schoolId: number, allJobs: readonly ParsedJob[], claim: ClaimJobs | undefined, together: boolean): Promise<StoreResult[]> {
  const results = allJobs.map((j): StoreResult => ({ read: j.events.length, stored: 0, updated: 0, duplicates: 0, rejected: [] }));
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${schoolId})`);
    const skip = claim ? await claim(tx as unknown as Db) : new Set<number>();
    // The jobs stored, each with its own result (a skipped job's stays unstored).
    const jobs = allJobs.flatMap((job, i) => (skip.has(i) ? [] : [{ ...job, result: results[i] }]));
    const all = jobs.flatMap((j) => j.events);
    const ctx = new StoreContext(tx as unknown as Db, schoolId);
    await ctx.prefetchMessageIdentities(all);
    if (together) {
      const sum: StoreResult = { read: all.length, stored: 0, updated: 0, duplicates: 0, rejected: [] };
      await writeParsed(ctx, all, sum);
      if (sum.stored !== all.length || sum.updated > 0 || sum.duplicates > 0) throw new NotAllNew("a message of the batch was already stored");
      for (const j of jobs) if (j.result) j.result.stored = j.events.length;
    } else {
      for (const job of jobs) {
        if (!job.result) continue;
        await writeParsed(ctx, job.events, job.result);
        if (job.within) await job.within(ctx.db, job.result);
      }
    }
    await ctx.flushDirty();
  });
  return results;
}

async function writeParsed(ctx: StoreContext, events: readonly ParsedIngestEvent[], result: StoreResult): Promise<void> {
  const by = <K extends ParsedIngestEvent["type"]>(k: K) => events.filter((e): e is Parsed<K> => e.type === k);
  // Order matters: roster and enrollments first so that messages and LMS events find known people.
  await ctx.roster(by("roster"), result);
  await ctx.enrollments(by("enrollment"), result);
  await ctx.messages(by("message"), result);
  await ctx.lms(by("lms"), result);
  await ctx.surveys(by("survey"), result);
  await ctx.ratings(by("rating"), result);
  await storeLmsItems(ctx, by("lms_item"), result);
  await ctx.markDirty(await storeDeletions(ctx, by("message_deletion"), result));
}

/** Exported for the bulk import (db/queries/bulk-import.ts), which shares its source, identity, course and cohort resolution. */
export class StoreContext {
  private sourceIds = new Map<string, { id: number; storeGroupText: boolean }>();
  private personByUsername = new Map<string, number>();
  private identityIds = new Map<string, { identityId: number; personId: number }>();

  constructor(readonly db: Db, readonly schoolId: number) {}

  async source(ref: SourceRef): Promise<{ id: number; storeGroupText: boolean }> {
    const key = srcKey(ref);
    const hit = this.sourceIds.get(key);
    if (hit) return hit;
    await this.db.insert(t.sources).values({ schoolId: this.schoolId, kind: ref.kind, externalId: ref.externalId, name: ref.name ?? `${ref.kind} ${ref.externalId}` }).onConflictDoNothing();
    const [row] = await this.db
      .select({ id: t.sources.id, storeGroupText: t.sources.storeGroupText })
      .from(t.sources)
      .where(and(eq(t.sources.schoolId, this.schoolId), eq(t.sources.kind, ref.kind), eq(t.sources.externalId, ref.externalId)));
    if (!row) throw new Error(`source ${ref.kind}/${ref.externalId} could not be stored`);
    this.sourceIds.set(key, row);
    return row;
  }

  /**
   * The identities of every message of a group commit, resolved in one pass (one lookup per source instead
   * of one per delivery); each delivery then finds its authors in the cache. Not with roster lines in the
   * batch: those change people and must be applied in order first.
   */
  async prefetchMessageIdentities(events: readonly ParsedIngestEvent[]): Promise<void> {
    if (events.some((e) => e.type === "roster" || e.type === "enrollment")) return;
    const messages = events.filter((e): e is Parsed<"message"> => e.type === "message");
    const bySource = groupBy(messages, (e) => srcKey(e.source));
    // The batch's sources that exist, in one read (source() would insert-then-read each): a webhook's
    // source always exists, it was found by its URL.
    const refs = [...bySource.values()].flatMap((g) => (g[0] && !this.sourceIds.has(srcKey(g[0].source)) ? [g[0].source] : []));
    if (refs.length > 0) {
      const found = await this.db
        .select({ id: t.sources.id, storeGroupText: t.sources.storeGroupText, kind: t.sources.kind, externalId: t.sources.externalId })
        .from(t.sources)
        .where(and(eq(t.sources.schoolId, this.schoolId), or(...refs.map((r) => and(eq(t.sources.kind, r.kind), eq(t.sources.externalId, r.externalId))))));
      for (const f of found) this.sourceIds.set(srcKey(f), { id: f.id, storeGroupText: f.storeGroupText });
    }
    for (const group of bySource.values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      await this.identities(src.id, group.flatMap((e) => [e.author, ...(e.replyTo?.author ? [e.replyTo.author] : []), ...e.mentions]));
      await this.prefetchPlaces(src.id, group);
    }
  }

  /**
   * The batch's channels and threads in one upsert each, as `messages` would write them one by one: the
   * first message naming a place gives its kind, title and creation time, in the order they come.
   */
  private async prefetchPlaces(sourceId: number, group: readonly Parsed<"message">[]): Promise<void> {
    const newChannels = new Map<string, Parsed<"message">>();
    for (const e of group) {
      const ck = `${sourceId}\u0000${e.channel.externalId}`;
      if (!this.channelIds.has(ck) && !newChannels.has(ck)) newChannels.set(ck, e);
    }
    for (const part of chunks([...newChannels.values()])) {
      const written = await this.db
        .insert(t.channels)
        .values(part.map((e) => ({ schoolId: this.schoolId, sourceId, externalId: e.channel.externalId, kind: e.channel.kind, title: e.channel.title ?? null })))
        .onConflictDoUpdate({ target: [t.channels.schoolId, t.channels.sourceId, t.channels.externalId], set: { title: sql`coalesce(excluded.title, ${t.channels.title})` } })
        .returning({ id: t.channels.id, kind: t.channels.kind, ext: t.channels.externalId });
      for (const w of written) this.channelIds.set(`${sourceId}\u0000${w.ext}`, { id: w.id, kind: w.kind });
    }
    const newThreads = new Map<string, { channelId: number; e: Parsed<"message"> & { thread: NonNullable<Parsed<"message">["thread"]> } }>();
    for (const e of group) {
      const ch = this.channelIds.get(`${sourceId}\u0000${e.channel.externalId}`);
      if (!e.thread || !ch) continue;
      const tk = `${ch.id}\u0000${e.thread.externalId}`;
      if (!this.threadIds.has(tk) && !newThreads.has(tk)) newThreads.set(tk, { channelId: ch.id, e: { ...e, thread: e.thread } });
    }
    for (const part of chunks([...newThreads.values()])) {
      const written = await this.db
        .insert(t.threads)
        .values(part.map(({ channelId, e }) => ({ schoolId: this.schoolId, channelId, externalId: e.thread.externalId, kind: e.thread.kind, title: e.thread.title ?? null, createdAt: e.sentAt })))
        .onConflictDoUpdate({ target: [t.threads.schoolId, t.threads.channelId, t.threads.externalId], set: { title: sql`coalesce(excluded.title, ${t.threads.title})` } })
        .returning({ id: t.threads.id, channelId: t.threads.channelId, ext: t.threads.externalId });
      for (const w of written) this.threadIds.set(`${w.channelId}\u0000${w.ext}`, w.id);
    }
  }

  /**
   * Resolve identities of one source to (identity, person), creating unknown ones; email links to a known
   * person. Ids first, then `@username` refs, so that an @mention finds the account it names even when
   * both arrive in the same batch (ingest-links.ts matchUsernames).
   */
  async identities(sourceId: number, refs: IdentityRef[]): Promise<Map<string, { identityId: number; personId: number }>> {
    const ids = await this.identitiesOnce(sourceId, refs.filter((r) => !r.externalId.startsWith("@")));
    const ats = refs.filter((r) => r.externalId.startsWith("@"));
    return ats.length === 0 ? ids : new Map([...ids, ...(await this.identitiesOnce(sourceId, ats))]);
  }

  private async identitiesOnce(sourceId: number, refs: IdentityRef[]): Promise<Map<string, { identityId: number; personId: number }>> {
    const out = new Map<string, { identityId: number; personId: number }>();
    const wanted = new Map<string, IdentityRef>();
    for (const r of refs) {
      const cached = this.identityIds.get(`${sourceId}\u0000${r.externalId}`);
      if (cached) out.set(r.externalId, cached);
      else if (!wanted.has(r.externalId)) wanted.set(r.externalId, r);
    }
    if (wanted.size === 0) return out;
    // One array parameter per 10,000 ids (= any uses the unique index on both engines): a bulk load's
    // slice names ~100 k known people, and 1,000 bound parameters per query cost more to build than to run.
    for (const part of chunks([...wanted.keys()], 10_000)) {
      const found = await rows<{ ext: string; identity_id: string; person_id: string }>(
        this.db,
        sql`select external_id as ext, id::text as identity_id, person_id::text as person_id from source_identities
            where school_id = ${this.schoolId} and source_id = ${sourceId} and external_id = any(${arrayLiteral(part)}::text[])`,
      );
      for (const f of found) {
        out.set(f.ext, { identityId: Number(f.identity_id), personId: Number(f.person_id) });
        wanted.delete(f.ext);
      }
    }
    if (wanted.size > 0) {
      const { aliases, personFor } = await matchUsernames(this.db, this.schoolId, sourceId, wanted);
      for (const [ext, v] of aliases) {
        out.set(ext, v);
        wanted.delete(ext);
      }
      this.personByUsername = personFor;
    }
    const missing = [...wanted.values()];
    if (missing.length > 0) {
      const emails = missing.map((m) => m.email?.toLowerCase()).filter((e): e is string => !!e);
      const byEmail = new Map<string, number>();
      for (const part of chunks(emails)) {
        const ps = await this.db.select({ id: t.people.id, email: t.people.email }).from(t.people).where(and(eq(t.people.schoolId, this.schoolId), inArray(t.people.email, part)));
        for (const p of ps) if (p.email) byEmail.set(p.email, p.id);
      }
      // Linked = matched a person who existed before this identity (roster, another source, same username).
      const known = new Set(byEmail.keys());
      // One new person per e-mail even when two identities of one batch share it (people's e-mail is unique per school).
      const newEmails = new Set<string>();
      const needPerson = missing.filter((m) => {
        const email = m.email?.toLowerCase();
        if ((email && (byEmail.has(email) || newEmails.has(email))) || this.personByUsername.has(m.externalId)) return false;
        if (email) newEmails.add(email);
        return true;
      });
      const createdFor = new Map<string, number>();
      for (const part of chunks(needPerson)) {
        const created = await this.db
          .insert(t.people)
          .values(part.map((m) => ({ schoolId: this.schoolId, displayName: m.name ?? m.username ?? m.externalId, email: m.email?.toLowerCase() ?? null, isBot: m.isBot ?? false })))
          .returning({ id: t.people.id });
        part.forEach((m, i) => {
          const row = created[i];
          if (row && m.email) byEmail.set(m.email.toLowerCase(), row.id);
          if (row) createdFor.set(m.externalId, row.id);
        });
      }
      for (const part of chunks(missing)) {
        const rowsIn = part.map((m) => {
          const personId = (m.email && byEmail.get(m.email.toLowerCase())) || this.personByUsername.get(m.externalId) || createdFor.get(m.externalId);
          if (!personId) throw new Error(`no person for identity ${m.externalId}`);
          return { schoolId: this.schoolId, sourceId, externalId: m.externalId, personId, displayName: m.name ?? null, username: m.username ?? null, isBot: m.isBot ?? false, mapped: !!m.email && known.has(m.email.toLowerCase()) };
        });
        const created = await this.db.insert(t.sourceIdentities).values(rowsIn).returning({ ext: t.sourceIdentities.externalId, identityId: t.sourceIdentities.id, personId: t.sourceIdentities.personId });
        for (const c of created) out.set(c.ext, { identityId: c.identityId, personId: c.personId });
      }
    }
    for (const [ext, v] of out) this.identityIds.set(`${sourceId}\u0000${ext}`, v);
    return out;
  }

  async roster(events: Parsed<"roster">[], result: StoreResult): Promise<void> {
    for (const e of events) {
      const src = await this.source(e.source);
      const ids = await this.identities(src.id, [e.identity]);
      const who = ids.get(e.identity.externalId);
      if (!who) continue;
      // Counted honestly: stored = the roster links this identity for the first time; updated = a role,
      // name or e-mail changed; duplicates = the line says nothing new.
      const email = e.identity.email?.toLowerCase();
      const [owner] = email ? await this.db.select({ id: t.people.id }).from(t.people).where(and(eq(t.people.schoolId, this.schoolId), eq(t.people.email, email))) : [];
      if (owner && owner.id !== who.personId) {
        await this.markDirty(await mergePeople(this.db, this.schoolId, who.personId, owner.id));
        who.personId = owner.id;
        this.identityIds.clear();
      }
      const linked = await this.db.update(t.sourceIdentities).set({ mapped: true }).where(and(eq(t.sourceIdentities.id, who.identityId), eq(t.sourceIdentities.mapped, false))).returning({ id: t.sourceIdentities.id });
      let changed = false;
      if (e.identity.email || e.identity.name || e.role === "bot") {
        const next = { ...(e.identity.email ? { email: e.identity.email.toLowerCase() } : {}), ...(e.identity.name ? { displayName: e.identity.name } : {}), isBot: e.role === "bot" };
        const upd = await this.db
          .update(t.people)
          .set(next)
          .where(and(eq(t.people.id, who.personId), sql`(${t.people.email}, ${t.people.displayName}, ${t.people.isBot}) is distinct from (${next.email ?? sql`${t.people.email}`}, ${next.displayName ?? sql`${t.people.displayName}`}, ${next.isBot})`))
          .returning({ id: t.people.id });
        changed ||= upd.length > 0;
      }
      if (e.role !== "student") {
        const ins = await this.db.insert(t.personRoles).values({ schoolId: this.schoolId, personId: who.personId, role: e.role }).onConflictDoNothing().returning({ p: t.personRoles.personId });
        changed ||= ins.length > 0;
      }
      // A new role changes how this person's messages count (staff answer, students open): re-derive
      // every scope they wrote in, so episodes never keep a stale role.
      if (changed) await this.markDirty(await this.scopesOfAuthor(who.personId));
      if (linked.length > 0) result.stored++;
      else if (changed) result.updated++;
      else result.duplicates++;
      if (e.team) {
        await this.db.insert(t.teams).values({ schoolId: this.schoolId, name: e.team }).onConflictDoNothing();
        const [team] = await this.db.select({ id: t.teams.id }).from(t.teams).where(and(eq(t.teams.schoolId, this.schoolId), eq(t.teams.name, e.team)));
        if (team) {
          await this.db.insert(t.teamMembers).values({ schoolId: this.schoolId, teamId: team.id, personId: who.personId }).onConflictDoNothing();
          if (e.isTeamLead) await this.db.update(t.teams).set({ leadPersonId: who.personId }).where(eq(t.teams.id, team.id));
        }
      }
      if (e.capacity) {
        await this.db
          .insert(t.staffCapacity)
          .values({ schoolId: this.schoolId, personId: who.personId, episodesPerHour: e.capacity.episodesPerHour ?? null, maxStudents: e.capacity.maxStudents ?? null })
          .onConflictDoUpdate({ target: [t.staffCapacity.schoolId, t.staffCapacity.personId], set: { episodesPerHour: e.capacity.episodesPerHour ?? null, maxStudents: e.capacity.maxStudents ?? null } });
      }
      const assigned = e.assignedStudentExternalIds ?? [];
      if (assigned.length > 0) {
        const students = await this.identities(src.id, assigned.map((externalId) => ({ externalId })));
        const values = [...students.values()].map((s) => ({ schoolId: this.schoolId, staffPersonId: who.personId, studentPersonId: s.personId, role: e.role }));
        for (const part of chunks(values)) await this.db.insert(t.assignments).values(part).onConflictDoNothing();
      }
    }
  }

  private courseIds = new Map<string, number>();
  private cohortIds = new Map<string, { id: number; courseId: number }>();

  async course(externalId: string, title?: string): Promise<number> {
    const hit = this.courseIds.get(externalId);
    if (hit) return hit;
    await this.db.insert(t.courses).values({ schoolId: this.schoolId, externalId, title: title ?? externalId }).onConflictDoNothing();
    const [row] = await this.db.select({ id: t.courses.id }).from(t.courses).where(and(eq(t.courses.schoolId, this.schoolId), eq(t.courses.externalId, externalId)));
    if (!row) throw new Error(`course ${externalId} could not be stored`);
    this.courseIds.set(externalId, row.id);
    return row.id;
  }

  async cohort(courseId: number, c: { externalId: string; title?: string; startsOn?: string; endsOn?: string }): Promise<number> {
    const hit = this.cohortIds.get(c.externalId);
    if (hit) return hit.id;
    await this.db
      .insert(t.cohorts)
      .values({ schoolId: this.schoolId, courseId, externalId: c.externalId, title: c.title ?? c.externalId, startsOn: c.startsOn ?? null, endsOn: c.endsOn ?? null })
      .onConflictDoNothing();
    const [row] = await this.db.select({ id: t.cohorts.id, courseId: t.cohorts.courseId }).from(t.cohorts).where(and(eq(t.cohorts.schoolId, this.schoolId), eq(t.cohorts.externalId, c.externalId)));
    if (!row) throw new Error(`cohort ${c.externalId} could not be stored`);
    this.cohortIds.set(c.externalId, row);
    return row.id;
  }

  async enrollments(events: Parsed<"enrollment">[], result: StoreResult): Promise<void> {
    const bySource = groupBy(events, (e) => srcKey(e.source));
    for (const group of bySource.values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      const ids = await this.identities(src.id, group.map((e) => e.student));
      const values = [];
      for (const e of group) {
        const courseId = await this.course(e.course.externalId, e.course.title);
        const cohortId = await this.cohort(courseId, e.cohort);
        const who = ids.get(e.student.externalId);
        if (!who) continue;
        values.push({ schoolId: this.schoolId, cohortId, personId: who.personId, tier: e.tier, status: e.status, enrolledAt: e.enrolledAt ?? null, endedAt: e.endedAt ?? null, finalResult: e.finalResult ?? null });
      }
      // One upsert may not touch a row twice: a student's status changes in one batch go in order, one chunk each.
      for (const part of uniqueChunks(values, (v) => `${v.cohortId}:${v.personId}`)) {
        // xmax = 0 tells an insert from an update on both engines: counts stay honest on re-import.
        const written = await this.db
          .insert(t.enrollments)
          .values(part)
          .onConflictDoUpdate({
            target: [t.enrollments.schoolId, t.enrollments.cohortId, t.enrollments.personId],
            set: { tier: sql`excluded.tier`, status: sql`excluded.status`, enrolledAt: sql`excluded.enrolled_at`, endedAt: sql`excluded.ended_at`, finalResult: sql`excluded.final_result` },
            setWhere: sql`(${t.enrollments.tier}, ${t.enrollments.status}, ${t.enrollments.enrolledAt}, ${t.enrollments.endedAt}, ${t.enrollments.finalResult}) is distinct from (excluded.tier, excluded.status, excluded.enrolled_at, excluded.ended_at, excluded.final_result)`,
          })
          .returning({ id: t.enrollments.id, personId: t.enrollments.personId, status: t.enrollments.status, endedAt: t.enrollments.endedAt, enrolledAt: t.enrollments.enrolledAt, inserted: sql<boolean>`(xmax = 0)` });
        for (const w of written) {
          if (w.inserted) result.stored++;
          else result.updated++;
        }
        result.duplicates += part.length - written.length;
        const history = written.flatMap((w) => {
          const at = w.status === "active" ? w.enrolledAt : (w.endedAt ?? w.enrolledAt);
          return at ? [{ schoolId: this.schoolId, enrollmentId: w.id, status: w.status, at }] : [];
        });
        if (history.length > 0) await this.db.insert(t.enrollmentEvents).values(history).onConflictDoNothing();
        // Only enrollments that changed: events of an unchanged one were linked when either arrived.
        await linkLmsEnrollments(this.db, this.schoolId, { personIds: [...new Set(written.map((w) => w.personId))] });
      }
    }
  }

  private channelIds = new Map<string, { id: number; kind: string }>();
  private threadIds = new Map<string, number>();

  async messages(events: Parsed<"message">[], result: StoreResult): Promise<void> {
    const bySource = groupBy(events, (e) => srcKey(e.source));
    for (const group of bySource.values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      const refs: IdentityRef[] = [];
      for (const e of group) {
        refs.push(e.author);
        if (e.replyTo?.author) refs.push(e.replyTo.author);
        refs.push(...e.mentions);
      }
      const ids = await this.identities(src.id, refs);

      // Channels and threads.
      for (const e of group) {
        const ck = `${src.id}\u0000${e.channel.externalId}`;
        if (!this.channelIds.has(ck)) {
          const [row] = await this.db
            .insert(t.channels)
            .values({ schoolId: this.schoolId, sourceId: src.id, externalId: e.channel.externalId, kind: e.channel.kind, title: e.channel.title ?? null })
            .onConflictDoUpdate({ target: [t.channels.schoolId, t.channels.sourceId, t.channels.externalId], set: { title: sql`coalesce(excluded.title, ${t.channels.title})` } })
            .returning({ id: t.channels.id, kind: t.channels.kind });
          if (row) this.channelIds.set(ck, row);
        }
        if (e.thread) {
          const ch = this.channelIds.get(ck);
          const tk = `${ch?.id}\u0000${e.thread.externalId}`;
          if (ch && !this.threadIds.has(tk)) {
            const [row] = await this.db
              .insert(t.threads)
              .values({ schoolId: this.schoolId, channelId: ch.id, externalId: e.thread.externalId, kind: e.thread.kind, title: e.thread.title ?? null, createdAt: e.sentAt })
              .onConflictDoUpdate({ target: [t.threads.schoolId, t.threads.channelId, t.threads.externalId], set: { title: sql`coalesce(excluded.title, ${t.threads.title})` } })
              .returning({ id: t.threads.id });
            if (row) this.threadIds.set(tk, row.id);
          }
        }
      }

      const dirty = new Map<string, DirtyScope>();
      const rowsFor = (e: Parsed<"message">) => {
        const ch = this.channelIds.get(`${src.id}\u0000${e.channel.externalId}`);
        const author = ids.get(e.author.externalId);
        if (!ch || !author) throw new Error(`unresolved channel or author for message ${e.externalId}`);
        const threadId = e.thread ? (this.threadIds.get(`${ch.id}\u0000${e.thread.externalId}`) ?? null) : null;
        mergeDirty(dirty, { channelId: ch.id, threadId: threadId ?? 0, fromMs: e.sentAt.getTime() });
        const flags = e.contentKind === "text" ? classifyText(e.text) : { isAck: e.contentKind === "sticker", hasQuestion: false, negative: false, category: null };
        // Privacy: DM text is never stored; group text only where the source allows it.
        const keepText = ch.kind !== "dm" && src.storeGroupText;
        return {
          schoolId: this.schoolId,
          sourceId: src.id,
          channelId: ch.id,
          threadId,
          externalId: e.externalId,
          authorPersonId: author.personId,
          authorIdentityId: author.identityId,
          sentAt: e.sentAt,
          editedAt: e.editedAt ?? null,
          deletedAt: e.deletedAt ?? (e.action === "delete" ? e.sentAt : null),
          replyToExternalId: e.replyTo?.externalId ?? null,
          replyToPersonId: e.replyTo?.author ? (ids.get(e.replyTo.author.externalId)?.personId ?? null) : null,
          mentionPersonIds: e.mentions.map((m) => ids.get(m.externalId)?.personId).filter((x): x is number => typeof x === "number"),
          contentKind: e.contentKind,
          isBot: e.author.isBot ?? false,
          text: keepText ? (e.text ?? null) : null,
          textLength: e.text?.length ?? 0,
          isAck: flags.isAck,
          hasQuestion: flags.hasQuestion,
          negative: flags.negative,
          category: flags.category,
        };
      };

      const creates = group.filter((e) => e.action === "create");
      for (const part of chunks(creates)) {
        const values = part.map(rowsFor);
        const inserted = await insertMessages(this.db, this.schoolId, values);
        result.stored += inserted.length;
        result.duplicates += values.length - inserted.length;
      }
      // Edits and deletions update in place (an edit of an unseen message stores it), keeping sent_at for SLA history.
      // Each changes a row once: the same edit again, an older edit after a newer one, a second deletion count as duplicates.
      for (const e of group.filter((x) => x.action !== "create")) {
        const v = rowsFor(e);
        const editedAt = v.editedAt ?? e.sentAt;
        // An edit that does not carry the text (Open edX, some relays) changes the edit time only: the stored text stays.
        const newText = e.text === undefined ? {} : { text: v.text, textLength: v.textLength, isAck: v.isAck, hasQuestion: v.hasQuestion, negative: v.negative, category: v.category, mentionPersonIds: v.mentionPersonIds };
        const set = e.action === "delete" ? { deletedAt: v.deletedAt ?? e.sentAt } : { editedAt, ...newText };
        const guard = e.action === "delete" ? sql`${t.messages.deletedAt} is null` : sql`(${t.messages.editedAt} is null or ${t.messages.editedAt} < ${editedAt})`;
        const updated = await this.db
          .update(t.messages)
          .set(set)
          .where(and(eq(t.messages.schoolId, this.schoolId), eq(t.messages.channelId, v.channelId), eq(t.messages.externalId, v.externalId), guard))
          .returning({ id: t.messages.id });
        if (updated.length > 0) result.updated++;
        else if (e.action === "edit" && (await this.db.insert(t.messages).values(v).onConflictDoNothing().returning({ id: t.messages.id })).length > 0) result.stored++;
        else result.duplicates++; // a repeat, a stale edit, or the deletion of a message we never saw: nothing to keep
      }
      if (PARENT_JOINS_THREAD.has(first.source.kind)) {
        // Each message of the batch: a reply may have come first and its parent now, or the other way round.
        const keys = group.flatMap((e) => {
          const ch = this.channelIds.get(`${src.id}\u0000${e.channel.externalId}`);
          return ch ? [threadParentKey(ch.id, e)] : [];
        });
        for (const d of await attachThreadParents(this.db, this.schoolId, src.id, keys)) mergeDirty(dirty, d);
      }
      await this.markDirty([...dirty.values()]);
    }
  }

  /** Scopes whose episodes must be recomputed (derivation runs after the store, never in a webhook's request). */
  async scopesOfAuthor(personId: number): Promise<Array<{ channelId: number; threadId: number }>> {
    const r = await this.db
      .selectDistinct({ channelId: t.messages.channelId, threadId: sql<number>`coalesce(${t.messages.threadId}, 0)::int8` })
      .from(t.messages)
      .where(and(eq(t.messages.schoolId, this.schoolId), eq(t.messages.authorPersonId, personId)));
    return r.map((x) => ({ channelId: Number(x.channelId), threadId: Number(x.threadId) }));
  }

  private dirty = new Map<string, DirtyScope>();

  /** Collected, and written once by flushDirty at the end of the transaction. */
  async markDirty(scopes: readonly DirtyScope[]): Promise<void> {
    for (const d of scopes) mergeDirty(this.dirty, d);
  }

  /**
   * The dirty marks of the whole transaction in one upsert per chunk, in (channel, thread) order. A
   * recompute clears marks while deliveries keep marking them (lib/dal/derive.ts runs during webhook
   * load); both sides lock the rows in this same order (episodes/write.ts clearMarks), so they wait for
   * each other instead of deadlocking, however many scopes a group commit marks.
   */
  async flushDirty(): Promise<void> {
    const marks = [...this.dirty.values()].sort((a, b) => a.channelId - b.channelId || a.threadId - b.threadId);
    this.dirty.clear();
    if (marks.length === 0) return;
    // Plain SQL, the marks as one JSON parameter (in their order, which the rows are locked in): the query
    // builder's upsert cost more to build than to run under webhook load (docs/performance.md, round 22).
    const json = JSON.stringify(marks.map((d) => ({ c: d.channelId, t: d.threadId, f: d.fromMs == null ? null : new Date(d.fromMs).toISOString() })));
    await this.db.execute(sql`
      insert into dirty_scopes as d (school_id, channel_id, thread_id, from_sent_at, renewed, renewed_from)
      select ${this.schoolId}::bigint, v.c, v.t, v.f, true, v.f
      from rows from (json_to_recordset(${json}::json) as (c bigint, t bigint, f timestamptz)) with ordinality as v(c, t, f, n)
      order by v.n
      -- A mark not yet derived keeps its earliest message; "whole scope" (null) on either side wins. The
      -- same for what came since a run claimed the mark (episodes/write.ts claimMarks), from nothing.
      on conflict (school_id, channel_id, thread_id) do update set
        marked_at = now(),
        from_sent_at = case when d.from_sent_at is null or excluded.from_sent_at is null then null
                            else least(d.from_sent_at, excluded.from_sent_at) end,
        renewed = true,
        renewed_from = case when not d.renewed then excluded.from_sent_at
                            when d.renewed_from is null or excluded.from_sent_at is null then null
                            else least(d.renewed_from, excluded.from_sent_at) end`);
  }

  async lms(events: Parsed<"lms">[], result: StoreResult): Promise<void> {
    const bySource = groupBy(events, (e) => srcKey(e.source));
    for (const group of bySource.values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      const ids = await this.identities(src.id, group.map((e) => e.actor));
      const values = [];
      for (const e of group) {
        const who = ids.get(e.actor.externalId);
        if (!who) continue;
        const courseId = e.courseExternalId ? await this.course(e.courseExternalId) : null;
        const cohortId = e.cohortExternalId && courseId ? await this.cohort(courseId, { externalId: e.cohortExternalId }) : null;
        values.push({
          schoolId: this.schoolId, sourceId: src.id, externalId: e.externalId, personId: who.personId, courseId, cohortId, enrollmentId: null,
          verb: e.verb, objectId: e.objectId ?? null, objectKind: e.objectKind ?? null, score: e.score ?? null, maxScore: e.maxScore ?? null,
          amount: e.amount ?? null, occurredAt: e.occurredAt, voidedAt: e.voided ? e.occurredAt : null, extra: e.extra ?? null,
        });
      }
      for (const part of chunks(values)) {
        const inserted = await insertLmsEvents(this.db, this.schoolId, part);
        result.stored += inserted.length;
        result.duplicates += part.length - inserted.length;
        // Only the rows just inserted: older unlinked events are picked up when their enrollment arrives.
        await linkLmsEnrollments(this.db, this.schoolId, { eventIds: inserted });
      }
      if (first.source.kind === "xapi") {
        for (const part of chunks(group.map((e) => e.externalId))) await applyLmsVoids(this.db, this.schoolId, src.id, part);
      }
    }
  }

  async surveys(events: Parsed<"survey">[], result: StoreResult): Promise<void> {
    for (const group of groupBy(events, (e) => srcKey(e.source)).values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      const ids = await this.identities(src.id, group.map((e) => e.recipient));
      const values = group.flatMap((e) => {
        const who = ids.get(e.recipient.externalId);
        return who ? [{ schoolId: this.schoolId, sourceId: src.id, externalId: e.externalId, kind: e.kind, personId: who.personId, sentAt: e.sentAt }] : [];
      });
      for (const part of chunks(values)) {
        const inserted = await this.db.insert(t.surveyRequests).values(part).onConflictDoNothing().returning({ id: t.surveyRequests.id });
        result.stored += inserted.length;
        result.duplicates += part.length - inserted.length;
      }
    }
  }

  async ratings(events: Parsed<"rating">[], result: StoreResult): Promise<void> {
    for (const group of groupBy(events, (e) => srcKey(e.source)).values()) {
      const first = group[0];
      if (!first) continue;
      const src = await this.source(first.source);
      const ids = await this.identities(src.id, group.map((e) => e.rater));
      const values = [];
      for (const e of group) {
        const who = ids.get(e.rater.externalId);
        if (!who) continue;
        let aboutMessageId: number | null = null;
        if (e.channelExternalId && e.aboutMessageExternalId) {
          const [m] = await this.db
            .select({ id: t.messages.id })
            .from(t.messages)
            .innerJoin(t.channels, eq(t.channels.id, t.messages.channelId))
            .where(and(eq(t.messages.schoolId, this.schoolId), eq(t.channels.sourceId, src.id), eq(t.channels.externalId, e.channelExternalId), eq(t.messages.externalId, e.aboutMessageExternalId)));
          aboutMessageId = m?.id ?? null;
        }
        values.push({
          schoolId: this.schoolId, sourceId: src.id, externalId: e.externalId, kind: e.kind, personId: who.personId,
          score: normaliseScore(e.kind, e.rawScore, e.scaleMax), rawScore: e.rawScore, rawScaleMax: e.scaleMax,
          // Comments given in a DM are personal: kept only as the fact that one was given.
          comment: e.fromDm ? null : (e.comment ?? null), fromDm: e.fromDm, aboutMessageId, givenAt: e.givenAt,
        });
      }
      for (const part of chunks(values)) {
        const inserted = await this.db.insert(t.ratings).values(part).onConflictDoNothing().returning({ id: t.ratings.id });
        result.stored += inserted.length;
        result.duplicates += part.length - inserted.length;
      }
    }
  }
}

/**
 * CSAT on any scale maps linearly onto 1..5 (METRICS.md: other scales are normalised on import);
 * a 0..N or 1..N scale is told by its maximum: 10 → 0..10, others 1..N. NPS stays 0..10.
 */
export function normaliseScore(kind: "csat" | "nps", raw: number, scaleMax: number): number {
  if (kind === "nps") return raw;
  if (scaleMax === 5) return raw;
  const min = scaleMax === 10 ? 0 : 1;
  return 1 + ((raw - min) * 4) / (scaleMax - min);
}

/** Chunks in order, each at most CHUNK long and with no key twice; a repeated key starts a new chunk. */
export function uniqueChunks<T>(xs: T[], key: (x: T) => string, n = CHUNK): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let seen = new Set<string>();
  for (const x of xs) {
    const k = key(x);
    if (cur.length >= n || seen.has(k)) {
      out.push(cur);
      cur = [];
      seen = new Set();
    }
    cur.push(x);
    seen.add(k);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * A scope to derive again. `fromMs`: the earliest sent time of the new or changed messages behind the
 * mark, which lets recompute resume from the scope's checkpoint; absent or null = the scope changed in
 * some other way (thread parents, people, deletions, settings) and is derived whole.
 */
export interface DirtyScope {
  channelId: number;
  threadId: number;
  fromMs?: number | null;
}

/** Adds a mark to a set of marks: the earliest time wins, and "whole scope" wins over any time. */
export function mergeDirty(into: Map<string, DirtyScope>, d: DirtyScope): void {
  const key = `${d.channelId}:${d.threadId}`;
  const had = into.get(key);
  const fromMs = d.fromMs ?? null;
  if (!had) into.set(key, { channelId: d.channelId, threadId: d.threadId, fromMs });
  else if (had.fromMs != null) had.fromMs = fromMs === null ? null : Math.min(had.fromMs, fromMs);
}
