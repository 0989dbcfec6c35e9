import Link from "next/link";
import { DateTime } from "luxon";
import { redirect } from "next/navigation";
import { getOutcomes, type OutcomesReport } from "@/lib/dal/outcomes";
import { getDataCredits } from "@/lib/dal/credits";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { outcomesMessages } from "@/lib/i18n/pages/outcomes";
import { StatCard } from "@/components/ui/StatCard";
import { CsvLink } from "@/components/tables/CsvLink";
import { CompletionTable, type CompletionTableRow } from "@/components/charts/CompletionTable";
import { RetentionChart } from "@/components/charts/RetentionChart";
import { PrintButton } from "./PrintButton";
import { PrintStyles } from "./PrintStyles";
import { getContacts } from "@/lib/dal/contacts";
import { ContactSections } from "./ContactSections";
import { RiskFilters } from "./RiskFilters";
import { OutcomesScope } from "@/components/outcomes/OutcomesScope";
import { RetentionTable } from "@/components/outcomes/RetentionTable";
import { retentionTable } from "@/lib/reports/outcomes";

type SP = Promise<{ school?: string; from?: string; to?: string; days?: string; asOf?: string; sort?: string; view?: string; course?: string; cohort?: string; tier?: string; reason?: string }>;

export default async function OutcomesPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const credits = await getDataCredits({ school: sp.school });
  // A historical data set (OULAD, 2013) has nothing in "the last 365 days": open it over its own cohorts,
  // to the last enrollment end, so every enrollment has ended and completion matches the source's counts.
  if (credits.oulad && credits.cohortSpan && !sp.from && !sp.to && !sp.days) {
    const u = new URLSearchParams({ school: credits.school, from: credits.cohortSpan.from, to: credits.cohortSpan.to, ...(sp.view ? { view: sp.view } : {}), ...(sp.sort ? { sort: sp.sort } : {}), ...(sp.course ? { course: sp.course } : {}), ...(sp.cohort ? { cohort: sp.cohort } : {}) });
    redirect(`/outcomes?${u.toString()}`);
  }
  // One instant for both: the outcomes and contacts sections then read the same as-of rows, and the
  // outcome rows both need are computed once (db/queries/reports/outcomes.ts shares a running query).
  const now = new Date();
  const [{ p, locale }, data, contacts] = await Promise.all([getPageT(outcomesMessages), getOutcomes({ ...sp, school: credits.school }, now), getContacts({ ...sp, school: credits.school }, now)]);
  const { report: r, risk, canSeeStudents } = data;
  const n = (x: number) => formatNumber(x, locale);
  const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
  const lastDay = new Date(Date.parse(`${r.period.to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  // The course/cohort filter (validated by the report: an unknown id is dropped) belongs to every link and
  // CSV of the page, so it rides in `base` with the school and the period.
  const scope: Record<string, string> = { ...(r.filter.course ? { course: r.filter.course } : {}), ...(r.filter.cohort ? { cohort: r.filter.cohort } : {}) };
  const period: Record<string, string> = { school: r.school, from: r.period.from, to: lastDay, ...(sp.asOf ? { asOf: sp.asOf } : {}) };
  const base: Record<string, string> = { ...period, ...scope };
  const qs = (extra: Record<string, string> = {}) => new URLSearchParams({ ...base, ...extra }).toString();
  const sort = sp.sort === "asc" ? "asc" : "desc";
  // Filters of the at-risk list live in the URL (?tier=&reason=) and are applied here, on the server; the
  // course and cohort are the page's and were applied to the risk rows by the DAL.
  const filters = { tier: sp.tier || undefined, reason: sp.reason || undefined };
  const filtered = risk.rows.filter((x) => (!filters.tier || x.tier === filters.tier) && (!filters.reason || x.reasons.some((c) => c.key === filters.reason)));
  const filterQs: Record<string, string> = Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => e[1] !== undefined));
  const riskRows = sort === "asc" ? [...filtered].reverse() : filtered;
  const uniq = (xs: Array<{ value: string; label: string }>) => [...new Map(xs.map((o) => [o.value, o])).values()].sort((a, b) => a.label.localeCompare(b.label, locale));
  const labels = { group: p("group"), completed: p("completed"), ended: p("ended"), notEnded: p("notEnded"), rate: p("rate"), ci: p("ci") };
  const fmtEdge = (x: number | null, digits: number) => (x === null ? null : x.toFixed(digits));
  const quartRows = (q: OutcomesReport["byResponseTime"], digits: number): CompletionTableRow[] =>
    q.quartiles.map((x) => ({
      key: String(x.quartile),
      label: `Q${x.quartile} ${x.from === null && x.to === null ? "" : `(${fmtEdge(x.from, digits) ?? "min"}; ${fmtEdge(x.to, digits) ?? "max"}]`}`,
      ...x,
    }));
  const asOfDay = DateTime.fromISO(risk.asOf).setZone(r.timezone).toISODate();
  // A stored list is reused for up to 15 minutes (docs/adr/0009-stored-report-runs.md): say when it was scored.
  const scoredAt = DateTime.fromISO(risk.computedAt).setZone(r.timezone).toFormat("yyyy-LL-dd HH:mm");
  const highRisk = risk.rows.filter((x) => x.score >= 0.5).length;
  const meanScore = risk.rows.length > 0 ? risk.rows.reduce((a, x) => a + x.score, 0) / risk.rows.length : null;
  const riskOnly = sp.view === "risk";
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          {p("title")}
          {/* The school picker is in the header, which does not print: name the school on paper. */}
          <span className="hidden print:inline" data-testid="print-school">: {credits.schoolName}</span>
        </h1>
        <div className="flex items-center gap-2">
          <p className="text-sm text-slate-600" data-testid="period">
            {r.period.from} — {lastDay} ({r.timezone}), {p("asOf")} {r.asOf.slice(0, 10)}
          </p>
          <PrintButton label={p("print")} />
        </div>
      </div>
      <PrintStyles />
      {credits.oulad && (
        <p className="rounded-lg border border-slate-200 bg-white p-3 text-sm text-slate-700" data-testid="oulad-credit">
          {p("ouladCredit")}{" "}
          <a href="https://doi.org/10.1038/sdata.2017.171" className="text-blue-800 underline" rel="noreferrer">doi:10.1038/sdata.2017.171</a>,{" "}
          <a href="https://creativecommons.org/licenses/by/4.0/" className="text-blue-800 underline" rel="noreferrer">CC BY 4.0</a>. {p("ouladNote")}
        </p>
      )}
      <OutcomesScope
        keep={{ ...period, ...(riskOnly ? { view: "risk" } : {}) }}
        values={r.filter}
        courses={r.options.courses}
        cohorts={r.options.cohorts}
        shown={r.filter.course || r.filter.cohort ? `${n(r.enrollments)} / ${n(r.unfiltered)}` : null}
        labels={{ title: p("scopeTitle"), course: p("filterCourse"), cohort: p("filterCohort"), all: p("all"), apply: p("filter"), reset: p("reset"), shown: p("scopeShown") }}
      />
      <p role="note" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="correlation-note">
        <strong>{p("correlationBadge")}.</strong> {p("correlation")}
      </p>
      {!riskOnly && (
        <>
          <section className="grid grid-cols-2 gap-3 md:grid-cols-4" aria-label="totals">
            <StatCard label={p("enrollments")} value={n(r.enrollments)} testId="enrollments-total" />
            <StatCard label={`${p("completion")}`} value={pct(r.total.rate)} hint={`${p("completionHint")}; n = ${n(r.total.n)}`} testId="completion-total" />
            <StatCard label={p("ci")} value={r.total.low === null ? "—" : `${pct(r.total.low)} – ${pct(r.total.high)}`} testId="completion-ci" />
            <StatCard label={p("notEnded")} value={n(r.total.notEnded)} />
          </section>
          {r.enrollments === 0 ? (
            <p className="rounded-lg border border-slate-200 bg-white p-12 text-center text-slate-500">{p("empty")}</p>
          ) : (
            <>
              <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <div className="mb-2 flex items-center justify-between gap-2">
                  <h2 className="font-medium">{p("byTier")}</h2>
                  <CsvLink href={`/api/export/outcomes?${qs()}`} label="CSV" />
                </div>
                <CompletionTable rows={r.byTier.map((g) => ({ key: g.group, label: g.group, ...g }))} labels={labels} testId="tier-table" />
              </section>
              <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <h2 className="mb-2 font-medium">{p("retention")}</h2>
                <RetentionChart title={p("retention")} weekLabel={p("week")} curves={r.retention.curves.map((c) => ({ tier: c.tier, n: c.enrollments, byWeek: c.byWeek }))}>
                  <RetentionTable
                    rows={retentionTable(r.retention.curves)}
                    csvHref={`/api/export/outcomes?${qs({ table: "retention" })}`}
                    labels={{
                      summary: p("retentionTable"), note: `${p("retentionTableNote")} n = ${n(r.retention.curves.reduce((a, c) => a + c.enrollments, 0))}; ${n(r.retention.skipped)} ${p("retentionSkipped")}.`,
                      tier: p("tier"), week: p("week"), atRisk: p("atRisk"), events: p("events"), censored: p("censored"), survival: p("survival"), ci: p("ciShort"),
                      csv: "CSV", empty: p("empty"), sortBy: p("sortBy"), locale,
                    }}
                  />
                </RetentionChart>
              </section>
              <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <h2 className="mb-2 font-medium">{p("byResponse")}</h2>
                <CompletionTable rows={quartRows(r.byResponseTime, 0)} labels={{ ...labels, group: p("quartile") }} testId="response-table" />
                <p className="mt-1 text-xs text-slate-500">{p("withoutExposure")}: {n(r.byResponseTime.withoutExposure)}</p>
              </section>
              <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <h2 className="mb-2 font-medium">{p("byContacts")}</h2>
                <CompletionTable rows={quartRows(r.byStaffContacts, 0)} labels={{ ...labels, group: p("quartile") }} testId="contacts-table" />
                <p className="mt-1 text-xs text-slate-500">{p("contactsNote")}</p>
              </section>
              <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
                <h2 className="mb-2 font-medium">{p("byBreached")}</h2>
                <CompletionTable rows={quartRows(r.byBreachedShare, 2)} labels={{ ...labels, group: p("quartile") }} testId="breached-table" />
                <p className="mt-1 text-xs text-slate-500">{p("withoutExposure")}: {n(r.byBreachedShare.withoutExposure)}</p>
              </section>
            </>
          )}
        </>
      )}
      <section id="risk" className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label={p("risk")}>
        <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
          <h2 className="font-medium">
            {p("risk")} <span className="text-sm font-normal text-slate-500">({p("asOf")} {asOfDay}; {p("model")} {risk.model}; <span data-testid="risk-scored-at">{p("scoredAt")} {scoredAt}</span>)</span>
          </h2>
          <div className="flex items-center gap-2 text-sm">
            <Link className="no-print rounded px-2 py-1 hover:bg-slate-100" href={`?${qs({ ...(riskOnly ? { view: "risk" } : {}), ...filterQs, sort: sort === "desc" ? "asc" : "desc" })}#risk`} data-testid="risk-sort">
              {p("score")} {sort === "desc" ? "↓" : "↑"} ({sort === "desc" ? p("sortDesc") : p("sortAsc")})
            </Link>
            {risk.rows.length > 0 && <CsvLink href={`/api/export/risk?${qs({ lang: locale, ...filterQs })}`} label="CSV" />}
          </div>
        </div>
        <p className="mb-2 text-xs text-slate-500">{p("riskNote")}</p>
        {canSeeStudents && risk.rows.length > 0 && (
          <RiskFilters
            keep={{ ...base, ...(riskOnly ? { view: "risk" } : {}), ...(sp.sort === "asc" ? { sort: "asc" } : {}) }}
            values={filters}
            tiers={uniq(risk.rows.map((x) => ({ value: x.tier, label: x.tier })))}
            reasons={uniq(risk.rows.flatMap((x) => x.reasons.map((c) => ({ value: c.key, label: locale === "en" ? c.label_en : c.label_ru }))))}
            labels={{ tier: p("filterTier"), reason: p("filterReason"), all: p("all"), apply: p("filter"), reset: p("reset") }}
          />
        )}
        {/* Executives get no per-student rows from the DAL, so counts made from rows would read as zeros: show neither. */}
        {canSeeStudents && (
          <div className="mb-3 grid grid-cols-3 gap-3">
            <StatCard label={p("activeN")} value={n(risk.rows.length)} testId="risk-active" />
            <StatCard label={p("highRisk")} value={n(highRisk)} testId="risk-high" />
            <StatCard label={p("meanScore")} value={meanScore === null ? "—" : meanScore.toFixed(2)} />
          </div>
        )}
        {!canSeeStudents ? (
          <p className="text-sm text-slate-500" data-testid="risk-hidden">{p("riskHidden")}</p>
        ) : risk.rows.length === 0 ? (
          <p className="text-sm text-slate-500">{p("noRisk")}</p>
        ) : riskRows.length === 0 ? (
          <p className="text-sm text-slate-500" data-testid="risk-filtered-empty">{p("noRisk")}</p>
        ) : (
          <div className="max-h-[32rem] overflow-auto" data-print-expand>
            {filterQs.tier || filterQs.reason ? (
              <p className="mb-1 text-xs text-slate-500" data-testid="risk-shown">
                {p("shown")} {n(riskRows.length)} / {n(risk.rows.length)}
              </p>
            ) : null}
            <table className="w-full text-sm" data-testid="risk-table">
              <thead className="sticky top-0 bg-white text-left text-slate-600">
                <tr>
                  <th className="py-1 pr-4">{p("student")}</th>
                  <th className="py-1 pr-4">{p("cohort")}</th>
                  <th className="py-1 pr-4">{p("tier")}</th>
                  <th className="py-1 pr-4 text-right" aria-sort={sort === "desc" ? "descending" : "ascending"}>{p("score")}</th>
                  <th className="py-1 pr-4">{p("reasons")}</th>
                </tr>
              </thead>
              <tbody>
                {riskRows.map((x) => (
                  <tr key={x.enrollmentId} className="border-t border-slate-100 align-top">
                    <td className="py-1 pr-4">
                      <Link href={`/students/${x.personId}?school=${encodeURIComponent(r.school)}`} className="text-blue-800 hover:underline" data-testid="risk-student">{x.student}</Link>
                    </td>
                    <td className="py-1 pr-4">{x.cohort}</td>
                    <td className="py-1 pr-4">{x.tier}</td>
                    <td className="py-1 pr-4 text-right tabular-nums">{x.score.toFixed(2)}</td>
                    <td className="py-1 pr-4">{x.reasons.length === 0 ? "—" : x.reasons.map((c) => (locale === "en" ? c.label_en : c.label_ru)).join("; ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {(r.filter.course || r.filter.cohort) && (
        <p className="text-sm text-slate-600" data-testid="contacts-not-filtered">
          {p("contactsNotFiltered")}
        </p>
      )}
      <ContactSections data={contacts} p={p} locale={locale} timezone={r.timezone} qs={qs} csvLabel="CSV" withOutcomes={!riskOnly} />
    </div>
  );
}
