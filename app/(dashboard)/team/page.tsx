import { getTeam } from "@/lib/dal/team";
import { getPageT } from "@/lib/i18n/server";
import { teamMessages } from "@/lib/i18n/pages/team";
import { roleName } from "@/lib/i18n/pages/queue";
import { StatCard } from "@/components/ui/StatCard";
import { CsvLink } from "@/components/tables/CsvLink";
import { UrlSelect } from "@/components/queue/UrlSelect";
import { LoadChart } from "@/components/team/LoadChart";
import { TeamTable } from "@/components/team/TeamTable";
import { RebalanceList } from "@/components/team/RebalanceList";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; team?: string; role?: string }>;

export default async function TeamPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, p, locale }, data] = await Promise.all([getPageT(teamMessages), getTeam(sp)]);
  const nf = (x: number, digits = 0) => new Intl.NumberFormat(locale === "ru" ? "ru-RU" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(x);
  const roleNames = Object.fromEntries(data.options.roles.map((r) => [r, roleName(p, r)]));
  const lastDay = new Date(Date.parse(`${data.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const qs = new URLSearchParams({ school: data.school.slug, from: data.period.from, to: lastDay, ...(data.filters.team ? { team: data.filters.team } : {}), ...(data.filters.role ? { role: data.filters.role } : {}) });
  const overloaded = data.rows.filter((r) => r.overloaded).length;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">
            {p("title")} · {data.school.name}
          </h1>
          <p className="text-sm text-slate-600">{p("subtitle")}</p>
        </div>
        <p className="text-sm text-slate-600" data-testid="period">
          {data.period.from} — {lastDay} ({data.school.timezone})
        </p>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <UrlSelect param="team" label={p("team")} allLabel={p("all")} testId="filter-team" options={data.options.teams.map((x) => ({ value: x, label: x }))} />
        <UrlSelect param="role" label={p("role")} allLabel={p("all")} testId="filter-role" options={data.options.roles.map((r) => ({ value: r, label: roleNames[r] ?? r }))} />
        <div className="ml-auto">
          <CsvLink href={`/api/export/team?${qs.toString()}`} label={t("exportCsv")} />
        </div>
      </div>
      <section className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard label={p("staffShown")} value={`${nf(data.rows.length)} / ${nf(data.totalStaff)}`} testId="team-count" />
        <StatCard label={p("overloadedCount")} value={nf(overloaded)} hint={`n = ${nf(data.rows.length)}`} testId="team-overloaded" />
        <StatCard label={p("answered")} value={nf(data.rows.reduce((a, r) => a + r.episodesAnswered, 0))} hint={`${p("openOwned")}: ${nf(data.rows.reduce((a, r) => a + r.openOwned, 0))}`} />
        <StatCard label={p("workingHours")} value={nf(data.workingHours, 1)} hint={data.workingHoursBasis === "default-calendar" ? p("basisDefault") : p("basisAll")} />
      </section>
      {data.rows.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white py-12 text-center text-slate-600" data-testid="team-empty">
          {p("empty")}
        </p>
      ) : (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="load-title">
            <h2 id="load-title" className="mb-2 font-medium">
              {p("chartTitle")} <span className="text-sm font-normal text-slate-500">(n = {nf(data.rows.length)})</span>
            </h2>
            <LoadChart
              title={p("chartTitle")}
              labels={{ answered: p("chartAnswered"), openOwned: p("chartOpen") }}
              data={data.rows.map((r) => ({ name: `${r.overloaded ? "⚠ " : ""}${r.name}`, answered: r.episodesAnswered, openOwned: r.openOwned }))}
            />
          </section>
          <p className="text-xs text-slate-600">{p("legendFlag")}</p>
          <TeamTable
            rows={data.rows}
            roleNames={roleNames}
            num={nf}
            labels={{
              person: p("person"), role: p("role"), team: p("team"), answered: p("answered"), openOwned: p("openOwned"), students: p("students"), median: p("median"),
              p90: p("p90"), breaches: p("breaches"), csat: p("csat"), checkIn: p("checkIn"), perHour: p("perHour"), limit: p("limit"), overloaded: p("overloaded"),
              overAssigned: p("overAssigned"), minutes: p("minutes"), n: p("n"),
            }}
          />
          <RebalanceList
            plans={data.rebalance}
            num={nf}
            labels={{
              rebalanceTitle: p("rebalanceTitle"), rebalanceRule: p("rebalanceRule"), moveStudent: p("moveStudent"), moveChannel: p("moveChannel"), episodes: p("episodes"),
              loadAfter: p("loadAfter"), unresolved: p("unresolved"), noMoves: p("noMoves"), nothingToMove: p("nothingToMove"), noOverload: p("noOverload"), perHour: p("perHour"), limit: p("limit"),
            }}
          />
        </>
      )}
    </div>
  );
}
