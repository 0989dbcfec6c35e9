import Link from "next/link";
import type { ReactNode } from "react";
import { formatNumber, type Locale } from "@/lib/i18n/dict";
import { formatPct } from "@/lib/i18n/pages/episodes";
import type { OverviewMessageKey } from "@/lib/i18n/pages/overview";
import type { RoleCompliance } from "@/lib/dal/overview-kpis";

/**
 * SLA compliance per role (the SLA report grouped by role) with each row's count and its change against
 * the previous period. Episode counts link to the episode list filtered by role (and breached), for
 * roles that may open it; executives see the numbers only.
 */
export function RoleComplianceTable({ rows, locale, p, canDrill, trendCell }: { rows: RoleCompliance[]; locale: Locale; p: (k: OverviewMessageKey) => string; canDrill: boolean; trendCell: (r: RoleCompliance) => ReactNode }) {
  const n = (x: number) => formatNumber(x, locale);
  const link = (href: string, text: string, testId: string) =>
    canDrill ? (
      <Link href={href} className="text-blue-800 hover:underline" data-testid={testId}>
        {text}
      </Link>
    ) : (
      text
    );
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm tabular-nums" data-testid="kpi-role-table">
        <thead className="text-left text-slate-600">
          <tr>
            <th className="py-1 pr-4 font-medium">{p("role")}</th>
            <th className="py-1 pr-4 text-right font-medium">{p("compliance")}</th>
            <th className="py-1 pr-4 text-right font-medium">{p("metKnown")}</th>
            <th className="py-1 pr-4 text-right font-medium">{p("episodes")}</th>
            <th className="py-1 pr-4 text-right font-medium">{p("breachedCol")}</th>
            <th className="py-1 pr-4 font-medium">{p("trend")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const key = r.key ?? "none";
            return (
              <tr key={key} className="border-t border-slate-100" data-role={key}>
                <th scope="row" className="py-1 pr-4 text-left font-normal">{r.key === null ? p("noRole") : r.label}</th>
                <td className="py-1 pr-4 text-right">{formatPct(r.compliance, locale)}</td>
                <td className="py-1 pr-4 text-right">
                  {n(r.met)} / {n(r.known)}
                </td>
                <td className="py-1 pr-4 text-right">{link(r.href, n(r.episodes), `kpi-role-${key}-episodes`)}</td>
                <td className="py-1 pr-4 text-right">{link(r.breachedHref, n(r.breached), `kpi-role-${key}-breached`)}</td>
                <td className="py-1 pr-4">{trendCell(r)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
