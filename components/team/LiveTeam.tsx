"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { StatCard } from "@/components/ui/StatCard";
import { LoadChart } from "./LoadChart";
import { episodesHref, TeamTable, type TeamTableLabels } from "./TeamTable";
import { RebalanceList, type RebalanceLabels } from "./RebalanceList";
import { teamQueryOptions, type TeamParams } from "./teamQuery";
import { UpdatedLine } from "../ui/UpdatedLine";

export type LiveTeamLabels = TeamTableLabels &
  RebalanceLabels &
  Record<"staffShown" | "overloadedCount" | "workingHours" | "basisDefault" | "basisAll" | "empty" | "chartTitle" | "chartAnswered" | "chartOpen" | "legendFlag" | "updated" | "live" | "stale", string>;

/**
 * The team page below its filters: first paint from the server (the cache is seeded under the factory's
 * key), then /api/team every 30 s, so load and overload flags follow the day without a reload. When a
 * refresh fails the last figures stay, marked with their time.
 */
export function LiveTeam({ params, labels, roleNames, locale, drill }: { params: TeamParams; labels: LiveTeamLabels; roleNames: Record<string, string>; locale: "ru" | "en"; drill: boolean }) {
  const q = useQuery(teamQueryOptions(params));
  const data = q.data;
  const tag = locale === "ru" ? "ru-RU" : "en-GB";
  // The table shows whole numbers and one decimal: two formatters, made once per language.
  const nf = useMemo(() => {
    const f0 = new Intl.NumberFormat(tag, { maximumFractionDigits: 0 });
    const f1 = new Intl.NumberFormat(tag, { maximumFractionDigits: 1 });
    const f2 = new Intl.NumberFormat(tag, { maximumFractionDigits: 2 });
    return (x: number, digits = 0) => (digits <= 0 ? f0 : digits === 1 ? f1 : f2).format(x);
  }, [tag]);
  const timezone = data?.school.timezone ?? "UTC";
  const fmtClock = useMemo(() => new Intl.DateTimeFormat(tag, { timeZone: timezone, hour: "2-digit", minute: "2-digit", second: "2-digit" }), [tag, timezone]);
  if (!data) return <div className="h-96 animate-pulse rounded-lg bg-slate-200" aria-busy="true" />;

  const overloaded = data.rows.filter((r) => r.overloaded).length;
  // The episodes list takes the last day inclusive; the report's period end is exclusive.
  const lastDay = new Date(Date.parse(`${data.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const base = { school: data.school.slug, from: data.period.from, to: lastDay };
  return (
    <div className="flex flex-col gap-6">
      <UpdatedLine asOf={data.asOf} timezone={timezone} isError={q.isError} fmtClock={fmtClock} labels={labels} testId="team-updated" />
      <section className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard label={labels.staffShown} value={`${nf(data.rows.length)} / ${nf(data.totalStaff)}`} testId="team-count" />
        <StatCard label={labels.overloadedCount} value={nf(overloaded)} hint={`n = ${nf(data.rows.length)}`} testId="team-overloaded" />
        <StatCard label={labels.answered} value={nf(data.rows.reduce((a, r) => a + r.episodesAnswered, 0))} hint={`${labels.openOwned}: ${nf(data.rows.reduce((a, r) => a + r.openOwned, 0))}`} />
        <StatCard label={labels.workingHours} value={nf(data.workingHours, 1)} hint={data.workingHoursBasis === "default-calendar" ? labels.basisDefault : labels.basisAll} />
      </section>
      {data.rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white py-12 text-center text-slate-600" data-testid="team-empty">
          {labels.empty}
        </p>
      ) : (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="load-title">
            <h2 id="load-title" className="mb-2 font-medium">
              {labels.chartTitle} <span className="text-sm font-normal text-slate-500">(n = {nf(data.rows.length)})</span>
            </h2>
            <LoadChart
              title={labels.chartTitle}
              labels={{ answered: labels.chartAnswered, openOwned: labels.chartOpen }}
              data={data.rows.map((r) => ({
                name: `${r.overloaded ? "⚠ " : ""}${r.name}`, answered: r.episodesAnswered, openOwned: r.openOwned,
                answeredHref: drill ? episodesHref(base, r.personId, { status: "answered" }) : null, openHref: drill ? episodesHref(base, r.personId, { status: "open" }) : null,
              }))}
            />
          </section>
          <p className="text-xs text-slate-600">{labels.legendFlag}</p>
          <TeamTable rows={data.rows} roleNames={roleNames} num={nf} labels={labels} base={drill ? base : null} />
          <RebalanceList plans={data.rebalance} num={nf} labels={labels} />
        </>
      )}
    </div>
  );
}
