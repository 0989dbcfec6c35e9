"use client";

import { useState } from "react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";

export interface EditorAdd {
  personId: number;
  weekday: number;
  start: string;
  end: string;
}

interface Labels {
  person: string;
  weekday: string;
  start: string;
  end: string;
  add: string;
  save: string;
  saveHint: string;
  saved: string;
  saveFailed: string;
  resetWhatIf: string;
  moveShift: string;
  newShift: string;
}

export interface EditorMove {
  shiftId: string;
  weekday: number;
  start: string;
  end: string;
}

/** A stored shift the what-if may move (its person keeps it at the new time). */
export interface Movable {
  id: string;
  personId: number;
  label: string;
}

interface Props {
  school: string;
  role: string;
  planWeek: string;
  staff: Array<{ id: number; name: string }>;
  weekdays: string[];
  adds: EditorAdd[];
  removes: string[];
  moves: EditorMove[];
  movable: Movable[];
  canEdit: boolean;
  labels: Labels;
}

/** Same encoding as lib/reports/shifts.ts `encodeAdd`: `personId.weekday.HHMM.HHMM`. */
const encode = (a: EditorAdd) => `${a.personId}.${a.weekday}.${a.start.replace(":", "")}.${a.end.replace(":", "")}`;
/** Same encoding as lib/reports/shifts.ts `encodeMove`: `shiftId.weekday.HHMM.HHMM`. */
const encodeMove = (m: EditorMove) => `${m.shiftId}.${m.weekday}.${m.start.replace(":", "")}.${m.end.replace(":", "")}`;

/**
 * What-if form: adds a weekly shift to the URL (the server recomputes the prediction, nothing is
 * stored); "save" posts the URL's changes to /api/shifts and clears them.
 */
export function ShiftEditor({ school, role, planWeek, staff, weekdays, adds, removes, moves, movable, canEdit, labels }: Props) {
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const [personId, setPersonId] = useState(staff[0]?.id ?? 0);
  // "" = add a new shift; a shift id = move that shift (remove it, add its person at the new time).
  const [moveId, setMoveId] = useState("");
  const [weekday, setWeekday] = useState(1);
  const [start, setStart] = useState("09:00");
  const [end, setEnd] = useState("18:00");
  const [status, setStatus] = useState<"idle" | "saving" | "saved" | "failed">("idle");
  const [message, setMessage] = useState("");

  const withoutChanges = () => {
    const next = new URLSearchParams(sp.toString());
    next.delete("add");
    next.delete("remove");
    next.delete("move");
    return next;
  };

  const onAdd = (e: React.FormEvent) => {
    e.preventDefault();
    const next = new URLSearchParams(sp.toString());
    if (moveId) next.append("move", encodeMove({ shiftId: moveId, weekday, start, end }));
    else if (personId) next.append("add", encode({ personId, weekday, start, end }));
    else return;
    router.push(`${path}?${next.toString()}`, { scroll: false });
  };

  const onSave = async () => {
    setStatus("saving");
    setMessage("");
    try {
      const post = async (body: Record<string, unknown>) => {
        const res = await fetch("/api/shifts", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        if (!res.ok) {
          const j: unknown = await res.json().catch(() => null);
          const err = j && typeof j === "object" && "error" in j ? String(j.error) : res.statusText;
          throw new Error(err);
        }
      };
      for (const a of adds) await post({ action: "add", school, role, weekStart: planWeek, ...a });
      for (const id of removes) await post({ action: "remove", school, id: Number(id) });
      for (const m of moves) {
        const from = movable.find((x) => x.id === m.shiftId);
        if (!from) continue;
        await post({ action: "add", school, role, weekStart: planWeek, personId: from.personId, weekday: m.weekday, start: m.start, end: m.end });
        await post({ action: "remove", school, id: Number(m.shiftId) });
      }
      setStatus("saved");
      router.push(`${path}?${withoutChanges().toString()}`, { scroll: false });
      router.refresh();
    } catch (err) {
      setStatus("failed");
      setMessage(err instanceof Error ? err.message : "");
    }
  };

  const hasChanges = adds.length + removes.length + moves.length > 0;
  const input = "rounded border border-slate-300 bg-white px-2 py-1";
  return (
    <div className="flex flex-col gap-3">
      <form onSubmit={onAdd} className="flex flex-wrap items-end gap-2 text-sm" data-testid="whatif-form">
        {movable.length > 0 && (
          <label className="flex flex-col gap-0.5">
            <span className="text-slate-600">{labels.moveShift}</span>
            <select className={input} value={moveId} onChange={(e) => setMoveId(e.target.value)} data-testid="whatif-move">
              <option value="">{labels.newShift}</option>
              {movable.map((m) => (
                <option key={m.id} value={m.id}>{m.label}</option>
              ))}
            </select>
          </label>
        )}
        <label className="flex flex-col gap-0.5">
          <span className="text-slate-600">{labels.person}</span>
          <select className={input} value={personId} onChange={(e) => setPersonId(Number(e.target.value))} disabled={moveId !== ""} required>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-slate-600">{labels.weekday}</span>
          <select className={input} value={weekday} onChange={(e) => setWeekday(Number(e.target.value))}>
            {weekdays.map((w, i) => (
              <option key={w} value={i + 1}>{w}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-slate-600">{labels.start}</span>
          <input type="time" step={900} className={input} value={start} onChange={(e) => setStart(e.target.value)} required />
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-slate-600">{labels.end}</span>
          <input type="time" step={900} className={input} value={end} onChange={(e) => setEnd(e.target.value)} required />
        </label>
        <button type="submit" disabled={staff.length === 0} className="rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-700 disabled:opacity-50">
          {labels.add}
        </button>
      </form>
      {hasChanges && (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <button type="button" onClick={() => router.push(`${path}?${withoutChanges().toString()}`, { scroll: false })} className="rounded border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
            {labels.resetWhatIf}
          </button>
          {canEdit && (
            <button type="button" onClick={() => void onSave()} disabled={status === "saving"} title={labels.saveHint} className="rounded bg-blue-700 px-3 py-1.5 text-white hover:bg-blue-600 disabled:opacity-50" data-testid="save-shifts">
              {labels.save}
            </button>
          )}
        </div>
      )}
      <p role="status" aria-live="polite" className="text-sm">
        {status === "saved" ? labels.saved : status === "failed" ? `${labels.saveFailed}: ${message}` : ""}
      </p>
    </div>
  );
}
