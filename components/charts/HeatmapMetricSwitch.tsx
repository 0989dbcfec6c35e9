"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

/** The heatmap's metric as radio buttons; the choice lives in the URL (`metric=`) like every filter. */
export function HeatmapMetricSwitch({ value, options, label }: { value: string; options: Array<{ value: string; label: string }>; label: string }) {
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const choose = (v: string) => {
    const next = new URLSearchParams(sp.toString());
    next.set("metric", v);
    router.push(`${path}?${next.toString()}`, { scroll: false });
  };
  return (
    <fieldset className="flex flex-wrap items-center gap-1 text-sm" data-testid="heatmap-metric">
      <legend className="sr-only">{label}</legend>
      {options.map((o) => (
        <label key={o.value} className={`cursor-pointer rounded border px-2 py-1 ${o.value === value ? "border-blue-700 bg-blue-50 text-blue-900" : "border-slate-300 hover:bg-slate-100"}`}>
          <input type="radio" name="heatmap-metric" value={o.value} checked={o.value === value} onChange={() => choose(o.value)} className="sr-only" />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}
