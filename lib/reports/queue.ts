import { z } from "zod";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { liveQueue, nameQueueEntries, openEpisodeStates, type OpenEpisodeState, type QueueEntry, type QueueItem, type QueueState } from "../../db/queries/reports/queue";

export type { QueueEntry, QueueItem, QueueState };

/** The queue's URL filters and how many rows it shows. Unknown values are ignored (a stale link shows the whole queue, not an error). */
export interface QueueQuery {
  school?: string;
  role?: string;
  team?: string;
  channel?: string;
  /** Rows shown, most urgent first (default QUEUE_PAGE; the counts and the CSV cover every row). */
  limit?: string;
}

/**
 * Rows the queue page shows at first, most urgent first; "show more" adds as many. The page polls every
 * second: at 10 M messages a school has ~6 k open episodes, and sending, naming and rendering all of them
 * each second cost the server ~170 ms a poll and the browser a 6 k-row table redrawn every second, for
 * rows nobody reaches before the first hundred are handled. The counts and the CSV keep every row.
 */
export const QUEUE_PAGE = 100;
/** The most rows one poll shows (the CSV has no limit). */
export const QUEUE_MAX_ROWS = 10_000;

const limitSchema = z.coerce.number().int().min(1).catch(QUEUE_PAGE);

/** The rows to show from `?limit=`: a positive whole number, at most QUEUE_MAX_ROWS (more is that many); anything else QUEUE_PAGE. */
export function parseQueueLimit(v: string | undefined): number {
  return v === undefined || v === "" ? QUEUE_PAGE : Math.min(QUEUE_MAX_ROWS, limitSchema.parse(v));
}

const filterSchema = z.object({
  role: z.enum(["coordinator", "mentor", "reviewer", "support", "team_lead", "none"]).optional().catch(undefined),
  team: z.string().min(1).max(200).optional().catch(undefined),
  channel: z.coerce.number().int().positive().optional().catch(undefined),
});

export type QueueFilters = z.output<typeof filterSchema>;

export function parseQueueFilters(q: QueueQuery): QueueFilters {
  return filterSchema.parse({ role: q.role || undefined, team: q.team || undefined, channel: q.channel || undefined });
}

export interface QueueReport {
  school: { slug: string; name: string; timezone: string };
  asOf: string;
  filters: QueueFilters;
  /** After filters, ordered by time left before breach: the first `limit` of them. */
  items: QueueItem[];
  /** Episodes after filters (what `counts` count; `items` are the first `limit`). */
  matched: number;
  /** Rows asked for (`items.length` = min(limit, matched)). */
  limit: number;
  /** Open episodes before filters (within the viewer's scope). */
  totalOpen: number;
  counts: Record<QueueState, number>;
  /** Filter choices, from the whole queue and the staff list. */
  options: { roles: string[]; teams: string[]; channels: Array<{ id: number; title: string }> };
  /** Staff on shift now / staff in total. */
  onShift: number;
  staffCount: number;
}

/** A viewer's part of the queue (lib/dal/queue.ts): the entries they may see and the channels that are theirs. */
export interface QueueScope {
  keep: (e: QueueEntry) => boolean;
  channelIds: readonly number[];
}

export interface QueueReportOptions {
  /** Rows to name and return; default the query's `limit` (parseQueueLimit). Infinity for every row (the CSV). */
  limit?: number;
  /** Narrow the queue to a viewer's scope before the filters, the counts and the options. */
  scope?: QueueScope;
}

/**
 * The live queue as the page, its polling route and its CSV read it. Team = the team of the person who
 * owns the episode or, for an unowned one, of the person suggested to take it. Every open episode is
 * judged, filtered and counted; only the shown ones are named.
 */
