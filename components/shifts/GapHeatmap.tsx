import { HourOfWeekTable } from "@/components/charts/HourOfWeekTable";
export interface GapCell {
  /** Hour of week 0..167. */
  hour: number;
  gap: number;
  status: "under" | "ok" | "over";
  /** The cell's text. */
  text: string;
  /** Every number of the cell, for screen readers and the tooltip. */
  label: string;
  /** Highlight (a what-if changed this hour). */
  changed?: boolean;
}

const REDS = ["#fde0dd", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"];
const BLUES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

function colour(c: GapCell): string {
  if (c.status === "ok") return "#ffffff";
  const scale = c.status === "under" ? REDS : BLUES;
  const i = Math.min(scale.length - 1, Math.floor(Math.abs(c.gap)));
  return scale[i] ?? "#fff";
}

/**
 * Scheduled minus needed per hour of the week (rows = weekdays, columns = hours): under-staffed red,
 * over-staffed blue, white when covered. Each cell is an image with an aria-label carrying its numbers.
 */
export function GapHeatmap({ cells, weekdays, title, testId }: { cells: GapCell[]; weekdays: string[]; title: string; testId?: string }) {
  return (
    <HourOfWeekTable
      title={title}
      weekdays={weekdays}
      testId={testId}
      renderDay={(d) =>
        cells.slice(d * 24, d * 24 + 24).map((c) => {
          const bg = colour(c);
          const dark = ["#de2d26", "#a50f15", "#3182bd", "#08519c"].includes(bg);
          return (
            <td key={c.hour} className="p-0">
              <span
                role="img"
                aria-label={c.label}
                title={c.label}
                data-hour={c.hour}
                data-status={c.status}
                style={{ backgroundColor: bg }}
                className={`flex h-7 w-full items-center justify-center rounded-sm border ${c.changed ? "border-2 border-amber-500" : "border-slate-200"} ${dark ? "text-white" : "text-slate-800"}`}
              >
                {c.text}
              </span>
            </td>
          );
        })
      }
    />
  );
}
