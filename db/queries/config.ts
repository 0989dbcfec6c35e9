import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client";
import * as t from "../schema";
import { ConfigError, formatPath, type ConfigIssue } from "@/lib/config/issues";
import { checkPolicyCalendars, resolveConfig, type CalendarRows, type ResolveOptions } from "@/lib/config/resolve";
import type { ChannelConfig, SchoolConfig } from "@/lib/config/schema";

/**
 * Applies a config document (lib/config/schema.ts) to a school in one transaction: either every section
 * is written or, when anything is wrong, nothing is and a ConfigError lists each problem by JSON path.
 * Idempotent: applying the same document again changes no row and marks nothing dirty (every write is
 * guarded by "is distinct from", so the counts below are real changes).
 */

export interface ApplyConfigResult {
  calendars: number;
  policies: number;
  policiesDeactivated: number;
  channels: number;
  capacities: number;
  roleLabels: number;
  /** Scopes marked for recompute: all of them when calendars or policies changed, else the changed channels'. */
  dirtyScopes: number;
  warnings: string[];
}

type Tx = Db;

export async function applyConfig(db: Db, schoolId: number, input: unknown, opts: ResolveOptions = {}): Promise<ApplyConfigResult> {
  const resolved = resolveConfig(input, opts);
  if (!resolved.ok) throw new ConfigError(resolved.issues);
  const { config, calendars } = resolved.value;
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Tx;
    const dbCalendars = await tx.select({ id: t.calendars.id, name: t.calendars.name, isDefault: t.calendars.isDefault }).from(t.calendars).where(eq(t.calendars.schoolId, schoolId));
    const issues: ConfigIssue[] = checkPolicyCalendars(resolved.value, dbCalendars);
    const people = await lookupEmails(tx, schoolId, config, issues);
    const cohorts = await lookupCohorts(tx, schoolId, config, issues);
    if (issues.length > 0) throw new ConfigError(issues);

    const result: ApplyConfigResult = { calendars: 0, policies: 0, policiesDeactivated: 0, channels: 0, capacities: 0, roleLabels: 0, dirtyScopes: 0, warnings: [] };
    const calendarIds = new Map(dbCalendars.map((c) => [c.name, c.id]));
    for (const c of calendars ?? []) {
      if (await applyCalendar(tx, schoolId, c, calendarIds)) result.calendars += 1;
    }
    if (calendars?.some((c) => c.isDefault)) {
      const def = calendars.find((c) => c.isDefault)?.name ?? "";
      const cleared = await tx
        .update(t.calendars)
        .set({ isDefault: false })
        .where(and(eq(t.calendars.schoolId, schoolId), eq(t.calendars.isDefault, true), sql`${t.calendars.name} <> ${def}`))
        .returning({ id: t.calendars.id });
      result.calendars += cleared.length;
    }
    if (config.slaPolicies) await applyPolicies(tx, schoolId, config.slaPolicies, calendarIds, result);

    const changedChannels: number[] = [];
    for (const [i, c] of (config.channels ?? []).entries()) {
      const { changed, matched } = await applyChannel(tx, schoolId, c, people, cohorts);
      if (matched === 0) result.warnings.push(`${formatPath(["channels", i])}: no ${c.source} channel ${c.externalId} yet; apply again after its first messages are imported`);
      changedChannels.push(...changed);
    }
    result.channels = changedChannels.length;
    for (const c of config.capacities ?? []) {
      const personId = people.get(c.email.toLowerCase());
      if (personId === undefined) continue;
      const w = await tx
        .insert(t.staffCapacity)
        .values({ schoolId, personId, episodesPerHour: c.episodesPerHour, maxStudents: c.maxStudents })
        .onConflictDoUpdate({
          target: [t.staffCapacity.schoolId, t.staffCapacity.personId],
          set: { episodesPerHour: sql`excluded.episodes_per_hour`, maxStudents: sql`excluded.max_students` },
          setWhere: sql`(${t.staffCapacity.episodesPerHour}, ${t.staffCapacity.maxStudents}) is distinct from (excluded.episodes_per_hour, excluded.max_students)`,
        })
        .returning({ p: t.staffCapacity.personId });
      result.capacities += w.length;
    }
    for (const [locale, labels] of Object.entries(config.roleLabels ?? {})) {
      for (const [role, label] of Object.entries(labels)) {
        if (label === undefined) continue;
        const w = await tx
          .insert(t.roleLabels)
          .values({ schoolId, role: role as (typeof t.roleKind.enumValues)[number], locale, label })
          .onConflictDoUpdate({ target: [t.roleLabels.schoolId, t.roleLabels.role, t.roleLabels.locale], set: { label }, setWhere: sql`${t.roleLabels.label} is distinct from excluded.label` })
          .returning({ r: t.roleLabels.role });
        result.roleLabels += w.length;
      }
    }

    // Targets and business minutes of every episode depend on policies and calendars; channel settings
    // only on their own channel's scopes.
    const slaChanged = result.calendars + result.policies + result.policiesDeactivated > 0;
    if (slaChanged || changedChannels.length > 0) result.dirtyScopes = await markDirty(tx, schoolId, slaChanged ? null : changedChannels);
    return result;
  });
}