export async function queueReport(db: Db, school: SchoolRow, q: QueueQuery, now: Date, opts: QueueReportOptions = {}): Promise<QueueReport> {
  const filters = parseQueueFilters(q);
  const limit = opts.limit ?? parseQueueLimit(q.limit);
  const data = await liveQueue(db, school.id, school.timezone, now);
  const scope = opts.scope;
  const base = scope ? data.items.filter(scope.keep) : data.items;
  // A map, not a find per item: a team filter over thousands of open episodes and ~1 k staff.
  const staffTeam = new Map<number, string | null>();
  for (const s of data.staff) if (!staffTeam.has(s.personId)) staffTeam.set(s.personId, s.team);
  const teamOf = (it: QueueEntry) => (it.ownerPersonId !== null ? (staffTeam.get(it.ownerPersonId) ?? null) : (it.suggested?.team ?? null));
  const matched = base.filter((it) => roleAndChannel(filters, it) && (filters.team === undefined || teamOf(it) === filters.team));
  const items = await nameQueueEntries(db, school.id, matched.slice(0, limit));
  const channels = new Map<number, string>();
  for (const it of data.items) channels.set(it.channelId, it.channelTitle);
  let teams = [...new Set(data.staff.flatMap((s) => (s.team === null ? [] : [s.team])))].sort();
  let channelOptions = byTitle(channels);
  if (scope) {
    // A scoped viewer chooses among their own: teams suggested for their entries, their channels and their entries' channels.
    const suggestedTeams = new Set(base.flatMap((it) => (it.suggested?.team ? [it.suggested.team] : [])));
    const theirs = new Set([...scope.channelIds, ...base.map((it) => it.channelId)]);
    teams = teams.filter((t) => suggestedTeams.has(t));
    channelOptions = channelOptions.filter((c) => theirs.has(c.id));
  }
  return {
    school: { slug: school.slug, name: school.name, timezone: school.timezone },
    asOf: data.asOf,
    filters,
    items,
    matched: matched.length,
    limit: Number.isFinite(limit) ? limit : matched.length,
    totalOpen: base.length,
    counts: countStates(matched),
    options: {
      roles: [...new Set(data.staff.map((s) => s.role))].sort(),
      teams,
      // By title (byTitle), equal titles by id.
      channels: channelOptions,
    },
    onShift: data.staff.filter((s) => s.onShift).length,
    staffCount: data.staff.length,
  };
}

const collator = new Intl.Collator();

/**
 * The channel choices by title (one collator, what localeCompare without arguments uses), the last few
 * sorts kept by their channels: a 10 M-message school's queue names ~2.4 k channels, whose sort by a
 * collator was ~3.5 ms of every poll for a list that changes when a channel joins or leaves the queue.
 */
const sortedChannels = new Map<string, ReadonlyArray<{ id: number; title: string }>>();
function byTitle(channels: ReadonlyMap<number, string>): Array<{ id: number; title: string }> {
  const ids = [...channels.keys()].sort((a, b) => a - b);
  const key = JSON.stringify(ids.map((id) => [id, channels.get(id)]));
  let sorted = sortedChannels.get(key);
  if (sorted === undefined) {
    sorted = ids.map((id) => ({ id, title: channels.get(id) ?? "" })).sort((a, b) => collator.compare(a.title, b.title) || a.id - b.id);
    if (sortedChannels.size >= 8) sortedChannels.clear();
    sortedChannels.set(key, sorted);
  }
  return sorted.map((c) => ({ ...c }));
}

/** The role and channel filters of the queue (the team filter needs the staff: queueReport applies it). */
function roleAndChannel(filters: QueueFilters, it: { ownerRole: string | null; channelId: number }): boolean {
  return (filters.role === undefined || (filters.role === "none" ? it.ownerRole === null : it.ownerRole === filters.role)) && (filters.channel === undefined || it.channelId === filters.channel);
}

function countStates(items: ReadonlyArray<{ state: QueueState }>): Record<QueueState, number> {
  const counts: Record<QueueState, number> = { breaching: 0, atRisk: 0, ok: 0, noSla: 0 };
  for (const it of items) counts[it.state] += 1;
  return counts;
}

export interface QueueCounts {
  /** Open episodes before filters. */
  totalOpen: number;
  /** After the role and channel filters. */
  counts: Record<QueueState, number>;
  /** The filtered episodes' opening instants. */
  items: Array<{ openedAt: string }>;
}

/**
 * queueReport's totalOpen, counts and items' opening instants under its role and channel filters, without
 * reading what only the page shows (names, staff, shifts, suggestions): the overview's live KPI figures.
 * Without the team filter, which needs the suggestions; tests/integration/overview-kpis.test.ts compares
 * the figures with queueReport's.
 */
export async function queueCounts(
  db: Db,
  school: SchoolRow,
  q: Pick<QueueQuery, "role" | "channel">,
  now: Date,
  /** openEpisodeStates(db, school.id, now) when the caller reads them for more (the KPI cards' SLA flags). */
  states?: Promise<OpenEpisodeState[]>,
): Promise<QueueCounts> {
  const filters = parseQueueFilters({ role: q.role, channel: q.channel });
  const open = await (states ?? openEpisodeStates(db, school.id, now));
  const items = open.filter((it) => roleAndChannel(filters, it));
  return { totalOpen: open.length, counts: countStates(items), items: items.map((it) => ({ openedAt: it.openedAt })) };
}
