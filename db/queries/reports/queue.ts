import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import { loadCalendars } from "../episodes/context";
import { addBusinessMinutes, businessMinutesBetween, businessMinutesUntil } from "@/lib/metrics/business-time";
import type { BusinessCalendar } from "@/lib/metrics/calendar";
import { AT_RISK_SHARE } from "@/lib/metrics/sla";
import { weeklyOccurrence } from "@/lib/metrics/staffing/shifts";
import { epochMs, idArray, num, numOrNull, openEpisodes, type OpenEpisode, type OpenFlags } from "./common";

/**
 * The live queue: every open episode of a school judged at `now` (deadline on the policy's clock and
 * calendar, at risk past 80 %, breaching now), ordered by time left, with a suggested taker.
 * Open episodes are few (recompute abandons them after 7 days), so they are evaluated in JavaScript
 * with lib/metrics/business-time, as lib/metrics/sla judges them (judgeOpen below), like the reports' open
 * flags (db/queries/reports/common.ts#openFlags). Every read is bounded by the open episodes, the staff
 * or the shifts, never by messages or all people (issue #9: ~1.1 M messages 190 → ~50 ms at `xl`).
 */

export type QueueState = "breaching" | "atRisk" | "ok" | "noSla";
export type SuggestionReason = "owner" | "onShift" | "leastLoaded" | "none";

export interface QueueStaff {
  personId: number;
  name: string;
  role: string;
  team: string | null;
  /** Open episodes they own right now (DM counterpart or the channel's one owner). */
  openOwned: number;
  onShift: boolean;
}

/**
 * An open episode as the queue judges it, before the names only a shown row needs (the student's, the
 * owner's, the thread's title; nameQueueEntries adds them): counts, order, filters and suggestions need
 * none of them.
 */
export interface QueueEntry
  extends Pick<OpenEpisode, "openedAt" | "lastStudentMessageAt" | "messageCount" | "priority" | "category" | "channelId" | "threadId" | "studentPersonId" | "ownerRole" | "ownerPersonId" | "targetMinutes"> {
  episodeId: number;
  channelTitle: string;
  channelKind: string;
  sourceKind: string;
  clock: "business" | "calendar" | null;
  /** When the target runs out (ISO); null without a policy. */
  deadline: string | null;
  /** When the episode passes 80 % of its target (ISO); null without a policy. */
  atRiskAt: string | null;
  /** Minutes on the policy's clock so far (calendar minutes without a policy). */
  elapsedMinutes: number;
  state: QueueState;
  suggested: { personId: number; name: string; team: string | null; reason: SuggestionReason } | null;
}

/** A shown row of the queue: the entry with its names. */
export interface QueueItem extends QueueEntry {
  threadTitle: string | null;
  studentName: string;
  ownerName: string | null;
}

export interface QueueData {
  asOf: string;
  items: QueueEntry[];
  staff: QueueStaff[];
}

const STAFF_ROLES = ["coordinator", "mentor", "reviewer", "support", "team_lead"];
const DAY_MS = 86_400_000;

export interface ShiftRow {
  personId: number;
  startsAt: Date;
  endsAt: Date;
  weekly: boolean;
  repeatUntil: Date | null;
}

/**
 * Is a shift on at `now`? A weekly shift repeats on the same local weekday and wall-clock hours in the
 * school's zone (so a 09:00 shift stays 09:00 across DST), while its occurrence starts no later than
 * `repeatUntil`. Only the occurrences of this week and the week before can cover `now` (shifts < 7 days).
 */
export function shiftCovers(s: ShiftRow, now: Date, tz: string): boolean {
  const t = now.getTime();
  if (!s.weekly) return s.startsAt.getTime() <= t && t < s.endsAt.getTime();
  const k = Math.floor((t - s.startsAt.getTime()) / (7 * DAY_MS));
  for (const w of [k + 1, k, k - 1]) {
    if (w < 0) continue;
    const [a, b] = weeklyOccurrence(s.startsAt.getTime(), s.endsAt.getTime(), tz, w);
    if (s.repeatUntil !== null && a > s.repeatUntil.getTime()) continue;
    if (a <= t && t < b) return true;
  }
  return false;
}

