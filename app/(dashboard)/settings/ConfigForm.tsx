"use client";

import { useActionState } from "react";
import { applyConfigAction, type FormState } from "./actions";
import { Outcome } from "./Outcome";

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
      <Outcome state={state} labels={labels} testId="config" />
    </form>
  );
}
