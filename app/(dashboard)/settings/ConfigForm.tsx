"use client";

import { useActionState } from "react";
import { applyConfigAction, type FormState } from "./actions";

export interface ConfigFormLabels {
  apply: string;
  applyHint: string;
  applyButton: string;
  applied: string;
  refused: string;
  path: string;
  problem: string;
}

export function ConfigForm({ school, labels }: { school: string; labels: ConfigFormLabels }) {
  const [state, action, pending] = useActionState<FormState, FormData>(applyConfigAction, null);
  return (
    <form action={action} className="flex flex-col gap-2" data-testid="config-form">
      <input type="hidden" name="school" value={school} />
      <label htmlFor="config-json" className="font-medium">
        {labels.apply}
      </label>
      <p className="text-sm text-slate-600">{labels.applyHint}</p>
      <textarea id="config-json" name="config" rows={12} spellCheck={false} className="w-full rounded border border-slate-300 p-2 font-mono text-sm" placeholder='{ "slaPolicies": [ … ] }' />
      <div>
        <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
          {labels.applyButton}
        </button>
      </div>
      {state?.ok === true && (
        <div role="status" className="rounded border border-green-200 bg-green-50 p-3 text-sm text-green-900" data-testid="config-applied">
          <p className="font-medium">{labels.applied}</p>
          <pre className="mt-1 whitespace-pre-wrap">{JSON.stringify(state.result, null, 2)}</pre>
        </div>
      )}
      {state?.ok === false && (
        <div role="alert" className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-900" data-testid="config-errors">
          <p className="font-medium">{labels.refused}</p>
          <table className="mt-1 w-full">
            <thead className="text-left">
              <tr>
                <th className="pr-4">{labels.path}</th>
                <th>{labels.problem}</th>
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
      )}
    </form>
  );
}
