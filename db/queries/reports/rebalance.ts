import { sql } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { idArray, inPeriod, num, openEpisodes, periodBoundsMs, type OpenEpisode } from "./common";
import { OVERLOAD_FACTOR, type StaffLoad } from "./load";

/**
 * Rebalancing suggestions for overloaded staff (METRICS.md "Load"). What can move: the students assigned
 * to a person and the channels they own. An item weighs what it added to the person's load in the period:
 * episodes they answered plus those still open that they own, in that channel or from that student
 * (a student's episodes in a channel the person owns count with the channel only, never twice).
 *
 * The rule, greedy and explainable:
 * 1. Each person has a limit in episodes per working hour: their capacity, else 1.5 × their team median
 *    (the same line that flags them as overloaded). Excess = load − limit.
 * 2. Overloaded people are handled largest excess first.
 * 3. Receivers: same team and same role, not overloaded, with spare = limit − load > 0.
 * 4. Items are tried heaviest first; an item goes to the receiver with the most spare that can take it
 *    without passing its own limit (ties: lower load, then name). Items that fit nobody stay.
 * 5. Stop when the excess is gone. Loads (giver's and receivers') are updated after every move, so one
 *    receiver is never filled twice over.
 */

export interface MovableItem {
  kind: "student" | "channel";
  id: number;
  label: string;
  /** Episodes answered + open owned in the period that this item brought. */
  episodes: number;
}

export interface RebalancePerson {
  personId: number;
  name: string;
  role: string;
  team: string | null;
  loadPerHour: number | null;
  /** Capacity, else OVERLOAD_FACTOR × team median; null when neither is known. */
  limitPerHour: number | null;
  overloaded: boolean;
  items: MovableItem[];
}

export interface Move {
  item: MovableItem;
  toPersonId: number;
  toName: string;
  perHour: number;
}

export interface RebalancePlan {
  personId: number;
  name: string;
  loadPerHour: number;
  limitPerHour: number;
  /** Load after the moves. */
  loadAfter: number;
  moves: Move[];
  /** Their items that brought any episodes: with none there is nothing to move (answers in shared chats stay with the chat). */
  movable: number;
  /** The excess is gone after the moves. */
  resolved: boolean;
}

export function limitOf(s: Pick<StaffLoad, "capacityPerHour" | "teamMedianPerHour">): number | null {
  if (s.capacityPerHour !== null) return s.capacityPerHour;
  return s.teamMedianPerHour !== null && s.teamMedianPerHour > 0 ? OVERLOAD_FACTOR * s.teamMedianPerHour : null;
}

/** The greedy rule above; pure. `workingHours` converts an item's episodes to episodes per hour. */
export function planRebalance(people: readonly RebalancePerson[], workingHours: number): RebalancePlan[] {
  if (!(workingHours > 0)) return [];
  const load = new Map(people.map((p) => [p.personId, p.loadPerHour ?? 0]));
  const givers = people
    .filter((p) => p.overloaded && p.loadPerHour !== null && p.limitPerHour !== null)
    .sort((a, b) => (b.loadPerHour ?? 0) - (b.limitPerHour ?? 0) - ((a.loadPerHour ?? 0) - (a.limitPerHour ?? 0)) || a.personId - b.personId);
  const plans: RebalancePlan[] = [];
  for (const g of givers) {
    const limit = g.limitPerHour ?? 0;
    const receivers = people.filter((r) => r.personId !== g.personId && !r.overloaded && r.team === g.team && r.role === g.role && r.limitPerHour !== null);
    const spare = (r: RebalancePerson) => (r.limitPerHour ?? 0) - (load.get(r.personId) ?? 0);
    const moves: Move[] = [];
    const items = [...g.items].filter((i) => i.episodes > 0).sort((a, b) => b.episodes - a.episodes || a.kind.localeCompare(b.kind) || a.id - b.id);
    for (const item of items) {
      const current = load.get(g.personId) ?? 0;
      if (current <= limit) break;
      const perHour = item.episodes / workingHours;
      const to = receivers
        .filter((r) => spare(r) >= perHour)
        .sort((a, b) => spare(b) - spare(a) || (load.get(a.personId) ?? 0) - (load.get(b.personId) ?? 0) || a.name.localeCompare(b.name))[0];
      if (!to) continue;
      moves.push({ item, toPersonId: to.personId, toName: to.name, perHour });
      load.set(g.personId, current - perHour);
      load.set(to.personId, (load.get(to.personId) ?? 0) + perHour);
    }
    const after = load.get(g.personId) ?? 0;
    plans.push({ personId: g.personId, name: g.name, loadPerHour: g.loadPerHour ?? 0, limitPerHour: limit, loadAfter: after, moves, movable: items.length, resolved: after <= limit + 1e-9 });
  }
  return plans;
}

