import { Heatmap, type HeatmapCell } from "@/components/charts/Heatmap";
import { HeatmapMetricSwitch } from "@/components/charts/HeatmapMetricSwitch";
import type { Locale } from "@/lib/i18n/dict";
import { formatNumber } from "@/lib/i18n/dict";
import { formatMinutes, formatPct, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";
import type { SlaMessageKey } from "@/lib/i18n/pages/sla";
import type { SlaPageData } from "@/lib/dal/sla";

/** The hour-of-week heatmap with its metric switch; each cell links to the episodes opened in it. */
export function SlaHeatmapSection({ data, locale, p, pe, episodesHref }: {
  data: SlaPageData; locale: Locale; p: (k: SlaMessageKey) => string; pe: (k: EpisodeMessageKey) => string; episodesHref: (extra: Record<string, string>) => string;
}) {
  const metric = data.metric;
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) => pe(`wd${d}` as EpisodeMessageKey));
  const n = (x: number) => formatNumber(x, locale);
  const cells: HeatmapCell[] = data.heatmap.map((c) => {
    const value = metric === "demand" ? (c.opened === 0 ? null : c.opened) : metric === "median" ? c.medianMinutes : metric === "compliance" ? c.compliance : c.staffOnShift;
    const text = value === null ? "" : metric === "compliance" ? String(Math.round(value * 100)) : metric === "staff" ? (Math.round(value * 10) / 10).toLocaleString(locale) : formatMinutes(value, locale);
    const hh = `${String(c.hour).padStart(2, "0")}:00–${String(c.hour).padStart(2, "0")}:59`;
    const parts = [
      `${weekdays[c.weekday - 1]} ${hh}`,
      `${p("m_demand")}: ${n(c.opened)}`,
      `${p("median")}: ${formatMinutes(c.medianMinutes, locale)} ${p("minutes")}`,
      `${p("compliance")}: ${formatPct(c.compliance, locale)} (${n(c.met)}/${n(c.known)})`,
      ...(c.staffOnShift !== null ? [`${p("m_staff")}: ${(Math.round(c.staffOnShift * 10) / 10).toLocaleString(locale)}`] : []),
      ...(c.lowConfidence ? [p("lowCount")] : []),
    ];
    return { weekday: c.weekday, hour: c.hour, value, text, label: parts.join("; "), lowConfidence: c.lowConfidence, href: c.opened > 0 ? episodesHref({ weekday: String(c.weekday), hour: String(c.hour) }) : null };
  });
  const options = [
    { value: "demand", label: p("m_demand") },
    { value: "median", label: p("m_median") },
    { value: "compliance", label: p("m_compliance") },
    ...(data.hasShifts ? [{ value: "staff", label: p("m_staff") }] : []),
  ];
  const scale = metric === "compliance" ? "better" : metric === "median" ? "worse" : "more";
  const legend =
    scale === "more" ? { low: p("legendLow"), high: p("legendHigh") } : scale === "worse" ? { low: p("legendSlow"), high: p("legendFast") } : { low: "0 %", high: "100 %" };
  const total = data.heatmap.reduce((a, c) => a + c.opened, 0);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="heatmap-title">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="heatmap-title" className="font-medium">
          {p("heatmap")} <span className="text-sm font-normal text-slate-500">(n = {n(total)}; {p("heatmapHint")}: {data.school.timezone})</span>
        </h2>
        <HeatmapMetricSwitch value={metric} options={options} label={p("metric")} />
      </div>
      <Heatmap cells={cells} weekdays={weekdays} title={`${p("heatmap")}: ${options.find((o) => o.value === metric)?.label ?? ""}`} scale={scale}
        legend={{ ...legend, lowCount: p("lowCount"), noData: p("noData") }} />
    </section>
  );
}
