import "server-only";
import { getDb } from "../../db/client";
import { overviewKpis, type KpiQuery, type OverviewKpis } from "../reports/overview-kpis";
import { lastDayOf } from "../reports/episode-detail";
import { canOpen, requireAccess, type PageKey } from "./access";
import { filterOptions, type FilterOptions } from "../../db/queries/reports/episode-detail";
import { RUN_REFRESH_MS } from "../reports/report-runs";

export type { OverviewKpis, KpiQuery };
export type { KpiFigure, KpiKey, KpiUnit, RoleCompliance, FilterName } from "../reports/overview-kpis";
export { KPI_KEYS } from "../reports/overview-kpis";
export type { FilterOptions };
/** The last day (inclusive) of a period, as URLs and captions show it. */
export { lastDayOf };

export interface OverviewKpisView {
  data: OverviewKpis;
  /** Whether the viewer may open the episode list behind the figures (not executives: per-student rows). */
  canDrill: boolean;
  /** The filter's choices, as on the SLA page (staff roles, cohorts, group channels, sources). */
  options: FilterOptions;
}

/** The page a drill-down link opens (`/episodes?…` → episodes). */
function pageOf(href: string): PageKey | null {
  const name = href.slice(1).split(/[?#]/)[0] ?? "";
  const pages: Record<string, PageKey> = { episodes: "episodes", sla: "sla", queue: "queue", satisfaction: "satisfaction", outcomes: "outcomes" };
  return pages[name] ?? null;
}

/**
 * The overview's KPI cards. School-wide aggregates only (no student names or rows), so the overview's
 * roles (admin, head, executive) may read them; links to pages the viewer's role may not open are
 * dropped here, beside the data, so an executive's card is a number, not a link to a 403.
 */
export async function getOverviewKpis(q: KpiQuery & { school?: string }, now: Date = new Date()): Promise<OverviewKpisView> {
  const { school, role } = await requireAccess({ school: q.school, page: "overview" });
  const { db } = await getDb();
  // The previous period and completion from a stored run when recent enough (docs/adr/0010-kpi-stored-figures.md).
  const [data, options] = await Promise.all([
    overviewKpis(db, school, { from: q.from, to: q.to, days: q.days, role: q.role, cohort: q.cohort, channel: q.channel, source: q.source }, now, { stored: { refreshMs: RUN_REFRESH_MS } }),
    filterOptions(db, school.id),
  ]);
  const allowed = (href: string | null) => {
    if (href === null) return null;
    const page = pageOf(href);
    return page !== null && canOpen(role, page) ? href : null;
  };
  const kpis = Object.fromEntries(Object.entries(data.kpis).map(([k, f]) => [k, { ...f, href: allowed(f.href) }])) as OverviewKpis["kpis"];
  const canDrill = canOpen(role, "episodes");
  return { data: { ...data, kpis }, canDrill, options };
}
