import { formatNumber, type Locale } from "@/lib/i18n/dict";
import { formatMinutes, formatPct } from "@/lib/i18n/pages/episodes";
import type { KpiUnit } from "@/lib/dal/overview-kpis";

/** A KPI value as the card shows it; null is "—" (nothing measured), never 0. */
export function formatKpi(v: number | null, unit: KpiUnit, locale: Locale): string {
  if (v === null) return "—";
  switch (unit) {
    case "share":
      return formatPct(v, locale);
    // The CSAT report gives percent (0..100); shown like every other share.
    case "percent":
      return formatPct(v / 100, locale);
    case "minutes":
      return formatMinutes(v, locale);
    case "count":
      return formatNumber(v, locale);
  }
}

const signed = (abs: string, delta: number) => `${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${abs}`;

/** A change: percentage points for shares (a change of a percent is not a percent change), minutes, counts. */
export function formatDelta(delta: number, unit: KpiUnit, locale: Locale, words: { pp: string; min: string }): string {
  const tag = locale === "ru" ? "ru-RU" : "en-GB";
  const pp = (x: number) => `${new Intl.NumberFormat(tag, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(Math.abs(x))} ${words.pp}`;
  switch (unit) {
    case "share":
      return signed(pp(100 * delta), delta);
    case "percent":
      return signed(pp(delta), delta);
    case "minutes":
      return signed(`${formatMinutes(Math.abs(delta), locale)} ${words.min}`, delta);
    case "count":
      return signed(formatNumber(Math.abs(delta), locale), delta);
  }
}
