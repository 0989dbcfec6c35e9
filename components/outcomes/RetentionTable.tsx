import { DataTable, type DataRow } from "@/components/tables/DataTable";
import type { RetentionRow } from "@/lib/dal/outcomes";

/**
 * The numbers behind the retention chart, in a disclosure under it: a screen reader (or anyone checking a
 * step) gets every tier's week, at-risk count, withdrawals and S(t) with its interval, not only the
 * figure's label. The same rows download as the retention CSV.
 */
export function RetentionTable({
  rows,
  csvHref,
  labels,
}: {
  rows: RetentionRow[];
  csvHref: string;
  labels: { summary: string; note: string; tier: string; week: string; atRisk: string; events: string; censored: string; survival: string; ci: string; csv: string; empty: string; sortBy: string; locale: "ru" | "en" };
}) {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const data: DataRow[] = rows.map((r) => ({
    key: `${r.tier}:${r.week}`,
    cells: {
      tier: r.tier,
      week: r.week,
      atRisk: r.atRisk,
      events: r.events,
      censored: r.censored,
      survival: { v: pct(r.survival), s: r.survival },
      ci: r.ciLow === null || r.ciHigh === null ? null : { v: `${pct(r.ciLow)} – ${pct(r.ciHigh)}`, s: r.ciLow },
    },
  }));
  return (
    <details className="mt-2 text-sm" data-testid="retention-details">
      <summary className="cursor-pointer text-blue-800">{labels.summary}</summary>
      <p className="my-1 text-xs text-slate-500">{labels.note}</p>
      <DataTable
        caption={labels.summary}
        columns={[
          { key: "tier", label: labels.tier },
          { key: "week", label: labels.week, align: "right" },
          { key: "atRisk", label: labels.atRisk, align: "right" },
          { key: "events", label: labels.events, align: "right" },
          { key: "censored", label: labels.censored, align: "right" },
          { key: "survival", label: labels.survival, align: "right" },
          { key: "ci", label: labels.ci, align: "right", nowrap: true },
        ]}
        rows={data}
        csvHref={csvHref}
        labels={{ csv: labels.csv, empty: labels.empty, sortBy: labels.sortBy, locale: labels.locale }}
        testId="retention-table"
        maxHeight="24rem"
      />
    </details>
  );
}
