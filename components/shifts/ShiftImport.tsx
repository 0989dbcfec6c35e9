"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";

interface Labels {
  file: string;
  upload: string;
  template: string;
  errors: string;
  line: string;
  done: string;
  existing: string;
  failed: string;
}

interface ImportAnswer {
  ok?: boolean;
  errors?: Array<{ line: number; message: string }>;
  inserted?: number;
  existing?: number;
  error?: string;
}

type State =
  | { kind: "idle" }
  | { kind: "uploading" }
  | { kind: "rejected"; errors: Array<{ line: number; message: string }> }
  | { kind: "done"; inserted: number; existing: number }
  | { kind: "failed"; message: string };

/**
 * Uploads a shift CSV to /api/shifts/import. The server checks the whole file and writes nothing on
 * any error, so the page only shows its answer: the line-numbered errors, or the counts and a refresh.
 */
export function ShiftImport({ school, labels }: { school: string; labels: Labels }) {
  const router = useRouter();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<State>({ kind: "idle" });

  const onSubmit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setState({ kind: "uploading" });
    try {
      const csv = await file.text();
      const res = await fetch("/api/shifts/import", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ school, csv }) });
      const j = (await res.json().catch(() => ({}))) as ImportAnswer;
      if (res.status === 422 && j.errors) setState({ kind: "rejected", errors: j.errors });
      else if (res.ok && j.ok) {
        setState({ kind: "done", inserted: j.inserted ?? 0, existing: j.existing ?? 0 });
        router.refresh();
      } else setState({ kind: "failed", message: j.error ?? res.statusText });
    } catch (err) {
      setState({ kind: "failed", message: err instanceof Error ? err.message : "" });
    }
  };

  return (
    <div className="flex flex-col gap-2 text-sm">
      <form onSubmit={(e) => void onSubmit(e)} className="flex flex-wrap items-end gap-2" data-testid="import-form">
        <label className="flex flex-col gap-0.5">
          <span className="text-slate-600">{labels.file}</span>
          <input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => setFile(e.target.files?.[0] ?? null)} className="text-sm" data-testid="import-file" />
        </label>
        <button type="submit" disabled={!file || state.kind === "uploading"} className="rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-700 disabled:opacity-50">
          {labels.upload}
        </button>
        <a href="/api/shifts/template" download className="px-2 py-1.5 text-blue-800 underline" data-testid="import-template">{labels.template}</a>
      </form>
      <div role="status" aria-live="polite" data-testid="import-status">
        {state.kind === "rejected" && (
          <div className="rounded border border-red-200 bg-red-50 p-2 text-red-800">
            <p className="font-medium">{labels.errors}: {state.errors.length}</p>
            <ul className="mt-1 list-disc pl-5" data-testid="import-errors">
              {state.errors.map((er, i) => (
                <li key={i} data-line={er.line}>{labels.line} {er.line}: {er.message}</li>
              ))}
            </ul>
          </div>
        )}
        {state.kind === "done" && <p className="text-green-800" data-testid="import-done">{labels.done}: {state.inserted} ({labels.existing}: {state.existing})</p>}
        {state.kind === "failed" && <p className="text-red-700">{labels.failed}: {state.message}</p>}
      </div>
    </div>
  );
}
