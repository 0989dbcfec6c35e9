import Link from "next/link";
import { notFound } from "next/navigation";
import { getStudentTimeline, type SlaState, type TimelineKind } from "@/lib/dal/students";
import { episodeHref } from "@/lib/episode-href";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { formatLocalTime, formatMinutes } from "@/lib/i18n/pages/episodes";
import { lmsVerb, studentsMessages } from "@/lib/i18n/pages/students";
import { StatCard } from "@/components/ui/StatCard";
import { CsvLink } from "@/components/tables/CsvLink";
import { TimelineChart, type ChartPoint } from "./TimelineChart";

type SP = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const LANES: TimelineKind[] = ["enrollment", "rating", "lms", "episode", "message"];
// Colour-blind-safe (Okabe–Ito); SLA states of episodes get their own so breaches stand out.
const KIND_COLOUR: Record<TimelineKind, string> = { enrollment: "#CC79A7", rating: "#E69F00", lms: "#56B4E9", episode: "#0072B2", message: "#999999" };
const SLA_COLOUR: Record<SlaState, string> = { met: "#009E73", breached: "#D55E00", breaching: "#D55E00", open: "#0072B2", no_target: "#0072B2", bot: "#56B4E9", abandoned: "#D55E00" };
const SLA_CLASS: Record<SlaState, string> = {
  met: "bg-green-50 text-green-800", breached: "bg-red-50 text-red-800", breaching: "bg-red-50 text-red-800", abandoned: "bg-red-50 text-red-800",
  open: "bg-slate-100 text-slate-700", no_target: "bg-slate-100 text-slate-700", bot: "bg-sky-50 text-sky-800",
};

