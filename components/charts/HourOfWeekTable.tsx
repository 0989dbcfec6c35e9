import type { ReactNode } from "react";

/**
 * The 7 × 24 frame every hour-of-week view shares (SLA heatmap, shift coverage): caption, hour header,
 * one row per weekday. Callers render the 24 cells of a day; the legend goes in `children`.
 */
export function HourOfWeekTable({ title, weekdays, testId, renderDay, children }: { title: string; weekdays: string[]; testId?: string; renderDay: (dayIndex: number) => ReactNode; children?: ReactNode }) {
  return (
    <figure aria-label={title} className="w-full overflow-x-auto">
      <table className="w-full min-w-[760px] table-fixed border-separate border-spacing-0.5 text-[10px] tabular-nums" data-testid={testId}>
        <caption className="sr-only">{title}</caption>
        <thead>
          <tr>
            <th scope="col" className="w-9" />
            {Array.from({ length: 24 }, (_, h) => (
              <th key={h} scope="col" className="text-center font-normal text-slate-500">
                {String(h).padStart(2, "0")}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weekdays.map((wd, d) => (
            <tr key={wd}>
              <th scope="row" className="pr-1 text-right font-normal text-slate-600">{wd}</th>
              {renderDay(d)}
            </tr>
          ))}
        </tbody>
      </table>
      {children}
    </figure>
  );
}
