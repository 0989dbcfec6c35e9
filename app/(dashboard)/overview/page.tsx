import { Suspense } from "react";
import { getOverview } from "@/lib/dal/overview";
import { getT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { StatCard } from "@/components/ui/StatCard";
import { VolumeChart } from "@/components/charts/VolumeChart";
import { CsvLink } from "@/components/tables/CsvLink";
import { KpiCardsSkeleton } from "@/components/overview/KpiCard";
import { overviewMessages } from "@/lib/i18n/pages/overview";
import { KpiSection } from "./KpiSection";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; role?: string; cohort?: string; channel?: string; source?: string }>;

export default async function OverviewPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, locale }, data] = await Promise.all([getT(), getOverview(sp)]);
  const n = (x: number) => formatNumber(x, locale);
  const lastDay = data.volume.at(-1)?.day ?? data.period.from;
  const qs = new URLSearchParams({ school: data.school.slug, from: data.period.from, to: lastDay }).toString();
  const total = data.volume.reduce((acc, r) => acc + data.sources.reduce((a, s) => a + Number(r[s] ?? 0), 0), 0);
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          {t("overviewTitle")} · {data.school.name}
        </h1>
        <p className="text-sm text-slate-600" data-testid="period">
          {data.period.from} — {lastDay} ({data.school.timezone})
        </p>
      </div>
      {/* Streamed: the counts and chart below show first, while this runs the SLA, CSAT, queue and outcomes reports for two periods. */}
      <Suspense fallback={<KpiCardsSkeleton label={overviewMessages[locale].loading} cards={8} />}>
        <KpiSection sp={{ school: sp.school, from: sp.from, to: sp.to, days: sp.days, role: sp.role, cohort: sp.cohort, channel: sp.channel, source: sp.source }} />
      </Suspense>
      <section className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6" aria-label="counts">
        <StatCard label={t("students")} value={n(data.counts.students)} testId="count-students" />
        <StatCard label={t("staff")} value={n(data.counts.staff)} testId="count-staff" />
        <StatCard label={t("cohorts")} value={n(data.counts.cohorts)} testId="count-cohorts" />
        <StatCard label={t("activeEnrollments")} value={n(data.counts.activeEnrollments)} testId="count-active" />
        <StatCard label={t("channels")} value={n(data.counts.channels)} testId="count-channels" />
        <StatCard
          label={`${t("messages")}, ${t("inPeriod")}`}
          value={n(data.counts.messages)}
          hint={`${t("dmMessages")}: ${n(data.counts.dmMessages)}`}
          testId="count-messages"
        />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="volume-title">
        <div className="mb-2 flex items-center justify-between">
          <h2 id="volume-title" className="font-medium">
            {t("volumeTitle")} <span className="text-sm font-normal text-slate-500">(n = {n(total)})</span>
          </h2>
          <CsvLink href={`/api/export/overview?${qs}`} label={t("exportCsv")} />
        </div>
        {total === 0 ? (
          <p className="py-12 text-center text-slate-500">{t("volumeEmpty")}</p>
        ) : (
          <>
            <VolumeChart data={data.volume} sources={data.sources} title={t("volumeTitle")} />
            <details className="mt-3">
              <summary className="cursor-pointer text-sm text-slate-600">{t("day")} × {t("source")}</summary>
              <div className="max-h-80 overflow-auto">
                <table className="mt-2 w-full text-sm tabular-nums" data-testid="volume-table">
                  <thead className="sticky top-0 bg-white text-left">
                    <tr>
                      <th className="py-1 pr-4">{t("day")}</th>
                      {data.sources.map((s) => (
                        <th key={s} className="py-1 pr-4 text-right">{s}</th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {data.volume.map((r) => (
                      <tr key={r.day} className="border-t border-slate-100">
                        <td className="py-1 pr-4">{r.day}</td>
                        {data.sources.map((s) => (
                          <td key={s} className="py-1 pr-4 text-right">{n(Number(r[s] ?? 0))}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </>
        )}
      </section>
    </div>
  );
}