async function lookupEmails(tx: Tx, schoolId: number, config: SchoolConfig, issues: ConfigIssue[]): Promise<Map<string, number>> {
  const wanted: Array<{ email: string; path: string }> = [];
  config.channels?.forEach((c, i) => c.ownerEmail && wanted.push({ email: c.ownerEmail.toLowerCase(), path: formatPath(["channels", i, "ownerEmail"]) }));
  config.capacities?.forEach((c, i) => wanted.push({ email: c.email.toLowerCase(), path: formatPath(["capacities", i, "email"]) }));
  const emails = [...new Set(wanted.map((w) => w.email))];
  const found = emails.length === 0 ? [] : await tx.select({ id: t.people.id, email: t.people.email }).from(t.people).where(and(eq(t.people.schoolId, schoolId), inArray(t.people.email, emails)));
  const map = new Map(found.flatMap((p) => (p.email ? [[p.email, p.id] as const] : [])));
  for (const w of wanted) if (!map.has(w.email)) issues.push({ path: w.path, message: `no person with email ${w.email} at this school (import the roster first)` });
  return map;
}

async function lookupCohorts(tx: Tx, schoolId: number, config: SchoolConfig, issues: ConfigIssue[]): Promise<Map<string, number>> {
  const wanted = (config.channels ?? []).flatMap((c, i) => (c.cohort ? [{ ext: c.cohort, path: formatPath(["channels", i, "cohort"]) }] : []));
  const exts = [...new Set(wanted.map((w) => w.ext))];
  const found = exts.length === 0 ? [] : await tx.select({ id: t.cohorts.id, ext: t.cohorts.externalId }).from(t.cohorts).where(and(eq(t.cohorts.schoolId, schoolId), inArray(t.cohorts.externalId, exts)));
  const map = new Map(found.map((c) => [c.ext, c.id]));
  for (const w of wanted) if (!map.has(w.ext)) issues.push({ path: w.path, message: `no cohort with external id ${JSON.stringify(w.ext)} (import enrollments first)` });
  return map;
}

