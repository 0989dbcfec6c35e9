import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { episodeHref } from "@/lib/episode-href";
import { getEpisode } from "@/lib/dal/episodes";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { episodeMessages, formatLocalTime, formatMinutes, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";
import { EpisodeSlaBadge } from "@/components/tables/EpisodeTable";
import { EpisodeTimeline } from "@/components/tables/EpisodeTimeline";

type SP = Promise<Record<string, string | string[] | undefined>>;

/** One episode: who waited where, who answered, which policy and clock judged it, and its messages. */
export default async function EpisodePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SP }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ locale, p }, data] = await Promise.all([getPageT(episodeMessages), getEpisode(id, sp)]);
  if (!data) notFound();
  const e = data.episode;
  // The link's episode changed and was stored anew (found by its opening message): the current one's URL.
  if (String(e.id) !== id) redirect(episodeHref(data.school.slug, e.id, e.openedMessageId));
  const tz = data.school.timezone;
  const time = (iso: string | null) => formatLocalTime(iso, tz, locale, true);
  const isDm = e.channelKind === "dm";
  const rows: Array<[EpisodeMessageKey, string]> = [
    ["student", e.student],
    ["scope", `${e.channel} (${e.source}, ${e.channelKind})${e.thread ? ` · ${p("thread")}: ${e.thread}` : ""}`],
    ["cohort", e.cohort ?? "—"],
    ["opened", time(e.openedAt)],
    ["answeredAt", time(e.answeredAt)],
    ["responder", e.responder ?? "—"],
    ["role", e.roleLabel === "—" ? "—" : e.roleLabel],
    ["owner", e.owner ?? "—"],
    ["botReply", time(e.firstBotReplyAt)],
    ["peerReply", time(e.firstPeerReplyAt)],
    ["policy", e.policy ?? "—"],
    ["target", e.targetMinutes === null ? "—" : `${formatMinutes(e.targetMinutes, locale)} (${e.clock ?? "—"})`],
    ["calendar", e.calendar ?? "—"],
    ["calendarMinutes", formatMinutes(e.calendarMinutes, locale)],
    ["businessMinutes", formatMinutes(e.businessMinutes, locale)],
    ["kind", e.kind],
    ["priority", e.priority],
    ["messages", formatNumber(e.messageCount, locale)],
  ];
  return (
    <div className="flex flex-col gap-4">
      <Link href={`/episodes?school=${encodeURIComponent(data.school.slug)}`} className="text-sm text-blue-800 hover:underline">{p("backToList")}</Link>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">
          #{e.id} ·{" "}
          <Link href={`/students/${e.studentId}?school=${encodeURIComponent(data.school.slug)}`} className="hover:underline" data-testid="episode-student">{e.student}</Link>
        </h1>
        <p className="flex items-center gap-2 text-sm text-slate-600" data-testid="episode-status">
          {p(`st_${e.status}` as EpisodeMessageKey)} <EpisodeSlaBadge r={e} p={p} />
          <span>({tz})</span>
        </p>
      </div>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2 lg:grid-cols-3" data-testid="episode-facts">
          {rows.map(([k, v]) => (
            <div key={k} className="flex gap-2 border-b border-slate-100 py-1">
              <dt className="w-40 shrink-0 text-slate-600">{p(k)}</dt>
              <dd className="tabular-nums">{v}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-labelledby="timeline-title">
        <h2 id="timeline-title" className="mb-2 font-medium">
          {p("timeline")} <span className="text-sm font-normal text-slate-500">(n = {formatNumber(data.timeline.length, locale)})</span>
        </h2>
        {isDm && <p className="mb-2 text-sm text-slate-600">{p("dmPrivacy")}</p>}
        <EpisodeTimeline items={data.timeline} tz={tz} locale={locale} p={p} isDm={isDm} />
        {data.truncated && <p className="mt-2 text-sm text-slate-500">{p("timelineCut")}</p>}
      </section>
    </div>
  );
}
