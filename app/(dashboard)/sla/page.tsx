import { getSlaPage } from "@/lib/dal/sla";
import { getSlaExtra } from "@/lib/dal/sla-extra";
import { SlaExtraTables } from "@/components/sla/SlaExtraTables";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { slaMessages } from "@/lib/i18n/pages/sla";
import { episodeMessages, formatLocalTime, formatMinutes, formatPct, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";
import { StatCard } from "@/components/ui/StatCard";
import { CsvLink } from "@/components/tables/CsvLink";
import { EpisodePager, EpisodeTable } from "@/components/tables/EpisodeTable";
import { SlaWeeklyChart } from "@/components/charts/SlaWeeklyChart";
import { ReportFilters } from "@/components/filters/ReportFilters";
import { SlaPolicyTable, SlaRoleTable } from "./_components/SlaGroupTables";
import { SlaHeatmapSection } from "./_components/SlaHeatmapSection";
import { weeklySeries } from "./_components/weekly";
import { BREACHED_PAGE_SIZE } from "@/lib/dal/sla";

type SP = Promise<Record<string, string | string[] | undefined>>;

export default async function SlaPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  // One instant for both reports: they then judge the open episodes once (openFlags shares the read).
  const now = new Date();
  const [{ t, locale, p }, data, extra] = await Promise.all([getPageT(slaMessages), getSlaPage(sp, now), getSlaExtra(sp, now)]);
  const pe = (k: EpisodeMessageKey) => episodeMessages[locale][k];
  const n = (x: number) => formatNumber(x, locale);
  const f = data.filter;
  // The page's own filters, carried into every link, export and drill-down.
  const base: Record<string, string> = { school: data.school.slug, from: data.period.from, to: data.lastDay };
  if (f.role) base.role = f.role;
  if (f.cohortId !== undefined) base.cohort = String(f.cohortId);
  if (f.channelId !== undefined) base.channel = String(f.channelId);
  if (f.source) base.source = f.source;
  const qs = (extra: Record<string, string> = {}) => new URLSearchParams({ ...base, ...extra }).toString();
  const episodesHref = (extra: Record<string, string>) => `/episodes?${qs(extra)}`;
  const pageHref = (page: number) => `/sla?${qs({ metric: data.metric, page: String(page) })}#breached`;
  const s = data.breakdown.total;
  const weekly = weeklySeries(data, p("total"), p("noRole"));
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          {p("title")} · {data.school.name}
        </h1>
        <p className="text-sm text-slate-600" data-testid="period">
          {data.period.from} — {data.lastDay} ({data.school.timezone}); {p("asOf")} {formatLocalTime(data.asOf, data.school.timezone, locale)}
        </p>
      </div>
      <ReportFilters
        testId="sla-filters"
        legend={p("filters")}
        anyLabel={p("any")}
        resetLabel={p("reset")}
        selects={[
          { name: "role", label: p("role"), options: [...data.options.roles.map((r) => ({ value: r.key, label: r.label })), { value: "none", label: p("noRole") }] },
          { name: "cohort", label: p("cohort"), options: data.options.cohorts.map((c) => ({ value: String(c.id), label: c.title })) },
          { name: "channel", label: p("channel"), options: data.options.channels.map((c) => ({ value: String(c.id), label: `${c.title} (${c.source})` })) },
          { name: "source", label: p("source"), options: data.options.sources.map((x) => ({ value: x, label: x })) },
        ]}
      />
      <section className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-5" aria-label={p("compliance")}>
        <StatCard label={p("compliance")} value={formatPct(s.compliance, locale)} hint={`${n(s.met)} / ${n(s.known)} · ${p("complianceHint")}`} testId="stat-compliance" />
        <StatCard label={`${p("median")}, ${p("minutes")}`} value={formatMinutes(s.medianMinutes, locale)} hint={`p90: ${formatMinutes(s.p90Minutes, locale)} · ${p("answeredN")}: ${n(s.answered)}`} testId="stat-median" />
        <StatCard label={p("episodes")} value={n(s.episodes)} hint={`${p("openN")}: ${n(s.open)}`} testId="stat-episodes" />
        <StatCard label={p("breachingNow")} value={n(s.breachingNow)} hint={`${p("breached")}: ${n(s.breached)}`} testId="stat-breaching" />
        <StatCard label={p("atRisk")} value={n(s.atRisk)} hint={p("atRiskHint")} testId="stat-at-risk" />
      </section>
      {s.episodes === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white py-12 text-center text-slate-500" data-testid="sla-empty">{p("empty")}</p>
      ) : (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="role-title">
            <div className="mb-2 flex items-center justify-between">
              <h2 id="role-title" className="font-medium">
                {p("byRole")} <span className="text-sm font-normal text-slate-500">(n = {n(s.episodes)})</span>
              </h2>
              <CsvLink href={`/api/export/sla?${qs({ table: "role" })}`} label={t("exportCsv")} />
            </div>
            <SlaRoleTable data={data} locale={locale} p={p} episodesHref={episodesHref} />
          </section>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="weekly-title">
            <div className="mb-2 flex items-center justify-between">
              <h2 id="weekly-title" className="font-medium">
                {p("weekly")} <span className="text-sm font-normal text-slate-500">(n = {n(s.known)} {p("known").toLowerCase()})</span>
              </h2>
              <CsvLink href={`/api/export/sla?${qs({ table: "weekly" })}`} label={t("exportCsv")} />
            </div>
            <SlaWeeklyChart data={weekly.rows} series={weekly.series} title={p("weekly")} />
          </section>
          <SlaHeatmapSection data={data} locale={locale} p={p} pe={pe} episodesHref={episodesHref} />
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="policy-title">
            <div className="mb-2 flex items-center justify-between">
              <h2 id="policy-title" className="font-medium">{p("byPolicy")}</h2>
              <CsvLink href={`/api/export/sla?${qs({ table: "policy" })}`} label={t("exportCsv")} />
            </div>
            <SlaPolicyTable data={data} locale={locale} p={p} episodesHref={episodesHref} />
          </section>
        </>
      )}
      <SlaExtraTables data={extra} locale={locale} p={p} csvLabel={t("exportCsv")} csvHref={(table) => `/api/export/sla-extra?${qs({ table })}`} />
      <section id="breached" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="breached-title">
        <div className="mb-2 flex items-center justify-between">
          <h2 id="breached-title" className="font-medium">
            {p("breachedList")} <span className="text-sm font-normal text-slate-500">(n = {n(data.breached.total)})</span>
          </h2>
          <CsvLink href={`/api/export/sla?${qs({ table: "breached" })}`} label={t("exportCsv")} />
        </div>
        {data.breached.total === 0 ? (
          <p className="py-8 text-center text-slate-500">{p("breachedEmpty")}</p>
        ) : (
          <>
            <EpisodeTable rows={data.breached.rows} tz={data.school.timezone} locale={locale} p={pe} school={data.school.slug} testId="breached-table" />
            <EpisodePager page={data.page} total={data.breached.total} pageSize={BREACHED_PAGE_SIZE} hrefFor={pageHref} p={pe} />
          </>
        )}
      </section>
    </div>
  );
}
