import { sql } from "drizzle-orm";
import type { PoolClient } from "pg";
import * as schema from "../schema";
import { rows, type Db } from "../client";
import type { IdentityRef, IngestEvent, ParsedIngestEvent, SourceRef } from "../../lib/ingest/types";
import { classifyCached, parseAll, type ParsedBulk, type ParsedByType } from "../../lib/ingest/bulk";
import { groupBy } from "../../lib/group-by";
import { normaliseScore, srcKey, StoreContext, type StoreResult } from "./ingest";
import { arrayLiteral } from "./ingest-bulk";
import { attachThreadParents, linkLmsEnrollments, PARENT_JOINS_THREAD, threadParentKey } from "./ingest-links";
import { storeDeletions, storeLmsItems } from "./ingest-extra";
import { createStage, stageRows, type StageColumn, type Stager, type StageValue } from "./bulk-stage";
import { recomputeEpisodes } from "./episodes/recompute";

/**
 * The bulk import: the product's path for big historic loads (exports, initial loads, the demo at scale).
 *
 * Same meaning as one `storeEvents` call with the same events (db/queries/ingest.ts): the sources' ids
 * are the idempotency keys, DM text is never stored and group text only where the source allows,
 * classification flags and normalised scores are the store path's, ratings find the message they are
 * about, LMS events are linked to enrollments when inserted, enrollments keep their status history,
 * roster lines give roles, teams, capacity and assignments, and the scopes written are marked dirty (or
 * derived at once with `derive`). What differs is how: everything is validated first and with one
 * invalid event nothing is written; then one transaction under the school's advisory lock; messages and
 * LMS events go through TEMP staging tables (COPY on PostgreSQL) into their tables with one
 * `insert … select … on conflict` each; channels, threads, roster, enrollments and ratings are resolved
 * set-based instead of row by row.
 *
 * Input in slices (db/seed/stream.ts calls `bulkStore` per ~300 k events) may refer to people, channels
 * and enrollments stored by an earlier slice: they are looked up, never assumed.
 */

type Parsed<K extends ParsedIngestEvent["type"]> = Extract<ParsedIngestEvent, { type: K }>;

export interface BulkResult extends StoreResult {
  /** Milliseconds per phase (validate, roster, enrollments, messages, lms, ratings, other, commit, analyze, derive). */
  phaseMs: Record<string, number>;
}

export interface BulkOptions {
  /** ANALYZE the written tables after the commit (default true): the planner must know the new sizes. */
  analyze?: boolean;
  /** Derive the dirty scopes right after the import, at this instant. */
  derive?: { now: Date };
  /** Use COPY for staging where the driver allows it (default true; false = the unnest path, as on PGlite). */
  copy?: boolean;
  /** Runs inside the import's transaction after the events are written (the CLI's import checkpoint). */
  within?: (tx: Db, result: StoreResult) => Promise<void>;
  /**
   * Called once: as the message insert is sent, or when the import ends if it sends none. That insert is
   * the longest statement, seconds at school scale, during which this process only waits; the streamed
   * load prepares its next slice from here (db/seed/stream.ts).
   */
  onLongWait?: () => void;
}

