"use client";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6 text-red-900">
      <p className="font-medium">{error.message || "Error"}</p>
      <button type="button" onClick={reset} className="mt-3 rounded border border-red-300 px-3 py-1 text-sm">
        ↻
      </button>
    </div>
  );
}
