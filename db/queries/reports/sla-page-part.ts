import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../../client";
import type { Period } from "@/lib/period";
import { percentilesOfSortedRuns } from "@/lib/metrics/sla";
import { countOpen, episodeGroupKey, float32Base64, float64Base64, fromFloat32Base64, fromFloat64Base64, inPeriod, labelsFor, num, numOrNull, openIdsOf, responseMinutes, sortedFloat4s, unjudgedSlaFlags, type OpenFlagSets } from "./common";
import { filterSql, type EpisodeFilter } from "./episode-detail";
import { LOW_CONFIDENCE_BELOW, statsOf, type SlaStats } from "./sla";
import type { HeatCellOnShift, SlaBreakdown, WeekPoint } from "./episode-detail-sla";
import type { BotPeerCounts, CategoryRow } from "./sla-extra";

/**
 * The SLA page's aggregates (breakdown by role and policy, weekly compliance, the heatmap, categories,
 * bot and peer counts) for a range of local days, as parts that add up exactly (ADR 0011): counts before
 * the open episodes are judged, the open episodes' ids (judged when the parts are read), and every value
 * a median or p90 is taken of, sorted. The page stores the part before yesterday and reads the rest live;
 * `combineSlaPageParts` gives what slaBreakdown, slaWeekly, slaHeatmapFiltered, episodesByCategory and
 * botAndPeerCounts give for the whole period (tests/integration/sla-page-part.test.ts).
 */

/** A group's counts (named per grouping), open episode ids and sorted values. */
export interface PartGroup {
  key: string;
  c: number[];
  open: string;
  values: Float64Array;
}

export interface SlaPagePart {
  /** key = JSON [role, policyId]; c = episodes, answered, open, breached, met, known. */
  policy: PartGroup[];
  /** key = JSON [week, role]; c = episodes, met, known. */
  week: PartGroup[];
  /** key = "weekday:hour"; c = opened, met, known. */
  cell: PartGroup[];
  /** key = JSON [category]; c = episodes, answered, known, met. */
  category: PartGroup[];
  /** c = episodes, botReplied, resolvedByBot, handedOff, peerReplied, peerBeforeStaff; values = handoff minutes. */
  bot: PartGroup[];
}

const f = unjudgedSlaFlags;

export type PartKind = keyof SlaPagePart;
export const PAGE_KINDS: readonly PartKind[] = ["policy", "week", "cell"];
export const EXTRA_KINDS: readonly PartKind[] = ["category", "bot"];
const ALL_KINDS: readonly PartKind[] = [...PAGE_KINDS, ...EXTRA_KINDS];

