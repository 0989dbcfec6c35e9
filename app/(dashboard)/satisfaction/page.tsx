import Link from "next/link";
import { getSatisfaction } from "@/lib/dal/satisfaction";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { satisfactionMessages } from "@/lib/i18n/pages/satisfaction";
import { StatCard } from "@/components/ui/StatCard";
import { TrendLine } from "@/components/charts/TrendLine";
import { CsvLink } from "@/components/tables/CsvLink";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; groupBy?: string }>;
const groupBys = ["person", "cohort", "week", "role", "channel"] as const;

export default async function SatisfactionPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const groupBy = groupBys.find((g) => g === sp.groupBy) ?? "person";
  const [{ p, locale }, data] = await Promise.all([getPageT(satisfactionMessages), getSatisfaction({ ...sp, groupBy })]);
  const { report, weekly, comments } = data;
  const n = (x: number) => formatNumber(x, locale);
  const pct = (x: number | null) => (x === null ? "—" : `${x.toFixed(1)} %`);
  const dec = (x: number | null) => (x === null ? "—" : x.toFixed(2));
  const lastDay = new Date(Date.parse(`${report.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  const base = { school: report.school, from: report.period.from, to: lastDay };
  const href = (g: string) => `?${new URLSearchParams({ ...base, groupBy: g }).toString()}`;
  const exportQs = new URLSearchParams({ ...base, groupBy }).toString();
  const t = report.total;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <p className="text-sm text-slate-600" data-testid="period">
          {report.period.from} — {lastDay} ({report.timezone})
        </p>
      </div>
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
            <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
              <nav aria-label={p("groupBy")} className="flex flex-wrap items-center gap-1 text-sm">
                <span className="mr-1 text-slate-600">{p("groupBy")}:</span>
                {groupBys.map((g) => (
                  <Link key={g} href={href(g)} aria-current={g === groupBy ? "true" : undefined} className={`rounded px-2 py-1 ${g === groupBy ? "bg-blue-50 font-medium text-blue-800" : "hover:bg-slate-100"}`}>
                    {p(`g_${g}`)}
                  </Link>
                ))}
              </nav>
              <CsvLink href={`/api/export/satisfaction?${exportQs}`} label="CSV" />
            </div>
            <div className="overflow-x-auto">
              <table className="w-full text-sm tabular-nums" data-testid="csat-table">
                <thead className="text-left text-slate-600">
                  <tr>
                    <th className="py-1 pr-4">{p("group")}</th>
                    <th className="py-1 pr-4 text-right">{p("csat")}</th>
                    <th className="py-1 pr-4 text-right">{p("answers")}</th>
                    <th className="py-1 pr-4 text-right">{p("mean")}</th>
                    <th className="py-1 pr-4 text-right">{p("nps")}</th>
                    <th className="py-1 pr-4 text-right">n NPS</th>
                    <th className="py-1 pr-4 text-right">{p("responseRate")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.groups.map((g) => (
                    <tr key={g.key ?? "none"} className="border-t border-slate-100">
                      <td className="py-1 pr-4">{g.key === null ? p("noneGroup") : g.label}</td>
                      <td className="py-1 pr-4 text-right">{pct(g.csatPercent)}</td>
                      <td className="py-1 pr-4 text-right">{n(g.n)}</td>
                      <td className="py-1 pr-4 text-right">{dec(g.mean)}</td>
                      <td className="py-1 pr-4 text-right">{g.nps === null ? "—" : g.nps.toFixed(0)}</td>
                      <td className="py-1 pr-4 text-right">{n(g.npsN)}</td>
                      <td className="py-1 pr-4 text-right">{g.responseRate === null ? "—" : pct(100 * g.responseRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <div className="mb-2 flex items-center justify-between">
          <h2 className="font-medium">
            {p("comments")} <span className="text-sm font-normal text-slate-500">(n = {n(comments.length)})</span>
          </h2>
          {data.canSeeComments && comments.length > 0 && <CsvLink href={`/api/export/satisfaction?${exportQs}&table=comments`} label="CSV" />}
        </div>
        {!data.canSeeComments ? (
          <p className="text-sm text-slate-500">{p("commentsHidden")}</p>
        ) : comments.length === 0 ? (
          <p className="text-sm text-slate-500">{p("noComments")}</p>
        ) : (
          <div className="max-h-96 overflow-auto">
            <table className="w-full text-sm" data-testid="comments-table">
              <thead className="sticky top-0 bg-white text-left text-slate-600">
                <tr>
                  <th className="py-1 pr-4">{p("when")}</th>
                  <th className="py-1 pr-4">{p("score")}</th>
                  <th className="py-1 pr-4">{p("responder")}</th>
                  <th className="py-1 pr-4">{p("cohort")}</th>
                  <th className="py-1 pr-4">{p("comment")}</th>
                </tr>
              </thead>
              <tbody>
                {comments.map((c, i) => (
                  <tr key={i} className="border-t border-slate-100 align-top">
                    <td className="whitespace-nowrap py-1 pr-4 tabular-nums">{c.givenAt}</td>
                    <td className="py-1 pr-4 tabular-nums">{c.kind.toUpperCase()} {c.score.toFixed(1)}</td>
                    <td className="py-1 pr-4">{c.responder ?? "—"}</td>
                    <td className="py-1 pr-4">{c.cohort ?? "—"}</td>
                    <td className="py-1 pr-4">{c.comment}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