/**
 * Who should take an episode: its owner when it has one; else, among staff of the owning role (any staff
 * role when the episode has none), the least loaded of those on shift now, else the least loaded of all.
 * "Load" = open episodes owned plus those already suggested to them in this queue, so a burst of new
 * questions is spread over the shift instead of piling on one person. Ties: name, then id.
 */
export function suggestTaker(
  ep: { ownerPersonId: number | null; ownerRole: string | null },
  staff: readonly QueueStaff[],
  extra: Map<number, number>,
): { person: QueueStaff; reason: SuggestionReason } | null {
  if (ep.ownerPersonId !== null) {
    const owner = staff.find((s) => s.personId === ep.ownerPersonId);
    if (owner) return { person: owner, reason: "owner" };
  }
  const ofRole = staff.filter((s) => (ep.ownerRole === null ? s.role !== "team_lead" : s.role === ep.ownerRole));
  const load = (s: QueueStaff) => s.openOwned + (extra.get(s.personId) ?? 0);
  const least = (list: QueueStaff[]) =>
    [...list].sort((a, b) => load(a) - load(b) || a.name.localeCompare(b.name) || a.personId - b.personId)[0] ?? null;
  const onShift = least(ofRole.filter((s) => s.onShift));
  if (onShift) return { person: onShift, reason: "onShift" };
  const any = least(ofRole);
  return any ? { person: any, reason: "leastLoaded" } : null;
}

/** A binary min-heap of [load, rank, personId] entries, ordered by load, then rank. */
class LoadHeap {
  private readonly a: Array<readonly [number, number, number]> = [];
  peek(): readonly [number, number, number] | undefined {
    return this.a[0];
  }
  private less(i: number, j: number): boolean {
    const x = this.a[i]!;
    const y = this.a[j]!;
    return x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
  }
  private swap(i: number, j: number): void {
    const t = this.a[i]!;
    this.a[i] = this.a[j]!;
    this.a[j] = t;
  }
  push(e: readonly [number, number, number]): void {
    this.a.push(e);
    let i = this.a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }
  pop(): void {
    const last = this.a.pop();
    if (last === undefined || this.a.length === 0) return;
    this.a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.a.length && this.less(l, m)) m = l;
      if (r < this.a.length && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}

/**
 * suggestTaker applied to a whole queue in order, each pick adding to the picked person's load, in
 * O((items + staff) · log staff) instead of O(items · staff · log staff): suggestTaker filters and sorts
 * the staff list per item, which with ~1 k staff and thousands of open episodes was most of the queue's
 * time. Same picks: membership of each role's group (and of its on-shift part) never changes within a
 * queue, only loads grow, so each group keeps a heap keyed by (load, rank by name then id) and stale
 * entries (a load that has grown since) are dropped when they reach the top.
 */
export function makeSuggester(staff: readonly QueueStaff[]): (ep: { ownerPersonId: number | null; ownerRole: string | null }) => { person: QueueStaff; reason: SuggestionReason } | null {
  const byId = new Map(staff.map((s) => [s.personId, s]));
  // The tie-break order of suggestTaker (name, then id) as one integer per person.
  // Intl.Collator with no arguments is what localeCompare with none uses (ECMA-402), built once: sorting
  // ~1 k names with localeCompare took ~100 ms, with one collator a few ms.
  const collator = new Intl.Collator();
  const ranked = [...staff].sort((a, b) => collator.compare(a.name, b.name) || a.personId - b.personId);
  const people = ranked.map((s, rank) => ({ s, rank, load: s.openOwned, heaps: [] as LoadHeap[] }));
  const byPerson = new Map(people.map((p) => [p.s.personId, p]));
  // One group per owner role asked for (null = any staff but team leads); its heap holds the members on
  // shift when any is, else all members (suggestTaker's "on shift first, else anyone of the role").
  const groups = new Map<string | null, { heap: LoadHeap; reason: SuggestionReason } | null>();
  const groupOf = (role: string | null) => {
    let g = groups.get(role);
    if (g !== undefined) return g;
    const members = people.filter((p) => (role === null ? p.s.role !== "team_lead" : p.s.role === role));
    const on = members.filter((p) => p.s.onShift);
    const chosen = on.length > 0 ? on : members;
    g = chosen.length === 0 ? null : { heap: new LoadHeap(), reason: on.length > 0 ? "onShift" : "leastLoaded" };
    if (g !== null) {
      for (const p of chosen) {
        g.heap.push([p.load, p.rank, p.s.personId]);
        p.heaps.push(g.heap);
      }
    }
    groups.set(role, g);
    return g;
  };
  return (ep) => {
    if (ep.ownerPersonId !== null) {
      const owner = byId.get(ep.ownerPersonId);
      if (owner) return { person: owner, reason: "owner" };
    }
    const g = groupOf(ep.ownerRole);
    if (g === null) return null;
    for (;;) {
      const top = g.heap.peek();
      if (top === undefined) return null;
      const p = byPerson.get(top[2]);
      if (p === undefined || p.load !== top[0]) {
        g.heap.pop();
        continue;
      }
      p.load += 1;
      for (const h of p.heaps) h.push([p.load, p.rank, p.s.personId]);
      return { person: p.s, reason: g.reason };
    }
  };
}

/**
 * An open episode judged at `now` against its target, as evaluateSla judges it (lib/metrics/sla: elapsed
 * on the policy's clock; breaching past the target, at risk past 80 % of it) plus the instant it passes
 * 80 %. Deadlines are memoised per calendar content, opening instant and minutes: addBusinessMinutes
 * walks the calendar day by day and an open episode keeps the same deadline on every 1-second poll.
 * The key is the calendar's content, not its id, so an edited calendar never reuses an old deadline.
 */
export interface OpenJudgement {
  deadline: Date;
  atRiskAt: Date;
  elapsedMinutes: number;
  state: Exclude<QueueState, "noSla">;
}

// By calendar content, then minutes, then opening instant: number keys below the calendar (a string key
// per look-up, two per open episode per poll, was a measurable part of the queue's Node time).
const deadlineMemo = new Map<string, Map<number, Map<number, number>>>();

/** A calendar's content as a string (its holidays and workdays in a fixed order). */
export function calendarKey(cal: BusinessCalendar): string {
  return JSON.stringify([cal.timezone, cal.weekly, [...cal.holidays].sort(), [...cal.workdays].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))]);
}

