"use client";

import { CartesianGrid, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartPoint {
  /** Epoch milliseconds. */
  t: number;
  /** Lane: 0 = enrollment … 4 = messages. */
  lane: number;
  label: string;
  colour: string;
}

/**
 * Every event of the student as a dot on one time axis, one lane per kind. Times are formatted in the
 * school's zone (passed in) so the axis matches the table, whatever the viewer's browser zone is.
 */
export function TimelineChart({ points, lanes, timezone, locale, title }: { points: ChartPoint[]; lanes: string[]; timezone: string; locale: string; title: string }) {
  const day = new Intl.DateTimeFormat(locale, { timeZone: timezone, day: "2-digit", month: "2-digit", year: "2-digit" });
  const full = new Intl.DateTimeFormat(locale, { timeZone: timezone, dateStyle: "short", timeStyle: "short" });
  const byColour = new Map<string, ChartPoint[]>();
  for (const p of points) byColour.set(p.colour, [...(byColour.get(p.colour) ?? []), p]);
  return (
    <figure aria-label={title} className="h-64 w-full" data-testid="student-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ScatterChart margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis type="number" dataKey="t" domain={["dataMin", "dataMax"]} scale="time" tickFormatter={(v: number) => day.format(new Date(v))} tick={{ fontSize: 11 }} />
          <YAxis type="number" dataKey="lane" domain={[-0.5, lanes.length - 0.5]} ticks={lanes.map((_, i) => i)} tickFormatter={(v: number) => lanes[v] ?? ""} width={120} tick={{ fontSize: 11 }} />
          <Tooltip
            cursor={false}
            content={({ active, payload }) => {
              const p = active ? (payload?.[0]?.payload as ChartPoint | undefined) : undefined;
              return p ? <div className="rounded border border-slate-200 bg-white px-2 py-1 text-xs shadow">{full.format(new Date(p.t))}: {p.label}</div> : null;
            }}
          />
          {[...byColour.entries()].map(([colour, data]) => (
            <Scatter key={colour} data={data} fill={colour} isAnimationActive={false} shape="circle" />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
    </figure>
  );
}
