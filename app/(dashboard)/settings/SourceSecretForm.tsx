"use client";

import { useActionState } from "react";
import { sourceSecretAction, type SecretState } from "./actions";

export interface SecretLabels {
  secretTitle: string; secretHint: string; source: string; secretMode: string; secretGenerate: string; secretSetOwn: string; secretValue: string; secretSave: string;
  secretSaved: string; secretOnce: string; refused: string; path: string; problem: string;
}

/**
 * Set or rotate a source's webhook secret. The new secret comes back in this form's state only: it is
 * shown until the page is left or reloaded and never read back (the page lists "set" / "missing").
 */
export function SourceSecretForm({ school, sources, labels: l }: { school: string; sources: Array<{ kind: string; externalId: string; label: string }>; labels: SecretLabels }) {
  const [state, action, pending] = useActionState<SecretState, FormData>(sourceSecretAction, null);
  if (sources.length === 0) return null;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="secret-title">
      <form action={action} className="flex flex-col gap-2" data-testid="secret-form">
        <h2 id="secret-title" className="font-medium">
          {l.secretTitle}
        </h2>
        <p className="text-sm text-slate-600">{l.secretHint}</p>
        <input type="hidden" name="school" value={school} />
        <div className="flex flex-wrap items-end gap-3 text-sm">
          <label className="flex flex-col gap-1">
            <span className="text-slate-600">{l.source}</span>
            {/* One select for kind and id ("telegram:bot1"): the action splits it at the first colon (kinds have none). */}
            <select name="sourceKey" className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="secret-source">
              {sources.map((s) => (
                <option key={`${s.kind}:${s.externalId}`} value={`${s.kind}:${s.externalId}`}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <fieldset className="flex items-center gap-3">
            <legend className="sr-only">{l.secretMode}</legend>
            <label className="flex items-center gap-1">
              <input type="radio" name="mode" value="generate" defaultChecked data-testid="secret-mode-generate" />
              {l.secretGenerate}
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name="mode" value="set" data-testid="secret-mode-set" />
              {l.secretSetOwn}
            </label>
          </fieldset>
          <label className="flex flex-col gap-1">
            <span className="text-slate-600">{l.secretValue}</span>
            <input type="password" name="secret" autoComplete="off" className="rounded border border-slate-300 px-1 py-0.5" data-testid="secret-value" />
          </label>
          <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-50" data-testid="secret-save">
            {l.secretSave}
          </button>
        </div>
        {state?.ok === true && (
          <div role="status" className="rounded border border-green-200 bg-green-50 p-2 text-sm text-green-900" data-testid="secret-saved">
            <p>
              <span className="font-medium">{l.secretSaved}</span>: {state.source} {state.sourceExternalId}. {l.secretOnce}
            </p>
            <code className="mt-1 block select-all break-all rounded bg-white px-2 py-1 font-mono" data-testid="secret-new">
              {state.secret}
            </code>
          </div>
        )}
        {state?.ok === false && (
          <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900" data-testid="secret-errors">
            <p className="font-medium">{l.refused}</p>
            <ul className="list-disc pl-5">
              {state.issues.map((i, k) => (
                <li key={k}>
                  <span className="font-mono">{i.path || "(form)"}</span>: {i.message}
                </li>
              ))}
            </ul>
          </div>
        )}
      </form>
    </section>
  );
}
