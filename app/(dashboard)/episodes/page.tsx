import Link from "next/link";
import { getEpisodeList } from "@/lib/dal/episodes";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { episodeMessages, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";
import { slaMessages } from "@/lib/i18n/pages/sla";
import { CsvLink } from "@/components/tables/CsvLink";
import { EpisodePager, EpisodeTable } from "@/components/tables/EpisodeTable";
import { ReportFilters } from "@/components/filters/ReportFilters";

type SP = Promise<Record<string, string | string[] | undefined>>;

/** The episodes behind an SLA figure: heatmap cell (weekday, hour), group row (role, policy), breached. */
export default async function EpisodesPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, locale, p }, data] = await Promise.all([getPageT(episodeMessages), getEpisodeList(sp)]);
  const ps = (k: keyof (typeof slaMessages)["ru"]) => slaMessages[locale][k];
  const n = (x: number) => formatNumber(x, locale);
  const f = data.filter;
  const params: Record<string, string> = { school: data.school.slug, from: data.period.from, to: data.lastDay };
  const keep = ["role", "cohort", "channel", "source", "weekday", "hour", "policy", "breached", "status", "responder"] as const;
  for (const k of keep) {
    const v = sp[k];
    if (typeof v === "string" && v !== "") params[k] = v;
  }
  const qs = (extra: Record<string, string> = {}) => new URLSearchParams({ ...params, ...extra }).toString();
  const slaQs = new URLSearchParams(Object.fromEntries(Object.entries(params).filter(([k]) => ["school", "from", "to", "role", "cohort", "channel", "source"].includes(k)))).toString();
  const roleLabel = (key: string) => data.options.roles.find((r) => r.key === key)?.label ?? (key === "none" ? ps("noRole") : key);
  const chips = [
    f.weekday !== undefined ? `${p("filterWeekday")}: ${p(`wd${f.weekday}` as EpisodeMessageKey)}` : null,
    f.hour !== undefined ? `${p("filterHour")}: ${String(f.hour).padStart(2, "0")}:00–${String(f.hour).padStart(2, "0")}:59` : null,
    f.role ? `${p("role")}: ${roleLabel(f.role)}` : null,
    f.policy !== undefined ? `${p("policy")}: ${f.policy === "none" ? ps("noPolicy") : (data.options.policies.find((x) => x.id === f.policy)?.name ?? f.policy)}` : null,
    f.cohortId !== undefined ? `${p("cohort")}: ${data.options.cohorts.find((c) => c.id === f.cohortId)?.title ?? f.cohortId}` : null,
    f.channelId !== undefined ? `${ps("channel")}: ${data.options.channels.find((c) => c.id === f.channelId)?.title ?? f.channelId}` : null,
    f.source ? `${ps("source")}: ${f.source}` : null,
    f.breached ? p("breachedOnly") : null,
    f.status ? `${p("status")}: ${p(`st_${f.status}` as EpisodeMessageKey)}` : null,
  ].filter((x): x is string => x !== null);
  return (
    <div className="flex flex-col gap-4">
      <Link href={`/sla?${slaQs}`} className="text-sm text-blue-800 hover:underline">{p("back")}</Link>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          {p("title")} · {data.school.name}
        </h1>
        <p className="text-sm text-slate-600" data-testid="period">
          {data.period.from} — {data.lastDay} ({data.school.timezone})
        </p>
      </div>
      <ReportFilters
        testId="sla-filters"
        legend={ps("filters")}
        anyLabel={ps("any")}
        resetLabel={ps("reset")}
        selects={[
          { name: "role", label: ps("role"), options: [...data.options.roles.map((r) => ({ value: r.key, label: r.label })), { value: "none", label: ps("noRole") }] },
          { name: "cohort", label: ps("cohort"), options: data.options.cohorts.map((c) => ({ value: String(c.id), label: c.title })) },
          { name: "channel", label: ps("channel"), options: data.options.channels.map((c) => ({ value: String(c.id), label: `${c.title} (${c.source})` })) },
          { name: "source", label: ps("source"), options: data.options.sources.map((x) => ({ value: x, label: x })) },
        ]}
      />
      {chips.length > 0 && (
        <ul className="flex flex-wrap gap-2 text-sm" aria-label={ps("filters")} data-testid="drill-filters">
          {chips.map((c) => (
            <li key={c} className="rounded-full bg-blue-50 px-3 py-0.5 text-blue-900">{c}</li>
          ))}
        </ul>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="list-title">
        <div className="mb-2 flex items-center justify-between">
          <h2 id="list-title" className="font-medium">
            {p("count")}: <span data-testid="episodes-total">{n(data.list.total)}</span>
          </h2>
          <CsvLink href={`/api/export/episodes?${qs()}`} label={t("exportCsv")} />
        </div>
        {data.list.total === 0 ? (
          <p className="py-12 text-center text-slate-500">{p("empty")}</p>
        ) : (
          <>
            <EpisodeTable rows={data.list.rows} tz={data.school.timezone} locale={locale} p={p} school={data.school.slug} testId="episodes-table" />
            <EpisodePager page={data.page} total={data.list.total} pageSize={data.pageSize} hrefFor={(page) => `/episodes?${qs({ page: String(page) })}`} p={p} />
          </>
        )}
      </section>
    </div>
  );
}
