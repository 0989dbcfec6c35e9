import type { Trend } from "@/lib/metrics/kpi-trend";

const ARROW = { up: "▲", down: "▼", flat: "▬" } as const;
// Colour says good or bad news for this metric, not the direction: a falling response time is green.
const COLOUR = { better: "text-emerald-700", worse: "text-red-700", same: "text-slate-500" } as const;

/**
 * The change against the previous period: arrow, signed change and, for screen readers and colour-blind
 * readers, the verdict in words; the previous value is in the title (tooltip).
 */
export function TrendBadge({ trend, deltaText, verdictText, title, testId }: { trend: Trend; deltaText: string | null; verdictText: string; title: string; testId?: string }) {
  if (trend.direction === null || trend.verdict === null) {
    return (
      <span className="text-xs text-slate-500" title={title} data-testid={testId} data-verdict="none">
        {verdictText}
      </span>
    );
  }
  return (
    <span className={`text-xs font-medium ${COLOUR[trend.verdict]}`} title={title} data-testid={testId} data-verdict={trend.verdict} data-direction={trend.direction}>
      <span aria-hidden="true">{ARROW[trend.direction]}</span> {deltaText} <span className="font-normal">({verdictText})</span>
    </span>
  );
}
