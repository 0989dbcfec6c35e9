"use client";

import { useActionState } from "react";
import { LineErrors } from "./LineErrors";
import { uploadRosterAction, type RosterState } from "./actions";

export interface RosterLabels {
  roster: string; rosterHint: string; rosterFile: string; upload: string; rosterDone: string; rosterRefused: string; line: string; problem: string;
  rows: string; storedN: string; updatedN: string; duplicatesN: string; warnings: string;
}

/** Roster CSV upload: the CLI's importer, all or nothing; every bad line is listed with its number. */
export function RosterUpload({ school, labels: l }: { school: string; labels: RosterLabels }) {
  const [state, action, pending] = useActionState<RosterState, FormData>(uploadRosterAction, null);
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="roster-title">
      <form action={action} className="flex flex-col gap-2" data-testid="roster-form">
        <h2 id="roster-title" className="font-medium">
          {l.roster}
        </h2>
        <p className="text-sm text-slate-600">{l.rosterHint}</p>
        <input type="hidden" name="school" value={school} />
        <label className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-600">{l.rosterFile}</span>
          <input type="file" name="roster" accept=".csv,text/csv" required className="text-sm" />
        </label>
        <button type="submit" disabled={pending} className="self-start rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
          {l.upload}
        </button>
        {state?.ok === true && (
          <div role="status" className="rounded border border-green-200 bg-green-50 p-2 text-sm text-green-900" data-testid="roster-applied">
            <p>
              <span className="font-medium">{l.rosterDone}</span>: {state.rows} {l.rows} · {l.storedN} {state.stored} · {l.updatedN} {state.updated} · {l.duplicatesN} {state.duplicates}
            </p>
            {state.warnings.length > 0 && (
              <>
                <p className="mt-1 font-medium">{l.warnings}</p>
                <ul className="list-disc pl-5">
                  {state.warnings.map((w, i) => (
                    <li key={i}>{w}</li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
        {state?.ok === false && (
          <LineErrors title={l.rosterRefused} lineLabel={l.line} problemLabel={l.problem} errors={state.errors} testId="roster-errors" />
        )}
      </form>
    </section>
  );
}