/** Upserts a calendar and replaces its hours and days when they differ; true when anything changed. */
async function applyCalendar(tx: Tx, schoolId: number, c: CalendarRows, ids: Map<string, number>): Promise<boolean> {
  let id = ids.get(c.name);
  let changed = false;
  if (id === undefined) {
    const [row] = await tx.insert(t.calendars).values({ schoolId, name: c.name, timezone: c.timezone, isDefault: c.isDefault }).returning({ id: t.calendars.id });
    if (!row) throw new Error(`calendar ${c.name} not stored`);
    id = row.id;
    ids.set(c.name, id);
    changed = true;
  } else {
    const upd = await tx
      .update(t.calendars)
      .set({ timezone: c.timezone, isDefault: c.isDefault })
      .where(and(eq(t.calendars.id, id), sql`(${t.calendars.timezone}, ${t.calendars.isDefault}) is distinct from (${c.timezone}, ${c.isDefault})`))
      .returning({ id: t.calendars.id });
    changed = upd.length > 0;
  }
  const calendarId = id;
  const haveIntervals = await tx
    .select({ weekday: t.calendarIntervals.weekday, startMinute: t.calendarIntervals.startMinute, endMinute: t.calendarIntervals.endMinute })
    .from(t.calendarIntervals)
    .where(and(eq(t.calendarIntervals.schoolId, schoolId), eq(t.calendarIntervals.calendarId, calendarId)))
    .orderBy(asc(t.calendarIntervals.weekday), asc(t.calendarIntervals.startMinute));
  if (JSON.stringify(haveIntervals) !== JSON.stringify(c.intervals)) {
    await tx.delete(t.calendarIntervals).where(and(eq(t.calendarIntervals.schoolId, schoolId), eq(t.calendarIntervals.calendarId, calendarId)));
    if (c.intervals.length > 0) await tx.insert(t.calendarIntervals).values(c.intervals.map((i) => ({ schoolId, calendarId, ...i })));
    changed = true;
  }
  const haveDays = await tx
    .select({ day: t.calendarDays.day, kind: t.calendarDays.kind, asWeekday: t.calendarDays.asWeekday, note: t.calendarDays.note })
    .from(t.calendarDays)
    .where(and(eq(t.calendarDays.schoolId, schoolId), eq(t.calendarDays.calendarId, calendarId)))
    .orderBy(asc(t.calendarDays.day));
  if (JSON.stringify(haveDays) !== JSON.stringify(c.days)) {
    await tx.delete(t.calendarDays).where(and(eq(t.calendarDays.schoolId, schoolId), eq(t.calendarDays.calendarId, calendarId)));
    for (let i = 0; i < c.days.length; i += 1000) {
      await tx.insert(t.calendarDays).values(c.days.slice(i, i + 1000).map((d) => ({ schoolId, calendarId, ...d })));
    }
    changed = true;
  }
  return changed;
}

async function applyPolicies(tx: Tx, schoolId: number, policies: NonNullable<SchoolConfig["slaPolicies"]>, calendarIds: Map<string, number>, result: ApplyConfigResult): Promise<void> {
  for (const p of policies) {
    const values = {
      ownerRole: p.ownerRole,
      channelKind: p.channelKind,
      priority: p.priority,
      targetMinutes: p.targetMinutes,
      clock: p.clock,
      calendarId: p.calendar === null ? null : (calendarIds.get(p.calendar) ?? null),
      active: p.active,
    };
    const w = await tx
      .insert(t.slaPolicies)
      .values({ schoolId, name: p.name, ...values })
      .onConflictDoUpdate({
        target: [t.slaPolicies.schoolId, t.slaPolicies.name],
        set: values,
        setWhere: sql`(${t.slaPolicies.ownerRole}, ${t.slaPolicies.channelKind}, ${t.slaPolicies.priority}, ${t.slaPolicies.targetMinutes}, ${t.slaPolicies.clock}, ${t.slaPolicies.calendarId}, ${t.slaPolicies.active})
          is distinct from (excluded.owner_role, excluded.channel_kind, excluded.priority, excluded.target_minutes, excluded.clock, excluded.calendar_id, excluded.active)`,
      })
      .returning({ id: t.slaPolicies.id });
    result.policies += w.length;
  }
  const names = policies.map((p) => p.name);
  const off = await tx
    .update(t.slaPolicies)
    .set({ active: false })
    .where(and(eq(t.slaPolicies.schoolId, schoolId), eq(t.slaPolicies.active, true), names.length > 0 ? sql`${t.slaPolicies.name} not in ${names}` : undefined))
    .returning({ id: t.slaPolicies.id });
  result.policiesDeactivated = off.length;
}

