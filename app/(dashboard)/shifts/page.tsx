import Link from "next/link";
import { getShiftsPlan } from "@/lib/dal/shifts";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { shiftsMessages } from "@/lib/i18n/pages/shifts";
import { staffRoles } from "@/lib/ingest/types";
import { StatCard } from "@/components/ui/StatCard";
import { CsvLink } from "@/components/tables/CsvLink";
import { GapHeatmap, type GapCell } from "@/components/shifts/GapHeatmap";
import { ShiftEditor } from "@/components/shifts/ShiftEditor";
import { ShiftImport } from "@/components/shifts/ShiftImport";

type SP = Promise<Record<string, string | string[] | undefined>>;

const WEEKDAYS = { ru: ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"], en: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] } as const;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const roleKey = (r: string) => {
  switch (r) {
    case "mentor": return "r_mentor" as const;
    case "reviewer": return "r_reviewer" as const;
    case "support": return "r_support" as const;
    case "team_lead": return "r_team_lead" as const;
    default: return "r_coordinator" as const;
  }
};
const encodeAdd = (a: { personId: number; weekday: number; start: string; end: string }) => `${a.personId}.${a.weekday}.${a.start.replace(":", "")}.${a.end.replace(":", "")}`;
const encodeMove = (m: { shiftId: string; weekday: number; start: string; end: string }) => `${m.shiftId}.${m.weekday}.${m.start.replace(":", "")}.${m.end.replace(":", "")}`;