/** `kinds`: the groupings to read (the page and its extra report each read their own live). */
export async function slaPagePart(db: Db, schoolId: number, tz: string, range: Period, filter: EpisodeFilter, kinds: readonly PartKind[] = ALL_KINDS): Promise<SlaPagePart> {
  const out: SlaPagePart = { policy: [], week: [], cell: [], category: [], bot: [] };
  if (range.from >= range.to) return out;
  const where = sql`e.school_id = ${schoolId} and ${inPeriod(sql`e.opened_at`, tz, range)} and ${filterSql(filter, tz, f)}`;
  const role = episodeGroupKey("role");
  const handoff = sql`(e.first_bot_reply_at is not null and e.status = 'answered' and e.answered_at >= e.first_bot_reply_at)`;
  // Grouped by the key's own values, its text built once per group: built per episode (to_char, a json
  // array cast to text), the key was most of a statement's time (a year at 10 M messages: the weekly
  // grouping 2.0 s with the text key per row, 0.8 s by week and role).
  const read = (kind: PartKind, by: readonly SQL[], key: (cols: readonly SQL[]) => SQL, counts: SQL, values: SQL | null) => {
    if (!kinds.includes(kind)) return Promise.resolve([]);
    const cols = by.map((_, i) => sql.raw(`k${i}`));
    return rows<Record<string, unknown>>(
      db,
      sql`select ${key(cols.map((c) => sql`g.${c}`))} as key, g.* from (
            select ${sql.join(by.map((b, i) => sql`${b} as ${cols[i]!}`), sql`, `)}, ${counts}, ${openIdsOf} as open_ids,
                   ${values === null ? sql`null` : sql`string_agg((${values})::text, ',')`} as vals
            from episodes e where ${where} group by ${sql.raw(by.map((_, i) => String(i + 1)).join(", "))}) g`,
    );
  };
  const n = (x: SQL) => sql`count(*) filter (where ${x})::int`;
  // Each grouping as the function it stands for groups and counts (the same expressions), hashed.
  const [policy, week, cell, category, bot] = await Promise.all([
    read("policy", [role, sql`e.policy_id`], ([r, p]) => sql`json_build_array(${r}, ${p})::text`, sql`count(*)::int as c0, ${n(sql`e.status = 'answered'`)} as c1, ${n(sql`e.status = 'open'`)} as c2, ${n(f.breached)} as c3, ${n(f.met)} as c4, ${n(f.known)} as c5`, responseMinutes),
    read("week", [sql`date_trunc('week', e.opened_at at time zone ${tz})`, role], ([w, r]) => sql`json_build_array(to_char(${w}, 'YYYY-MM-DD'), ${r})::text`, sql`count(*)::int as c0, ${n(f.met)} as c1, ${n(f.known)} as c2`, null),
    read("cell", [sql`extract(isodow from e.opened_at at time zone ${tz})::int`, sql`extract(hour from e.opened_at at time zone ${tz})::int`], ([d, h]) => sql`${d} || ':' || ${h}`, sql`count(*)::int as c0, ${n(f.met)} as c1, ${n(f.known)} as c2`, responseMinutes),
    read("category", [sql`e.category`], ([c]) => sql`json_build_array(${c}::text)::text`, sql`count(*)::int as c0, ${n(sql`e.status = 'answered'`)} as c1, ${n(f.known)} as c2, ${n(f.met)} as c3`, responseMinutes),
    read(
      "bot",
      [sql`''`],
      () => sql`''`,
      sql`count(*)::int as c0, ${n(sql`e.first_bot_reply_at is not null`)} as c1, ${n(sql`e.status = 'resolved_by_bot'`)} as c2, ${n(handoff)} as c3,
        ${n(sql`e.first_peer_reply_at is not null`)} as c4, ${n(sql`e.first_peer_reply_at is not null and (e.answered_at is null or e.first_peer_reply_at < e.answered_at)`)} as c5`,
      sql`case when ${handoff} then extract(epoch from (e.answered_at - e.first_bot_reply_at)) / 60.0 end`,
    ),
  ]);
  const groups = (list: Record<string, unknown>[], width: number, values: (text: unknown) => Float64Array): PartGroup[] =>
    list.map((r) => ({
      key: String(r.key),
      c: Array.from({ length: width }, (_, i) => num(r[`c${i}`])),
      open: typeof r.open_ids === "string" ? r.open_ids : "",
      values: values(r.vals),
    }));
  return {
    policy: groups(policy, 6, sortedFloat4s),
    week: groups(week, 3, () => new Float64Array(0)),
    cell: groups(cell, 3, sortedFloat4s),
    category: groups(category, 4, sortedFloat4s),
    // Numeric minutes: Number() of their text is the double PostgreSQL's cast to float8 gives.
    bot: groups(bot, 6, sortedDoubles),
  };
}

function sortedDoubles(text: unknown): Float64Array {
  if (typeof text !== "string" || text === "") return new Float64Array(0);
  return Float64Array.from(text.split(",").map(Number)).sort();
}

/** A part as JSON can hold it (float4 values as float4 bytes, the handoff minutes as float8 bytes, base64). */
export type StoredSlaPagePart = Record<keyof SlaPagePart, Array<Omit<PartGroup, "values"> & { values: string }>>;

const FLOAT8: ReadonlySet<keyof SlaPagePart> = new Set(["bot"]);

export function packSlaPagePart(p: SlaPagePart): StoredSlaPagePart {
  const pack = (k: keyof SlaPagePart) => p[k].map((g) => ({ ...g, values: FLOAT8.has(k) ? float64Base64(g.values) : float32Base64(g.values) }));
  return { policy: pack("policy"), week: pack("week"), cell: pack("cell"), category: pack("category"), bot: pack("bot") };
}

