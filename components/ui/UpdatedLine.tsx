/**
 * The freshness line of a page that refreshes itself (queue, team): when the figures were computed, in
 * the school's time zone, or — when the last refresh failed — that they are stale since then. Announced
 * politely so a screen reader hears a failed refresh without losing its place.
 */
export function UpdatedLine({ asOf, timezone, isError, fmtClock, labels, testId }: { asOf: string; timezone: string; isError: boolean; fmtClock: Intl.DateTimeFormat; labels: { stale: string; updated: string; live: string }; testId?: string }) {
  return (
    <p className="text-xs text-slate-600" aria-live="polite" data-testid={testId}>
      {isError ? (
        <span className="font-medium text-red-800">
          {labels.stale} {fmtClock.format(new Date(asOf))}
        </span>
      ) : (
        <>
          {labels.updated} {fmtClock.format(new Date(asOf))} ({timezone}) · {labels.live}
        </>
      )}
    </p>
  );
}
