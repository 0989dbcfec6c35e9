import type { ApplyOutcome } from "@/lib/dal/settings";

/** What a settings form answered: applied (with the counts of what changed) or every problem with its path. */
export function Outcome({ state, labels, testId }: { state: ApplyOutcome | null; labels: { applied: string; refused: string; path: string; problem: string }; testId: string }) {
  if (state === null) return null;
  if (state.ok) {
    const r = state.result;
    const changed = Object.entries(r).filter(([k, v]) => k !== "warnings" && typeof v === "number" && v > 0);
    return (
      <div role="status" className="rounded border border-green-200 bg-green-50 p-2 text-sm text-green-900" data-testid={`${testId}-applied`}>
        <span className="font-medium">{labels.applied}</span>
        {changed.length > 0 && <span>: {changed.map(([k, v]) => `${k} ${String(v)}`).join(", ")}</span>}
        {r.warnings.length > 0 && (
          <ul className="mt-1 list-disc pl-5">
            {r.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900" data-testid={`${testId}-errors`}>
      <p className="font-medium">{labels.refused}</p>
      <table className="mt-1 w-full">
        <thead className="text-left">
          <tr>
            <th scope="col" className="pr-4">{labels.path}</th>
            <th scope="col">{labels.problem}</th>
          </tr>
        </thead>
        <tbody>
          {state.issues.map((i, k) => (
            <tr key={k} className="align-top">
              <td className="pr-4 font-mono">{i.path || "(document)"}</td>
              <td className="whitespace-pre-wrap">{i.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