export function unpackSlaPagePart(p: StoredSlaPagePart): SlaPagePart {
  const unpack = (k: keyof SlaPagePart) => p[k].map((g) => ({ ...g, values: FLOAT8.has(k) ? fromFloat64Base64(g.values) : fromFloat32Base64(g.values) }));
  return { policy: unpack("policy"), week: unpack("week"), cell: unpack("cell"), category: unpack("category"), bot: unpack("bot") };
}

interface Merged {
  c: number[];
  breachingNow: number;
  atRisk: number;
  /** The groups' sorted values, not merged: percentiles are taken over them by rank. */
  runs: Float64Array[];
}

/** Groups of one grouping across parts, by key, with their open episodes judged. */
function mergeGroups(parts: readonly SlaPagePart[], kind: keyof SlaPagePart, open: OpenFlagSets, kinds: readonly PartKind[]): Map<string, Merged> {
  const out = new Map<string, Merged>();
  if (!kinds.includes(kind)) return out;
  for (const part of parts) {
    for (const g of part[kind]) {
      const o = countOpen(g.open, open);
      out.set(g.key, add(out.get(g.key), { c: g.c, breachingNow: o.breachingNow, atRisk: o.atRisk, runs: [g.values] }));
    }
  }
  return out;
}

function add(into: Merged | undefined, m: Merged): Merged {
  if (into === undefined) return { c: [...m.c], breachingNow: m.breachingNow, atRisk: m.atRisk, runs: [...m.runs] };
  m.c.forEach((v, i) => (into.c[i] = (into.c[i] ?? 0) + v));
  into.breachingNow += m.breachingNow;
  into.atRisk += m.atRisk;
  into.runs.push(...m.runs);
  return into;
}

const median = (runs: readonly Float64Array[]) => percentilesOfSortedRuns(runs, [0.5])[0] ?? null;

/** slaFlags' counts from a policy group: open episodes breaching now are breached and known too. */
function policyStats(m: Merged): SlaStats {
  const [episodes = 0, answered = 0, openN = 0, breached = 0, met = 0, known = 0] = m.c;
  const [p50 = null, p90 = null] = percentilesOfSortedRuns(m.runs, [0.5, 0.9]);
  return statsOf({ episodes, answered, open: openN, breachingNow: 0, atRisk: 0, breached, met, known }, { breachingNow: m.breachingNow, atRisk: m.atRisk }, p50, p90);
}

/** PostgreSQL's ascending order of a nullable text key: nulls last. */
const byKey = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

export interface SlaPageFigures {
  breakdown: SlaBreakdown;
  weekly: WeekPoint[];
  /** Without staff on shift (the caller adds it). */
  cells: Array<Omit<HeatCellOnShift, "staffOnShift">>;
  categories: CategoryRow[];
  bot: BotPeerCounts;
}

