import Link from "next/link";
import type { Locale } from "@/lib/i18n/dict";
import { formatNumber } from "@/lib/i18n/dict";
import { formatMinutes, formatPct } from "@/lib/i18n/pages/episodes";
import type { SlaMessageKey } from "@/lib/i18n/pages/sla";
import type { SlaPageData } from "@/lib/dal/sla";

type Stats = SlaPageData["breakdown"]["total"];
type P = (k: SlaMessageKey) => string;

function StatCells({ s, locale }: { s: Stats; locale: Locale }) {
  const n = (x: number) => formatNumber(x, locale);
  return (
    <>
      <td className="py-1 pr-3 text-right">{n(s.episodes)}</td>
      <td className="py-1 pr-3 text-right">{n(s.answered)}</td>
      <td className="py-1 pr-3 text-right">{n(s.known)}</td>
      <td className="py-1 pr-3 text-right">{n(s.met)}</td>
      <td className="py-1 pr-3 text-right font-medium" data-testid="compliance">{formatPct(s.compliance, locale)}</td>
      <td className="py-1 pr-3 text-right">{formatMinutes(s.medianMinutes, locale)}</td>
      <td className="py-1 pr-3 text-right">{formatMinutes(s.p90Minutes, locale)}</td>
      <td className="py-1 pr-3 text-right">{n(s.breachingNow)}</td>
      <td className="py-1 pr-3 text-right">{n(s.atRisk)}</td>
    </>
  );
}

function StatHead({ p }: { p: P }) {
  return (
    <>
      <th className="py-1 pr-3 text-right">{p("episodes")}</th>
      <th className="py-1 pr-3 text-right">{p("answered")}</th>
      <th className="py-1 pr-3 text-right">{p("known")}</th>
      <th className="py-1 pr-3 text-right">{p("met")}</th>
      <th className="py-1 pr-3 text-right">{p("compliance")}</th>
      <th className="py-1 pr-3 text-right">{p("median")}, {p("minutes")}</th>
      <th className="py-1 pr-3 text-right">p90, {p("minutes")}</th>
      <th className="py-1 pr-3 text-right">{p("breachingNow")}</th>
      <th className="py-1 pr-3 text-right">{p("atRisk")}</th>
    </>
  );
}

/** Compliance by role with a total row; a row opens the episodes behind it. */
export function SlaRoleTable({ data, locale, p, episodesHref }: { data: SlaPageData; locale: Locale; p: P; episodesHref: (extra: Record<string, string>) => string }) {
  const b = data.breakdown;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm tabular-nums" data-testid="role-table">
        <thead className="text-left text-slate-600">
          <tr>
            <th className="py-1 pr-3">{p("role")}</th>
            <StatHead p={p} />
          </tr>
        </thead>
        <tbody>
          {b.byRole.map((g) => (
            <tr key={g.role ?? "none"} className="border-t border-slate-100 hover:bg-slate-50" data-role={g.role ?? "none"}>
              <th scope="row" className="py-1 pr-3 text-left font-normal">
                <Link href={episodesHref({ role: g.role ?? "none" })} className="text-blue-800 underline-offset-2 hover:underline">{g.role === null ? p("noRole") : g.roleLabel}</Link>
              </th>
              <StatCells s={g} locale={locale} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="border-t-2 border-slate-300 font-medium" data-role="total">
            <th scope="row" className="py-1 pr-3 text-left">
              <Link href={episodesHref({})} className="text-blue-800 underline-offset-2 hover:underline">{p("total")}</Link>
            </th>
            <StatCells s={b.total} locale={locale} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** Compliance by policy within role (which target the episodes were held to). */
export function SlaPolicyTable({ data, locale, p, episodesHref }: { data: SlaPageData; locale: Locale; p: P; episodesHref: (extra: Record<string, string>) => string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm tabular-nums" data-testid="policy-table">
        <thead className="text-left text-slate-600">
          <tr>
            <th className="py-1 pr-3">{p("policy")}</th>
            <th className="py-1 pr-3">{p("role")}</th>
            <th className="py-1 pr-3 text-right">{p("target")}</th>
            <StatHead p={p} />
          </tr>
        </thead>
        <tbody>
          {data.breakdown.byPolicy.map((g) => (
            <tr key={`${g.role}:${g.policyId}`} className="border-t border-slate-100 hover:bg-slate-50">
              <th scope="row" className="py-1 pr-3 text-left font-normal">
                <Link href={episodesHref({ role: g.role ?? "none", policy: g.policyId === null ? "none" : String(g.policyId) })} className="text-blue-800 underline-offset-2 hover:underline">
                  {g.policy ?? p("noPolicy")}
                </Link>
              </th>
              <td className="py-1 pr-3">{g.role === null ? p("noRole") : g.roleLabel}</td>
              <td className="py-1 pr-3 text-right whitespace-nowrap">
                {g.targetMinutes === null ? "—" : `${formatMinutes(g.targetMinutes, locale)} ${p("minutes")}`}
                {g.clock && <span className="text-xs text-slate-500"> {g.clock === "business" ? p("businessClock") : p("calendarClock")}</span>}
              </td>
              <StatCells s={g} locale={locale} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
