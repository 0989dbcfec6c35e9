import type { Locale } from "@/lib/i18n/dict";
import { formatLocalTime, type EpisodeMessageKey } from "@/lib/i18n/pages/episodes";
import type { TimelineMessage } from "@/lib/reports/episode-detail";
import { staffRoles } from "@/lib/ingest/types";

/** The timeline rows as the report gives them (lib/reports re-exports the query's type). */
export type TimelineItem = Omit<TimelineMessage, "externalId" | "negative" | "hasQuestion">;

const STAFF = new Set<string>(staffRoles);

/**
 * The episode's messages in order, times in the school's zone. Text only where it was stored; a DM shows
 * metadata only (the query never returns DM text; `isDm` also stops any text from being rendered).
 */
export function EpisodeTimeline({ items, tz, locale, p, isDm }: { items: TimelineItem[]; tz: string; locale: Locale; p: (k: EpisodeMessageKey) => string; isDm: boolean }) {
  return (
    <ol className="flex flex-col gap-2" data-testid="timeline">
      {items.map((m) => {
        const tone = m.isAnswer ? "border-blue-300 bg-blue-50" : m.authorRole === "bot" ? "border-slate-200 bg-slate-50" : STAFF.has(m.authorRole) ? "border-slate-200 bg-white" : m.isEpisodeStudent ? "border-amber-200 bg-amber-50" : "border-slate-200 bg-white";
        const text = isDm ? null : m.text;
        return (
          <li key={m.id} id={`m${m.id}`} className={`rounded border p-2 text-sm ${tone}`} data-testid="timeline-message">
            <div className="flex flex-wrap items-baseline gap-x-2 text-xs text-slate-600">
              <time dateTime={m.sentAt} className="tabular-nums">{formatLocalTime(m.sentAt, tz, locale, true)}</time>
              <span className="font-medium text-slate-900">{m.author}</span>
              <span>({m.authorRoleLabel})</span>
              {m.isOpening && <span className="rounded bg-amber-200 px-1 text-amber-900">{p("opening")}</span>}
              {m.isAnswer && <span className="rounded bg-blue-200 px-1 text-blue-900">{p("answer")}</span>}
              {m.deleted && <span className="rounded bg-slate-200 px-1">{p("deleted")}</span>}
              {m.replyToExternalId !== null &&
                (m.replyToId !== null ? (
                  <a href={`#m${m.replyToId}`} className="text-blue-800 underline">↩ {p("replyTo")} #{m.replyToExternalId}</a>
                ) : (
                  <span>↩ {p("replyTo")}: {p("replyOutside")}</span>
                ))}
              {m.mentions.length > 0 && <span>@ {p("mentions")} {m.mentions.join(", ")}</span>}
            </div>
            <div className="mt-1">
              {text !== null ? (
                <p className="whitespace-pre-wrap break-words">{text}</p>
              ) : (
                <p className="text-xs italic text-slate-500">
                  {m.contentKind !== "text" ? `[${m.contentKind}] ` : ""}
                  {p("textHidden")} · {m.textLength} {p("chars")}
                </p>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