function chunks<T>(xs: readonly T[], n = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

const intArray = (xs: readonly number[]) => `{${xs.map((x) => Math.trunc(x)).join(",")}}`;

class Phases {
  readonly ms: Record<string, number> = {};
  private t = performance.now();
  lap(name: string): void {
    const now = performance.now();
    this.ms[name] = Math.round((this.ms[name] ?? 0) + now - this.t);
    this.t = now;
  }
}

export async function bulkImport(
  db: Db,
  schoolId: number,
  events: Iterable<IngestEvent> | AsyncIterable<IngestEvent>,
  opts: BulkOptions = {},
): Promise<BulkResult> {
  const phases = new Phases();
  const parsed = await parseAll(events);
  phases.lap("validate");
  return writeParsed(db, schoolId, parsed, opts, phases);
}

/** bulkImport of events already parsed (`parseAll`): nothing is written when any was rejected. */
export async function bulkImportParsed(db: Db, schoolId: number, parsed: ParsedBulk, opts: BulkOptions = {}): Promise<BulkResult> {
  return writeParsed(db, schoolId, parsed, opts, new Phases());
}

async function writeParsed(db: Db, schoolId: number, parsed: ParsedBulk, opts: BulkOptions, phases: Phases): Promise<BulkResult> {
  const result: BulkResult = { read: parsed.read, stored: 0, updated: 0, duplicates: 0, rejected: parsed.rejected, phaseMs: phases.ms };
  let waited = false;
  const onLongWait = () => {
    if (waited) return;
    waited = true;
    opts.onLongWait?.();
  };
  if (parsed.rejected.length > 0 || parsed.read === 0) {
    onLongWait();
    return result;
  }

  await inTransaction(db, opts.copy !== false, async (stager) => {
    await stager.db.execute(sql`select pg_advisory_xact_lock(${schoolId})`);
    await writeAll(stager, schoolId, parsed.byType, result, phases, onLongWait);
    if (opts.within) await opts.within(stager.db, result);
  });
  onLongWait();
  phases.lap("commit");
  if (opts.analyze !== false) {
    await analyzeGrown(db);
    phases.lap("analyze");
  }
  if (opts.derive) {
    await recomputeEpisodes(db, schoolId, { scopes: "dirty", now: opts.derive.now });
    phases.lap("derive");
  }
  return result;
}

// person_roles, team_members, assignments and cohorts too: derivation reads them (staff contacts drive from the
// staff's roles), and behind a streamed load (DeriveBehind) it runs before any later ANALYZE: with person_roles
// estimated at one row, each batch's `addressed` contacts scanned every staff message of the school.
const ANALYZED = ["messages", "lms_events", "source_identities", "people", "person_roles", "team_members", "assignments", "cohorts", "channels", "threads", "enrollments", "enrollment_events", "enrollment_latest", "ratings", "survey_requests", "dirty_scopes"];

/**
 * Statistics for the tables this import grew (all schools share them): the planner must see a table
 * that went from empty to large. Only tables now over a fifth larger (in pages) than at their last
 * ANALYZE, so fifty slices of one big load analyse each table about fifteen times, not fifty (a full
 * round costs ≈ 1.6 s at `large`). Pages rather than the statistics collector's counters, which PGlite
 * does not keep.
 */
export async function analyzeGrown(db: Db, tables: readonly string[] = ANALYZED): Promise<void> {
  const stale = (
    await rows<{ t: string }>(
      db,
      sql`select c.relname::text as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relname::text = any(${arrayLiteral(tables)}::text[])
            and (c.reltuples < 0 or pg_relation_size(c.oid) / current_setting('block_size')::int > 1.2 * c.relpages + 8)`,
    )
  ).map((r) => r.t);
  const known = tables.filter((t) => stale.includes(t));
  if (known.length > 0) await db.execute(sql.raw(`analyze ${known.join(", ")}`));
}

/**
 * One transaction. On PostgreSQL it runs on a client of its own taken from the pool, so the staging
 * tables can be filled with COPY on that same connection; elsewhere (PGlite, or a Db that is already a
 * transaction) through the query builder's transaction and the unnest path.
 */
async function inTransaction(db: Db, allowCopy: boolean, fn: (s: Stager) => Promise<void>): Promise<void> {
  const pool = (db as unknown as { $client?: unknown }).$client;
  if (allowCopy && pool) {
    const { Pool } = await import("pg");
    if (pool instanceof Pool) {
      const client: PoolClient = await pool.connect();
      let broken = false;
      try {
        const { drizzle } = await import("drizzle-orm/node-postgres");
        const txDb = drizzle(client, { schema }) as unknown as Db;
        await client.query("begin");
        try {
          await fn({ db: txDb, copy: client });
          await client.query("commit");
        } catch (err) {
          // The first error is the one to report; a connection that cannot even roll back is not reused.
          await client.query("rollback").catch(() => void (broken = true));
          throw err;
        }
      } finally {
        client.release(broken);
      }
      return;
    }
  }
  await db.transaction(async (tx) => fn({ db: tx as unknown as Db, copy: null }));
}

/** The store path's order (ingest.ts writeParsed): people and enrollments first, so the rest finds them. */
async function writeAll(stager: Stager, schoolId: number, by: ParsedByType, result: StoreResult, phases: Phases, onLongWait?: () => void): Promise<void> {
  let ctx = new StoreContext(stager.db, schoolId);
  ctx = await bulkRoster(stager, ctx, by.roster, result);
  phases.lap("roster");
  await bulkEnrollments(ctx, by.enrollment, result);
  phases.lap("enrollments");
  await bulkMessages(stager, ctx, by.message, result, phases, onLongWait);
  await bulkLms(stager, ctx, by.lms, result);
  phases.lap("lms");
  await ctx.surveys(by.survey, result);
  await bulkRatings(stager, ctx, by.rating, result);
  phases.lap("ratings");
  await storeLmsItems(ctx, by.lms_item, result);
  await ctx.markDirty(await storeDeletions(ctx, by.message_deletion, result));
  await ctx.flushDirty();
  phases.lap("other");
}

// ---------------------------------------------------------------------------------------------------
// Roster

interface Who {
  identityId: number;
  personId: number;
}

/**
 * Roster lines, set-based. The fast path holds when applying the lines cannot change a person's e-mail
 * (a line's e-mail is already its person's, or the line has none): then no two people are merged and the
 * lines' effects are the store path's, computed in memory in line order and written once per kind. Any
 * other case (a known account gets an e-mail for the first time, an e-mail names another person) is rolled
 * back to a savepoint and goes line by line through the store path's own loop, with a fresh context.
 */
async function bulkRoster(stager: Stager, ctx: StoreContext, events: Array<Parsed<"roster">>, result: StoreResult): Promise<StoreContext> {
  if (events.length === 0) return ctx;
  const db = stager.db;
  const s = ctx.schoolId;
  await db.execute(sql`savepoint bulk_roster`);
  const who: Who[] = new Array<Who>(events.length);
  const indexed = events.map((e, i) => ({ e, i }));
  for (const group of groupBy(indexed, (x) => srcKey(x.e.source)).values()) {
    const first = group[0];
    if (!first) continue;
    const src = await ctx.source(first.e.source);
    const ids = await ctx.identities(src.id, group.map((x) => x.e.identity));
    for (const x of group) {
      const w = ids.get(x.e.identity.externalId);
      if (!w) throw new Error(`roster identity ${x.e.identity.externalId} unresolved`);
      who[x.i] = { identityId: w.identityId, personId: w.personId };
    }
  }
  const personIds = [...new Set(who.map((w) => w.personId))];
  const people = new Map<number, { email: string | null; displayName: string; isBot: boolean }>();
  for (const r of await rows<{ id: string; email: string | null; display_name: string; is_bot: boolean }>(
    db,
    sql`select id::text as id, email, display_name, is_bot from people where school_id = ${s} and id = any(${intArray(personIds)}::bigint[])`,
  )) {
    people.set(Number(r.id), { email: r.email, displayName: r.display_name, isBot: r.is_bot });
  }
  const hazard = events.some((e, i) => {
    const email = e.identity.email?.toLowerCase();
    const p = people.get(who[i]?.personId ?? -1);
    return !p || (email !== undefined && p.email !== email);
  });
  if (hazard) {
    // Lines that move e-mails or merge people depend on each other's order: the store path's own loop.
    await db.execute(sql`rollback to savepoint bulk_roster`);
    const fresh = new StoreContext(db, s);
    await fresh.roster(events, result);
    return fresh;
  }
  await db.execute(sql`release savepoint bulk_roster`);

  const identityIds = [...new Set(who.map((w) => w.identityId))];
  const unmapped = new Set(
    (await rows<{ id: string }>(db, sql`select id::text as id from source_identities where school_id = ${s} and id = any(${intArray(identityIds)}::bigint[]) and not mapped`)).map((r) => Number(r.id)),
  );
  const roles = new Set(
    (await rows<{ k: string }>(db, sql`select person_id::text || ':' || role::text as k from person_roles where school_id = ${s} and person_id = any(${intArray(personIds)}::bigint[])`)).map((r) => r.k),
  );
  const newRoles: Array<{ personId: number; role: string }> = [];
  const changedPeople = new Set<number>();
  const dirtyPeople = new Set<number>();
  const teamOrder: string[] = [];
  const members: Array<{ team: string; personId: number }> = [];
  const leads = new Map<string, number>();
  const capacity = new Map<number, { episodesPerHour: number | null; maxStudents: number | null }>();
  for (const [i, e] of events.entries()) {
    const w = who[i];
    const p = w ? people.get(w.personId) : undefined;
    if (!w || !p) continue;
    const linked = unmapped.delete(w.identityId);
    let changed = false;
    if (e.identity.email || e.identity.name || e.role === "bot") {
      const next = { email: e.identity.email ? e.identity.email.toLowerCase() : p.email, displayName: e.identity.name ? e.identity.name : p.displayName, isBot: e.role === "bot" };
      if (next.email !== p.email || next.displayName !== p.displayName || next.isBot !== p.isBot) {
        people.set(w.personId, next);
        changedPeople.add(w.personId);
        changed = true;
      }
    }
    if (e.role !== "student" && !roles.has(`${w.personId}:${e.role}`)) {
      roles.add(`${w.personId}:${e.role}`);
      newRoles.push({ personId: w.personId, role: e.role });
      changed = true;
    }
    if (changed) dirtyPeople.add(w.personId);
    if (linked) result.stored++;
    else if (changed) result.updated++;
    else result.duplicates++;
    if (e.team) {
      if (!teamOrder.includes(e.team)) teamOrder.push(e.team);
      members.push({ team: e.team, personId: w.personId });
      if (e.isTeamLead) leads.set(e.team, w.personId);
    }
    if (e.capacity) capacity.set(w.personId, { episodesPerHour: e.capacity.episodesPerHour ?? null, maxStudents: e.capacity.maxStudents ?? null });
  }
  const linkedIds = identityIds.filter((id) => !unmapped.has(id));
  await db.execute(sql`update source_identities set mapped = true where school_id = ${s} and id = any(${intArray(linkedIds)}::bigint[]) and not mapped`);
  const upd = [...changedPeople].map((id) => ({ id, ...people.get(id) }));
  for (const part of chunks(upd, 5000)) {
    await db.execute(sql`
      update people p set email = u.email, display_name = u.display_name, is_bot = u.is_bot
      from unnest(${intArray(part.map((x) => x.id))}::bigint[], ${arrayLiteral(part.map((x) => x.email ?? null))}::text[],
                  ${arrayLiteral(part.map((x) => x.displayName ?? ""))}::text[], ${arrayLiteral(part.map((x) => x.isBot ?? false))}::boolean[]) as u(id, email, display_name, is_bot)
      where p.school_id = ${s} and p.id = u.id`);
  }
  for (const part of chunks(newRoles, 5000)) {
    await db.execute(sql`
      insert into person_roles (school_id, person_id, role)
      select ${s}, u.p, u.r::role_kind from unnest(${intArray(part.map((x) => x.personId))}::bigint[], ${arrayLiteral(part.map((x) => x.role))}::text[]) as u(p, r)
      on conflict do nothing`);
  }
  // A new role or name changes how a person's messages count: re-derive every scope they wrote in.
  if (dirtyPeople.size > 0) {
    const scopes = await rows<{ c: string; t: string }>(
      db,
      sql`select distinct channel_id::text as c, coalesce(thread_id, 0)::text as t from messages where school_id = ${s} and author_person_id = any(${intArray([...dirtyPeople])}::bigint[])`,
    );
    await ctx.markDirty(scopes.map((r) => ({ channelId: Number(r.c), threadId: Number(r.t) })));
  }
  if (teamOrder.length > 0) {
    await db.execute(sql`insert into teams (school_id, name) select ${s}, n from unnest(${arrayLiteral(teamOrder)}::text[]) with ordinality as u(n, o) order by o on conflict do nothing`);
    const teamIds = new Map(
      (await rows<{ id: string; name: string }>(db, sql`select id::text as id, name from teams where school_id = ${s} and name = any(${arrayLiteral(teamOrder)}::text[])`)).map((r) => [r.name, Number(r.id)]),
    );
    const tm = members.flatMap((m) => {
      const id = teamIds.get(m.team);
      return id === undefined ? [] : [{ teamId: id, personId: m.personId }];
    });
    for (const part of chunks(tm, 5000)) {
      await db.execute(sql`
        insert into team_members (school_id, team_id, person_id)
        select ${s}, u.t, u.p from unnest(${intArray(part.map((x) => x.teamId))}::bigint[], ${intArray(part.map((x) => x.personId))}::bigint[]) as u(t, p)
        on conflict do nothing`);
    }
    const leadRows = [...leads].flatMap(([team, personId]) => {
      const id = teamIds.get(team);
      return id === undefined ? [] : [{ teamId: id, personId }];
    });
    if (leadRows.length > 0) {
      await db.execute(sql`
        update teams t set lead_person_id = u.p
        from unnest(${intArray(leadRows.map((x) => x.teamId))}::bigint[], ${intArray(leadRows.map((x) => x.personId))}::bigint[]) as u(t, p)
        where t.id = u.t`);
    }
  }
  if (capacity.size > 0) {
    const cap = [...capacity];
    await db.execute(sql`
      insert into staff_capacity (school_id, person_id, episodes_per_hour, max_students)
      select ${s}, u.p, u.e, u.m from unnest(${intArray(cap.map(([p]) => p))}::bigint[], ${arrayLiteral(cap.map(([, c]) => c.episodesPerHour))}::real[],
        ${arrayLiteral(cap.map(([, c]) => c.maxStudents))}::int[]) as u(p, e, m)
      on conflict (school_id, person_id) do update set episodes_per_hour = excluded.episodes_per_hour, max_students = excluded.max_students`);
  }
  // Assignments: the students named by each staff line, resolved per source (unknown ones are created, as in the store path).
  const assigned = events.flatMap((e, i) => (e.assignedStudentExternalIds ?? []).map((ext) => ({ e, i, ext })));
  if (assigned.length > 0) {
    const values: Array<{ staff: number; student: number; role: string }> = [];
    for (const group of groupBy(assigned, (x) => srcKey(x.e.source)).values()) {
      const first = group[0];
      if (!first) continue;
      const src = await ctx.source(first.e.source);
      const refs: IdentityRef[] = group.map((x) => ({ externalId: x.ext }));
      const students = await ctx.identities(src.id, refs);
      for (const x of group) {
        const st = students.get(x.ext);
        const staff = who[x.i];
        if (st && staff) values.push({ staff: staff.personId, student: st.personId, role: x.e.role });
      }
    }
    for (const part of chunks(values, 5000)) {
      await db.execute(sql`
        insert into assignments (school_id, staff_person_id, student_person_id, role)
        select ${s}, u.a, u.b, u.r::role_kind from unnest(${intArray(part.map((x) => x.staff))}::bigint[], ${intArray(part.map((x) => x.student))}::bigint[],
          ${arrayLiteral(part.map((x) => x.role))}::text[]) as u(a, b, r)
        on conflict do nothing`);
    }
  }
  return ctx;
}

// ---------------------------------------------------------------------------------------------------
// Enrollments

interface EnrollmentState {
  tier: string;
  status: string;
  enrolledAt: number | null;
  endedAt: number | null;
  finalResult: string | null;
}

const sameEnrollment = (a: EnrollmentState, b: EnrollmentState) =>
  a.tier === b.tier && a.status === b.status && a.enrolledAt === b.enrolledAt && a.endedAt === b.endedAt && a.finalResult === b.finalResult;

/**
 * Enrollments, set-based: the stored state of every (cohort, person) named is read once, the lines are
 * applied in order in memory (an unchanged line is a duplicate, a change is an update with a history
 * row, as the store path's upsert with `is distinct from` decides), and the final states are written with
 * one upsert; then the persons' unlinked LMS events are linked, as the store path does.
 */
async function bulkEnrollments(ctx: StoreContext, events: Array<Parsed<"enrollment">>, result: StoreResult): Promise<void> {
  if (events.length === 0) return;
  const db = ctx.db;
  const s = ctx.schoolId;
  const lines: Array<{ key: string; cohortId: number; personId: number; state: EnrollmentState }> = [];
  for (const group of groupBy(events, (e) => srcKey(e.source)).values()) {
    const first = group[0];
    if (!first) continue;
    const src = await ctx.source(first.source);
    const ids = await ctx.identities(src.id, group.map((e) => e.student));
    for (const e of group) {
      const courseId = await ctx.course(e.course.externalId, e.course.title);
      const cohortId = await ctx.cohort(courseId, e.cohort);
      const who = ids.get(e.student.externalId);
      if (!who) continue;
      lines.push({
        key: `${cohortId}:${who.personId}`, cohortId, personId: who.personId,
        state: { tier: e.tier, status: e.status, enrolledAt: e.enrolledAt?.getTime() ?? null, endedAt: e.endedAt?.getTime() ?? null, finalResult: e.finalResult ?? null },
      });
    }
  }
  const keys = [...new Map(lines.map((l) => [l.key, l])).values()];
  const current = new Map<string, EnrollmentState>();
  for (const part of chunks(keys, 10_000)) {
    const found = await rows<{ c: string; p: string; tier: string; status: string; enrolled_at: Date | string | null; ended_at: Date | string | null; final_result: string | null }>(
      db,
      sql`select e.cohort_id::text as c, e.person_id::text as p, e.tier, e.status::text as status, e.enrolled_at, e.ended_at, e.final_result
          from enrollments e join unnest(${intArray(part.map((k) => k.cohortId))}::bigint[], ${intArray(part.map((k) => k.personId))}::bigint[]) as u(c, p)
            on e.cohort_id = u.c and e.person_id = u.p
          where e.school_id = ${s}`,
    );
    const ms = (v: Date | string | null) => (v === null ? null : new Date(v).getTime());
    for (const r of found) current.set(`${r.c}:${r.p}`, { tier: r.tier, status: r.status, enrolledAt: ms(r.enrolled_at), endedAt: ms(r.ended_at), finalResult: r.final_result });
  }
  const finalState = new Map<string, { cohortId: number; personId: number; state: EnrollmentState }>();
  const history: Array<{ key: string; status: string; at: number }> = [];
  for (const l of lines) {
    const before = current.get(l.key);
    if (before && sameEnrollment(before, l.state)) {
      result.duplicates++;
      continue;
    }
    if (before) result.updated++;
    else result.stored++;
    current.set(l.key, l.state);
    finalState.set(l.key, l);
    const at = l.state.status === "active" ? l.state.enrolledAt : (l.state.endedAt ?? l.state.enrolledAt);
    if (at !== null) history.push({ key: l.key, status: l.state.status, at });
  }
  if (finalState.size === 0) return;
  const idByKey = new Map<string, number>();
  for (const part of chunks([...finalState.values()], 5000)) {
    const iso = (x: number | null) => (x === null ? null : new Date(x).toISOString());
    const written = await rows<{ id: string; c: string; p: string }>(
      db,
      sql`insert into enrollments (school_id, cohort_id, person_id, tier, status, enrolled_at, ended_at, final_result)
          select ${s}, u.c, u.p, u.tier, u.status::enrollment_status, u.ea, u.en, u.fr
          from unnest(${intArray(part.map((x) => x.cohortId))}::bigint[], ${intArray(part.map((x) => x.personId))}::bigint[], ${arrayLiteral(part.map((x) => x.state.tier))}::text[],
            ${arrayLiteral(part.map((x) => x.state.status))}::text[], ${arrayLiteral(part.map((x) => iso(x.state.enrolledAt)))}::timestamptz[],
            ${arrayLiteral(part.map((x) => iso(x.state.endedAt)))}::timestamptz[], ${arrayLiteral(part.map((x) => x.state.finalResult))}::text[]) as u(c, p, tier, status, ea, en, fr)
          on conflict (school_id, cohort_id, person_id) do update set tier = excluded.tier, status = excluded.status, enrolled_at = excluded.enrolled_at,
            ended_at = excluded.ended_at, final_result = excluded.final_result
          returning id::text as id, cohort_id::text as c, person_id::text as p`,
    );
    for (const w of written) idByKey.set(`${w.c}:${w.p}`, Number(w.id));
  }
  const hist = history.flatMap((h) => {
    const id = idByKey.get(h.key);
    return id === undefined ? [] : [{ id, status: h.status, at: new Date(h.at) }];
  });
  for (const part of chunks(hist, 5000)) {
    await db.execute(sql`
      insert into enrollment_events (school_id, enrollment_id, status, at)
      select ${s}, u.id, u.st::enrollment_status, u.at
      from unnest(${intArray(part.map((x) => x.id))}::bigint[], ${arrayLiteral(part.map((x) => x.status))}::text[], ${arrayLiteral(part.map((x) => x.at))}::timestamptz[]) as u(id, st, at)
      on conflict do nothing`);
  }
  await linkLmsEnrollments(db, s, { personIds: [...new Set([...finalState.values()].map((x) => x.personId))] });
}

// ---------------------------------------------------------------------------------------------------
// Messages

const MESSAGE_STAGE: StageColumn[] = [
  { name: "ord", type: "bigint" }, { name: "source_id", type: "bigint" }, { name: "channel_id", type: "bigint" }, { name: "thread_id", type: "bigint" },
  { name: "external_id", type: "text" }, { name: "author_person_id", type: "bigint" }, { name: "author_identity_id", type: "bigint" },
  { name: "sent_at", type: "timestamptz" }, { name: "edited_at", type: "timestamptz" }, { name: "deleted_at", type: "timestamptz" },
  { name: "reply_to_external_id", type: "text" }, { name: "reply_to_person_id", type: "bigint" }, { name: "mentions", type: "text" },
  { name: "content_kind", type: "text" }, { name: "is_bot", type: "boolean" }, { name: "text", type: "text" }, { name: "text_length", type: "int" },
  { name: "is_ack", type: "boolean" }, { name: "has_question", type: "boolean" }, { name: "negative", type: "boolean" }, { name: "category", type: "text" },
];

const DELETE_STAGE: StageColumn[] = [
  { name: "ord", type: "bigint" }, { name: "channel_id", type: "bigint" }, { name: "external_id", type: "text" }, { name: "deleted_at", type: "timestamptz" },
];

let stageSeq = 0;

/** A new staging table of `columns` holding `values`, analysed (so joins against it are planned for its size); its name. */
async function stagedTable(stager: Stager, prefix: string, columns: StageColumn[], values: Array<readonly StageValue[]>): Promise<string> {
  const table = `${prefix}_${++stageSeq}`;
  await createStage(stager, table, columns);
  await stageRows(stager, table, columns, values);
  await stager.db.execute(sql.raw(`analyze ${table}`));
  return table;
}

/**
 * Events with their source's id and the person their actor (author, rater) is, source by source as the
 * store path resolves them; an event whose actor resolves to nobody is left out, as there.
 */
async function withActors<E extends { source: SourceRef }>(
  ctx: StoreContext,
  events: readonly E[],
  actor: (e: E) => IdentityRef,
): Promise<Array<{ e: E; sourceId: number; personId: number }>> {
  const out: Array<{ e: E; sourceId: number; personId: number }> = [];
  for (const group of groupBy(events, (e) => srcKey(e.source)).values()) {
    const first = group[0];
    if (!first) continue;
    const src = await ctx.source(first.source);
    const ids = await ctx.identities(src.id, group.map(actor));
    for (const e of group) {
      const who = ids.get(actor(e).externalId);
      if (who) out.push({ e, sourceId: src.id, personId: who.personId });
    }
  }
  return out;
}

/** An insert of `total` staged rows that stored `stored`: the rest were already there. */
function tally(result: StoreResult, total: number, stored: number): void {
  result.stored += stored;
  result.duplicates += total - stored;
}

async function bulkMessages(stager: Stager, ctx: StoreContext, events: Array<Parsed<"message">>, result: StoreResult, phases: Phases, onLongWait?: () => void): Promise<void> {
  if (events.length === 0) return;
  const db = stager.db;
  const s = ctx.schoolId;
  // Edits are rare in exports and depend on each other's order (a stale edit after a newer one): when a
  // load has any, its edits and deletions take the store path's own loop after the creates.
  const hasEdits = events.some((e) => e.action === "edit");
  const dirty = new Map<string, { channelId: number; threadId: number }>();
  const creates: Array<readonly StageValue[]> = [];
  const deletes: Array<readonly StageValue[]> = [];
  // Sources whose thread parent joins its thread (Slack): per source, the (channel, id) pairs that can be a
  // parent now — this load's timeline messages, and the ids of the threads this load names.
  const parentKeys: Array<{ sourceId: number; keys: Array<{ channelId: number; externalId: string }> }> = [];
  let createCount = 0;
  let deleteCount = 0;
  let ord = 0;
  for (const group of groupBy(events, (e) => srcKey(e.source)).values()) {
    const first = group[0];
    if (!first) continue;
    const src = await ctx.source(first.source);
    const refs: IdentityRef[] = [];
    for (const e of group) {
      refs.push(e.author);
      if (e.replyTo?.author) refs.push(e.replyTo.author);
      for (const m of e.mentions) refs.push(m);
    }
    const ids = await ctx.identities(src.id, refs);
    const channels = await upsertChannels(db, s, src.id, group);
    const threads = await upsertThreads(db, s, group, channels);
    for (const e of group) {
      const ch = channels.get(e.channel.externalId);
      const author = ids.get(e.author.externalId);
      if (!ch || !author) throw new Error(`unresolved channel or author for message ${e.externalId}`);
      const threadId = e.thread ? (threads.get(`${ch.id}\u0000${e.thread.externalId}`) ?? null) : null;
      const dk = `${ch.id}:${threadId ?? 0}`;
      if (!dirty.has(dk)) dirty.set(dk, { channelId: ch.id, threadId: threadId ?? 0 });
      ord++;
      if (e.action === "create") {
        createCount++;
        const flags = e.contentKind === "text" ? classifyCached(e.text) : { isAck: e.contentKind === "sticker", hasQuestion: false, negative: false, category: null };
        // Privacy: DM text is never stored; group text only where the source allows it.
        const keepText = ch.kind !== "dm" && src.storeGroupText;
        const mentions: number[] = [];
        for (const m of e.mentions) {
          const p = ids.get(m.externalId)?.personId;
          if (typeof p === "number") mentions.push(p);
        }
        creates.push([
          ord, src.id, ch.id, threadId, e.externalId, author.personId, author.identityId, e.sentAt, e.editedAt ?? null, e.deletedAt ?? null,
          e.replyTo?.externalId ?? null, e.replyTo?.author ? (ids.get(e.replyTo.author.externalId)?.personId ?? null) : null, arrayLiteral(mentions),
          e.contentKind, e.author.isBot ?? false, keepText ? (e.text ?? null) : null, e.text?.length ?? 0, flags.isAck, flags.hasQuestion, flags.negative, flags.category,
        ]);
      } else if (!hasEdits) {
        deleteCount++;
        deletes.push([ord, ch.id, e.externalId, e.deletedAt ?? e.sentAt]);
      }
    }
    if (PARENT_JOINS_THREAD.has(first.source.kind)) {
      const keys = group.flatMap((e) => {
        const ch = channels.get(e.channel.externalId);
        return ch ? [threadParentKey(ch.id, e)] : [];
      });
      parentKeys.push({ sourceId: src.id, keys });
    }
  }
  phases.lap("messages.resolve");
  const seq = ++stageSeq;
  const table = `bulk_messages_${seq}`;
  await createStage(stager, table, MESSAGE_STAGE);
  await stageRows(stager, table, MESSAGE_STAGE, creates);
  creates.length = 0;
  phases.lap("messages.stage");
  // In input order, so ids follow the store path's (derivation breaks sent_at ties by id). Inserting
  // channel by channel for index locality made no difference (measured at `large`: ≈ 29 µs of backend
  // CPU a row either way, about half of it the six foreign-key checks).
  const inserting = rows<{ n: number }>(
    db,
    sql`with ins as (
          insert into messages (school_id, source_id, channel_id, thread_id, external_id, author_person_id, author_identity_id, sent_at, edited_at, deleted_at,
            reply_to_external_id, reply_to_person_id, mention_person_ids, content_kind, is_bot, text, text_length, is_ack, has_question, negative, category)
          select ${s}::bigint, b.source_id, b.channel_id, b.thread_id, b.external_id, b.author_person_id, b.author_identity_id, b.sent_at, b.edited_at, b.deleted_at,
            b.reply_to_external_id, b.reply_to_person_id, b.mentions::bigint[], b.content_kind::content_kind, b.is_bot, b.text, b.text_length, b.is_ack, b.has_question,
            b.negative, b.category::message_category
          from ${sql.raw(table)} b order by b.ord
          on conflict do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  onLongWait?.();
  const [ins] = await inserting;
  tally(result, createCount, Number(ins?.n ?? 0));
  phases.lap("messages.insert");
  if (hasEdits) {
    // The store path's loop for edits and deletions (its channel and identity lookups are cached per call).
    const rest = events.filter((e) => e.action !== "create");
    const tally: StoreResult = { read: 0, stored: 0, updated: 0, duplicates: 0, rejected: [] };
    await ctx.messages(rest, tally);
    // ctx.messages counts the creates it meets as well; here it only meets edits and deletions.
    result.stored += tally.stored;
    result.updated += tally.updated;
    result.duplicates += tally.duplicates;
  } else if (deleteCount > 0) {
    // Analysed (stagedTable): a few hundred deletions probe the unique key; unanalysed, the planner hashed all of messages (≈ 1 s a slice at `large`).
    const dtable = await stagedTable(stager, "bulk_deletes", DELETE_STAGE, deletes);
    // The first deletion of a message (in input order) marks it; later ones and deletions of messages never seen change nothing.
    const [del] = await rows<{ n: number }>(
      db,
      sql`with d as (select distinct on (channel_id, external_id) channel_id, external_id, deleted_at from ${sql.raw(dtable)} order by channel_id, external_id, ord),
          u as (update messages m set deleted_at = d.deleted_at from d
                where m.school_id = ${s} and m.channel_id = d.channel_id and m.external_id = d.external_id and m.deleted_at is null returning 1)
          select count(*)::int as n from u`,
    );
    const updated = Number(del?.n ?? 0);
    result.updated += updated;
    result.duplicates += deleteCount - updated;
  }
  phases.lap("messages.deletes");
  for (const pk of parentKeys) for (const d of await attachThreadParents(db, s, pk.sourceId, pk.keys)) dirty.set(`${d.channelId}:${d.threadId}`, d);
  await ctx.markDirty([...dirty.values()]);
  phases.lap("messages.rest");
}

/** The channels of a source's messages: one upsert, each channel with its first message's kind and title (the store path's first upsert). */
async function upsertChannels(db: Db, schoolId: number, sourceId: number, group: ReadonlyArray<Parsed<"message">>): Promise<Map<string, { id: number; kind: string }>> {
  const firsts = new Map<string, Parsed<"message">["channel"]>();
  for (const e of group) if (!firsts.has(e.channel.externalId)) firsts.set(e.channel.externalId, e.channel);
  const out = new Map<string, { id: number; kind: string }>();
  for (const part of chunks([...firsts.values()], 5000)) {
    const found = await rows<{ id: string; ext: string; kind: string }>(
      db,
      sql`insert into channels (school_id, source_id, external_id, kind, title)
          select ${schoolId}, ${sourceId}, u.ext, u.kind::channel_kind, u.title
          from unnest(${arrayLiteral(part.map((c) => c.externalId))}::text[], ${arrayLiteral(part.map((c) => c.kind))}::text[], ${arrayLiteral(part.map((c) => c.title ?? null))}::text[])
            with ordinality as u(ext, kind, title, o)
          order by u.o
          on conflict (school_id, source_id, external_id) do update set title = coalesce(excluded.title, channels.title)
          returning id::text as id, external_id as ext, kind::text as kind`,
    );
    for (const f of found) out.set(f.ext, { id: Number(f.id), kind: f.kind });
  }
  return out;
}

/** The threads of a source's messages: one upsert, each thread created at its first message (the store path's first upsert). */
async function upsertThreads(
  db: Db,
  schoolId: number,
  group: ReadonlyArray<Parsed<"message">>,
  channels: ReadonlyMap<string, { id: number }>,
): Promise<Map<string, number>> {
  const firsts = new Map<string, { channelId: number; thread: NonNullable<Parsed<"message">["thread"]>; at: Date }>();
  for (const e of group) {
    if (!e.thread) continue;
    const ch = channels.get(e.channel.externalId);
    if (!ch) continue;
    const k = `${ch.id}\u0000${e.thread.externalId}`;
    if (!firsts.has(k)) firsts.set(k, { channelId: ch.id, thread: e.thread, at: e.sentAt });
  }
  const out = new Map<string, number>();
  for (const part of chunks([...firsts.values()], 5000)) {
    const found = await rows<{ id: string; c: string; ext: string }>(
      db,
      sql`insert into threads (school_id, channel_id, external_id, kind, title, created_at)
          select ${schoolId}, u.c, u.ext, u.kind::thread_kind, u.title, u.at
          from unnest(${intArray(part.map((x) => x.channelId))}::bigint[], ${arrayLiteral(part.map((x) => x.thread.externalId))}::text[],
            ${arrayLiteral(part.map((x) => x.thread.kind))}::text[], ${arrayLiteral(part.map((x) => x.thread.title ?? null))}::text[],
            ${arrayLiteral(part.map((x) => x.at))}::timestamptz[]) with ordinality as u(c, ext, kind, title, at, o)
          order by u.o
          on conflict (school_id, channel_id, external_id) do update set title = coalesce(excluded.title, threads.title)
          returning id::text as id, channel_id::text as c, external_id as ext`,
    );
    for (const f of found) out.set(`${f.c}\u0000${f.ext}`, Number(f.id));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// LMS events

const LMS_STAGE: StageColumn[] = [
  { name: "ord", type: "bigint" }, { name: "source_id", type: "bigint" }, { name: "external_id", type: "text" }, { name: "person_id", type: "bigint" },
  { name: "course_id", type: "bigint" }, { name: "cohort_id", type: "bigint" }, { name: "verb", type: "text" }, { name: "object_id", type: "text" },
  { name: "object_kind", type: "text" }, { name: "score", type: "real" }, { name: "max_score", type: "real" }, { name: "amount", type: "int" },
  { name: "occurred_at", type: "timestamptz" }, { name: "voided_at", type: "timestamptz" }, { name: "extra", type: "text" },
];

/**
 * LMS events through a staging table into lms_events with one insert; each new event is linked to its
 * enrollment in that same insert (the choice of ingest-links.ts linkLmsEnrollments, made against the
 * enrollments stored by then, as the store path links a batch's events right after inserting them).
 */
async function bulkLms(stager: Stager, ctx: StoreContext, events: Array<Parsed<"lms">>, result: StoreResult): Promise<void> {
  if (events.length === 0) return;
  const db = stager.db;
  const s = ctx.schoolId;
  const staged: Array<readonly StageValue[]> = [];
  const xapi = new Set<number>();
  let ord = 0;
  for (const { e, sourceId, personId } of await withActors(ctx, events, (x) => x.actor)) {
    const courseId = e.courseExternalId ? await ctx.course(e.courseExternalId) : null;
    const cohortId = e.cohortExternalId && courseId ? await ctx.cohort(courseId, { externalId: e.cohortExternalId }) : null;
    staged.push([
      ++ord, sourceId, e.externalId, personId, courseId, cohortId, e.verb, e.objectId ?? null, e.objectKind ?? null, e.score ?? null, e.maxScore ?? null,
      e.amount ?? null, e.occurredAt, e.voided ? e.occurredAt : null, e.extra ? JSON.stringify(e.extra) : null,
    ]);
    if (e.source.kind === "xapi") xapi.add(sourceId);
  }
  const total = staged.length;
  const table = await stagedTable(stager, "bulk_lms", LMS_STAGE, staged);
  staged.length = 0;
  // The enrollment of each new event (linkLmsEnrollments' choice) with one hash join and DISTINCT ON
  // rather than a lookup per event: a correlated lookup into tables not yet analysed in this transaction
  // was planned as a scan per event (50 µs an event at `large`).
  const [ins] = await rows<{ n: number }>(
    db,
    sql`with pick as (
          select distinct on (b.ord) b.ord, en.id as enrollment_id, en.cohort_id
          from ${sql.raw(table)} b
          join enrollments en on en.school_id = ${s} and en.person_id = b.person_id
          join cohorts c on c.id = en.cohort_id
          where en.cohort_id = b.cohort_id or (b.cohort_id is null and b.course_id is not null and c.course_id = b.course_id)
          order by b.ord, (en.cohort_id = b.cohort_id) desc, (c.starts_on is not null and c.starts_on <= b.occurred_at) desc, c.starts_on desc nulls last, en.id),
        ins as (
          insert into lms_events (school_id, source_id, external_id, person_id, course_id, cohort_id, enrollment_id, verb, object_id, object_kind,
            score, max_score, amount, occurred_at, voided_at, extra)
          select ${s}::bigint, b.source_id, b.external_id, b.person_id, b.course_id, coalesce(b.cohort_id, l.cohort_id), l.enrollment_id, b.verb, b.object_id, b.object_kind,
            b.score, b.max_score, b.amount, b.occurred_at, b.voided_at, b.extra::jsonb
          from ${sql.raw(table)} b left join pick l on l.ord = b.ord
          order by b.ord
          on conflict do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  tally(result, total, Number(ins?.n ?? 0));
  for (const sourceId of xapi) await applyVoids(db, s, sourceId, table);
}

/**
 * xAPI voiding for a whole load (ingest-links.ts applyLmsVoids, set-based): voiding statements of the
 * load applied to their targets, then targets of the load voided by any stored voiding statement. Two
 * statements rather than one with an OR, so each is driven by an index (the voiding index, the unique key).
 */
async function applyVoids(db: Db, schoolId: number, sourceId: number, stage: string): Promise<void> {
  const st = sql.raw(stage);
  await db.execute(sql`
    update lms_events e set voided_at = v.occurred_at
    from lms_events v join ${st} b on b.source_id = ${sourceId} and b.external_id = v.external_id
    where v.school_id = ${schoolId} and v.source_id = ${sourceId} and v.verb = 'voided'
      and e.school_id = v.school_id and e.source_id = v.source_id and e.external_id = v.object_id and e.verb <> 'voided'
      and e.voided_at is distinct from v.occurred_at`);
  await db.execute(sql`
    update lms_events e set voided_at = v.occurred_at
    from ${st} b, lms_events v
    where b.source_id = ${sourceId} and e.school_id = ${schoolId} and e.source_id = ${sourceId} and e.external_id = b.external_id and e.verb <> 'voided'
      and v.school_id = ${schoolId} and v.source_id = ${sourceId} and v.verb = 'voided' and v.object_id = e.external_id
      and e.voided_at is distinct from v.occurred_at`);
}

// ---------------------------------------------------------------------------------------------------
// Ratings

const RATING_STAGE: StageColumn[] = [
  { name: "ord", type: "bigint" }, { name: "source_id", type: "bigint" }, { name: "external_id", type: "text" }, { name: "kind", type: "text" },
  { name: "person_id", type: "bigint" }, { name: "score", type: "real" }, { name: "raw_score", type: "real" }, { name: "raw_scale_max", type: "int" },
  { name: "comment", type: "text" }, { name: "from_dm", type: "boolean" }, { name: "channel_ext", type: "text" }, { name: "about_ext", type: "text" },
  { name: "given_at", type: "timestamptz" },
];

/** Ratings in one insert, each finding the message it is about with a join instead of a lookup per rating. */
async function bulkRatings(stager: Stager, ctx: StoreContext, events: Array<Parsed<"rating">>, result: StoreResult): Promise<void> {
  if (events.length === 0) return;
  const db = stager.db;
  const s = ctx.schoolId;
  let ord = 0;
  const staged: Array<readonly StageValue[]> = (await withActors(ctx, events, (x) => x.rater)).map(({ e, sourceId, personId }) => {
    const linkable = e.channelExternalId && e.aboutMessageExternalId;
    return [
      ++ord, sourceId, e.externalId, e.kind, personId, normaliseScore(e.kind, e.rawScore, e.scaleMax), e.rawScore, e.scaleMax,
      // Comments given in a DM are personal: kept only as the fact that one was given.
      e.fromDm ? null : (e.comment ?? null), e.fromDm, linkable ? (e.channelExternalId ?? null) : null, linkable ? (e.aboutMessageExternalId ?? null) : null, e.givenAt,
    ];
  });
  const table = await stagedTable(stager, "bulk_ratings", RATING_STAGE, staged);
  // The message each rating is about, with one join (a correlated lookup was re-planned as a scan per rating).
  const [ins] = await rows<{ n: number }>(
    db,
    sql`with about as (
          select distinct on (b.ord) b.ord, m.id
          from ${sql.raw(table)} b
          join channels c on c.school_id = ${s} and c.source_id = b.source_id and c.external_id = b.channel_ext
          join messages m on m.school_id = ${s} and m.channel_id = c.id and m.external_id = b.about_ext
          order by b.ord, m.id),
        ins as (
          insert into ratings (school_id, source_id, external_id, kind, person_id, score, raw_score, raw_scale_max, comment, from_dm, about_message_id, given_at)
          select ${s}::bigint, b.source_id, b.external_id, b.kind::rating_kind, b.person_id, b.score, b.raw_score, b.raw_scale_max, b.comment, b.from_dm, a.id, b.given_at
          from ${sql.raw(table)} b left join about a on a.ord = b.ord
          order by b.ord
          on conflict do nothing
          returning 1)
        select count(*)::int as n from ins`,
  );
  tally(result, staged.length, Number(ins?.n ?? 0));
}

// ---------------------------------------------------------------------------------------------------
// For the streaming generator (db/seed/stream.ts) and the bench

const totals: Record<string, number> = {};

/** Phase timings summed over every `bulkStore` call since the last reset (ms). */
export function bulkStoreTimings(): Record<string, number> {
  return { ...totals };
}

export function resetBulkStoreTimings(): void {
  for (const k of Object.keys(totals)) delete totals[k];
}

/**
 * The store function the streaming generator calls once per slice: one bulk import per slice, throwing
 * when the store path would reject any event (generated data must be valid). Timings accumulate in
 * `bulkStoreTimings()`.
 */
export async function bulkStore(db: Db, schoolId: number, events: Iterable<IngestEvent>): Promise<void> {
  count(await bulkImport(db, schoolId, events));
}

function count(res: BulkResult): void {
  if (res.rejected.length > 0) {
    const first = res.rejected[0];
    throw new Error(`bulk import: ${res.rejected.length} events rejected (first: #${first?.index} ${first?.reason})`);
  }
  for (const [k, v] of Object.entries(res.phaseMs)) totals[k] = (totals[k] ?? 0) + v;
  totals.calls = (totals.calls ?? 0) + 1;
  totals.read = (totals.read ?? 0) + res.read;
  totals.stored = (totals.stored ?? 0) + res.stored;
}

/**
 * `bulkStore` in two steps for a pipelined load (db/seed/stream.ts `SliceStore`): `prepare` generates and
 * validates a slice in Node, yielding to the event loop, so it can run while the slice before it is
 * written; `write` imports it and calls `onLongWait` as its message insert is sent. The prepare's wall
 * time (interleaved with the write it overlaps) is summed as "prepare", not "validate".
 */
export const bulkSliceStore = {
  async prepare(events: Iterable<IngestEvent>): Promise<ParsedBulk> {
    const t = performance.now();
    const parsed = await parseAll(events, { yieldEvery: 2000 });
    totals.prepare = Math.round((totals.prepare ?? 0) + performance.now() - t);
    return parsed;
  },
  async write(db: Db, schoolId: number, parsed: ParsedBulk, onLongWait: () => void): Promise<void> {
    count(await bulkImportParsed(db, schoolId, parsed, { onLongWait }));
  },
};
