import { and, eq, inArray, sql } from "drizzle-orm";
import { rows, type Db } from "../client";
import { markDirty } from "../queries/config";
import * as t from "../schema";
import { DAY } from "./clock";
import type { ChannelDef, SchoolPlan } from "./types";

/**
 * School configuration that no source sends as an event: calendars, SLA policies, role labels, what each
 * channel is for, the LMS schedule and duty shifts. Written directly, idempotently (upserts on natural
 * keys; delete-and-insert where a table has none), so a second seed changes no count.
 */
export async function configureSchool(db: Db, schoolId: number, plan: SchoolPlan): Promise<void> {
  const [cal] = await db
    .insert(t.calendars)
    .values({ schoolId, name: "Основной график", timezone: plan.timezone, isDefault: true })
    .onConflictDoUpdate({ target: [t.calendars.schoolId, t.calendars.name], set: { timezone: plan.timezone, isDefault: true } })
    .returning({ id: t.calendars.id });
  if (!cal) throw new Error("calendar not stored");
  await db.delete(t.calendarIntervals).where(and(eq(t.calendarIntervals.schoolId, schoolId), eq(t.calendarIntervals.calendarId, cal.id)));
  await db.insert(t.calendarIntervals).values(plan.calendarDays.map((weekday) => ({ schoolId, calendarId: cal.id, weekday, startMinute: 9 * 60, endMinute: 21 * 60 })));
  const holidays = plan.clock.holidays(plan.windowStart, plan.anchor + 90 * DAY);
  if (holidays.length > 0) {
    await db
      .insert(t.calendarDays)
      .values(holidays.map((day) => ({ schoolId, calendarId: cal.id, day, kind: "holiday" as const, note: "Государственный праздник" })))
      .onConflictDoNothing();
  }

  // Field targets (docs/METRICS.md, SLA): mentor 24 h calendar; mentor on duty 30 min and coordinator
  // 2 h in working hours; complaints 15 min. The most specific match wins.
  const policies = [
    { name: "Ментор — 24 часа", ownerRole: "mentor" as const, channelKind: null, priority: null, targetMinutes: 24 * 60, clock: "calendar" as const },
    { name: "Дежурный ментор — 30 минут", ownerRole: "mentor" as const, channelKind: "group" as const, priority: null, targetMinutes: 30, clock: "business" as const },
    { name: "Куратор — 2 часа", ownerRole: "coordinator" as const, channelKind: null, priority: null, targetMinutes: 120, clock: "business" as const },
    { name: "Срочное — 15 минут", ownerRole: null, channelKind: null, priority: "urgent" as const, targetMinutes: 15, clock: "business" as const },
    { name: "По умолчанию — 4 часа", ownerRole: null, channelKind: null, priority: null, targetMinutes: 240, clock: "business" as const },
  ];
  for (const p of policies) {
    await db
      .insert(t.slaPolicies)
      .values({ schoolId, calendarId: cal.id, active: true, ...p })
      .onConflictDoUpdate({ target: [t.slaPolicies.schoolId, t.slaPolicies.name], set: { ...p, calendarId: cal.id, active: true } });
  }
  for (const [role, label] of Object.entries(plan.roleLabels)) {
    await db
      .insert(t.roleLabels)
      .values({ schoolId, role: role as (typeof t.roleKind.enumValues)[number], locale: "ru", label })
      .onConflictDoUpdate({ target: [t.roleLabels.schoolId, t.roleLabels.role, t.roleLabels.locale], set: { label } });
  }
}

interface ChannelRow {
  kind: string;
  source: string;
  ext: string;
  purpose: string;
  ownerRole: string | null;
  cohort: string | null;
  ownerEmail: string | null;
  studentEmail: string | null;
}

function channelRow(ch: ChannelDef): ChannelRow {
  // A single owner only where one person is responsible: the DM's coordinator, or a cohort with one coordinator.
  const owner = ch.ref.kind === "dm" || (ch.cohort && ch.cohort.coordinators.length === 1) ? (ch.ownerStaff?.email ?? null) : null;
  return {
    kind: ch.source.ref.kind, source: ch.source.ref.externalId, ext: ch.ref.externalId, purpose: ch.purpose, ownerRole: ch.ownerRole ?? null,
    cohort: ch.cohort?.externalId ?? null, ownerEmail: owner, studentEmail: ch.dmStudent?.email ?? null,
  };
}

/**
 * Runs after the events: the store path created the channels, people and cohorts this refers to. One
 * transaction that also marks the changed channels' scopes dirty, as a settings change does
 * (db/queries/config.ts applyConfig): a derivation may already have taken the just-stored scopes with the
 * channels still unconfigured (a streamed load derives behind its slices, db/seed/stream.ts, and a run that
 * lists the dirty scopes between a slice's commit and this one derives them with the defaults). The marks
 * renew the ones such a run read, so it keeps them (episodes/write.ts clearMarks) and the next run derives
 * those scopes again with the channels' settings. At 10 M messages, bench runs ended with thousands of
 * episodes fewer than a whole recompute through this window or its twin in recomputeEpisodes (the roles read
 * before the scopes were listed); tests/integration/derive-behind.test.ts forces each.
 */
