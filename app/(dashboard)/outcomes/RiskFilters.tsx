import Link from "next/link";

/** The course and cohort are the whole page's filter (components/outcomes/OutcomesScope), kept in `keep`. */
export interface RiskFilterValues {
  tier?: string;
  reason?: string;
}

interface Option {
  value: string;
  label: string;
}

/**
 * Filters of the at-risk list as a plain GET form: the choice lands in the URL (shareable, back button
 * works) and the server filters the rows, with no client script. `keep` carries the rest of the query.
 */
export function RiskFilters({
  keep,
  values,
  tiers,
  reasons,
  labels,
}: {
  keep: Record<string, string>;
  values: RiskFilterValues;
  tiers: Option[];
  reasons: Option[];
  labels: { tier: string; reason: string; all: string; apply: string; reset: string };
}) {
  const select = (name: keyof RiskFilterValues, label: string, options: Option[]) => (
    <label className="flex items-center gap-1">
      <span className="text-slate-600">{label}</span>
      <select name={name} defaultValue={values[name] ?? ""} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid={`risk-filter-${name}`}>
        <option value="">{labels.all}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  const active = Boolean(values.tier || values.reason);
  return (
    <form method="get" action="/outcomes#risk" className="no-print mb-3 flex flex-wrap items-center gap-3 text-sm" data-testid="risk-filters">
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {select("tier", labels.tier, tiers)}
      {select("reason", labels.reason, reasons)}
      <button type="submit" className="rounded bg-blue-700 px-2 py-1 text-white hover:bg-blue-800" data-testid="risk-filter-apply">
        {labels.apply}
      </button>
      {active && (
        <Link href={`/outcomes?${new URLSearchParams(keep).toString()}#risk`} className="rounded px-2 py-1 hover:bg-slate-100" data-testid="risk-filter-reset">
          {labels.reset}
        </Link>
      )}
    </form>
  );
}
