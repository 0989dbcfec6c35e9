import { DataTable } from "@/components/tables/DataTable";
import { formatNumber } from "@/lib/i18n/dict";
import type { slaMessages } from "@/lib/i18n/pages/sla";
import type { SlaExtraReport } from "@/lib/dal/sla-extra";

type Key = keyof (typeof slaMessages)["ru"];
const CATEGORY_KEYS: Record<string, Key> = {
  organisational: "cat_organisational",
  content: "cat_content",
  technical: "cat_technical",
  emotional: "cat_emotional",
  other: "cat_other",
};

/**
 * Questions by category and bot/peer activity under the SLA page's figures (field study): every share
 * and median shown with the count it rests on. Rows link to nothing: categories are not an episode
 * filter yet, and the bot table is one period's totals.
 */
export function SlaExtraTables({ data, locale, p, csvHref, csvLabel }: { data: SlaExtraReport; locale: "ru" | "en"; p: (k: Key) => string; csvHref: (table: "categories" | "bot") => string; csvLabel: string }) {
  const n = (x: number) => formatNumber(x, locale);
  const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
  const min = (x: number | null) => (x === null ? "—" : formatNumber(Math.round(x * 10) / 10, locale));
  const labels = { csv: csvLabel, sortBy: p("sortBy"), locale };
  const b = data.bot;
  const botRows: Array<{ key: string; label: Key; value: string; share: string; s: number | null }> = [
    { key: "episodes", label: "botEpisodes", value: n(b.episodes), share: "", s: b.episodes },
    { key: "botReplied", label: "botReplied", value: n(b.botReplied), share: pct(b.episodes > 0 ? b.botReplied / b.episodes : null), s: b.botReplied },
    { key: "resolvedByBot", label: "botResolved", value: n(b.resolvedByBot), share: pct(b.deflectionShare), s: b.resolvedByBot },
    { key: "handedOff", label: "botHandedOff", value: n(b.handedOff), share: pct(b.handoffShare), s: b.handedOff },
    { key: "handoffMedian", label: "botHandoffMedian", value: `${min(b.medianHandoffMinutes)} (n = ${n(b.handedOff)})`, share: "", s: b.medianHandoffMinutes },
    { key: "peerReplied", label: "peerReplied", value: n(b.peerReplied), share: pct(b.episodes > 0 ? b.peerReplied / b.episodes : null), s: b.peerReplied },
    { key: "peerBeforeStaff", label: "peerBefore", value: n(b.peerBeforeStaff), share: pct(b.peerBeforeStaffShare), s: b.peerBeforeStaff },
  ];
  return (
    <>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <DataTable
          caption={`${p("catTitle")} (n = ${n(data.total)})`}
          testId="category-table"
          csvHref={csvHref("categories")}
          labels={{ ...labels, empty: p("catEmpty") }}
          toolbar={<p className="text-sm text-slate-600">{p("catHint")}</p>}
          columns={[
            { key: "category", label: p("category") },
            { key: "episodes", label: p("catEpisodes"), align: "right" },
            { key: "share", label: p("catShare"), align: "right" },
            { key: "median", label: p("catMedian"), align: "right" },
            { key: "answered", label: p("catAnswered"), align: "right" },
            { key: "compliance", label: p("catCompliance"), align: "right" },
          ]}
          rows={data.categories.map((c) => ({
            key: c.category ?? "none",
            cells: {
              category: { v: c.category === null ? p("cat_none") : p(CATEGORY_KEYS[c.category] ?? "cat_other"), s: c.category ?? null },
              episodes: { v: n(c.episodes), s: c.episodes },
              share: { v: pct(c.share), s: c.share },
              median: { v: min(c.medianMinutes), s: c.medianMinutes },
              answered: { v: n(c.answered), s: c.answered },
              compliance: { v: `${pct(c.compliance)} (${n(c.met)}/${n(c.known)})`, s: c.compliance },
            },
          }))}
        />
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <DataTable
          caption={`${p("botTitle")} (n = ${n(b.episodes)})`}
          testId="bot-table"
          csvHref={csvHref("bot")}
          labels={{ ...labels, empty: p("catEmpty") }}
          toolbar={<p className="text-sm text-slate-600">{p("botHint")}</p>}
          columns={[
            { key: "measure", label: p("botMeasure"), sortable: false },
            { key: "value", label: p("botValue"), align: "right", sortable: false },
            { key: "share", label: p("botShare"), align: "right", sortable: false },
          ]}
          rows={botRows.map((r) => ({ key: r.key, cells: { measure: p(r.label), value: { v: r.value, s: r.s }, share: r.share } }))}
        />
      </section>
    </>
  );
}