function businessDeadlineMs(cal: BusinessCalendar, calKey: string, openedMs: number, minutes: number): number {
  let memo = deadlineMemo.get(calKey);
  if (memo === undefined) {
    if (deadlineMemo.size >= 64) deadlineMemo.clear();
    memo = new Map();
    deadlineMemo.set(calKey, memo);
  }
  let byOpened = memo.get(minutes);
  if (byOpened === undefined) {
    if (memo.size >= 1_000) memo.clear();
    byOpened = new Map();
    memo.set(minutes, byOpened);
  }
  let t = byOpened.get(openedMs);
  if (t === undefined) {
    t = addBusinessMinutes(cal, new Date(openedMs), minutes).getTime();
    if (byOpened.size >= 200_000) byOpened.clear();
    byOpened.set(openedMs, t);
  }
  return t;
}

// Deadlines as ISO strings, by instant: each poll formats the same ~12 k deadlines of the same open
// episodes again (a Date and a string each, ~10 % of the queue's Node time with the garbage they left).
const isoMemo = new Map<number, string>();
function isoOf(t: number): string {
  let s = isoMemo.get(t);
  if (s === undefined) {
    s = new Date(t).toISOString();
    if (isoMemo.size >= 200_000) isoMemo.clear();
    isoMemo.set(t, s);
  }
  return s;
}

/** judgeOpen on millisecond instants (judgeRows' path: no Date per episode). */
function judgeOpenMs(
  openedMs: number,
  targetMinutes: number,
  clock: "business" | "calendar",
  calendar: { cal: BusinessCalendar; key: string } | null,
  nowMs: number,
  elapsedBusiness?: number,
): { deadlineMs: number; atRiskMs: number; elapsedMinutes: number; state: Exclude<QueueState, "noSla"> } {
  const risk = AT_RISK_SHARE * targetMinutes;
  let elapsedMinutes: number;
  let deadlineMs: number;
  let atRiskMs: number;
  if (clock === "business") {
    if (calendar === null) throw new Error("a business-time target needs a calendar");
    elapsedMinutes = elapsedBusiness ?? businessMinutesBetween(calendar.cal, new Date(openedMs), new Date(nowMs));
    deadlineMs = businessDeadlineMs(calendar.cal, calendar.key, openedMs, targetMinutes);
    atRiskMs = businessDeadlineMs(calendar.cal, calendar.key, openedMs, risk);
  } else {
    elapsedMinutes = Math.max(0, nowMs - openedMs) / 60_000;
    deadlineMs = openedMs + targetMinutes * 60_000;
    atRiskMs = openedMs + risk * 60_000;
  }
  const state = elapsedMinutes > targetMinutes ? "breaching" : elapsedMinutes > risk ? "atRisk" : "ok";
  return { deadlineMs, atRiskMs, elapsedMinutes, state };
}