/**
 * Movable items per staff member for a period: owned channels and assigned students (assignments valid at
 * `until`, the end of the elapsed period, as the load report counts them) that brought episodes in it, each
 * with its weight. An item that brought none is not listed: planRebalance moves only what weighs something,
 * and at 10 M messages such items were 3,595 of the 68 overloaded people's 4,360 rows, each student's name
 * looked up (the statement's median 30 → 25 ms). With `only`, the items of those people alone
 * (planRebalance moves only the overloaded people's items: at 10 M messages every person's were 137 k
 * rows, 350 ms, for a handful of givers).
 */
export async function movableItems(db: Db, schoolId: number, tz: string, period: Period, until: Date, only?: readonly number[]): Promise<Map<number, MovableItem[]>> {
  const ids = only === undefined ? null : idArray(only);
  const list = await rows<{ kind: string; person: unknown; id: unknown; label: string; n: unknown }>(
    db,
    // Only the channels owned by the people asked about are read: an episode's person is one of them, so a
    // channel owned by anybody else can never be "theirs", and hashing every channel of the school (~69 k at
    // 10 M messages) and every person to label the students cost more than the rest (~40 of 80 ms).
    sql`with owned as (
          select c.id, c.owner_person_id, coalesce(c.title, c.external_id) as label from channels c
          where c.school_id = ${schoolId} and c.owner_person_id is not null ${ids === null ? sql`` : sql`and c.owner_person_id = any(${ids})`}),
        ep as (${
          ids === null
            ? sql`select * from (
                select e.channel_id, e.student_person_id,
                  case when e.status = 'answered' then e.responder_person_id when e.status = 'open' then e.owner_person_id end as p
                from episodes e
                where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, period)}) x
              where x.p is not null`
            : // The same rows for the people asked about (the overloaded, a few dozen): their answered episodes
              // by the responder index, one range each ("offset 0" keeps it a loop: flattened, PostgreSQL
              // scanned the period's ~135 k episodes), and the open ones by the open-status index.
              sql`select e.channel_id, e.student_person_id, q.id as p
                from (select distinct unnest(${ids}) as id) q
                  cross join lateral (select e.channel_id, e.student_person_id from episodes e
                    where e.school_id = ${schoolId} and e.responder_person_id = q.id and ${inPeriod(sql`e.opened_at`, tz, period)} and e.status = 'answered' offset 0) e
                union all
                select e.channel_id, e.student_person_id, e.owner_person_id from episodes e
                where e.school_id = ${schoolId} and e.status = 'open' and ${inPeriod(sql`e.opened_at`, tz, period)} and e.owner_person_id = any(${ids})`
        }),
        by_channel as (select channel_id, p, count(*)::int as n from ep group by 1, 2),
        by_student as (
          select student_person_id, p, count(*)::int as n from ep
          where not exists (select 1 from owned o where o.id = ep.channel_id and o.owner_person_id = ep.p) group by 1, 2),
        assigned as (
          select distinct staff_person_id, student_person_id from assignments
          where school_id = ${schoolId} and (valid_from is null or valid_from < ${until.toISOString()}::timestamptz)
            and (valid_to is null or valid_to >= ${until.toISOString()}::timestamptz)
            ${ids === null ? sql`` : sql`and staff_person_id = any(${ids})`})
        select 'channel' as kind, o.owner_person_id as person, o.id, o.label, b.n
        from owned o join by_channel b on b.channel_id = o.id and b.p = o.owner_person_id
        union all
        -- The student's name by key (assignments reference people, so every row has one).
        select 'student', a.staff_person_id, a.student_person_id,
          (select pp.display_name from people pp where pp.id = a.student_person_id and pp.school_id = ${schoolId}), b.n
        from assigned a join by_student b on b.student_person_id = a.student_person_id and b.p = a.staff_person_id`,
  );
  const out = new Map<number, MovableItem[]>();
  for (const r of list) {
    const person = num(r.person);
    const item: MovableItem = { kind: r.kind === "channel" ? "channel" : "student", id: num(r.id), label: String(r.label), episodes: num(r.n) };
    const mine = out.get(person);
    if (mine) mine.push(item);
    else out.set(person, [item]);
  }
  return out;
}