/** One student's messages, episodes, LMS events, ratings and enrollment changes on one time axis (issue #7). */
export default async function StudentPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SP }) {
  const [{ id }, sp] = await Promise.all([params, searchParams]);
  const [{ p, locale }, d] = await Promise.all([getPageT(studentsMessages), getStudentTimeline({ school: one(sp.school), id })]);
  if (!d) notFound();
  const tz = d.timezone;
  const time = (iso: string | null) => formatLocalTime(iso, tz, locale);
  const kindLabel = (k: TimelineKind) => p(`k_${k}`);
  const slaLabel = (s: SlaState) => p(`sla_${s}`);
  const episodeStatuses = ["open", "answered", "resolved_by_bot", "abandoned"] as const;
  const enrollmentStatuses = ["active", "completed", "withdrawn", "paused", "frozen", "transferred"] as const;
  const epStatus = (v: string) => { const k = episodeStatuses.find((x) => x === v); return k ? p(`es_${k}`) : v; };
  const enStatus = (v: string) => { const k = enrollmentStatuses.find((x) => x === v); return k ? p(`en_${k}`) : v; };
  /** The "what" column in the page's language: statuses translated, the LMS verb (first word) too. */
  const whatOf = (r: { kind: TimelineKind; what: string }) => {
    if (r.kind === "episode") return epStatus(r.what);
    if (r.kind === "enrollment") return enStatus(r.what);
    if (r.kind === "lms") { const [verb = "", ...rest] = r.what.split(" "); return [lmsVerb(verb, locale), ...rest].join(" "); }
    return r.what;
  };
  const points: ChartPoint[] = d.rows.map((r) => ({
    t: Date.parse(r.at),
    lane: LANES.indexOf(r.kind),
    label: `${kindLabel(r.kind)}${r.sla ? ` (${slaLabel(r.sla)})` : ""}${r.what && !r.dm ? `: ${whatOf(r).slice(0, 80)}` : ""}`,
    colour: r.sla ? SLA_COLOUR[r.sla] : KIND_COLOUR[r.kind],
  }));
  const breached = d.episodes.filter((e) => e.sla === "breached" || e.sla === "breaching" || e.sla === "abandoned").length;

  return (
    <div className="flex flex-col gap-6">
      <Link href={`/outcomes?school=${encodeURIComponent(d.school)}&view=risk`} className="text-sm text-blue-800 hover:underline">{p("back")}</Link>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold" data-testid="student-name">{d.student.name}</h1>
        <p className="flex items-center gap-2 text-sm text-slate-600">
          <span>{p("timezone")}: {tz}</span>
          <CsvLink href={`/api/export/student?${new URLSearchParams({ school: d.school, id: String(d.student.personId) }).toString()}`} label={p("csv")} />
        </p>
      </div>

      <section className="grid grid-cols-2 gap-3 md:grid-cols-5" aria-label="totals">
        <StatCard label={p("messages")} value={formatNumber(d.messages.length, locale)} testId="student-messages" />
        <StatCard label={p("episodes")} value={formatNumber(d.episodes.length, locale)} testId="student-episodes" />
        <StatCard label={p("breached")} value={formatNumber(breached, locale)} testId="student-breached" />
        <StatCard label={p("lmsEvents")} value={formatNumber(d.lms.length, locale)} testId="student-lms" />
        <StatCard label={p("ratings")} value={formatNumber(d.ratings.length, locale)} testId="student-ratings" />
      </section>
      {d.truncated.length > 0 && <p className="text-sm text-amber-800">{p("truncated")}: {d.truncated.join(", ")}</p>}

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="mb-2 font-medium">{p("enrollments")}</h2>
        {d.enrollments.length === 0 ? (
          <p className="text-sm text-slate-500">{p("noEnrollments")}</p>
        ) : (
          <table className="w-full text-sm" data-testid="student-enrollments">
            <thead className="text-left text-slate-600">
              <tr>
                <th className="py-1 pr-4">{p("course")}</th>
                <th className="py-1 pr-4">{p("cohort")}</th>
                <th className="py-1 pr-4">{p("tier")}</th>
                <th className="py-1 pr-4">{p("status")}</th>
                <th className="py-1 pr-4">{p("enrolledAt")}</th>
                <th className="py-1 pr-4">{p("endedAt")}</th>
                <th className="py-1 pr-4">{p("finalResult")}</th>
              </tr>
            </thead>
            <tbody>
              {d.enrollments.map((e) => (
                <tr key={e.id} className="border-t border-slate-100">
                  <td className="py-1 pr-4">{e.course}</td>
                  <td className="py-1 pr-4">{e.cohort}</td>
                  <td className="py-1 pr-4">{e.tier}</td>
                  <td className="py-1 pr-4">{enStatus(e.status)}</td>
                  <td className="py-1 pr-4 tabular-nums">{time(e.enrolledAt)}</td>
                  <td className="py-1 pr-4 tabular-nums">{time(e.endedAt)}</td>
                  <td className="py-1 pr-4">{e.finalResult ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {d.rows.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white p-6 text-center text-slate-500" data-testid="student-empty">{p("empty")}</p>
      ) : (
        <>
          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="font-medium">{p("chart")}</h2>
            <p className="mb-2 text-sm text-slate-600">{p("chartHint")}</p>
            <TimelineChart points={points} lanes={LANES.map(kindLabel)} timezone={tz} locale={locale === "ru" ? "ru-RU" : "en-GB"} title={p("chart")} />
          </section>

          <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
            <h2 className="mb-2 font-medium">{p("table")}</h2>
            <div className="max-h-[36rem] overflow-auto">
              <table className="w-full text-sm" data-testid="student-timeline">
                <thead className="sticky top-0 bg-white text-left text-slate-600">
                  <tr>
                    <th className="py-1 pr-4">{p("at")} ({tz})</th>
                    <th className="py-1 pr-4">{p("kind")}</th>
                    <th className="py-1 pr-4">{p("where")}</th>
                    <th className="py-1 pr-4">{p("what")}</th>
                    <th className="py-1 pr-4 text-right">{p("response")}</th>
                    <th className="py-1 pr-4 text-right">{p("target")}</th>
                    <th className="py-1 pr-4">{p("sla")}</th>
                    <th className="py-1 pr-4 text-right">{p("score")}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.rows.map((r) => (
                    <tr key={r.key} className="border-t border-slate-100 align-top" data-kind={r.kind} data-at={r.at}>
                      <td className="whitespace-nowrap py-1 pr-4 tabular-nums">{time(r.at)}</td>
                      <td className="py-1 pr-4">
                        {r.kind === "episode" && r.episodeId !== null ? (
                          <Link href={episodeHref(d.school, r.episodeId, r.openedMessageId)} className="text-blue-800 hover:underline">{kindLabel(r.kind)} #{r.episodeId}</Link>
                        ) : (
                          kindLabel(r.kind)
                        )}
                      </td>
                      <td className="py-1 pr-4">{r.where}</td>
                      <td className="max-w-md py-1 pr-4 break-words">{r.dm && r.kind === "message" ? <span className="italic text-slate-500">{p("dm")}</span> : whatOf(r)}</td>
                      <td className="py-1 pr-4 text-right tabular-nums">{r.kind === "episode" ? formatMinutes(r.responseMinutes, locale) : ""}</td>
                      <td className="py-1 pr-4 text-right tabular-nums">{r.targetMinutes === null ? "" : formatNumber(r.targetMinutes, locale)}</td>
                      <td className="py-1 pr-4">{r.sla && <span className={`rounded px-1.5 py-0.5 text-xs ${SLA_CLASS[r.sla]}`} data-sla={r.sla}>{slaLabel(r.sla)}</span>}</td>
                      <td className="py-1 pr-4 text-right tabular-nums">{r.score === null ? "" : formatNumber(r.score, locale)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </div>
  );
}
