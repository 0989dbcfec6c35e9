"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";

/** A filter kept in the URL (ARCHITECTURE.md rule 5): the server reads it, links keep it. */
export function UrlSelect({ param, label, allLabel, options, testId }: { param: string; label: string; allLabel: string; options: Array<{ value: string; label: string }>; testId?: string }) {
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const value = sp.get(param) ?? "";
  return (
    <label className="flex items-center gap-1 text-sm">
      <span>{label}</span>
      <select
        aria-label={label}
        data-testid={testId}
        className="rounded border border-slate-300 bg-white px-2 py-1"
        value={value}
        onChange={(e) => {
          const next = new URLSearchParams(sp.toString());
          if (e.target.value) next.set(param, e.target.value);
          else next.delete(param);
          router.replace(`${path}?${next.toString()}`);
        }}
      >
        <option value="">{allLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}
