import { getTeam } from "@/lib/dal/team";
import { canOpen, requireAccess } from "@/lib/dal/access";
import { getPageT } from "@/lib/i18n/server";
import { teamMessages } from "@/lib/i18n/pages/team";
import { roleName } from "@/lib/i18n/pages/queue";
import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { CsvLink } from "@/components/tables/CsvLink";
import { UrlSelect } from "@/components/queue/UrlSelect";
import { LiveTeam, type LiveTeamLabels } from "@/components/team/LiveTeam";
import { teamQueryOptions, type TeamParams } from "@/components/team/teamQuery";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; team?: string; role?: string }>;

export default async function TeamPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, p, locale }, data, access] = await Promise.all([getPageT(teamMessages), getTeam(sp), requireAccess({ school: sp.school, page: "team" })]);
  // Executives see the load but not the episodes list (per-student rows): no drill-down links for them.
  const drill = canOpen(access.role, "episodes");
  const roleNames = Object.fromEntries(data.options.roles.map((r) => [r, roleName(p, r)]));
  const lastDay = new Date(Date.parse(`${data.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const qs = new URLSearchParams({ school: data.school.slug, from: data.period.from, to: lastDay, ...(data.filters.team ? { team: data.filters.team } : {}), ...(data.filters.role ? { role: data.filters.role } : {}) });
  // The URL's own filters key the cache, so the client polls exactly what the server rendered.
  const params: TeamParams = { school: data.school.slug, from: sp.from, to: sp.to, days: sp.days, team: data.filters.team, role: data.filters.role };
  const qc = new QueryClient();
  qc.setQueryData(teamQueryOptions(params).queryKey, data);
  const keys = [
    "person", "role", "team", "answered", "openOwned", "students", "median", "p90", "breaches", "csat", "checkIn", "perHour", "limit", "overloaded", "overAssigned", "minutes", "n",
    "rebalanceTitle", "rebalanceRule", "moveStudent", "moveChannel", "episodes", "loadAfter", "unresolved", "noMoves", "nothingToMove", "noOverload",
    "staffShown", "overloadedCount", "workingHours", "basisDefault", "basisAll", "empty", "chartTitle", "chartAnswered", "chartOpen", "legendFlag", "updated", "live", "stale",
  ] as const;
  // Typed through the key list, so a label the component needs and the list forgets fails the build.
  const labels: LiveTeamLabels = Object.fromEntries(keys.map((k) => [k, p(k)])) as Record<(typeof keys)[number], string>;
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
      <HydrationBoundary state={dehydrate(qc)}>
        <LiveTeam params={params} labels={labels} roleNames={roleNames} locale={locale} drill={drill} />
      </HydrationBoundary>
    </div>
  );
}