/** `elapsedBusiness`: businessMinutesBetween(calendar, openedAt, now) when the caller has it (liveQueue computes all at once). */
export function judgeOpen(
  openedAt: Date,
  targetMinutes: number,
  clock: "business" | "calendar",
  calendar: { cal: BusinessCalendar; key: string } | null,
  now: Date,
  elapsedBusiness?: number,
): OpenJudgement {
  const j = judgeOpenMs(openedAt.getTime(), targetMinutes, clock, calendar, now.getTime(), elapsedBusiness);
  return { deadline: new Date(j.deadlineMs), atRiskAt: new Date(j.atRiskMs), elapsedMinutes: j.elapsedMinutes, state: j.state };
}

type Row = Record<string, unknown>;

interface JudgedRow {
  target: number | null;
  clock: "business" | "calendar" | null;
  deadline: string | null;
  /** The deadline's instant in ms; +Infinity without one (last in queue order). */
  deadlineMs: number;
  atRiskAt: string | null;
  elapsed: number;
  state: QueueState;
}

/**
 * Open episodes judged at `now`, in their order: on the policy's clock and calendar (the school's default
 * when the policy names none); no policy, or business time with no calendar, is "noSla" with calendar
 * minutes waited.
 */
function judgeRows(
  open: readonly OpenEpisode[],
  policies: ReadonlyMap<number, number | null>,
  calendars: Map<number, BusinessCalendar>,
  defaultCalendarId: number | null,
  now: Date,
): JudgedRow[] {
  const keyed = new Map([...calendars].map(([id, cal]) => [id, { cal, key: calendarKey(cal) }]));
  const n = open.length;
  const nowMs = now.getTime();
  // Per row by position: its calendar and business minutes waited.
  const cals = new Array<{ cal: BusinessCalendar; key: string } | null>(n);
  const waited = new Float64Array(n);
  const byCalendar = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const o = open[i]!;
    const calendarId = (o.policyId === null ? null : (policies.get(o.policyId) ?? null)) ?? defaultCalendarId;
    const cal = calendarId !== null ? (keyed.get(calendarId) ?? null) : null;
    cals[i] = cal;
    if (o.clock === "business" && cal !== null) {
      const list = byCalendar.get(cal.key);
      if (list) list.push(i);
      else byCalendar.set(cal.key, [i]);
    }
  }
  // Business minutes waited so far, per calendar in one walk of it (businessMinutesUntil).
  for (const list of byCalendar.values()) {
    const cal = cals[list[0]!]!;
    const minutes = businessMinutesUntil(cal.cal, list.map((i) => new Date(open[i]!.openedMs)), now);
    list.forEach((i, k) => (waited[i] = minutes[k] ?? 0));
  }
  const out = new Array<JudgedRow>(n);
  for (let i = 0; i < n; i++) {
    const o = open[i]!;
    const target = o.targetMinutes;
    const clock = o.clock === "business" || o.clock === "calendar" ? o.clock : null;
    const calendar = cals[i]!;
    const opened = o.openedMs;
    if (target !== null && clock !== null && !(clock === "business" && calendar === null)) {
      const j = judgeOpenMs(opened, target, clock, calendar, nowMs, clock === "business" ? waited[i] : undefined);
      out[i] = { target, clock, deadline: isoOf(j.deadlineMs), deadlineMs: j.deadlineMs, atRiskAt: isoOf(j.atRiskMs), elapsed: j.elapsedMinutes, state: j.state };
    } else {
      out[i] = { target, clock, deadline: null, deadlineMs: Number.POSITIVE_INFINITY, atRiskAt: null, elapsed: (nowMs - opened) / 60_000, state: "noSla" };
    }
  }
  return out;
}

export interface OpenEpisodeState {
  episodeId: number;
  openedAt: string;
  ownerRole: string | null;
  channelId: number;
  state: QueueState;
}

