"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

export type ReportFilterName = "role" | "cohort" | "channel" | "source";

export interface ReportFilterSelect {
  name: ReportFilterName;
  label: string;
  options: Array<{ value: string; label: string }>;
}

/**
 * Role, cohort, channel and source selects for the report pages (overview, SLA, episodes, satisfaction):
 * each choice goes to the URL (page reset to 1) and the server reads it, so a filtered view is a link.
 * `note` is a line saying which figures a filter skips.
 */
export function ReportFilters({ selects, anyLabel, resetLabel, legend, note, testId = "report-filters" }: { selects: ReportFilterSelect[]; anyLabel: string; resetLabel: string; legend: string; note?: string; testId?: string }) {
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const push = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(sp.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    next.delete("page");
    router.push(`${path}?${next.toString()}`, { scroll: false });
  };
  const active = selects.some((s) => sp.get(s.name));
  return (
    <fieldset className="flex flex-wrap items-center gap-3 text-sm" data-testid={testId}>
      <legend className="sr-only">{legend}</legend>
      {selects.map((s) => (
        <label key={s.name} className="flex items-center gap-1">
          <span className="text-slate-600">{s.label}</span>
          <select
            name={s.name}
            aria-label={s.label}
            className="max-w-48 rounded border border-slate-300 bg-white px-2 py-1"
            value={sp.get(s.name) ?? ""}
            onChange={(e) => push({ [s.name]: e.target.value || null })}
          >
            <option value="">{anyLabel}</option>
            {s.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      ))}
      {active && (
        <button type="button" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100" onClick={() => push(Object.fromEntries(selects.map((s) => [s.name, null])))}>
          {resetLabel}
        </button>
      )}
      {note && <span className="w-full text-xs text-slate-500">{note}</span>}
    </fieldset>
  );
}
