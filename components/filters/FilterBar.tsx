"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";

interface Labels {
  school: string;
  period: string;
  from: string;
  to: string;
  apply: string;
  last7: string;
  last30: string;
  last90: string;
}

/** School switcher and period picker. State lives in the URL so every view is linkable and the server reads it. */
export function FilterBar({ schools, labels }: { schools: Array<{ slug: string; name: string }>; labels: Labels }) {
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const [from, setFrom] = useState(sp.get("from") ?? "");
  const [to, setTo] = useState(sp.get("to") ?? "");

  const push = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(sp.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    router.push(`${path}?${next.toString()}`);
  };

  // A preset keeps the chosen end (or the server's default: the school's newest data) and sets the length.
  const preset = (days: number) => {
    setFrom("");
    push({ days: String(days), from: null });
  };

  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      {schools.length > 1 && (
        <label className="flex items-center gap-1">
          <span>{labels.school}</span>
          <select aria-label={labels.school} className="rounded border border-slate-300 bg-white px-2 py-1" value={sp.get("school") ?? schools[0]?.slug} onChange={(e) => push({ school: e.target.value })}>
            {schools.map((s) => (
              <option key={s.slug} value={s.slug}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset className="flex flex-wrap items-center gap-1">
        <legend className="sr-only">{labels.period}</legend>
        {[7, 30, 90].map((d) => (
          <button key={d} type="button" className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100" onClick={() => preset(d)}>
            {d === 7 ? labels.last7 : d === 30 ? labels.last30 : labels.last90}
          </button>
        ))}
        <form
          className="flex items-center gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            push({ from: from || null, to: to || null, days: null });
          }}
        >
          <label className="flex items-center gap-1">
            <span>{labels.from}</span>
            <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} className="rounded border border-slate-300 px-1 py-0.5" />
          </label>
          <label className="flex items-center gap-1">
            <span>{labels.to}</span>
            <input type="date" name="to" value={to} onChange={(e) => setTo(e.target.value)} className="rounded border border-slate-300 px-1 py-0.5" />
          </label>
          <button type="submit" className="rounded bg-blue-700 px-2 py-1 text-white hover:bg-blue-800">
            {labels.apply}
          </button>
        </form>
      </fieldset>
    </div>
  );
}
