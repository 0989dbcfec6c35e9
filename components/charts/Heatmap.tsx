import Link from "next/link";
import { HourOfWeekTable } from "./HourOfWeekTable";

export interface HeatmapCell {
  weekday: number;
  hour: number;
  /** The number the cell shows for the chosen metric (null = nothing to show). */
  value: number | null;
  /** The cell's text (formatted value). */
  text: string;
  /** Full description for screen readers and the tooltip: every number of the cell. */
  label: string;
  lowConfidence: boolean;
  href: string | null;
}

interface Props {
  cells: HeatmapCell[];
  weekdays: string[];
  title: string;
  /** "higher is better" (compliance) flips the scale so a good cell is blue, a bad one orange. */
  scale: "more" | "better" | "worse";
  legend: { low: string; high: string; lowCount: string; noData: string };
}

// Sequential blue for counts; orange (bad) ↔ blue (good) for compliance and response time (colour-blind safe).
const BLUES = ["#eff6ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const DIVERGING = ["#d55e00", "#e69f00", "#f3d39a", "#c6dbef", "#6baed6", "#0072b2"];

function colour(value: number | null, max: number, scale: Props["scale"]): string {
  if (value === null) return "#f8fafc";
  if (scale === "more") return BLUES[Math.min(BLUES.length - 1, Math.floor((max === 0 ? 0 : value / max) * (BLUES.length - 1) + 0.5))] ?? "#fff";
  const share = scale === "better" ? value : max === 0 ? 0 : 1 - value / max;
  return DIVERGING[Math.min(DIVERGING.length - 1, Math.floor(share * (DIVERGING.length - 1) + 0.5))] ?? "#fff";
}

const HATCH = "repeating-linear-gradient(45deg, rgba(100,116,139,.35) 0 2px, transparent 2px 6px)";

/**
 * Hour-of-week grid (rows = ISO weekdays, columns = local hours). Every cell is a link (keyboard
 * focusable) to the episodes behind it, with an aria-label carrying its numbers; cells with fewer than
 * five episodes are hatched and say so.
 */
export function Heatmap({ cells, weekdays, title, scale, legend }: Props) {
  const max = Math.max(0, ...cells.map((c) => c.value ?? 0));
  const lightText = (bg: string) => ["#3182bd", "#08519c", "#0072b2", "#d55e00", "#6baed6"].includes(bg);
  return (
    <HourOfWeekTable
      title={title}
      weekdays={weekdays}
      testId="heatmap"
      renderDay={(i) =>
        cells
          .filter((c) => c.weekday === i + 1)
          .sort((a, b) => a.hour - b.hour)
          .map((c) => {
            const bg = colour(c.value, max, scale);
            const style = { backgroundColor: bg, backgroundImage: c.lowConfidence && c.value !== null ? HATCH : undefined };
            const cls = `flex h-7 w-full items-center justify-center rounded-sm ${lightText(bg) ? "text-white" : "text-slate-800"} ${c.lowConfidence ? "italic opacity-80" : "font-medium"}`;
            return (
              <td key={c.hour} className="p-0">
                {c.href ? (
                  <Link href={c.href} aria-label={c.label} title={c.label} style={style} data-weekday={c.weekday} data-hour={c.hour}
                    className={`${cls} outline-offset-1 hover:ring-2 hover:ring-slate-700 focus-visible:outline-2 focus-visible:outline-blue-700`}>
                    {c.text}
                  </Link>
                ) : (
                  <span role="img" aria-label={c.label} title={c.label} style={style} className={cls}>{c.text}</span>
                )}
              </td>
            );
          })
      }
    >
      <figcaption className="mt-2 flex flex-wrap items-center gap-3 text-xs text-slate-600" data-testid="heatmap-legend">
        <span className="flex items-center gap-1">
          {legend.low}
          {(scale === "more" ? BLUES : DIVERGING).map((c) => (
            <span key={c} className="inline-block h-3 w-5 rounded-sm" style={{ backgroundColor: c }} aria-hidden="true" />
          ))}
          {legend.high}
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-3 w-5 rounded-sm border border-slate-300" style={{ backgroundImage: HATCH }} aria-hidden="true" />
          {legend.lowCount}
        </span>
        <span className="flex items-center gap-1">
          <span className="inline-block h-3 w-5 rounded-sm border border-slate-200 bg-slate-50" aria-hidden="true" />
          {legend.noData}
        </span>
      </figcaption>
    </HourOfWeekTable>
  );
}
