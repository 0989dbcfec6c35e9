"use client";

import { useId, useMemo, useState, type ReactNode } from "react";
import { CsvLink } from "./CsvLink";

export interface DataColumn {
  key: string;
  label: ReactNode;
  /** Numbers right-aligned, with tabular figures. */
  align?: "left" | "right";
  /** Default true: the header is a button that sorts by this column. */
  sortable?: boolean;
  /** Keep on one line (dates, ids). */
  nowrap?: boolean;
}

/** One cell: what is shown, and what it sorts by (default: the shown text; null sorts last either way). */
export interface DataCell {
  v: ReactNode;
  s?: string | number | null;
}

export interface DataRow {
  key: string;
  cells: Record<string, DataCell | string | number | null>;
}

type Dir = "ascending" | "descending";

const sortValue = (c: DataCell | string | number | null | undefined): string | number | null => {
  if (c === null || c === undefined) return null;
  if (typeof c === "string" || typeof c === "number") return c;
  if (c.s !== undefined) return c.s;
  return typeof c.v === "string" || typeof c.v === "number" ? c.v : null;
};
const shown = (c: DataCell | string | number | null | undefined): ReactNode => (c === null || c === undefined ? "—" : typeof c === "object" ? c.v : c);

/**
 * The one table of the dashboard's pages: a heading that names the table, sortable headers (buttons with
 * `aria-sort`, so the order is announced), the CSV link of the same rows, and an empty state instead of
 * a header over nothing. Rows arrive ready from the server; sorting happens here, so it needs no request.
 * Text sorts by the page's language (Intl.Collator), numbers numerically, missing values last.
 */
export function DataTable({
  caption,
  columns,
  rows,
  csvHref,
  labels,
  testId,
  initialSort,
  maxHeight,
  toolbar,
}: {
  caption: ReactNode;
  columns: DataColumn[];
  rows: DataRow[];
  csvHref?: string;
  labels: { csv: string; empty: ReactNode; sortBy: string; locale: "ru" | "en" };
  testId?: string;
  initialSort?: { key: string; dir: Dir };
  /** A CSS length: the body scrolls under a sticky header beyond it. */
  maxHeight?: string;
  /** Controls shown beside the CSV link (grouping links, filters). */
  toolbar?: ReactNode;
}) {
  const titleId = useId();
  const [sort, setSort] = useState<{ key: string; dir: Dir } | null>(initialSort ?? null);
  const collator = useMemo(() => new Intl.Collator(labels.locale, { numeric: true, sensitivity: "base" }), [labels.locale]);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const k = sort.key;
    const sign = sort.dir === "ascending" ? 1 : -1;
    // Stable: equal keys keep the server's order.
    return rows
      .map((r, i) => ({ r, i, v: sortValue(r.cells[k]) }))
      .sort((a, b) => {
        if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
        const c = typeof a.v === "number" && typeof b.v === "number" ? a.v - b.v : collator.compare(String(a.v), String(b.v));
        return c === 0 ? a.i - b.i : sign * c;
      })
      .map((x) => x.r);
  }, [rows, sort, collator]);

  const header = (
    <div className="mb-2 flex flex-wrap items-center justify-between gap-2">
      <h2 id={titleId} className="font-medium">
        {caption}
      </h2>
      <div className="flex flex-wrap items-center gap-2">
        {toolbar}
        {csvHref && rows.length > 0 && <CsvLink href={csvHref} label={labels.csv} />}
      </div>
    </div>
  );
  if (rows.length === 0) {
    return (
      <div data-testid={testId}>
        {header}
        <p className="rounded border border-dashed border-slate-300 py-6 text-center text-sm text-slate-500" data-testid={testId ? `${testId}-empty` : undefined}>
          {labels.empty}
        </p>
      </div>
    );
  }
  return (
    <div data-testid={testId}>
      {header}
      <div className="overflow-auto" style={maxHeight ? { maxHeight } : undefined}>
        {/* Named by the visible heading, so a screen reader announces the table once, by the same words. */}
        <table className="w-full text-sm" aria-labelledby={titleId}>
          <thead className="sticky top-0 bg-white text-left text-slate-600">
            <tr>
              {columns.map((c) => {
                const active = sort?.key === c.key ? sort.dir : undefined;
                const right = c.align === "right";
                return (
                  <th key={c.key} scope="col" aria-sort={active ?? (c.sortable === false ? undefined : "none")} className={`py-1 pr-4 font-medium ${right ? "text-right" : ""}`}>
                    {c.sortable === false ? (
                      c.label
                    ) : (
                      <button
                        type="button"
                        className={`inline-flex items-center gap-1 rounded hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-blue-600 ${right ? "flex-row-reverse" : ""}`}
                        title={labels.sortBy}
                        onClick={() => setSort(active === "ascending" ? { key: c.key, dir: "descending" } : { key: c.key, dir: "ascending" })}
                      >
                        <span>{c.label}</span>
                        <span aria-hidden="true" className="text-xs text-slate-400">
                          {active === "ascending" ? "▲" : active === "descending" ? "▼" : "↕"}
                        </span>
                      </button>
                    )}
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {sorted.map((r) => (
              <tr key={r.key} className="border-t border-slate-100 align-top">
                {columns.map((c) => (
                  <td key={c.key} className={`py-1 pr-4 ${c.align === "right" ? "text-right tabular-nums" : ""} ${c.nowrap ? "whitespace-nowrap" : ""}`}>
                    {shown(r.cells[c.key])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
