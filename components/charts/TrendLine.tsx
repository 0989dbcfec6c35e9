"use client";

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** A single percentage series over time; points carry their count so the tooltip can show n. */
export function TrendLine({ data, title, unit = "%" }: { data: Array<{ x: string; y: number | null; n: number }>; title: string; unit?: string }) {
  return (
    <figure aria-label={title} className="h-56 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="x" tick={{ fontSize: 11 }} minTickGap={24} />
          <YAxis tick={{ fontSize: 11 }} domain={[0, 100]} unit={unit} />
          <Tooltip formatter={(v, _name, item) => [`${typeof v === "number" ? v.toFixed(1) : v}${unit} (n = ${(item.payload as { n: number }).n})`, title]} />
          <Line type="monotone" dataKey="y" stroke="#0072B2" strokeWidth={2} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
