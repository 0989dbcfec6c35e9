/** Skeleton of the SLA page: cards, the group table, the chart, the heatmap grid. */
export default function Loading() {
  return (
    <div className="flex animate-pulse flex-col gap-6" aria-busy="true" aria-live="polite" data-testid="sla-loading">
      <div className="h-8 w-64 rounded bg-slate-200" />
      <div className="h-8 w-full max-w-2xl rounded bg-slate-100" />
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-20 rounded-lg bg-slate-200" />
        ))}
      </div>
      <div className="h-40 rounded-lg bg-slate-200" />
      <div className="h-72 rounded-lg bg-slate-200" />
      <div className="grid grid-cols-24 gap-0.5">
        {Array.from({ length: 7 * 24 }, (_, i) => (
          <div key={i} className="h-6 rounded-sm bg-slate-200" />
        ))}
      </div>
    </div>
  );
}