export default async function ShiftsPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const q = {
    school: one(sp.school), role: one(sp.role), weeks: one(sp.weeks), aht: one(sp.aht), sl: one(sp.sl), shrinkage: one(sp.shrinkage),
    concurrency: one(sp.concurrency), policy: one(sp.policy), add: many(sp.add), remove: many(sp.remove), move: many(sp.move),
  };
  const [{ p, locale }, d] = await Promise.all([getPageT(shiftsMessages), getShiftsPlan(q)]);
  const weekdays = [...WEEKDAYS[locale]];
  const n = (x: number, digits = 1) => formatNumber(Math.round(x * 10 ** digits) / 10 ** digits, locale);
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(100 * x).toFixed(1)} %`);
  const hh = (h: number) => `${weekdays[Math.floor(h / 24)] ?? ""} ${String(h % 24).padStart(2, "0")}:00`;
  const { params } = d;

  const base: Record<string, string> = {
    school: d.school, role: params.role, weeks: String(params.weeks), aht: String(params.ahtSeconds), sl: String(Math.round(params.serviceLevel * 100)),
    shrinkage: String(Math.round(params.shrinkage * 100)), concurrency: String(params.concurrency), ...(d.policy ? { policy: String(d.policy.id) } : {}),
  };
  const movesEnc = d.moves.map(encodeMove);
  const qs = (adds: string[], removes: string[], moves: string[] = movesEnc) => {
    const u = new URLSearchParams(base);
    for (const a of adds) u.append("add", a);
    for (const r of removes) u.append("remove", r);
    for (const m of moves) u.append("move", m);
    return `?${u.toString()}`;
  };
  const addsEnc = d.adds.map(encodeAdd);
  const exportQs = qs(addsEnc, d.removes).slice(1);
  const withoutMove = (shiftId: string) => qs(addsEnc, d.removes, d.moves.filter((m) => m.shiftId !== shiftId).map(encodeMove));
  const movable = d.shifts.filter((s) => !s.added && !s.removed).map((s) => ({ id: s.id, personId: s.personId, label: `${weekdays[s.weekday - 1] ?? ""} ${s.start}–${s.end} ${s.personName}` }));

  const view = d.whatIf ?? { scheduled: d.scheduled, coverage: d.coverage, predicted: d.predicted, measured: d.measured, changedHours: [] as number[] };
  const changed = new Set(view.changedHours);
  const cells: GapCell[] = view.coverage.hours.map((c) => {
    const m = view.measured[c.hour];
    const status = c.status === "under" ? p("under") : c.status === "over" ? p("over") : p("ok");
    const label = [
      `${hh(c.hour)}: ${status}`,
      `${p("cellScheduled")} ${n(c.scheduled)}`,
      `${p("cellNeeded")} ${n(c.needed)}`,
      `${p("cellForecast")} ${n(d.forecast[c.hour] ?? 0)} ${p("cellEpisodes")}`,
      `${p("cellPredicted")} ${pct(view.predicted.hours[c.hour]?.slaCompliance)}`,
      `${p("cellMeasured")} ${pct(m?.measured)} (n = ${m?.episodes ?? 0}${m?.lowConfidence ? `, ${p("lowConfidence")}` : ""})`,
    ].join("; ");
    const text = c.needed === 0 && c.scheduled === 0 ? "" : `${c.gap > 0 ? "+" : ""}${n(c.gap)}`;
    return { hour: c.hour, gap: c.gap, status: c.status, text, label, changed: changed.has(c.hour) };
  });

  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const forecastWeek = sum(d.forecast);
  const bt = d.backtest;
  // Rows of the predicted/measured table: hours with anything to compare.
  const tableHours = d.predicted.hours.flatMap((_, h) => ((d.forecast[h] ?? 0) > 0 || (view.scheduled[h] ?? 0) > 0 || (view.measured[h]?.episodes ?? 0) > 0 ? [h] : []));
  const input = "w-24 rounded border border-slate-300 bg-white px-2 py-1";

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <div className="flex items-center gap-2">
          <p className="text-sm text-slate-600" data-testid="plan-week">
            {p("planWeek")}: {d.planWeek} ({d.timezone})
          </p>
          <CsvLink href={`/api/export/shifts?${exportQs}`} label={p("exportCsv")} />
          <CsvLink href={`/api/export/shifts?${new URLSearchParams({ school: d.school, role: params.role, format: "ics" }).toString()}`} label={p("exportIcs")} />
        </div>
      </div>

      <nav aria-label={p("role")} className="flex flex-wrap items-center gap-1 text-sm">
        <span className="mr-1 text-slate-600">{p("role")}:</span>
        {staffRoles.map((r) => (
          <Link key={r} href={`?${new URLSearchParams({ ...base, role: r, policy: "" }).toString()}`} aria-current={r === params.role ? "true" : undefined}
            className={`rounded px-2 py-1 ${r === params.role ? "bg-blue-50 font-medium text-blue-800" : "hover:bg-slate-100"}`}>
            {p(roleKey(r))}
          </Link>
        ))}
      </nav>

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="mb-2 font-medium">{p("params")}</h2>
        <form method="get" className="flex flex-wrap items-end gap-3 text-sm" data-testid="params-form">
          <input type="hidden" name="school" value={d.school} />
          <input type="hidden" name="role" value={params.role} />
          {addsEnc.map((a) => <input key={a} type="hidden" name="add" value={a} />)}
          {movesEnc.map((m) => <input key={m} type="hidden" name="move" value={m} />)}
          {d.removes.map((r) => <input key={r} type="hidden" name="remove" value={r} />)}
          {d.policies.length > 0 && (
            <label className="flex flex-col gap-0.5">
              <span className="text-slate-600">{p("policy")}</span>
              <select name="policy" defaultValue={d.policy?.id} className="rounded border border-slate-300 bg-white px-2 py-1">
                {d.policies.map((pol) => (
                  <option key={pol.id} value={pol.id}>{pol.name} ({pol.targetMinutes} {p("minutes")})</option>
                ))}
              </select>
            </label>
          )}
          <label className="flex flex-col gap-0.5"><span className="text-slate-600">{p("weeks")} (6)</span><input name="weeks" type="number" min={1} max={26} defaultValue={params.weeks} className={input} /></label>
          <label className="flex flex-col gap-0.5"><span className="text-slate-600">{p("aht")} (600)</span><input name="aht" type="number" min={10} max={36000} defaultValue={params.ahtSeconds} className={input} /></label>
          <label className="flex flex-col gap-0.5"><span className="text-slate-600">{p("sl")} (80)</span><input name="sl" type="number" min={1} max={99} defaultValue={Math.round(params.serviceLevel * 100)} className={input} /></label>
          <label className="flex flex-col gap-0.5"><span className="text-slate-600">{p("shrinkage")} (30)</span><input name="shrinkage" type="number" min={0} max={90} defaultValue={Math.round(params.shrinkage * 100)} className={input} /></label>
          <label className="flex flex-col gap-0.5"><span className="text-slate-600">{p("concurrency")} (2)</span><input name="concurrency" type="number" min={1} max={10} step="any" defaultValue={params.concurrency} className={input} /></label>
          <button type="submit" className="rounded bg-slate-800 px-3 py-1.5 text-white hover:bg-slate-700">{p("apply")}</button>
          <Link href={`?${new URLSearchParams({ school: d.school, role: params.role }).toString()}`} className="px-2 py-1.5 text-blue-800 underline">{p("defaults")}</Link>
        </form>
        <p className="mt-2 text-sm text-slate-600" data-testid="model">
          {d.model === "erlang" ? p("modelErlang") : p("modelBacklog")}; {p("target")}: {d.targetMinutes} {p("minutes")}
          {d.policy ? ` (${d.policy.name}, ${d.policy.clock})` : ""}. {p("ahtMeasured")}: {d.ahtMeasured.medianBusinessMinutes === null ? "—" : `${n(d.ahtMeasured.medianBusinessMinutes)} ${p("minutes")}`} (n = {d.ahtMeasured.n}; {p("ahtMeasuredHint")}).
        </p>
        {!d.policy && <p className="mt-1 text-sm text-amber-800">{p("noPolicy")}</p>}
        {d.backlog && !d.backlog.feasible && <p className="mt-1 text-sm text-amber-800">{p("backlogInfeasible")}: {pct(d.backlog.unreachableShare)}</p>}
        {d.errors.length > 0 && <p className="mt-1 text-sm text-red-700" role="alert">{p("badParams")}: {d.errors.join(", ")}</p>}
      </section>

      <section className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6" aria-label="totals">
        <StatCard label={p("forecast")} value={n(forecastWeek)} hint={`${p("perWeek")}; ${p("forecastHint")} (${d.weeksUsed.length})`} testId="forecast-week" />
        <StatCard label={`${p("backtest")}: ${p("mae")}`} value={bt ? n(bt.mae, 2) : "—"} hint={bt ? `${bt.weekStart}; ${p("backtestHint")}` : p("noBacktest")} testId="backtest-mae" />
        <StatCard label={`${p("backtest")}: ${p("wape")}`} value={bt ? pct(bt.wape) : "—"} hint={bt ? `${p("bias")} ${n(bt.bias, 2)}` : undefined} testId="backtest-wape" />
        <StatCard label={p("neededTotal")} value={n(sum(d.needed))} testId="needed-total" />
        <StatCard label={p("scheduledTotal")} value={n(sum(view.scheduled))} hint={`${p("shortHours")}: ${view.coverage.underHours}; ${p("shortStaffHours")}: ${n(view.coverage.shortStaffHours)}`} testId="scheduled-total" />
        <StatCard label={p("predictedWeek")} value={pct(view.predicted.slaCompliance)}
          hint={`${p("modelError")}: ${d.modelError.mae === null ? "—" : pct(d.modelError.mae)}, ${p("modelBias")} ${d.modelError.bias === null ? "—" : pct(d.modelError.bias)}; ${p("modelHours")} ${d.modelError.hours}`} testId="predicted-week" />
      </section>

      {forecastWeek === 0 && <p className="rounded-lg border border-slate-200 bg-white p-6 text-center text-slate-500">{p("empty")}</p>}

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="font-medium">{p("heatmap")}{d.whatIf ? ` — ${p("after")}` : ""}</h2>
        <p className="mb-2 text-sm text-slate-600">{p("heatmapHint")}</p>
        <GapHeatmap cells={cells} weekdays={weekdays} title={p("heatmap")} testId="gap-heatmap" />
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="font-medium">{p("whatIf")}</h2>
        <p className="mb-3 text-sm text-slate-600">{p("whatIfHint")}</p>
        {d.whatIf && (
          <p className="mb-3 text-sm" data-testid="whatif-result">
            {p("whatIfResult")}: {p("serviceLevel")} <span data-testid="whatif-sl">{pct(d.predicted.serviceLevel)} → <strong>{pct(d.whatIf.predicted.serviceLevel)}</strong></span>;{" "}
            {p("slaCompliance")} <span data-testid="whatif-compliance">{pct(d.predicted.slaCompliance)} → <strong>{pct(d.whatIf.predicted.slaCompliance)}</strong></span>;{" "}
            {p("shortHours")} {d.coverage.underHours} → {d.whatIf.coverage.underHours}; {p("changedHours")}: {d.whatIf.changedHours.length}
          </p>
        )}
        {d.names === "scope" && <p className="mb-2 text-sm text-slate-600" data-testid="shifts-scope">{p("scopeHint")}</p>}
        {d.names === "none" ? (
          <p className="text-sm text-slate-500" data-testid="shifts-names-hidden">{p("namesHidden")}</p>
        ) : d.staff.length === 0 ? (
          <p className="text-sm text-slate-500">{p("noStaff")}</p>
        ) : (
          <ShiftEditor
            school={d.school} role={params.role} planWeek={d.planWeek} staff={d.staff} weekdays={weekdays} adds={d.adds} removes={d.removes} moves={d.moves} movable={movable} canEdit={d.canEdit}
            labels={{ moveShift: p("moveShift"), newShift: p("newShift"), person: p("person"), weekday: p("weekday"), start: p("start"), end: p("end"), add: p("add"), save: p("save"), saveHint: p("saveHint"), saved: p("saved"), saveFailed: p("saveFailed"), resetWhatIf: p("resetWhatIf") }}
          />
        )}
        <h3 className="mb-1 mt-4 text-sm font-medium">{p("shifts")}</h3>
        {d.shifts.length === 0 ? (
          <p className="text-sm text-slate-500">{p("noShifts")}</p>
        ) : (
          <div className="max-h-96 overflow-auto">
            <table className="w-full text-sm tabular-nums" data-testid="shifts-table">
              <thead className="sticky top-0 bg-white text-left text-slate-600">
                <tr>
                  <th className="py-1 pr-4">{p("weekday")}</th>
                  <th className="py-1 pr-4">{p("start")}</th>
                  <th className="py-1 pr-4">{p("end")}</th>
                  <th className="py-1 pr-4">{p("person")}</th>
                  <th className="py-1 pr-4" />
                </tr>
              </thead>
              <tbody>
                {d.shifts.map((s) => (
                  <tr key={s.id} className={`border-t border-slate-100 ${s.removed ? "text-slate-400 line-through" : ""}`}>
                    <td className="py-1 pr-4">{weekdays[s.weekday - 1]}</td>
                    <td className="py-1 pr-4">{s.start}</td>
                    <td className="py-1 pr-4">{s.end}</td>
                    <td className="py-1 pr-4">
                      {s.personName} <span className="text-xs text-slate-500">({s.weekly ? p("weekly") : p("once")}{s.added ? `, ${s.movedFrom ? p("movedFromTag") : p("addedTag")}` : ""}{s.removed ? `, ${s.movedFrom ? p("movedTag") : p("removedTag")}` : ""})</span>
                    </td>
                    <td className="py-1 pr-4 text-right no-underline">
                      {s.movedFrom ? (
                        <Link href={withoutMove(s.movedFrom)} scroll={false} className="text-blue-800 underline">{s.added ? p("remove") : p("restore")}</Link>
                      ) : s.added ? (
                        <Link href={qs(addsEnc.filter((_, i) => `new-${i + 1}` !== s.id), d.removes)} scroll={false} className="text-blue-800 underline">{p("remove")}</Link>
                      ) : s.removed ? (
                        <Link href={qs(addsEnc, d.removes.filter((r) => r !== s.id))} scroll={false} className="text-blue-800 underline">{p("restore")}</Link>
                      ) : (
                        <Link href={qs(addsEnc, [...d.removes, s.id])} scroll={false} className="text-blue-800 underline">{p("remove")}</Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="import-section">
        <h2 className="font-medium">{p("importTitle")}</h2>
        <p className="mb-3 text-sm text-slate-600">{p("importHint")}</p>
        {d.canEdit ? (
          <ShiftImport
            school={d.school}
            labels={{ file: p("importFile"), upload: p("importButton"), template: p("importTemplate"), errors: p("importErrors"), line: p("importLine"), done: p("importDone"), existing: p("importExisting"), failed: p("importFailed") }}
          />
        ) : (
          <p className="text-sm text-slate-500">{p("importOnlyEditors")}</p>
        )}
      </section>

      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="font-medium">{p("predictedVsMeasured")}</h2>
        <p className="mb-2 text-sm text-slate-600">{p("predictedVsMeasuredHint")}</p>
        <div className="max-h-96 overflow-auto">
          <table className="w-full text-sm tabular-nums" data-testid="measured-table">
            <thead className="sticky top-0 bg-white text-left text-slate-600">
              <tr>
                <th className="py-1 pr-4">{p("hour")}</th>
                <th className="py-1 pr-4 text-right">{p("cellForecast")}</th>
                <th className="py-1 pr-4 text-right">{p("cellNeeded")}</th>
                <th className="py-1 pr-4 text-right">{p("cellScheduled")}</th>
                <th className="py-1 pr-4 text-right">{p("predicted")}</th>
                <th className="py-1 pr-4 text-right">{p("measured")}</th>
                <th className="py-1 pr-4 text-right">{p("episodes")}</th>
                <th className="py-1 pr-4 text-right">{p("weeksMatched")}</th>
              </tr>
            </thead>
            <tbody>
              {tableHours.map((h) => {
                const m = view.measured[h];
                return (
                  <tr key={h} className={`border-t border-slate-100 ${changed.has(h) ? "bg-amber-50" : ""}`}>
                    <td className="py-1 pr-4">{hh(h)}</td>
                    <td className="py-1 pr-4 text-right">{n(d.forecast[h] ?? 0)}</td>
                    <td className="py-1 pr-4 text-right">{n(d.needed[h] ?? 0)}</td>
                    <td className="py-1 pr-4 text-right">{n(view.scheduled[h] ?? 0)}</td>
                    <td className="py-1 pr-4 text-right">{pct(view.predicted.hours[h]?.slaCompliance)}</td>
                    <td className={`py-1 pr-4 text-right ${m?.lowConfidence ? "italic text-slate-500" : ""}`} title={m?.lowConfidence ? p("lowConfidence") : undefined}>{pct(m?.measured)}</td>
                    <td className="py-1 pr-4 text-right">{m?.episodes ?? 0}</td>
                    <td className="py-1 pr-4 text-right">{m?.weeks ?? 0}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
