import Link from "next/link";
import { getSatisfaction } from "@/lib/dal/satisfaction";
import { canOpen, requireAccess } from "@/lib/dal/access";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { satisfactionMessages } from "@/lib/i18n/pages/satisfaction";
import { StatCard } from "@/components/ui/StatCard";
import { TrendLine } from "@/components/charts/TrendLine";
import { DataTable } from "@/components/tables/DataTable";
import { ReportFilters } from "@/components/filters/ReportFilters";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; groupBy?: string; role?: string; cohort?: string; channel?: string; source?: string }>;
const groupBys = ["person", "cohort", "week", "role", "channel"] as const;

export default async function SatisfactionPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const groupBy = groupBys.find((g) => g === sp.groupBy) ?? "person";
  const [{ t: tr, p, locale }, data, access] = await Promise.all([getPageT(satisfactionMessages), getSatisfaction({ ...sp, groupBy }), requireAccess({ school: sp.school, page: "satisfaction" })]);
  const { report, weekly, comments } = data;
  const n = (x: number) => formatNumber(x, locale);
  const pct = (x: number | null) => (x === null ? "—" : `${x.toFixed(1)} %`);
  const dec = (x: number | null) => (x === null ? "—" : x.toFixed(2));
  const lastDay = new Date(Date.parse(`${report.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  // The filters the report applied (parsed values, so a stale one is not carried on), in every link and export.
  const f = report.filter;
  const dates = { school: report.school, from: report.period.from, to: lastDay };
  const base: Record<string, string> = { ...dates };
  if (f.role) base.role = f.role;
  if (f.cohortId !== undefined) base.cohort = String(f.cohortId);
  if (f.channelId !== undefined) base.channel = String(f.channelId);
  if (f.source) base.source = f.source;
  const href = (g: string) => `?${new URLSearchParams({ ...base, groupBy: g }).toString()}`;
  const exportQs = new URLSearchParams({ ...base, groupBy }).toString();
  const t = report.total;
  /**
   * The episodes behind a group (issue #5), with the episodes list's own filters: the responder, cohort,
   * channel or role key, or the week as the period (cut to this page's period). The list shows the
   * group's episodes, rated or not: it has no rating filter. Executives may not open the list: no link.
   */
  const drill = canOpen(access.role, "episodes");
  const drillHref = (key: string | null): string | null => {
    if (!drill || key === null) return null;
    const q: Record<string, string> = { ...base };
    // The group's key replaces the page filter of the same name (the row is inside the filter anyway).
    if (groupBy === "person") q.responder = key;
    else if (groupBy === "cohort") q.cohort = key;
    else if (groupBy === "channel") q.channel = key;
    else if (groupBy === "role") q.role = key;
    else {
      const end = new Date(Date.parse(`${key}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
      q.from = key < dates.from ? dates.from : key;
      q.to = end > dates.to ? dates.to : end;
    }
    return `/episodes?${new URLSearchParams(q).toString()}`;
  };
  const groupCell = (key: string | null, label: string) => {
    const h = drillHref(key);
    return h === null ? label : (
      <Link href={h} title={p("drillHint")} className="text-blue-800 underline decoration-dotted hover:decoration-solid" data-testid="csat-drill">
        {label}
      </Link>
    );
  };
  const tableLabels = { csv: tr("exportCsv"), empty: p("empty"), sortBy: p("sortBy"), locale };
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <p className="text-sm text-slate-600" data-testid="period">
          {report.period.from} — {lastDay} ({report.timezone})
        </p>
      </div>
      <ReportFilters
        legend={p("filters")}
        anyLabel={p("any")}
        resetLabel={p("reset")}
        note={p("filterNote")}
        testId="satisfaction-filters"
        selects={[
          { name: "role", label: p("role"), options: [...data.options.roles.map((r) => ({ value: r.key, label: r.label })), { value: "none", label: p("noRole") }] },
          { name: "cohort", label: p("cohort"), options: data.options.cohorts.map((c) => ({ value: String(c.id), label: c.title })) },
          { name: "channel", label: p("channel"), options: data.options.channels.map((c) => ({ value: String(c.id), label: `${c.title} (${c.source})` })) },
          { name: "source", label: p("source"), options: data.options.sources.map((x) => ({ value: x, label: x })) },
        ]}
      />
      <section className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="totals">
        <StatCard label={`${p("csat")} (${p("csatHint")})`} value={pct(t.csatPercent)} hint={`n = ${n(t.n)}`} testId="csat-total" />
        <StatCard label={p("mean")} value={dec(t.mean)} hint={`n = ${n(t.n)}`} testId="csat-mean" />
        <StatCard label={`${p("nps")} (${p("npsHint")})`} value={t.nps === null ? "—" : t.nps.toFixed(0)} hint={`n = ${n(t.npsN)}`} testId="nps-total" />
        <StatCard label={`${p("responseRate")} (${p("responseHint")})`} value={t.responseRate === null ? "—" : pct(100 * t.responseRate)} hint={`${p("surveys")}: ${n(t.surveysSent)}`} testId="response-rate" />
      </section>
      {t.n + t.npsN === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-12 text-center text-slate-500">{p("empty")}</p>
      ) : (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="mb-2 font-medium">{p("trend")}</h2>
            <TrendLine title={p("trend")} data={weekly.groups.filter((g) => g.key !== null).map((g) => ({ x: String(g.key), y: g.csatPercent, n: g.n }))} />
          </section>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <DataTable
              caption={`${p("csat")} · ${p("groupBy")} ${p(`g_${groupBy}`)} (n = ${n(report.groups.length)})`}
              testId="csat-table"
              csvHref={`/api/export/satisfaction?${exportQs}`}
              labels={tableLabels}
              toolbar={
                <nav aria-label={p("groupBy")} className="flex flex-wrap items-center gap-1 text-sm">
                  <span className="mr-1 text-slate-600">{p("groupBy")}:</span>
                  {groupBys.map((g) => (
                    <Link key={g} href={href(g)} aria-current={g === groupBy ? "true" : undefined} className={`rounded px-2 py-1 ${g === groupBy ? "bg-blue-50 font-medium text-blue-800" : "hover:bg-slate-100"}`}>
                      {p(`g_${g}`)}
                    </Link>
                  ))}
                </nav>
              }
              columns={[
                { key: "group", label: p("group") },
                { key: "csat", label: p("csat"), align: "right" },
                { key: "n", label: p("answers"), align: "right" },
                { key: "mean", label: p("mean"), align: "right" },
                { key: "nps", label: p("nps"), align: "right" },
                { key: "npsN", label: "n NPS", align: "right" },
                { key: "rate", label: p("responseRate"), align: "right" },
              ]}
              rows={report.groups.map((g) => ({
                key: String(g.key ?? "none"),
                cells: {
                  // Keep weeks in date order and the unlinked group last, whatever the label says.
                  group: { v: g.key === null ? p("noneGroup") : groupCell(g.key, g.label), s: g.key === null ? null : groupBy === "week" ? String(g.key) : g.label },
                  csat: { v: pct(g.csatPercent), s: g.csatPercent },
                  n: { v: n(g.n), s: g.n },
                  mean: { v: dec(g.mean), s: g.mean },
                  nps: { v: g.nps === null ? "—" : g.nps.toFixed(0), s: g.nps },
                  npsN: { v: n(g.npsN), s: g.npsN },
                  rate: { v: g.responseRate === null ? "—" : pct(100 * g.responseRate), s: g.responseRate },
                },
              }))}
            />
          </section>
        </>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        {!data.canSeeComments ? (
          <>
            <h2 className="mb-2 font-medium">{p("comments")}</h2>
            <p className="text-sm text-slate-500">{p("commentsHidden")}</p>
          </>
        ) : (
          <DataTable
            caption={`${p("comments")} (n = ${n(comments.length)})`}
            testId="comments-table"
            csvHref={`/api/export/satisfaction?${exportQs}&table=comments`}
            labels={{ ...tableLabels, empty: p("noComments") }}
            maxHeight="24rem"
            columns={[
              { key: "when", label: p("when"), nowrap: true },
              { key: "score", label: p("score") },
              { key: "responder", label: p("responder") },
              { key: "cohort", label: p("cohort") },
              { key: "comment", label: p("comment"), sortable: false },
            ]}
            rows={comments.map((c, i) => ({
              key: String(i),
              cells: {
                when: c.givenAt,
                score: { v: `${c.kind.toUpperCase()} ${c.score.toFixed(1)}`, s: c.score },
                responder: c.responder,
                cohort: c.cohort,
                comment: c.comment,
              },
            }))}
          />
        )}
      </section>
    </div>
  );
}
