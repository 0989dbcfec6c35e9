"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface LoadBar {
  name: string;
  answered: number;
  openOwned: number;
  /** The episodes behind each segment (issue #5); the table's links are the keyboard path to the same lists. */
  answeredHref: string | null;
  openHref: string | null;
}

/** Recharts hands the clicked bar's datum in `payload`; its shape is not typed, so it is checked here. */
function hrefOf(entry: unknown, key: "answeredHref" | "openHref"): string | null {
  if (typeof entry !== "object" || entry === null || !("payload" in entry)) return null;
  const p: unknown = entry.payload;
  if (typeof p !== "object" || p === null || !(key in p)) return null;
  const v: unknown = (p as Record<string, unknown>)[key];
  return typeof v === "string" ? v : null;
}

/** Answered + open owned per person (Okabe–Ito colours); overloaded names carry ⚠ so colour is not the only signal. */
export function LoadChart({ data, title, labels }: { data: LoadBar[]; title: string; labels: { answered: string; openOwned: string } }) {
  const router = useRouter();
  const go = (key: "answeredHref" | "openHref") => (entry: unknown) => {
    const href = hrefOf(entry, key);
    if (href) router.push(href);
  };
  const drill = data.some((d) => d.answeredHref !== null);
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
          <Bar dataKey="answered" name={labels.answered} stackId="l" fill="#0072B2" isAnimationActive={false} cursor={drill ? "pointer" : undefined} onClick={drill ? go("answeredHref") : undefined} />
          <Bar dataKey="openOwned" name={labels.openOwned} stackId="l" fill="#E69F00" isAnimationActive={false} cursor={drill ? "pointer" : undefined} onClick={drill ? go("openHref") : undefined} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}