/**
 * The live queue's episodes judged at `now` without what liveQueue adds for the page (names, titles,
 * staff, shifts, suggestions): the same episodes, in the same order, with the same state, for figures that
 * only count them (the overview's KPI cards). ~110 → ~20 ms at 10 M messages with ~6 k open episodes.
 */
export async function openEpisodeStates(db: Db, schoolId: number, now: Date): Promise<OpenEpisodeState[]> {
  // The same episodes as liveQueue's read. That read keeps an episode only when its channel (with its
  // source) is the school's, as it reads the channels' labels anyway; here nothing is probed: the reference
  // triggers (migration 0012) refuse an episode whose channel or student is not stored and the deletion of
  // one that episodes name, and derivation builds a school's episodes from its own channels, sources and
  // people only (tests/integration/queue.test.ts compares the two reads). Probes were ~50 ms of CPU for
  // ~6 k open episodes at 10 M messages, on the KPI cards' critical path.
  const [open, { calendars, defaultCalendarId, policyCalendars: policies }] = await Promise.all([openEpisodes(db, schoolId), loadCalendars(db, schoolId)]);
  const judged = judgeRows(open, policies, calendars, defaultCalendarId, now);
  return open.map((o, i) => ({ episodeId: o.id, openedAt: o.openedAt, ownerRole: o.ownerRole, channelId: o.channelId, state: judged[i]!.state }));
}

/**
 * The open flags (openFlags) of the live queue's judged episodes: the same judgement (elapsed time in the
 * policy's clock and calendar against the target and its at-risk share, lib/metrics/sla judgeOpenAt) of
 * the same episodes: the queue's tests that an episode's channel and student are stored always hold, as
 * the reference triggers keep them. The KPI cards read the open episodes once for both.
 */
export function openFlagsOf(states: readonly OpenEpisodeState[]): OpenFlags {
  const breachingNow: number[] = [];
  const atRisk: number[] = [];
  for (const s of states) {
    if (s.state === "breaching") breachingNow.push(s.episodeId);
    else if (s.state === "atRisk") atRisk.push(s.episodeId);
  }
  return { breachingNow, atRisk };
}

/**
 * The open episodes in queue order with their channel's labels (title, kind, its source's kind: the
 * channel filter lists every channel of the queue). Two statements: the episodes, then the channels by id
 * array (per-row look-ups took ~90 ms of PostgreSQL CPU for ~6 k open episodes at 10 M messages, though
 * those name only ~2.4 k channels). As a join would, an episode whose channel (with its source) is not
 * the school's is left out.
 */
async function openWithChannels(db: Db, schoolId: number): Promise<Array<{ o: OpenEpisode; channel: ChannelLabels }>> {
  const open = await openEpisodes(db, schoolId);
  if (open.length === 0) return [];
  const channels = await channelLabels(db, schoolId, open);
  const out: Array<{ o: OpenEpisode; channel: ChannelLabels }> = [];
  for (const o of open) {
    const channel = channels.get(o.channelId);
    if (channel !== undefined) out.push({ o, channel });
  }
  return out;
}

/**
 * How long a process keeps the channels' labels it has read for the queue's 1-second polls. A channel's
 * kind and source never change; its title can (a chat renamed in the messenger), and shows in the queue
 * at most this late: names may lag by minutes (ADR 0009), here by one. Reading ~2.4 k channels every poll
 * was ~9 ms of PostgreSQL and ~2 ms of row decoding at 10 M messages (docs/performance.md, round 25).
 */
export const CHANNEL_LABELS_KEEP_MS = 60_000;

const labelsHolder = globalThis as unknown as { __sqdQueueChannelLabels?: WeakMap<Db, Map<number, { readAt: number; labels: Map<number, ChannelLabels> }>> };
const keptLabels = (labelsHolder.__sqdQueueChannelLabels ??= new WeakMap());

/**
 * The labels of the open episodes' channels: those this process read less than CHANNEL_LABELS_KEEP_MS ago
 * as kept, the others read now; once the kept ones are older, every channel of the poll is read again and
 * replaces them (so channels gone from the queue are let go). `at` is the process's clock (performance.now()).
 */
