"use client";

/** Opens the browser's print dialog (print to PDF included); the page's print styles drop the controls. */
export function PrintButton({ label }: { label: string }) {
  return (
    <button type="button" onClick={() => window.print()} className="no-print rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100" data-testid="print-button">
      {label}
    </button>
  );
}
