"use client";

import type { ReactNode } from "react";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

/**
 * Kaplan–Meier retention curves (share still enrolled, %) by week, one step line per tier. `children` is the
 * figure's data table (components/outcomes/RetentionTable), inside the figure with its caption: assistive
 * technology gets the numbers, not an aria-label alone. The SVG stays focusable (Recharts' keyboard layer).
 */
export function RetentionChart({ curves, title, weekLabel, children }: { curves: Array<{ tier: string; n: number; byWeek: Array<{ week: number; stillEnrolled: number }> }>; title: string; weekLabel: string; children?: ReactNode }) {
  const maxWeek = Math.max(0, ...curves.map((c) => c.byWeek.length - 1));
  const data = Array.from({ length: maxWeek + 1 }, (_, week) => {
    const point: Record<string, number | null> = { week };
    for (const c of curves) point[c.tier] = c.byWeek[week] ? Math.round(c.byWeek[week].stillEnrolled * 1000) / 10 : null;
    return point;
  });
  return (
    <figure className="w-full" data-testid="retention-chart">
      <figcaption className="sr-only">{title}</figcaption>
      <div className="h-72 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="week" tick={{ fontSize: 11 }} label={{ value: weekLabel, position: "insideBottom", offset: -8, fontSize: 11 }} />
          <YAxis tick={{ fontSize: 11 }} domain={[0, 100]} unit="%" />
          <Tooltip formatter={(v, name) => [typeof v === "number" ? `${v.toFixed(1)} %` : String(v), String(name)]} labelFormatter={(w) => `${weekLabel} ${String(w)}`} />
          <Legend verticalAlign="top" height={24} />
          {curves.map((c, i) => (
            <Line key={c.tier} type="stepAfter" dataKey={c.tier} name={`${c.tier} (n = ${c.n})`} stroke={COLORS[i % COLORS.length]} strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
      </div>
      {children}
    </figure>
  );
}