async function applyChannel(tx: Tx, schoolId: number, c: ChannelConfig, people: Map<string, number>, cohorts: Map<string, number>): Promise<{ matched: number; changed: number[] }> {
  const matches = await tx
    .select({ id: t.channels.id })
    .from(t.channels)
    .innerJoin(t.sources, eq(t.sources.id, t.channels.sourceId))
    .where(and(eq(t.channels.schoolId, schoolId), eq(t.sources.kind, c.source), eq(t.channels.externalId, c.externalId), c.sourceExternalId ? eq(t.sources.externalId, c.sourceExternalId) : undefined));
  if (matches.length === 0) return { matched: 0, changed: [] };
  const set: Partial<typeof t.channels.$inferInsert> = {};
  if (c.purpose !== undefined) set.purpose = c.purpose;
  if (c.attribution !== undefined) set.attribution = c.attribution;
  if (c.ownerRole !== undefined) set.ownerRole = c.ownerRole;
  if (c.ownerEmail !== undefined) set.ownerPersonId = c.ownerEmail === null ? null : (people.get(c.ownerEmail.toLowerCase()) ?? null);
  if (c.cohort !== undefined) set.cohortId = c.cohort === null ? null : (cohorts.get(c.cohort) ?? null);
  const cols = { purpose: t.channels.purpose, attribution: t.channels.attribution, ownerRole: t.channels.ownerRole, ownerPersonId: t.channels.ownerPersonId, cohortId: t.channels.cohortId } as const;
  const keys = (Object.keys(set) as Array<keyof typeof cols>).filter((k) => k in cols);
  if (keys.length === 0) return { matched: matches.length, changed: [] };
  // Enum and bigint columns compare with their own types: cast each value to its column's type.
  const distinct = sql.join(keys.map((k) => sql`${cols[k]} is distinct from ${set[k] ?? null}`), sql` or `);
  const changed = await tx
    .update(t.channels)
    .set(set)
    .where(and(inArray(t.channels.id, matches.map((m) => m.id)), sql`(${distinct})`))
    .returning({ id: t.channels.id });
  return { matched: matches.length, changed: changed.map((r) => r.id) };
}

/**
 * Marks the scopes of some channels (null = every channel) dirty, to be derived whole (no `from_sent_at`:
 * settings changed, not messages; the checkpoints' fingerprints would refuse them anyway); returns how
 * many were marked.
 */
export async function markDirty(db: Db, schoolId: number, channelIds: readonly number[] | null): Promise<number> {
  if (channelIds !== null && channelIds.length === 0) return 0;
  // A list of channels is read channel by channel through messages_scope_idx (a lateral subquery the planner
  // cannot turn into a join): for 500 channels it planned a hash join over every message of the school
  // (1.3 s at 1.1 M messages, for 50 k of them), as the silence contacts did (docs/performance.md, round 16).
  // Rows are locked in (channel, thread) order, as the store path marks them and a recompute clears them
  // (episodes/write.ts clearMarks), so a settings change beside a derivation run waits instead of deadlocking.
  const scopes =
    channelIds === null
      ? sql`select distinct school_id, channel_id, coalesce(thread_id, 0) from messages where school_id = ${schoolId} order by 2, 3`
      : sql`select ${schoolId}::bigint, c.id, x.t
            from (select distinct unnest(${`{${channelIds.map((n) => Math.trunc(n)).join(",")}}`}::bigint[]) as id) c
            cross join lateral (select distinct coalesce(m.thread_id, 0) as t from messages m where m.school_id = ${schoolId} and m.channel_id = c.id) x
            order by 2, 3`;
  const res = await db.execute(sql`
    insert into dirty_scopes (school_id, channel_id, thread_id)
    ${scopes}
    on conflict (school_id, channel_id, thread_id) do update set marked_at = now(), from_sent_at = null, renewed = true, renewed_from = null
    returning channel_id`);
  return (res as unknown as { rows: unknown[] }).rows.length;
}