export async function channelLabels(db: Db, schoolId: number, open: readonly OpenEpisode[], at = performance.now()): Promise<Map<number, ChannelLabels>> {
  let bySchool = keptLabels.get(db);
  if (bySchool === undefined) keptLabels.set(db, (bySchool = new Map()));
  let kept = bySchool.get(schoolId);
  if (kept === undefined || at - kept.readAt >= CHANNEL_LABELS_KEEP_MS) bySchool.set(schoolId, (kept = { readAt: at, labels: new Map() }));
  const missing = new Set<number>();
  for (const o of open) if (!kept.labels.has(o.channelId)) missing.add(o.channelId);
  if (missing.size > 0) {
    // As rows by an id array: as one JSON text, or by a subquery over the open episodes, it took longer (9 → 13–17 ms).
    const labels = await rows<{ id: unknown; a: string | null; b: string | null; c: string | null }>(
      db,
      sql`select c.id, coalesce(c.title, c.external_id) as a, c.kind::text as b, s.kind::text as c
          from channels c join sources s on s.id = c.source_id and s.school_id = c.school_id
          where c.school_id = ${schoolId} and c.id = any(${idArray([...missing])})`,
    );
    for (const l of labels) kept.labels.set(num(l.id), { title: l.a, kind: l.b, source: l.c });
  }
  return kept.labels;
}

export interface ChannelLabels {
  title: string | null;
  kind: string | null;
  source: string | null;
}

/**
 * The names of the entries a page shows: each distinct student, owner and thread once, by id array in one
 * statement. Only for the shown rows: a poll of a 10 M-message school judges ~6 k open episodes but shows
 * the first page of them, and reading and parsing ~5 k student names per poll was most of the statement's
 * rows. A name that is not stored (the reference triggers keep episodes' people and threads stored) reads
 * as an empty student name or a null owner or thread title.
 */
export async function nameQueueEntries(db: Db, schoolId: number, entries: readonly QueueEntry[]): Promise<QueueItem[]> {
  if (entries.length === 0) return [];
  const personIds = new Set<number>();
  const threadIds = new Set<number>();
  for (const e of entries) {
    personIds.add(e.studentPersonId);
    if (e.ownerPersonId !== null) personIds.add(e.ownerPersonId);
    if (e.threadId !== null) threadIds.add(e.threadId);
  }
  const labels = await rows<{ k: string; id: unknown; a: string | null }>(
    db,
    sql`select 'p' as k, p.id, p.display_name as a from people p where p.school_id = ${schoolId} and p.id = any(${idArray([...personIds])})
        union all
        select 't', t.id, t.title from threads t where t.school_id = ${schoolId} and t.id = any(${idArray([...threadIds])})`,
  );
  const people = new Map<number, string | null>();
  const threads = new Map<number, string | null>();
  for (const l of labels) (l.k === "p" ? people : threads).set(num(l.id), l.a);
  return entries.map((e) => ({
    ...e,
    threadTitle: e.threadId === null ? null : (threads.get(e.threadId) ?? null),
    studentName: people.get(e.studentPersonId) ?? "",
    ownerName: e.ownerPersonId === null ? null : (people.get(e.ownerPersonId) ?? null),
  }));
}

/**
 * The queue's staff: every staff role of every non-bot person with its validity (epoch ms), in name, id and
 * STAFF_ROLES order, and each person's team (the alphabetically first of theirs). Kept per handle and school
 * for QUEUE_ROSTER_KEEP_MS like the channels' labels (~1 k staff and ~1 k team rows were ~4 ms of statements and
 * ~1.5 ms of decoding of every 1-second poll at 10 M messages); the roles valid at `now` are picked per poll
 * (staffAt), so a role that starts or ends shows at once, and a roster edit within the minute.
 */
export interface QueueRoster {
  roles: Array<{ personId: number; name: string; role: string; fromMs: number | null; toMs: number | null }>;
  teams: Map<number, string | null>;
}

/** How long a process keeps the queue's roster (queueRoster): a roster edit shows at most this late. */
export const QUEUE_ROSTER_KEEP_MS = 60_000;

const rosterHolder = globalThis as unknown as { __sqdQueueRoster?: WeakMap<Db, Map<number, { readAt: number; roster: QueueRoster }>> };
const keptRoster = (rosterHolder.__sqdQueueRoster ??= new WeakMap());

/** Forget what the queue keeps between polls besides the open episodes: channel labels and roster (tests, benchmarks). */
export function forgetQueueKept(db: Db): void {
  keptLabels.delete(db);
  keptRoster.delete(db);
}

