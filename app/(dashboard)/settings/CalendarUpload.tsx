"use client";

import { useActionState } from "react";
import { LineErrors } from "./LineErrors";
import { uploadCalendarAction, type CalendarFileState } from "./actions";

export interface CalendarUploadLabels {
  calendarUpload: string; calendarUploadHint: string; calendar: string; calendarFile: string; upload: string; calendarDone: string; calendarRefused: string;
  line: string; problem: string; holidaysN: string; workdaysN: string;
}

/** A holiday file (.ics or CSV) for one calendar: checked whole, every bad line listed, nothing half-applied. */
export function CalendarUpload({ school, calendars, labels: l }: { school: string; calendars: string[]; labels: CalendarUploadLabels }) {
  const [state, action, pending] = useActionState<CalendarFileState, FormData>(uploadCalendarAction, null);
  if (calendars.length === 0) return null;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="calendar-upload-title">
      <form action={action} className="flex flex-col gap-2" data-testid="calendar-upload-form">
        <h2 id="calendar-upload-title" className="font-medium">
          {l.calendarUpload}
        </h2>
        <p className="text-sm text-slate-600">{l.calendarUploadHint}</p>
        <input type="hidden" name="school" value={school} />
        <div className="flex flex-wrap items-end gap-3 text-sm">
          <label className="flex flex-col gap-1">
            <span className="text-slate-600">{l.calendar}</span>
            <select name="calendar" className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="calendar-upload-calendar">
              {calendars.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span className="text-slate-600">{l.calendarFile}</span>
            <input type="file" name="calendarFile" accept=".ics,.csv,text/calendar,text/csv" required className="text-sm" data-testid="calendar-upload-file" />
          </label>
          <button type="submit" disabled={pending} className="rounded bg-blue-700 px-3 py-1 text-white disabled:opacity-50" data-testid="calendar-upload-submit">
            {l.upload}
          </button>
        </div>
        {state?.ok === true && (
          <p role="status" className="rounded border border-green-200 bg-green-50 p-2 text-sm text-green-900" data-testid="calendar-upload-applied">
            <span className="font-medium">{l.calendarDone}</span>: {state.calendar} · {state.holidays} {l.holidaysN} · {state.workdays} {l.workdaysN}
          </p>
        )}
        {state?.ok === false && (
          <LineErrors title={l.calendarRefused} lineLabel={l.line} problemLabel={l.problem} errors={state.errors} testId="calendar-upload-errors" />
        )}
      </form>
    </section>
  );
}
