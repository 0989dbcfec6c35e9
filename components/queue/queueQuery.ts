import { queryOptions } from "@tanstack/react-query";
import type { QueueReport } from "@/lib/dal/queue";

/** The queue's URL filters, as the page and /api/queue read them. */
export interface QueueParams {
  school: string;
  role?: string;
  team?: string;
  channel?: string;
  /** Rows shown (lib/reports/queue.ts parseQueueLimit); absent = the first page. */
  limit?: string;
}

export function queueSearch(p: QueueParams): string {
  const sp = new URLSearchParams({ school: p.school });
  for (const k of ["role", "team", "channel", "limit"] as const) {
    const v = p[k];
    if (v) sp.set(k, v);
  }
  return sp.toString();
}

/**
 * The promise is "a webhook message shows in the queue within 2 s". The server side (store,
 * 300 ms debounce, derive) takes 0.3–1.1 s (docs/performance.md, freshness), so a 2 s poll alone could
 * add up to 2 s more and miss it on most deliveries; at 1 s the wait is at most one interval plus one
 * request. Polls never overlap (React Query joins a tick to a request still in flight), and stop in a
 * background tab, so a slow server sees fewer, not stacked, requests.
 */
export const QUEUE_POLL_MS = 1_000;

/**
 * The one queryOptions factory of the queue report (ARCHITECTURE.md rule 5): the page seeds its cache
 * with the server-rendered data under this key, the client polls /api/queue (the same DAL call) with it.
 */
export function queueQueryOptions(p: QueueParams) {
  return queryOptions({
    queryKey: ["queue", p.school, p.role ?? "", p.team ?? "", p.channel ?? "", p.limit ?? ""] as const,
    queryFn: async ({ signal }): Promise<QueueReport> => {
      const res = await fetch(`/api/queue?${queueSearch(p)}`, { signal, cache: "no-store" });
      if (!res.ok) throw new Error(`queue: HTTP ${res.status}`);
      return (await res.json()) as QueueReport;
    },
    refetchInterval: QUEUE_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
}