export async function queueRoster(db: Db, schoolId: number, at = performance.now()): Promise<QueueRoster> {
  let bySchool = keptRoster.get(db);
  if (bySchool === undefined) keptRoster.set(db, (bySchool = new Map()));
  const kept = bySchool.get(schoolId);
  if (kept !== undefined && at - kept.readAt < QUEUE_ROSTER_KEEP_MS) return kept.roster;
  const roles = `{${STAFF_ROLES.join(",")}}`;
  const [roleRows, teamRows] = await Promise.all([
    rows<Row>(
      db,
      // Staff from person_roles (a few per school), not from every person with a lateral look-up each: the
      // school's people grow with its students (~100 k at 10 M messages).
      sql`select p.id, p.display_name as name, r.role::text as role, ${epochMs(sql`r.valid_from`)} as f, ${epochMs(sql`r.valid_to`)} as t
          from person_roles r join people p on p.id = r.person_id and p.school_id = ${schoolId}
          where r.school_id = ${schoolId} and r.role::text = any(${roles}::text[]) and not p.is_bot
          order by p.display_name, p.id, array_position(${roles}::text[], r.role::text)`,
    ),
    // Each person's team, the alphabetically first of theirs, grouped once and matched in JS: joined to the
    // staff list in SQL, a low row estimate for the staff made PostgreSQL rescan the members per staff row
    // (quadratic in staff), and team_members' key (school, team, person) cannot look up a person.
    rows<Row>(
      db,
      sql`select tm.person_id, min(t.name) as team from team_members tm join teams t on t.id = tm.team_id
          where tm.school_id = ${schoolId} group by tm.person_id`,
    ),
  ]);
  const roster: QueueRoster = {
    roles: roleRows.map((r) => ({ personId: num(r.id), name: String(r.name), role: String(r.role), fromMs: numOrNull(r.f), toMs: numOrNull(r.t) })),
    teams: new Map(teamRows.map((r) => [num(r.person_id), r.team === null ? null : String(r.team)])),
  };
  bySchool.set(schoolId, { readAt: at, roster });
  return roster;
}

/** One role per person, the first of STAFF_ROLES they hold at `nowMs`, in name and id order. Pure. */
export function staffAt(roster: QueueRoster, nowMs: number): Array<{ personId: number; name: string; role: string }> {
  const out: Array<{ personId: number; name: string; role: string }> = [];
  const seen = new Set<number>();
  for (const r of roster.roles) {
    if (seen.has(r.personId)) continue;
    if ((r.fromMs !== null && r.fromMs > nowMs) || (r.toMs !== null && r.toMs <= nowMs)) continue;
    seen.add(r.personId);
    out.push({ personId: r.personId, name: r.name, role: r.role });
  }
  return out;
}

const WEEK_S = 7 * 24 * 3600;
/** Seconds an occurrence can move from its wall-clock place (a DST gap or overlap is at most 2 h anywhere). */
const SHIFT_SLACK_S = 3 * 3600;
/**
 * Seconds from the last local-wall-clock weekly repeat of `start` to `at`, in [0, one week), rounded to the
 * second (the caller's SHIFT_SLACK_S dwarfs that): no row's zone rule is looked up twice. In float8 and
 * int8, not numeric (`extract` returns numeric): ~5.4 k weekly shifts at 10 M messages took the statement
 * 7.0 → 4.4 ms (explain analyze, round 25).
 */
const localWeekPhase = (at: SQL, start: SQL, tz: string): SQL =>
  sql`((date_part('epoch', ((${at}) at time zone ${tz}) - ((${start}) at time zone ${tz})))::int8 % ${WEEK_S} + ${WEEK_S}) % ${WEEK_S}`;

const secMs = (t: SQL): SQL => sql`(date_part('epoch', date_trunc('second', ${t})) * 1000)::int8`;