/**
 * A range's answered episodes per responder, channel and student, as [responder, channel, student, n]
 * rows flattened into one array, by responder: what movableItems weighs answered episodes by, stored with
 * the team page's run for the days before yesterday (ADR 0011). ~64 k rows at 10 M messages (30 days).
 */
export async function answeredPairs(db: Db, schoolId: number, tz: string, range: Period): Promise<Float64Array> {
  if (range.from >= range.to) return new Float64Array(0);
  const list = await rows<{ r: unknown; c: unknown; s: unknown; n: unknown }>(
    db,
    sql`select e.responder_person_id as r, e.channel_id as c, e.student_person_id as s, count(*)::int as n from episodes e
        where e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, range)} and e.status = 'answered' and e.responder_person_id is not null
        group by 1, 2, 3 order by 1`,
  );
  const out = new Float64Array(list.length * 4);
  list.forEach((x, i) => {
    out[4 * i] = num(x.r);
    out[4 * i + 1] = num(x.c);
    out[4 * i + 2] = num(x.s);
    out[4 * i + 3] = num(x.n);
  });
  return out;
}

/** The rows of one responder in answeredPairs' array (by binary search: the rows are by responder). */
function pairsOf(pairs: Float64Array, responder: number): Float64Array {
  const rowsN = pairs.length / 4;
  let lo = 0;
  let hi = rowsN;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pairs[4 * mid]! < responder) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < rowsN && pairs[4 * end] === responder) end++;
  return pairs.subarray(4 * lo, 4 * end);
}

/**
 * movableItems with the answered episodes before `stored.upTo` from a stored part (answeredPairs): one
 * statement reads the rest (the answered episodes since, the period's open ones, the owned channels and
 * the assignments valid at `until`), the weights are added up here, and a second statement reads the
 * labels of the items that weigh. At 10 M messages the plain statement looked up the givers' ~12 k
 * answered episodes of the period one by one (~27 ms of PostgreSQL a view); this one reads the last two
 * days' (docs/performance.md, round 26). The same items as movableItems over the same rows
 * (tests/integration/sla-fast-paths.test.ts); the stored part's episodes are as of when it was computed, as
 * the load's are (ADR 0011).
 */