export async function configureChannels(db: Db, schoolId: number, plan: SchoolPlan): Promise<void> {
  const list = plan.channels.map(channelRow);
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    for (let i = 0; i < list.length; i += 500) {
      const values = list.slice(i, i + 500).map((c) => sql`(${c.kind}, ${c.source}, ${c.ext}, ${c.purpose}, ${c.ownerRole}, ${c.cohort}, ${c.ownerEmail}, ${c.studentEmail})`);
      const changed = await rows<{ id: string }>(
        tx,
        sql`update channels c set
              purpose = v.purpose::channel_purpose,
              owner_role = v.owner_role::role_kind,
              cohort_id = co.id,
              owner_person_id = po.id,
              dm_student_person_id = ps.id
            from (values ${sql.join(values, sql`, `)}) as v(source_kind, source_ext, ext, purpose, owner_role, cohort_ext, owner_email, student_email)
            join sources s on s.school_id = ${schoolId} and s.kind::text = v.source_kind and s.external_id = v.source_ext
            left join cohorts co on co.school_id = ${schoolId} and co.external_id = v.cohort_ext
            left join people po on po.school_id = ${schoolId} and po.email = v.owner_email
            left join people ps on ps.school_id = ${schoolId} and ps.email = v.student_email
            where c.school_id = ${schoolId} and c.source_id = s.id and c.external_id = v.ext
              and (c.purpose, c.owner_role, c.cohort_id, c.owner_person_id, c.dm_student_person_id)
                is distinct from (v.purpose::channel_purpose, v.owner_role::role_kind, co.id, po.id, ps.id)
            returning c.id::text as id`,
      );
      await markDirty(tx, schoolId, changed.map((r) => Number(r.id)));
    }
  });
}

export async function configureLmsItems(db: Db, schoolId: number, plan: SchoolPlan): Promise<void> {
  const cohorts = await db.select({ id: t.cohorts.id, ext: t.cohorts.externalId }).from(t.cohorts).where(eq(t.cohorts.schoolId, schoolId));
  const ids = new Map(cohorts.map((c) => [c.ext, c.id]));
  const values = plan.lmsItems.flatMap((item) => {
    const cohortId = ids.get(item.cohort.externalId);
    return cohortId === undefined
      ? []
      : [{ schoolId, cohortId, externalId: item.externalId, kind: item.kind, title: item.title, dueAt: item.dueAt !== undefined ? new Date(item.dueAt) : null, weight: item.weight ?? null }];
  });
  for (let i = 0; i < values.length; i += 1000) {
    await db
      .insert(t.lmsItems)
      .values(values.slice(i, i + 1000))
      .onConflictDoUpdate({
        target: [t.lmsItems.schoolId, t.lmsItems.cohortId, t.lmsItems.externalId],
        set: { kind: sql`excluded.kind`, title: sql`excluded.title`, dueAt: sql`excluded.due_at`, weight: sql`excluded.weight` },
      });
  }
}

/** Weekly shifts as the simulation used them, so "staff on shift" in the heatmap matches the answers. Additive per plan. */
export async function configureShifts(db: Db, schoolId: number, plan: SchoolPlan): Promise<void> {
  const people = await db.select({ id: t.people.id, email: t.people.email }).from(t.people).where(and(eq(t.people.schoolId, schoolId), inArray(t.people.email, plan.staff.map((s) => s.email))));
  const personIds = new Map(people.map((p) => [p.email, p.id]));
  const teams = await db.select({ id: t.teams.id, name: t.teams.name }).from(t.teams).where(eq(t.teams.schoolId, schoolId));
  const teamIds = new Map(teams.map((x) => [x.name, x.id]));
  const first = plan.clock.dayIndex(plan.windowStart);
  const rows = plan.staff.flatMap((s) => {
    const personId = personIds.get(s.email);
    if (personId === undefined || s.role === "bot") return [];
    return s.shift.days.map((weekday) => {
      let day = first;
      while (plan.clock.day(day).weekday !== weekday) day++;
      return {
        schoolId, personId, teamId: (s.team && teamIds.get(s.team)) || null, role: s.role, weekly: true,
        startsAt: new Date(plan.clock.at(day, s.shift.startMin)), endsAt: new Date(plan.clock.at(day, s.shift.endMin)), repeatUntil: new Date(plan.anchor + 90 * DAY),
      };
    });
  });
  // Only this plan's staff are replaced: a streamed school (./stream) configures its slices one after the other.
  if (people.length > 0) await db.delete(t.shifts).where(and(eq(t.shifts.schoolId, schoolId), inArray(t.shifts.personId, people.map((p) => p.id))));
  if (rows.length > 0) await db.insert(t.shifts).values(rows);
}
