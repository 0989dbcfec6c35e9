import Link from "next/link";
import { episodeHref } from "@/lib/episode-href";
import type { Locale } from "@/lib/i18n/dict";
import { formatLocalTime, formatMinutes, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";

export interface EpisodeTableRow {
  id: number;
  openedMessageId: number;
  openedAt: string;
  answeredAt: string | null;
  status: string;
  student: string;
  responder: string | null;
  channel: string;
  source: string;
  roleLabel: string;
  policy: string | null;
  targetMinutes: number | null;
  responseMinutes: number | null;
  breached: boolean;
  breachingNow: boolean;
  atRisk: boolean;
}

/** SLA state as words and colour (never colour alone). */
export function EpisodeSlaBadge({ r, p }: { r: Pick<EpisodeTableRow, "breached" | "breachingNow" | "atRisk" | "targetMinutes" | "status">; p: (k: EpisodeMessageKey) => string }) {
  const [text, cls] = r.breachingNow
    ? [p("breachingNow"), "bg-red-100 text-red-900"]
    : r.breached
      ? [p("breached"), "bg-orange-100 text-orange-900"]
      : r.atRisk
        ? [p("atRisk"), "bg-amber-100 text-amber-900"]
        : r.targetMinutes === null || r.status === "resolved_by_bot"
          ? [p("noTarget"), "bg-slate-100 text-slate-700"]
          : r.status === "answered"
            ? [p("met"), "bg-blue-50 text-blue-900"]
            : [p("st_open"), "bg-slate-100 text-slate-700"];
  return <span className={`rounded px-1.5 py-0.5 text-xs ${cls}`}>{text}</span>;
}

/** A page of episodes; each row opens the episode view (the school stays in the link). */
export function EpisodeTable({ rows, tz, locale, p, school, testId }: { rows: EpisodeTableRow[]; tz: string; locale: Locale; p: (k: EpisodeMessageKey) => string; school: string; testId?: string }) {
  const status = (s: string) => p(`st_${s}` as EpisodeMessageKey) ?? s;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm tabular-nums" data-testid={testId}>
        <thead className="text-left text-slate-600">
          <tr>
            <th className="py-1 pr-3">{p("opened")}</th>
            <th className="py-1 pr-3">{p("student")}</th>
            <th className="py-1 pr-3">{p("scope")}</th>
            <th className="py-1 pr-3">{p("role")}</th>
            <th className="py-1 pr-3">{p("responder")}</th>
            <th className="py-1 pr-3">{p("answeredAt")}</th>
            <th className="py-1 pr-3 text-right">{p("response")}</th>
            <th className="py-1 pr-3">{p("policy")}</th>
            <th className="py-1 pr-3">{p("status")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100 hover:bg-slate-50" data-opened-at={r.openedAt}>
              <td className="py-1 pr-3 whitespace-nowrap">
                <Link href={episodeHref(school, r.id, r.openedMessageId)} className="text-blue-800 underline-offset-2 hover:underline">
                  {formatLocalTime(r.openedAt, tz, locale)}
                </Link>
              </td>
              <td className="py-1 pr-3">{r.student}</td>
              <td className="py-1 pr-3">
                {r.channel} <span className="text-xs text-slate-500">{r.source}</span>
              </td>
              <td className="py-1 pr-3">{r.roleLabel}</td>
              <td className="py-1 pr-3">{r.responder ?? "—"}</td>
              <td className="py-1 pr-3 whitespace-nowrap">{formatLocalTime(r.answeredAt, tz, locale)}</td>
              <td className="py-1 pr-3 text-right">
                {formatMinutes(r.responseMinutes, locale)}
                {r.targetMinutes !== null && <span className="text-xs text-slate-500"> / {formatMinutes(r.targetMinutes, locale)}</span>}
              </td>
              <td className="py-1 pr-3">{r.policy ?? "—"}</td>
              <td className="py-1 pr-3 whitespace-nowrap">
                <span className="mr-1 text-xs text-slate-600">{status(r.status)}</span>
                <EpisodeSlaBadge r={r} p={p} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Previous / next links for a paged list (the rest of the URL is kept). */
export function EpisodePager({ page, total, pageSize, hrefFor, p }: { page: number; total: number; pageSize: number; hrefFor: (page: number) => string; p: (k: EpisodeMessageKey) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav aria-label={p("page")} className="mt-3 flex items-center gap-3 text-sm">
      {page > 1 ? <Link href={hrefFor(page - 1)} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">{p("prev")}</Link> : null}
      <span className="text-slate-600" data-testid="pager">
        {p("page")} {page} / {pages}
      </span>
      {page < pages ? <Link href={hrefFor(page + 1)} className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">{p("next")}</Link> : null}
    </nav>
  );
}