export async function movableItemsWithStored(db: Db, schoolId: number, tz: string, period: Period, until: Date, only: readonly number[], stored: { upTo: string; pairs: Float64Array }): Promise<Map<number, MovableItem[]>> {
  const out = new Map<number, MovableItem[]>();
  if (only.length === 0) return out;
  const ids = idArray(only);
  // One row per person and kind, its ids as text: ~4.8 k rows of items and labels were ~3 ms of Node to
  // decode, for the few hundred items that brought episodes, whose labels are read after.
  // The open episodes come from the list the process keeps (openEpisodes, ADR 0016), read beside the load's
  // judgement of them: its own scan of all ~6 k open episodes by the open-status index was ~3–4 ms of
  // PostgreSQL at every team view at 10 M messages (docs/performance.md, round 28).
  const [open, bounds, list] = await Promise.all([
    openEpisodes(db, schoolId),
    periodBoundsMs(db, tz, period),
    rows<{ k: string; p: unknown; ids: string | null }>(
      db,
      // The live answered episodes by the responder index, one range per person ("offset 0" keeps the loop).
      sql`select 'e' as k, x.p, string_agg(x.channel_id::text || ':' || x.student_person_id::text, ',') as ids from (
            select q.id as p, e.channel_id, e.student_person_id
            from (select distinct unnest(${ids}) as id) q
              cross join lateral (select e.channel_id, e.student_person_id from episodes e
                where e.school_id = ${schoolId} and e.responder_person_id = q.id and ${inPeriod(sql`e.opened_at`, tz, { from: stored.upTo, to: period.to })} and e.status = 'answered' offset 0) e) x
          group by x.p
          union all
          select 'c', c.owner_person_id, string_agg(c.id::text, ',') from channels c
          where c.school_id = ${schoolId} and c.owner_person_id = any(${ids}) group by c.owner_person_id
          union all
          select 's', a.staff_person_id, string_agg(distinct a.student_person_id::text, ',') from assignments a
          where a.school_id = ${schoolId} and (a.valid_from is null or a.valid_from < ${until.toISOString()}::timestamptz)
            and (a.valid_to is null or a.valid_to >= ${until.toISOString()}::timestamptz) and a.staff_person_id = any(${ids})
          group by a.staff_person_id`,
    ),
  ]);
  const idsOf = (text: string | null) => (text === null || text === "" ? [] : text.split(",").map(Number));
  const owned = new Map<number, Set<number>>();
  const assigned = new Map<number, Set<number>>();
  const live = new Map<number, string[]>();
  // The open episodes the people own that opened in the period, as the statement read them before.
  const wanted = new Set(only);
  const openBy = new Map<number, OpenEpisode[]>();
  for (const o of open) {
    if (o.ownerPersonId === null || !wanted.has(o.ownerPersonId) || !(o.openedMs >= bounds.from && o.openedMs < bounds.to)) continue;
    const mine = openBy.get(o.ownerPersonId);
    if (mine === undefined) openBy.set(o.ownerPersonId, [o]);
    else mine.push(o);
  }
  for (const r of list) {
    const person = num(r.p);
    if (r.k === "e") live.set(person, r.ids === null ? [] : r.ids.split(","));
    else if (r.k === "c") owned.set(person, new Set(idsOf(r.ids)));
    else assigned.set(person, new Set(idsOf(r.ids)));
  }
  const weights = new Map<number, { byChannel: Map<number, number>; byStudent: Map<number, number> }>();
  const channels = new Set<number>();
  const students = new Set<number>();
  for (const person of new Set(only)) {
    const mine = owned.get(person);
    const theirs = assigned.get(person);
    if (mine === undefined && theirs === undefined) continue;
    // An episode in a channel the person owns weighs with the channel only, never with its student too.
    const byChannel = new Map<number, number>();
    const byStudent = new Map<number, number>();
    const add = (channel: number, student: number, n: number) => {
      if (mine?.has(channel)) byChannel.set(channel, (byChannel.get(channel) ?? 0) + n);
      else if (theirs?.has(student)) byStudent.set(student, (byStudent.get(student) ?? 0) + n);
    };
    const rowsOf = pairsOf(stored.pairs, person);
    for (let i = 0; i < rowsOf.length; i += 4) add(rowsOf[i + 1]!, rowsOf[i + 2]!, rowsOf[i + 3]!);
    for (const pair of live.get(person) ?? []) {
      const at = pair.indexOf(":");
      add(Number(pair.slice(0, at)), Number(pair.slice(at + 1)), 1);
    }
    for (const o of openBy.get(person) ?? []) add(o.channelId, o.studentPersonId, 1);
    for (const id of byChannel.keys()) channels.add(id);
    for (const id of byStudent.keys()) students.add(id);
    weights.set(person, { byChannel, byStudent });
  }
  if (weights.size === 0) return out;
  // The labels of the items that brought episodes: the channel's title (else its external id) and the student's name by key.
  const labels = await rows<{ k: string; id: unknown; label: string | null }>(
    db,
    sql`select 'c' as k, c.id, coalesce(c.title, c.external_id) as label from channels c where c.school_id = ${schoolId} and c.id = any(${idArray([...channels])})
        union all
        select 's', p.id, p.display_name from people p where p.school_id = ${schoolId} and p.id = any(${idArray([...students])})`,
  );
  const channelLabel = new Map<number, string>();
  const studentLabel = new Map<number, string>();
  for (const l of labels) (l.k === "c" ? channelLabel : studentLabel).set(num(l.id), String(l.label));
  for (const [person, { byChannel, byStudent }] of weights) {
    const items: MovableItem[] = [];
    for (const [id, n] of byChannel) items.push({ kind: "channel", id, label: channelLabel.get(id) ?? String(null), episodes: n });
    // As movableItems labels a student whose person row is missing (a null name, as text).
    for (const [id, n] of byStudent) items.push({ kind: "student", id, label: studentLabel.get(id) ?? String(null), episodes: n });
    if (items.length > 0) out.set(person, items);
  }
  return out;
}