/** Disjoint parts of one period as the whole period's figures. Labels and policies are the caller's reads. */
export async function combineSlaPageParts(
  db: Db,
  schoolId: number,
  parts: readonly SlaPagePart[],
  open: OpenFlagSets,
  /** Only these groupings are combined (the others come out empty); the breakdown's labels and policies are read only for it. */
  kinds: readonly PartKind[] = ALL_KINDS,
): Promise<SlaPageFigures> {
  // Breakdown: by policy × role, by role (its policies merged) and in total, in slaBreakdown's order.
  const byPolicy = [...mergeGroups(parts, "policy", open, kinds)].map(([key, m]) => {
    const [role, policyId] = JSON.parse(key) as [string | null, number | null];
    return { role, policyId, m };
  });
  const roles = new Map<string | null, Merged | undefined>();
  let total: Merged | undefined;
  for (const x of byPolicy) {
    roles.set(x.role, add(roles.get(x.role), x.m));
    total = add(total, x.m);
  }
  const [labels, policies] = kinds.includes("policy")
    ? await Promise.all([
        labelsFor(db, schoolId, "role", [...roles.keys()]),
        rows<Record<string, unknown>>(db, sql`select id, name, target_minutes, clock::text as clock from sla_policies where school_id = ${schoolId}`),
      ])
    : [new Map<string | null, string>(), []];
  const policyById = new Map(policies.map((p) => [num(p.id), p]));
  const label = (role: string | null) => labels.get(role) ?? String(role);
  const breakdown: SlaBreakdown = {
    total: total === undefined ? policyStats({ c: [0, 0, 0, 0, 0, 0], breachingNow: 0, atRisk: 0, runs: [] }) : policyStats(total),
    byRole: [...roles]
      .map(([role, m]) => ({ role, roleLabel: label(role), ...policyStats(m!) }))
      .sort((a, b) => b.episodes - a.episodes || byKey(a.role, b.role)),
    byPolicy: byPolicy
      .map(({ role, policyId, m }) => {
        const p = policyId === null ? undefined : policyById.get(policyId);
        return {
          role, roleLabel: label(role), policyId, policy: p ? String(p.name) : null,
          targetMinutes: p ? numOrNull(p.target_minutes) : null, clock: p ? String(p.clock) : null, ...policyStats(m),
        };
      })
      .sort((a, b) => b.episodes - a.episodes || byKey(a.role, b.role) || (a.policyId === b.policyId ? 0 : a.policyId === null ? 1 : b.policyId === null ? -1 : a.policyId - b.policyId)),
  };

  // Weekly: per week a total row, then its roles (no role last, as "none").
  const weeks = new Map<string, Array<{ role: string | null; m: Merged }>>();
  for (const [key, m] of mergeGroups(parts, "week", open, kinds)) {
    const [week, role] = JSON.parse(key) as [string, string | null];
    weeks.set(week, [...(weeks.get(week) ?? []), { role, m }]);
  }
  const point = (week: string, role: string, c: number[], breachingNow: number): WeekPoint => {
    const [episodes = 0, met = 0, known0 = 0] = c;
    const known = known0 + breachingNow;
    return { week, role, episodes, met, known, compliance: known === 0 ? null : met / known };
  };
  const weekly: WeekPoint[] = [];
  for (const week of [...weeks.keys()].sort()) {
    const list = weeks.get(week)!.sort((a, b) => byKey(a.role, b.role));
    const sum = list.reduce((acc, x) => add(acc, x.m), undefined as Merged | undefined)!;
    weekly.push(point(week, "total", sum.c, sum.breachingNow));
    for (const x of list) weekly.push(point(week, x.role === null ? "none" : x.role, x.m.c, x.m.breachingNow));
  }

  // Heatmap: every cell of the week, present or not.
  const cellsBy = mergeGroups(parts, "cell", open, kinds);
  const cells: SlaPageFigures["cells"] = [];
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (let hour = 0; hour < 24; hour++) {
      const m = cellsBy.get(`${weekday}:${hour}`);
      const [opened = 0, met = 0, known0 = 0] = m?.c ?? [];
      const known = known0 + (m?.breachingNow ?? 0);
      cells.push({ weekday, hour, opened, medianMinutes: m ? median(m.runs) : null, met, known, compliance: known === 0 ? null : met / known, lowConfidence: opened < LOW_CONFIDENCE_BELOW });
    }
  }

  // Categories: most episodes first, then by name (uncategorised last).
  const categories: CategoryRow[] = [...mergeGroups(parts, "category", open, kinds)]
    .map(([key, m]) => {
      const [category] = JSON.parse(key) as [string | null];
      const [episodes = 0, answered = 0, known = 0, met = 0] = m.c;
      return { category, episodes, answered, medianMinutes: median(m.runs), known: known + m.breachingNow, met };
    })
    .sort((a, b) => b.episodes - a.episodes || byKey(a.category, b.category));

  const b = mergeGroups(parts, "bot", open, kinds).get("");
  const [episodes = 0, botReplied = 0, resolvedByBot = 0, handedOff = 0, peerReplied = 0, peerBeforeStaff = 0] = b?.c ?? [];
  const bot: BotPeerCounts = { episodes, botReplied, resolvedByBot, handedOff, medianHandoffMinutes: b ? median(b.runs) : null, peerReplied, peerBeforeStaff };
  return { breakdown, weekly, cells, categories, bot };
}
