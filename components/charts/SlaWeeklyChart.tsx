"use client";

import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

// Okabe–Ito, one colour per series in a stable order; the total is black and thicker.
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

export interface WeeklySeries {
  key: string;
  label: string;
}

/**
 * Compliance per week, one line per role plus the total. Rows carry `<key>` (percent or null) and
 * `<key>__n` (met/known) so the tooltip shows the count behind every point.
 */
export function SlaWeeklyChart({ data, series, title }: { data: Array<Record<string, string | number | null>>; series: WeeklySeries[]; title: string }) {
  return (
    <figure aria-label={title} className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="week" tick={{ fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} domain={[0, 100]} unit="%" allowDecimals={false} />
          <Tooltip
            formatter={(value, name, item) => {
              const payload = (item as { payload?: Record<string, unknown> }).payload ?? {};
              const s = series.find((x) => x.label === name);
              const n = s ? payload[`${s.key}__n`] : undefined;
              return [value === null || value === undefined ? "—" : `${value} %${n ? ` (${String(n)})` : ""}`, name];
            }}
          />
          <Legend />
          {series.map((s, i) => (
            <Line key={s.key} dataKey={s.key} name={s.label} type="monotone" connectNulls isAnimationActive={false}
              stroke={s.key === "total" ? "#000000" : COLORS[i % COLORS.length]} strokeWidth={s.key === "total" ? 3 : 2} dot={{ r: 3 }} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
