/** A completion table: one row per group with counts, the rate and its 95 % interval drawn as a bar. */
export interface CompletionTableRow {
  key: string;
  label: string;
  successes: number;
  n: number;
  notEnded: number;
  rate: number | null;
  low: number | null;
  high: number | null;
}

const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);

export function CompletionTable({ rows, labels, testId }: { rows: CompletionTableRow[]; labels: { group: string; completed: string; ended: string; notEnded: string; rate: string; ci: string }; testId?: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm tabular-nums" data-testid={testId}>
        <thead className="text-left text-slate-600">
          <tr>
            <th className="py-1 pr-4">{labels.group}</th>
            <th className="py-1 pr-4 text-right">{labels.completed}</th>
            <th className="py-1 pr-4 text-right">{labels.ended}</th>
            <th className="py-1 pr-4 text-right">{labels.notEnded}</th>
            <th className="py-1 pr-4 text-right">{labels.rate}</th>
            <th className="py-1 pr-4 text-right">{labels.ci}</th>
            <th className="w-40 py-1 pr-4" aria-hidden="true" />
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} className="border-t border-slate-100">
              <td className="py-1 pr-4">{r.label}</td>
              <td className="py-1 pr-4 text-right">{r.successes}</td>
              <td className="py-1 pr-4 text-right">{r.n}</td>
              <td className="py-1 pr-4 text-right">{r.notEnded}</td>
              <td className="py-1 pr-4 text-right">{pct(r.rate)}</td>
              <td className="whitespace-nowrap py-1 pr-4 text-right">{r.low === null ? "—" : `${pct(r.low)} – ${pct(r.high)}`}</td>
              <td className="py-1 pr-4" aria-hidden="true">
                {r.rate !== null && r.low !== null && r.high !== null && (
                  <div className="relative h-3 w-36 rounded bg-slate-100">
                    <div className="absolute top-1 h-1 rounded bg-blue-300" style={{ left: `${100 * r.low}%`, width: `${100 * (r.high - r.low)}%` }} />
                    <div className="absolute top-0 h-3 w-0.5 bg-blue-800" style={{ left: `${100 * r.rate}%` }} />
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
