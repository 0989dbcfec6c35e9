import type { TeamReport } from "@/lib/dal/team";

export interface RebalanceLabels {
  rebalanceTitle: string; rebalanceRule: string; moveStudent: string; moveChannel: string; episodes: string; loadAfter: string;
  unresolved: string; noMoves: string; nothingToMove: string; noOverload: string; perHour: string; limit: string;
}

/** The greedy plan of db/queries/reports/rebalance.ts, with its rule spelled out above it. */
export function RebalanceList({ plans, labels, num }: { plans: TeamReport["rebalance"]; labels: RebalanceLabels; num: (x: number, digits?: number) => string }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="rebalance-title" data-testid="rebalance">
      <h2 id="rebalance-title" className="font-medium">
        {labels.rebalanceTitle} <span className="text-sm font-normal text-slate-500">(n = {plans.length})</span>
      </h2>
      <p className="mt-1 text-sm text-slate-600">{labels.rebalanceRule}</p>
      {plans.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">{labels.noOverload}</p>
      ) : (
        <ul className="mt-3 flex flex-col gap-3">
          {plans.map((p) => (
            <li key={p.personId} className="rounded border border-amber-200 bg-amber-50 p-3" data-testid="rebalance-plan">
              <div className="font-medium">
                <span aria-hidden="true">⚠ </span>
                {p.name}: {num(p.loadPerHour, 2)} {labels.perHour} / {labels.limit} {num(p.limitPerHour, 2)}
                {p.moves.length > 0 && (
                  <span className="font-normal text-slate-700">
                    {" "}
                    → {labels.loadAfter} {num(p.loadAfter, 2)}
                  </span>
                )}
              </div>
              {p.moves.length === 0 ? (
                <p className="text-sm text-slate-700">{p.movable === 0 ? labels.nothingToMove : labels.noMoves}</p>
              ) : (
                <ul className="mt-1 list-disc pl-5 text-sm">
                  {p.moves.map((m) => (
                    <li key={`${m.item.kind}-${m.item.id}`}>
                      {m.item.kind === "student" ? labels.moveStudent : labels.moveChannel} «{m.item.label}» ({num(m.item.episodes)} {labels.episodes}, {num(m.perHour, 2)} {labels.perHour}) → <strong>{m.toName}</strong>
                    </li>
                  ))}
                </ul>
              )}
              {p.moves.length > 0 && !p.resolved && <p className="mt-1 text-sm text-red-800">{labels.unresolved}</p>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
