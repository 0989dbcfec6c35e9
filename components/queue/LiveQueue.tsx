"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import type { QueueState } from "@/lib/reports/queue";
import { queueQueryOptions, type QueueParams } from "./queueQuery";
import { QueueRow, type QueueLabels } from "./QueueRow";
import { stateAt, stateStyle } from "./format";
import { UpdatedLine } from "../ui/UpdatedLine";

export type LiveQueueLabels = QueueLabels &
  Record<"timeLeft" | "waiting" | "student" | "where" | "owner" | "takes" | "empty" | "emptyFiltered" | "updated" | "live" | "stale" | "open" | "onShift" | "ofOpen" | "shown" | "shownOf" | "showMore" | "mostUrgent", string>;

const ORDER: QueueState[] = ["breaching", "atRisk", "ok", "noSla"];

/**
 * The live queue: first paint from the server (the cache is seeded under the same key), then polling of
 * /api/queue every second (QUEUE_POLL_MS). One clock for every countdown, ticking each second; it starts at the server's
 * `asOf` so the first client render equals the server's (no hydration mismatch). The server sends the
 * most urgent `limit` rows and the counts of all; "show more" asks for `pageSize` more (in the URL).
 */
export function LiveQueue({ params, labels, roleNames, locale, timezone, pageSize, maxRows }: { params: QueueParams; labels: LiveQueueLabels; roleNames: Record<string, string>; locale: "ru" | "en"; timezone: string; pageSize: number; maxRows: number }) {
  const q = useQuery(queueQueryOptions(params));
  const router = useRouter();
  const path = usePathname();
  const sp = useSearchParams();
  const data = q.data;
  const [now, setNow] = useState<number>(() => (data ? Date.parse(data.asOf) : 0));
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const id = setInterval(tick, 1000);
    const first = setTimeout(tick, 0);
    return () => {
      clearInterval(id);
      clearTimeout(first);
    };
  }, []);
  const tag = locale === "ru" ? "ru-RU" : "en-GB";
  const fmt = useMemo(() => new Intl.DateTimeFormat(tag, { timeZone: timezone, day: "2-digit", month: "2-digit", hour: "2-digit", minute: "2-digit" }), [tag, timezone]);
  const fmtClock = useMemo(() => new Intl.DateTimeFormat(tag, { timeZone: timezone, hour: "2-digit", minute: "2-digit", second: "2-digit" }), [tag, timezone]);
  const nf = useMemo(() => new Intl.NumberFormat(tag), [tag]);
  if (!data) return <QueueSkeleton />;

  // The server's counts of every matching episode at `asOf`, moved on by the shown rows that crossed a
  // mark since: the rows are the earliest deadlines, so they are the ones that cross first.
  const counts: Record<QueueState, number> = { ...data.counts };
  for (const it of data.items) {
    const at = stateAt(it, now);
    if (at !== it.state) {
      counts[it.state] -= 1;
      counts[at] += 1;
    }
  }
  const showMore = () => {
    const next = new URLSearchParams(sp.toString());
    next.set("limit", String(Math.min(maxRows, data.limit + pageSize)));
    router.replace(`${path}?${next.toString()}`, { scroll: false });
  };
  const filtered = data.filters.role !== undefined || data.filters.team !== undefined || data.filters.channel !== undefined;
  return (
    <div className="flex flex-col gap-4">
      <section className="grid grid-cols-2 gap-3 md:grid-cols-5" aria-label={labels.open}>
        <div className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
          <div className="text-sm text-slate-600">{labels.open}</div>
          <div className="text-2xl font-semibold tabular-nums" data-testid="queue-count">
            {nf.format(data.matched)}
          </div>
          <div className="text-xs text-slate-500">
            {labels.ofOpen} {nf.format(data.totalOpen)} · {labels.onShift}: {nf.format(data.onShift)} / {nf.format(data.staffCount)}
          </div>
        </div>
        {ORDER.map((s) => (
          <div key={s} className="rounded-lg border border-slate-200 bg-white p-3 shadow-sm">
            <div className="text-sm text-slate-600">
              <span aria-hidden="true">{stateStyle[s].icon}</span> {labels[s]}
            </div>
            <div className="text-2xl font-semibold tabular-nums" data-testid={`queue-count-${s}`}>
              {nf.format(counts[s])}
            </div>
          </div>
        ))}
      </section>
      <UpdatedLine asOf={data.asOf} timezone={timezone} isError={q.isError} fmtClock={fmtClock} labels={labels} />
      {data.matched === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white py-12 text-center text-slate-600" data-testid="queue-empty">
          {filtered ? labels.emptyFiltered : labels.empty}
        </p>
      ) : data.limit === 0 ? null : (
        // limit 0: an executive's view, the counts without the per-student rows (lib/dal/queue.ts).
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-sm" data-testid="queue-table">
            <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th className="py-2 pl-1 pr-3" scope="col">SLA</th>
                <th className="py-2 pr-3" scope="col">{labels.timeLeft}</th>
                <th className="py-2 pr-3" scope="col">{labels.waiting}</th>
                <th className="py-2 pr-3" scope="col">{labels.student}</th>
                <th className="py-2 pr-3" scope="col">{labels.where}</th>
                <th className="py-2 pr-3" scope="col">{labels.owner}</th>
                <th className="py-2 pr-3" scope="col">{labels.takes}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((it) => (
                <QueueRow key={it.episodeId} it={it} now={now} labels={labels} roleNames={roleNames} fmtTime={(iso) => fmt.format(new Date(iso))} />
              ))}
            </tbody>
          </table>
          <div className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-3 py-2 text-sm text-slate-600">
            <span data-testid="queue-shown">
              {labels.shown} {nf.format(data.items.length)} {labels.shownOf} {nf.format(data.matched)} ({labels.mostUrgent})
            </span>
            {data.items.length < data.matched && data.limit < maxRows && (
              <button type="button" onClick={showMore} data-testid="queue-more" className="rounded border border-slate-300 bg-white px-3 py-1 text-slate-800 hover:bg-slate-50">
                {labels.showMore} ({nf.format(Math.min(pageSize, maxRows - data.limit, data.matched - data.items.length))})
              </button>
            )}
          </div>
        </div>
      )}
    </div>
  );
}

export function QueueSkeleton() {
  return (
    <div className="flex animate-pulse flex-col gap-4" aria-busy="true">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-20 rounded-lg bg-slate-200" />
        ))}
      </div>
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="h-10 rounded bg-slate-200" />
      ))}
    </div>
  );
}
