"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface LoadBar {
  name: string;
  answered: number;
  openOwned: number;
}

/** Answered + open owned per person (Okabe–Ito colours); overloaded names carry ⚠ so colour is not the only signal. */
export function LoadChart({ data, title, labels }: { data: LoadBar[]; title: string; labels: { answered: string; openOwned: string } }) {
  const height = Math.max(160, 28 * data.length + 60);
  return (
    <figure aria-label={title} className="w-full" style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" tick={{ fontSize: 11 }} allowDecimals={false} />
          <YAxis type="category" dataKey="name" width={180} tick={{ fontSize: 11 }} interval={0} />
          <Tooltip />
          <Legend />
          <Bar dataKey="answered" name={labels.answered} stackId="l" fill="#0072B2" isAnimationActive={false} />
          <Bar dataKey="openOwned" name={labels.openOwned} stackId="l" fill="#E69F00" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
