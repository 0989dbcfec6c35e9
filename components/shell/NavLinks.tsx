"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

/** Keeps the filters (school, period) when moving between pages: they live in the URL. */
export function NavLinks({ links }: { links: Array<{ href: string; label: string }> }) {
  const path = usePathname();
  const sp = useSearchParams();
  const qs = sp.toString();
  return (
    <nav aria-label="main" className="flex gap-1">
      {links.map((l) => {
        const active = path === l.href || path.startsWith(`${l.href}/`);
        return (
          <Link
            key={l.href}
            href={qs ? `${l.href}?${qs}` : l.href}
            aria-current={active ? "page" : undefined}
            className={`rounded px-3 py-1.5 text-sm ${active ? "bg-blue-50 font-medium text-blue-800" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {l.label}
          </Link>
        );
      })}
    </nav>
  );
}
