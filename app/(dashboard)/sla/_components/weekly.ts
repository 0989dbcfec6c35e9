import type { SlaPageData } from "@/lib/dal/sla";
import type { WeeklySeries } from "@/components/charts/SlaWeeklyChart";

/** Rows for the weekly chart: one per week, `<role>` = compliance % (null: nothing known), `<role>__n` = met/known. */
export function weeklySeries(data: SlaPageData, totalLabel: string, noRoleLabel: string): { rows: Array<Record<string, string | number | null>>; series: WeeklySeries[] } {
  const labels = new Map<string, string>(data.breakdown.byRole.map((g) => [g.role ?? "none", g.role === null ? noRoleLabel : g.roleLabel]));
  const roles = [...new Set(data.weekly.filter((w) => w.role !== "total").map((w) => w.role))];
  const byWeek = new Map<string, Record<string, string | number | null>>();
  for (const w of data.weekly) {
    const row = byWeek.get(w.week) ?? { week: w.week };
    row[w.role] = w.compliance === null ? null : Math.round(w.compliance * 1000) / 10;
    row[`${w.role}__n`] = `${w.met}/${w.known}`;
    byWeek.set(w.week, row);
  }
  return {
    rows: [...byWeek.values()],
    series: [...roles.map((r) => ({ key: r, label: labels.get(r) ?? r })), { key: "total", label: totalLabel }],
  };
}
