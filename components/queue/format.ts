import type { QueueState } from "@/lib/reports/queue";

/** "1 д 02:03:04" / "02:03:04": a countdown that reads the same in both languages apart from the day unit. */
export function formatSpan(ms: number, dayUnit: string): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const hh = String(Math.floor((s % 86_400) / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return `${d > 0 ? `${d} ${dayUnit} ` : ""}${hh}:${mm}:${ss}`;
}

/** The state at `now` between polls: deadlines and the 80 % mark are instants, so the client can cross them itself. */
export function stateAt(it: { state: QueueState; deadline: string | null; atRiskAt: string | null }, now: number): QueueState {
  if (it.deadline === null) return it.state;
  if (now > Date.parse(it.deadline)) return "breaching";
  if (it.atRiskAt !== null && now > Date.parse(it.atRiskAt)) return "atRisk";
  return it.state === "breaching" || it.state === "atRisk" ? it.state : "ok";
}

/** Colour AND icon AND text per state (WCAG 1.4.1: colour is never the only signal). */
export const stateStyle: Record<QueueState, { icon: string; row: string; badge: string }> = {
  breaching: { icon: "✕", row: "border-l-4 border-l-red-600 bg-red-50", badge: "bg-red-700 text-white" },
  atRisk: { icon: "⚠", row: "border-l-4 border-l-amber-500 bg-amber-50", badge: "bg-amber-300 text-amber-950" },
  ok: { icon: "✓", row: "border-l-4 border-l-transparent", badge: "bg-emerald-100 text-emerald-900" },
  noSla: { icon: "–", row: "border-l-4 border-l-transparent", badge: "bg-slate-100 text-slate-700" },
};
