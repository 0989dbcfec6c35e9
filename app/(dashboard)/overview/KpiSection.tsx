import { getOverviewKpis, KPI_KEYS, lastDayOf, type KpiFigure, type RoleCompliance } from "@/lib/dal/overview-kpis";
import { formatNumber } from "@/lib/i18n/dict";
import { formatLocalTime } from "@/lib/i18n/pages/episodes";
import { overviewMessages, type OverviewMessageKey } from "@/lib/i18n/pages/overview";
import { getPageT } from "@/lib/i18n/server";
import type { Period } from "@/lib/period";
import { KpiCard } from "@/components/overview/KpiCard";
import { RoleComplianceTable } from "@/components/overview/RoleComplianceTable";
import { TrendBadge } from "@/components/overview/TrendBadge";
import { formatDelta, formatKpi } from "@/components/overview/format";
import { ReportFilters } from "@/components/filters/ReportFilters";

export interface OverviewSearch {
  school?: string;
  from?: string;
  to?: string;
  days?: string;
  /** Report filters (issue #5), the SLA page's URL keys. */
  role?: string;
  cohort?: string;
  channel?: string;
  source?: string;
}

/**
 * The KPI cards and the compliance-by-role table. Its own async component so the page streams: counts
 * and the volume chart show while the SLA, CSAT, queue and outcomes reports run (twice: this period and
 * the previous one).
 */
export async function KpiSection({ sp }: { sp: OverviewSearch }) {
  const [{ locale, p }, { data, canDrill, options }] = await Promise.all([getPageT(overviewMessages), getOverviewKpis(sp)]);
  const n = (x: number) => formatNumber(x, locale);
  const span = (w: Period) => `${w.from} — ${lastDayOf(w)}`;
  const words = { pp: p("pp"), min: p("min") };
  const asOf = formatLocalTime(data.asOf, data.timezone, locale);
  const trendFor = (f: KpiFigure) => {
    if (f.live) return <TrendBadge trend={f.trend} deltaText={null} verdictText={`${p("live")}: ${p("asOf")} ${asOf}`} title={p(`hint_${f.key}` as OverviewMessageKey)} testId={`kpi-${f.key}-trend`} />;
    const window = f.key === "completion" ? data.completionWindow.previous : data.previousPeriod;
    const title = `${p("previous")} (${span(window)}): ${formatKpi(f.previous, f.unit, locale)}, n = ${n(f.previousN ?? 0)}`;
    const verdict = f.trend.verdict === null ? p("noTrend") : p(f.trend.verdict);
    return <TrendBadge trend={f.trend} deltaText={f.trend.delta === null ? null : formatDelta(f.trend.delta, f.unit, locale, words)} verdictText={verdict} title={title} testId={`kpi-${f.key}-trend`} />;
  };
  const roleTrend = (r: RoleCompliance) => (
    <TrendBadge
      trend={r.trend}
      deltaText={r.trend.delta === null ? null : formatDelta(r.trend.delta, "share", locale, words)}
      verdictText={r.trend.verdict === null ? p("noTrend") : p(r.trend.verdict)}
      title={`${p("previous")} (${span(data.previousPeriod)}): ${formatKpi(r.previous, "share", locale)}, n = ${n(r.previousKnown)}`}
      testId={`kpi-role-${r.key ?? "none"}-trend`}
    />
  );
  const empty = KPI_KEYS.every((k) => data.kpis[k].value === null);
  const totalEpisodes = data.byRole.reduce((a, r) => a + r.episodes, 0);
  return (
    <>
      <section className="flex flex-col gap-3" aria-labelledby="kpi-title">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="kpi-title" className="text-lg font-medium">
            {p("kpiTitle")}
          </h2>
          <p className="text-xs text-slate-500" data-testid="kpi-periods">
            {span(data.period)}, {p("comparedWith")} {span(data.previousPeriod)}
          </p>
        </div>
        <ReportFilters
          legend={p("filters")}
          anyLabel={p("any")}
          resetLabel={p("reset")}
          note={p("filterNote")}
          testId="kpi-filters"
          selects={[
            { name: "role", label: p("role"), options: [...options.roles.map((r) => ({ value: r.key, label: r.label })), { value: "none", label: p("noRole") }] },
            { name: "cohort", label: p("cohort"), options: options.cohorts.map((c) => ({ value: String(c.id), label: c.title })) },
            { name: "channel", label: p("channel"), options: options.channels.map((c) => ({ value: String(c.id), label: `${c.title} (${c.source})` })) },
            { name: "source", label: p("source"), options: options.sources.map((x) => ({ value: x, label: x })) },
          ]}
        />
        {empty && (
          <p className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-500" data-testid="kpi-empty">
            {p("kpiEmpty")}
          </p>
        )}
        <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
          {KPI_KEYS.map((k) => {
            const f = data.kpis[k];
            return (
              <KpiCard
                key={k}
                id={k}
                label={p(`kpi_${k}` as OverviewMessageKey)}
                value={formatKpi(f.value, f.unit, locale)}
                href={f.href}
                linkTitle={f.href?.startsWith("/episodes") ? p("open") : p("openReport")}
                count={`n = ${n(f.n)} ${p(`n_${k}` as OverviewMessageKey)}`}
                hint={p(`hint_${k}` as OverviewMessageKey)}
                trend={trendFor(f)}
                unfiltered={f.unfiltered.length === 0 ? null : `${p("notFiltered")}: ${f.unfiltered.map((x) => p(x)).join(", ")}`}
              />
            );
          })}
        </div>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="kpi-role-title">
        <h2 id="kpi-role-title" className="mb-2 font-medium">
          {p("byRoleTitle")} <span className="text-sm font-normal text-slate-500">(n = {n(totalEpisodes)})</span>
        </h2>
        {data.byRole.length === 0 ? (
          <p className="py-6 text-center text-slate-500" data-testid="kpi-role-empty">
            {p("byRoleEmpty")}
          </p>
        ) : (
          <RoleComplianceTable rows={data.byRole} locale={locale} p={p} canDrill={canDrill} trendCell={roleTrend} />
        )}
      </section>
    </>
  );
}
