import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import { getQueue } from "@/lib/dal/queue";
import { QUEUE_MAX_ROWS, QUEUE_PAGE } from "@/lib/reports/queue";
import { getPageT } from "@/lib/i18n/server";
import { queueMessages, roleName } from "@/lib/i18n/pages/queue";
import { CsvLink } from "@/components/tables/CsvLink";
import { LiveQueue, type LiveQueueLabels } from "@/components/queue/LiveQueue";
import { UrlSelect } from "@/components/queue/UrlSelect";
import { queueQueryOptions, queueSearch, type QueueParams } from "@/components/queue/queueQuery";

type SP = Promise<{ school?: string; role?: string; team?: string; channel?: string; limit?: string }>;

export default async function QueuePage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, p, locale }, data] = await Promise.all([getPageT(queueMessages), getQueue(sp)]);
  const params: QueueParams = {
    school: data.school.slug,
    role: data.filters.role,
    team: data.filters.team,
    channel: data.filters.channel === undefined ? undefined : String(data.filters.channel),
    limit: data.limit === QUEUE_PAGE ? undefined : String(data.limit),
  };
  // The server's answer seeds the client cache under the factory's key: the first paint needs no request.
  const qc = new QueryClient();
  qc.setQueryData(queueQueryOptions(params).queryKey, data);
  const labels: LiveQueueLabels = {
    breaching: p("breaching"), atRisk: p("atRisk"), ok: p("ok"), noSla: p("noSla"), overdueBy: p("overdueBy"), urgent: p("urgent"),
    messages: p("messages"), dm: p("dm"), thread: p("thread"), target: p("target"), businessClock: p("businessClock"), calendarClock: p("calendarClock"),
    reason_owner: p("reason_owner"), reason_onShift: p("reason_onShift"), reason_leastLoaded: p("reason_leastLoaded"), reason_none: p("reason_none"),
    day: locale === "ru" ? "д" : "d", timeLeft: p("timeLeft"), waiting: p("waiting"), student: p("student"), where: p("where"), owner: p("owner"),
    takes: p("takes"), empty: p("empty"), emptyFiltered: p("emptyFiltered"), updated: p("updated"), live: p("live"), stale: p("stale"),
    open: p("open"), onShift: p("onShift"), ofOpen: p("ofOpen"), shown: p("shown"), shownOf: p("shownOf"), showMore: p("showMore"), mostUrgent: p("mostUrgent"),
  };
  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <h1 className="text-2xl font-semibold">
            {p("title")} · {data.school.name}
          </h1>
          <p className="text-sm text-slate-600">{p("subtitle")}</p>
        </div>
        <CsvLink href={`/api/export/queue?${queueSearch({ ...params, limit: undefined })}`} label={t("exportCsv")} />
      </div>
      <div className="flex flex-wrap items-center gap-3" role="group" aria-label={t("apply")}>
        <UrlSelect param="role" label={p("role")} allLabel={p("all")} testId="filter-role" options={[...data.options.roles.map((r) => ({ value: r, label: roleName(p, r) })), { value: "none", label: p("noRole") }]} />
        <UrlSelect param="team" label={p("team")} allLabel={p("all")} testId="filter-team" options={data.options.teams.map((x) => ({ value: x, label: x }))} />
        <UrlSelect param="channel" label={p("channel")} allLabel={p("all")} testId="filter-channel" options={data.options.channels.map((c) => ({ value: String(c.id), label: c.title }))} />
      </div>
      <HydrationBoundary state={dehydrate(qc)}>
        <LiveQueue params={params} labels={labels} roleNames={Object.fromEntries(data.options.roles.map((r) => [r, roleName(p, r)]))} locale={locale} timezone={data.school.timezone} pageSize={QUEUE_PAGE} maxRows={QUEUE_MAX_ROWS} />
      </HydrationBoundary>
    </div>
  );
}
