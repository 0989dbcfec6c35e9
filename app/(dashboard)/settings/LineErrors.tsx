/**
 * A refusal, listed whole so it can be fixed in one pass: each problem with where it is (a file's line
 * number, or a config document's JSON path). Nothing of what was refused was written.
 */
export function ProblemList({ title, whereLabel, problemLabel, problems, testId, mono = false }: { title: string; whereLabel: string; problemLabel: string; problems: ReadonlyArray<{ where: string; what: string }>; testId: string; mono?: boolean }) {
  return (
    <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900" data-testid={testId}>
      <p className="font-medium">{title}</p>
      <table className="mt-1 w-full">
        <thead className="text-left">
          <tr>
            <th scope="col" className="pr-4">{whereLabel}</th>
            <th scope="col">{problemLabel}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((e, k) => (
            <tr key={k} className="align-top">
              <td className={`pr-4 ${mono ? "font-mono" : "tabular-nums"}`}>{e.where}</td>
              <td className="whitespace-pre-wrap">{e.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An uploaded file's refusal (roster, holidays): every bad line with its number. */
export function LineErrors({ title, lineLabel, problemLabel, errors, testId }: { title: string; lineLabel: string; problemLabel: string; errors: ReadonlyArray<{ line?: number | null; reason: string }>; testId: string }) {
  return <ProblemList title={title} whereLabel={lineLabel} problemLabel={problemLabel} problems={errors.map((e) => ({ where: e.line == null ? "—" : String(e.line), what: e.reason }))} testId={testId} />;
}
