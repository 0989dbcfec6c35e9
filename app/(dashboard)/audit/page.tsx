import Link from "next/link";
import { getAuditLog } from "@/lib/dal/audit";
import { getPageT } from "@/lib/i18n/server";
import { auditMessages } from "@/lib/i18n/pages/audit";
import { CsvLink } from "@/components/tables/CsvLink";

export const dynamic = "force-dynamic";

type SP = Promise<Record<string, string | string[] | undefined>>;

/** Admins read who signed in, changed settings and exported what (issue #6); everyone else gets 403. */
export default async function AuditPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, p, locale }, data] = await Promise.all([getPageT(auditMessages), getAuditLog(sp)]);
  const f = data.filters;
  const base = { school: data.school.slug, ...(f.action ? { action: f.action } : {}), ...(f.who ? { who: f.who } : {}), ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
  const qs = (extra: Record<string, string>) => new URLSearchParams({ ...base, ...extra }).toString();
  const fmt = new Intl.DateTimeFormat(locale === "ru" ? "ru-RU" : "en-GB", { dateStyle: "short", timeStyle: "medium", timeZone: data.school.timezone });
  const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <p className="text-sm text-slate-600">
          {p("subtitle")} · {data.school.timezone}
        </p>
      </div>
      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm" aria-label={p("filter")}>
        <input type="hidden" name="school" value={data.school.slug} />
        <label className="flex flex-col gap-1">
          {p("action")}
          <select name="action" defaultValue={f.action ?? ""} className="rounded border border-slate-300 px-2 py-1">
            <option value="">{p("allActions")}</option>
            <option value="signin">{p("act_signin")}</option>
            <option value="export">{p("act_export")}</option>
            <option value="config">{p("act_config")}</option>
          </select>
        </label>
        <label className="flex flex-col gap-1">
          {p("who")}
          <input name="who" defaultValue={f.who ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col gap-1">
          {p("from")}
          <input type="date" name="from" defaultValue={f.from ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <label className="flex flex-col gap-1">
          {p("to")}
          <input type="date" name="to" defaultValue={f.to ?? ""} className="rounded border border-slate-300 px-2 py-1" />
        </label>
        <button type="submit" className="rounded bg-blue-700 px-3 py-1 text-white">
          {p("filter")}
        </button>
        <div className="ml-auto">
          <CsvLink href={`/api/export/audit?${qs({})}`} label={t("exportCsv")} />
        </div>
      </form>
      <p className="text-sm text-slate-600" data-testid="audit-count">
        {p("shown")} {data.rows.length} {p("of")} {data.total}
      </p>
      {data.rows.length === 0 ? (
        <p className="py-8 text-center text-slate-500">{p("empty")}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm" data-testid="audit-table">
            <thead className="bg-slate-50 text-left">
              <tr>
                <th className="px-2 py-1">{p("at")}</th>
                <th className="px-2 py-1">{p("user")}</th>
                <th className="px-2 py-1">{p("school")}</th>
                <th className="px-2 py-1">{p("action")}</th>
                <th className="px-2 py-1">{p("target")}</th>
                <th className="px-2 py-1">{p("details")}</th>
                <th className="px-2 py-1">{p("ip")}</th>
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top">
                  <td className="whitespace-nowrap px-2 py-1 tabular-nums">{fmt.format(new Date(r.at))}</td>
                  <td className="px-2 py-1">{r.userEmail ?? "—"}</td>
                  <td className="px-2 py-1">{r.schoolId === null ? "—" : (data.schoolNames[r.schoolId] ?? `#${r.schoolId}`)}</td>
                  <td className="px-2 py-1 font-mono">{r.action}</td>
                  <td className="px-2 py-1">{r.target ?? ""}</td>
                  <td className="max-w-md truncate px-2 py-1 font-mono text-xs text-slate-600" title={r.details ? JSON.stringify(r.details) : ""}>
                    {r.details ? JSON.stringify(r.details) : ""}
                  </td>
                  <td className="px-2 py-1 font-mono text-xs">{r.ip ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 && (
        <nav className="flex gap-4 text-sm" aria-label="pages">
          {data.page > 1 && <Link href={`/audit?${qs({ page: String(data.page - 1) })}`}>{p("prev")}</Link>}
          <span>
            {data.page} / {pages}
          </span>
          {data.page < pages && <Link href={`/audit?${qs({ page: String(data.page + 1) })}`}>{p("next")}</Link>}
        </nav>
      )}
    </div>
  );
}
