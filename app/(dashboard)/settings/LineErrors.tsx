/**
 * The refusal of an uploaded file (roster, holidays): every bad line with its number, so the file can be
 * fixed in one pass; nothing of it was written.
 */
export function LineErrors({ title, lineLabel, problemLabel, errors, testId }: { title: string; lineLabel: string; problemLabel: string; errors: ReadonlyArray<{ line?: number | null; reason: string }>; testId: string }) {
  return (
    <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900" data-testid={testId}>
      <p className="font-medium">{title}</p>
      <table className="mt-1 w-full">
        <thead className="text-left">
          <tr>
            <th scope="col" className="pr-4">{lineLabel}</th>
            <th scope="col">{problemLabel}</th>
          </tr>
        </thead>
        <tbody>
          {errors.map((e, k) => (
            <tr key={k} className="align-top">
              <td className="pr-4 tabular-nums">{e.line ?? "—"}</td>
              <td className="whitespace-pre-wrap">{e.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
