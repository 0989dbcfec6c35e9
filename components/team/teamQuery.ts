import { queryOptions } from "@tanstack/react-query";
import type { TeamReport } from "@/lib/dal/team";

/** The team page's URL filters, as the page and /api/team read them. */
export interface TeamParams {
  school: string;
  from?: string;
  to?: string;
  days?: string;
  team?: string;
  role?: string;
}

export function teamSearch(p: TeamParams): string {
  const sp = new URLSearchParams({ school: p.school });
  for (const k of ["from", "to", "days", "team", "role"] as const) {
    const v = p[k];
    if (v) sp.set(k, v);
  }
  return sp.toString();
}

/**
 * Slower than the queue's 2 s: load is a period's aggregate that moves with each answered episode, and
 * the report reads the whole period (heavier than the open queue), so a 30 s refresh keeps it current
 * without the page costing the server more than the people looking at it.
 */
export const TEAM_POLL_MS = 30_000;

/** The one queryOptions factory of the team report: the page seeds the cache under this key, the client polls /api/team. */
export function teamQueryOptions(p: TeamParams) {
  return queryOptions({
    queryKey: ["team", p.school, p.from ?? "", p.to ?? "", p.days ?? "", p.team ?? "", p.role ?? ""] as const,
    queryFn: async ({ signal }): Promise<TeamReport> => {
      const res = await fetch(`/api/team?${teamSearch(p)}`, { signal, cache: "no-store" });
      if (!res.ok) throw new Error(`team: HTTP ${res.status}`);
      return (await res.json()) as TeamReport;
    },
    refetchInterval: TEAM_POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
}
