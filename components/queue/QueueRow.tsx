"use client";

import type { QueueItem } from "@/lib/reports/queue";
import { formatSpan, stateAt, stateStyle } from "./format";

export type QueueLabels = Record<
  | "breaching" | "atRisk" | "ok" | "noSla" | "overdueBy" | "urgent" | "messages" | "dm" | "thread" | "target" | "businessClock" | "calendarClock"
  | "reason_owner" | "reason_onShift" | "reason_leastLoaded" | "reason_none" | "day",
  string
>;

export function QueueRow({ it, now, labels, roleNames, fmtTime }: { it: QueueItem; now: number; labels: QueueLabels; roleNames: Record<string, string>; fmtTime: (iso: string) => string }) {
  const state = stateAt(it, now);
  const st = stateStyle[state];
  const left = it.deadline === null ? null : Date.parse(it.deadline) - now;
  const waited = now - Date.parse(it.openedAt);
  return (
    <tr className={`border-t border-slate-200 align-top ${st.row}`} data-testid="queue-row" data-state={state} data-episode={it.episodeId} data-deadline={it.deadline ?? ""}>
      <td className="py-2 pr-3">
        <span className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${st.badge}`}>
          <span aria-hidden="true">{st.icon}</span>
          {labels[state]}
        </span>
        {it.priority === "urgent" && <span className="ml-1 text-xs font-semibold text-red-800">{labels.urgent}</span>}
      </td>
      <td className="py-2 pr-3 tabular-nums" role="timer" aria-live="off">
        {left === null ? (
          <span className="text-slate-500">—</span>
        ) : left >= 0 ? (
          <span className="font-mono font-semibold" data-testid="time-left">{formatSpan(left, labels.day)}</span>
        ) : (
          <span className="font-mono font-semibold text-red-800" data-testid="time-left">
            {labels.overdueBy} {formatSpan(left, labels.day)}
          </span>
        )}
        {it.deadline !== null && (
          <div className="text-xs text-slate-600">
            {fmtTime(it.deadline)} · {labels.target} {it.targetMinutes} {it.clock === "business" ? labels.businessClock : labels.calendarClock}
          </div>
        )}
      </td>
      <td className="py-2 pr-3 tabular-nums">
        <span className="font-mono">{formatSpan(waited, labels.day)}</span>
        <div className="text-xs text-slate-600">{fmtTime(it.openedAt)}</div>
      </td>
      <td className="py-2 pr-3">
        <div className="font-medium" data-testid="queue-student">{it.studentName}</div>
        <div className="text-xs text-slate-600">
          {it.messageCount} {labels.messages}
        </div>
      </td>
      <td className="py-2 pr-3">
        <div>{it.channelKind === "dm" ? `${labels.dm} · ${it.sourceKind}` : it.channelTitle}</div>
        <div className="text-xs text-slate-600">
          {it.channelKind !== "dm" && it.sourceKind}
          {it.threadTitle && ` · ${labels.thread}: ${it.threadTitle}`}
        </div>
      </td>
      <td className="py-2 pr-3">
        <div>{it.ownerName ?? "—"}</div>
        <div className="text-xs text-slate-600">{it.ownerRole === null ? "" : (roleNames[it.ownerRole] ?? it.ownerRole)}</div>
      </td>
      <td className="py-2 pr-3" data-testid="queue-taker">
        <div className="font-medium">{it.suggested?.name ?? "—"}</div>
        <div className="text-xs text-slate-600">{labels[`reason_${it.suggested?.reason ?? "none"}`]}</div>
      </td>
    </tr>
  );
}
