export default function Loading() {
  return (
    <div className="flex animate-pulse flex-col gap-4" aria-busy="true" aria-live="polite">
      <div className="h-8 w-64 rounded bg-slate-200" />
      <div className="h-6 w-96 rounded bg-slate-100" />
      {Array.from({ length: 10 }, (_, i) => (
        <div key={i} className="h-7 rounded bg-slate-200" />
      ))}
    </div>
  );
}
