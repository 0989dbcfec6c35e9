import { z } from "zod";
import type { Db } from "../../db/client";
import type { SchoolRow } from "../../db/queries/schools";
import { liveQueue, openEpisodeStates, type OpenEpisodeState, type QueueItem, type QueueState } from "../../db/queries/reports/queue";

export type { QueueItem, QueueState };

/** The queue's URL filters. Unknown values are ignored (a stale link shows the whole queue, not an error). */
export interface QueueQuery {
  school?: string;
  role?: string;
  team?: string;
  channel?: string;
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
  /** After filters, ordered by time left before breach. */
  items: QueueItem[];
  /** Open episodes before filters. */
  totalOpen: number;
  counts: Record<QueueState, number>;
  /** Filter choices, from the whole queue and the staff list. */
  options: { roles: string[]; teams: string[]; channels: Array<{ id: number; title: string }> };
  /** Staff on shift now / staff in total. */
  onShift: number;
  staffCount: number;
}

/**
 * The live queue as the page, its polling route and its CSV read it. Team = the team of the person who
 * owns the episode or, for an unowned one, of the person suggested to take it.
 */
export async function queueReport(db: Db, school: SchoolRow, q: QueueQuery, now: Date): Promise<QueueReport> {
  const filters = parseQueueFilters(q);
  const data = await liveQueue(db, school.id, school.timezone, now);
  // A map, not a find per item: a team filter over thousands of open episodes and ~1 k staff.
  const staffTeam = new Map<number, string | null>();
  for (const s of data.staff) if (!staffTeam.has(s.personId)) staffTeam.set(s.personId, s.team);
  const teamOf = (it: QueueItem) => (it.ownerPersonId !== null ? (staffTeam.get(it.ownerPersonId) ?? null) : (it.suggested?.team ?? null));
  const items = data.items.filter((it) => roleAndChannel(filters, it) && (filters.team === undefined || teamOf(it) === filters.team));
  const counts = countStates(items);
  const channels = new Map<number, string>();
  for (const it of data.items) channels.set(it.channelId, it.channelTitle);
  return {
    school: { slug: school.slug, name: school.name, timezone: school.timezone },
    asOf: data.asOf,
    filters,
    items,
    totalOpen: data.items.length,
    counts,
    options: {
      roles: [...new Set(data.staff.map((s) => s.role))].sort(),
      teams: [...new Set(data.staff.flatMap((s) => (s.team === null ? [] : [s.team])))].sort(),
      // One collator (what localeCompare without arguments uses) instead of one per comparison.
      channels: [...channels].map(([id, title]) => ({ id, title })).sort((a, b) => collator.compare(a.title, b.title)),
    },
    onShift: data.staff.filter((s) => s.onShift).length,
    staffCount: data.staff.length,
  };
}

const collator = new Intl.Collator();

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