/** How a page reads movable items: movableItems, or movableItemsWithStored over a stored part. */
export type ReadItems = (db: Db, schoolId: number, tz: string, period: Period, until: Date, only: readonly number[]) => Promise<Map<number, MovableItem[]>>;

/**
 * Items read ahead for some people (`ids`) before the load report said who is overloaded: the team page
 * starts them beside the load, for those overloaded at the previous view (overloadedHint).
 */
export interface EarlyItems {
  ids: ReadonlySet<number>;
  /** Their items, and the instant the assignments were taken at (the load's `until`, as movableItems takes it). */
  read: Promise<{ until: Date; items: Map<number, MovableItem[]> }>;
}

/**
 * Suggestions for a load report's staff. With `early`, the overloaded people it covers take their items
 * from it and only the others are read now (none when the overloaded are who they were); the items are
 * the same either way: a person's items do not depend on whose else a statement reads.
 */
export async function rebalanceSuggestions(
  db: Db,
  schoolId: number,
  tz: string,
  period: Period,
  until: Date,
  staff: readonly StaffLoad[],
  workingHours: number,
  early?: EarlyItems,
  readItems: ReadItems = movableItems,
): Promise<RebalancePlan[]> {
  const overloaded = staff.filter((s) => s.overloaded).map((s) => s.personId);
  if (overloaded.length === 0) return [];
  const read = (ids: readonly number[]) => (ids.length > 0 ? readItems(db, schoolId, tz, period, until, ids) : Promise.resolve(new Map<number, MovableItem[]>()));
  const covered = (id: number) => early?.ids.has(id) === true;
  const [ahead, rest] = await Promise.all([early?.read, read(overloaded.filter((id) => !covered(id)))]);
  // Read at another instant (a period whose end passed between the two reads): read again at the load's.
  const got = ahead === undefined ? undefined : ahead.until.getTime() === until.getTime() ? ahead.items : await read(overloaded.filter(covered));
  const items = new Map<number, MovableItem[]>();
  for (const id of overloaded) {
    const mine = (covered(id) ? got : rest)?.get(id);
    if (mine !== undefined) items.set(id, mine);
  }
  const people: RebalancePerson[] = staff.map((s) => ({
    personId: s.personId,
    name: s.name,
    role: s.role,
    team: s.team,
    loadPerHour: s.loadPerHour,
    limitPerHour: limitOf(s),
    overloaded: s.overloaded,
    items: items.get(s.personId) ?? [],
  }));
  return planRebalance(people, workingHours);
}
