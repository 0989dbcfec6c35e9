import type { ApplyOutcome } from "@/lib/dal/settings";
import { ProblemList } from "./LineErrors";

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
    <ProblemList
      title={labels.refused}
      whereLabel={labels.path}
      problemLabel={labels.problem}
      problems={state.issues.map((i) => ({ where: i.path || "(document)", what: i.message }))}
      testId={`${testId}-errors`}
      mono
    />
  );
}
