import Link from "next/link";
import type { ReactNode } from "react";

/**
 * One KPI: label, value (a link to the episodes or report behind it when the viewer may open that),
 * its count (n = …), a hint, and the trend. Server-rendered: nothing on it changes without a reload.
 */
export function KpiCard({ id, label, value, href, linkTitle, count, hint, trend, unfiltered = null }: { id: string; label: string; value: string; href: string | null; linkTitle: string; count: string; hint: string; trend: ReactNode; unfiltered?: string | null }) {
  // A figure whose report cannot apply an active filter is greyed, and says which, rather than hidden:
  // it is still the true school-wide (or partly filtered) number.
  return (
    <div
      className={`flex flex-col gap-1 rounded-lg border border-slate-200 p-4 shadow-sm ${unfiltered ? "bg-slate-50 opacity-60" : "bg-white"}`}
      data-testid={`kpi-${id}`}
      data-unfiltered={unfiltered ? "true" : undefined}
      title={unfiltered ?? undefined}
    >
      <div className="text-sm text-slate-600">{label}</div>
      <div className="text-2xl font-semibold tabular-nums">
        {href ? (
          <Link href={href} className="text-blue-800 hover:underline" title={linkTitle} data-testid={`kpi-${id}-link`}>
            <span data-testid={`kpi-${id}-value`}>{value}</span>
          </Link>
        ) : (
          <span data-testid={`kpi-${id}-value`}>{value}</span>
        )}
      </div>
      <div className="text-xs text-slate-500 tabular-nums" data-testid={`kpi-${id}-n`}>
        {count}
      </div>
      <div>{trend}</div>
      <div className="text-xs text-slate-400">{hint}</div>
      {unfiltered && (
        <div className="text-xs text-slate-500" data-testid={`kpi-${id}-unfiltered`}>
          {unfiltered}
        </div>
      )}
    </div>
  );
}

/** Placeholder cards while the reports run (the counts and chart above are already on screen). */
export function KpiCardsSkeleton({ label, cards }: { label: string; cards: number }) {
  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-4" role="status" aria-live="polite" data-testid="kpi-loading">
      <span className="sr-only">{label}</span>
      {Array.from({ length: cards }, (_, i) => (
        <div key={i} className="h-36 animate-pulse rounded-lg border border-slate-200 bg-slate-100" />
      ))}
    </div>
  );
}