export async function liveQueue(db: Db, schoolId: number, tz: string, now: Date): Promise<QueueData> {
  // The reads are independent: issued together, a poll waits for the slowest, not for their sum.
  const [open, roster, shiftRows, { calendars, defaultCalendarId, policyCalendars: policies }] = await Promise.all([
    openWithChannels(db, schoolId),
    queueRoster(db, schoolId),
    rows<Row>(
      db,
      // Instants as whole seconds in epoch ms (as the ISO text to the second they were): ~5.4 k weekly shifts at
      // 10 M messages, whose three ISO strings each Date.parse took ~4 ms of every poll.
      sql`select person_id, ${secMs(sql`starts_at`)} as s, ${secMs(sql`ends_at`)} as e, weekly, ${secMs(sql`repeat_until`)} as u
          from shifts where school_id = ${schoolId} and starts_at <= ${now.toISOString()}::timestamptz
            -- Only shifts that can cover now (shiftCovers): a one-off one not yet over; a weekly one whose last
            -- occurrence may still be on (occurrences checked start > now - 14 days; 2 more for zone shifts).
            and (case when weekly then (repeat_until is null or repeat_until >= ${now.toISOString()}::timestamptz - interval '16 days')
                        -- and whose week's occurrence can be on now: its wall-clock start repeats every 7 days in the
                        -- school's zone (shiftCovers), so now's offset into the shift's local week is within the shift,
                        -- give or take SHIFT_SLACK for DST gaps and overlaps. ~5.4 k weekly shifts at 10 M messages, of
                        -- which ~10 % pass; all of them read and parsed were ~7 ms of every poll.
                        and ${localWeekPhase(sql`${now.toISOString()}::timestamptz`, sql`starts_at`, tz)} not between
                            date_part('epoch', ends_at - starts_at) + ${SHIFT_SLACK_S} and ${WEEK_S - SHIFT_SLACK_S}
                      else ends_at > ${now.toISOString()}::timestamptz end)`,
    ),
    loadCalendars(db, schoolId),
  ]);
  const onShift = new Set<number>();
  for (const r of shiftRows) {
    const s: ShiftRow = { personId: num(r.person_id), startsAt: new Date(num(r.s)), endsAt: new Date(num(r.e)), weekly: r.weekly === true, repeatUntil: r.u === null ? null : new Date(num(r.u)) };
    if (shiftCovers(s, now, tz)) onShift.add(s.personId);
  }
  // Open episodes per owner, from the open rows already read (the same set a grouped count would scan).
  const owned = new Map<number, number>();
  for (const { o } of open) {
    if (o.ownerPersonId !== null) owned.set(o.ownerPersonId, (owned.get(o.ownerPersonId) ?? 0) + 1);
  }
  const staff: QueueStaff[] = staffAt(roster, now.getTime()).map((r) => ({
    personId: r.personId, name: r.name, role: r.role, team: roster.teams.get(r.personId) ?? null, openOwned: owned.get(r.personId) ?? 0, onShift: onShift.has(r.personId),
  }));
  const judged = judgeRows(
    open.map((x) => x.o),
    policies,
    calendars,
    defaultCalendarId,
    now,
  );
  const items: QueueEntry[] = open.map(({ o, channel }, i) => {
    const { target, clock, deadline, atRiskAt, elapsed, state } = judged[i]!;
    return {
      episodeId: o.id,
      openedAt: o.openedAt,
      lastStudentMessageAt: o.lastStudentMessageAt,
      messageCount: o.messageCount,
      priority: o.priority,
      category: o.category,
      channelId: o.channelId,
      channelTitle: String(channel.title),
      channelKind: String(channel.kind),
      sourceKind: String(channel.source),
      threadId: o.threadId,
      studentPersonId: o.studentPersonId,
      ownerRole: o.ownerRole,
      ownerPersonId: o.ownerPersonId,
      targetMinutes: target,
      clock,
      deadline,
      atRiskAt,
      elapsedMinutes: elapsed,
      state,
      suggested: null,
    };
  });
  // Time left before breach: the earliest deadline first; episodes without a policy last, oldest first.
  // By the instants' numbers, positions sorted: ~80 k comparisons for ~6 k open episodes, as strings by
  // localeCompare ~15 ms of each poll, as plain strings a few.
  const order = Array.from(items.keys()).sort(
    (a, b) => judged[a]!.deadlineMs - judged[b]!.deadlineMs || open[a]!.o.openedMs - open[b]!.o.openedMs || items[a]!.episodeId - items[b]!.episodeId,
  );
  const sorted = order.map((i) => items[i]!);
  const suggest = makeSuggester(staff);
  for (const it of sorted) {
    const pick = suggest(it);
    if (pick) it.suggested = { personId: pick.person.personId, name: pick.person.name, team: pick.person.team, reason: pick.reason };
  }
  return { asOf: now.toISOString(), items: sorted, staff };
}
