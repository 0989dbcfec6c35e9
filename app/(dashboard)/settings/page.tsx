import type { ReactNode } from "react";
import { getSettings } from "@/lib/dal/settings";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { settingsMessages } from "@/lib/i18n/pages/settings";
import { ConfigForm } from "./ConfigForm";

type SP = Promise<{ school?: string }>;
const weekdays = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

function Section({ title, testId, children }: { title: ReactNode; testId: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={testId}>
      <h2 className="mb-2 font-medium">{title}</h2>
      <div className="overflow-x-auto">{children}</div>
    </section>
  );
}

function Table({ head, rows }: { head: string[]; rows: ReactNode[][] }) {
  return (
    <table className="w-full text-sm">
      <thead className="text-left text-slate-600">
        <tr>
          {head.map((h) => (
            <th key={h} className="py-1 pr-4">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i} className="border-t border-slate-100 align-top">
            {r.map((c, j) => (
              <td key={j} className="py-1 pr-4">
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function SettingsPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ p, locale }, d] = await Promise.all([getPageT(settingsMessages), getSettings(sp)]);
  const n = (x: number) => formatNumber(x, locale);
  const yn = (b: boolean) => (b ? p("yes") : p("no"));
  const opt = (x: string | null) => x ?? "—";
  const empty = <p className="text-sm text-slate-500">{p("none")}</p>;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <p className="text-sm text-slate-600">{p("readOnly")}</p>
      </div>
      <Section title={p("sources")} testId="settings-sources">
        {d.sources.length === 0
          ? empty
          : <Table
              head={[p("kind"), p("externalId"), p("name"), p("groupText"), p("secret"), p("webhook")]}
              rows={d.sources.map((s) => [s.kind, s.externalId, s.name, s.storeGroupText ? p("stored") : p("notStored"), s.secretSet ? p("secretSet") : p("secretMissing"), <code key="u" className="break-all text-xs">{s.webhookUrl}</code>])}
            />}
      </Section>
      <Section title={p("calendars")} testId="settings-calendars">
        {d.calendars.length === 0
          ? empty
          : <Table
              head={[p("name"), p("timezone"), p("hours"), p("holidays")]}
              rows={d.calendars.map((c) => [
                `${c.name}${c.isDefault ? ` (${p("default")})` : ""}`,
                c.timezone,
                c.intervals.map((i) => `${weekdays[i.weekday] ?? i.weekday} ${hhmm(i.startMinute)}–${hhmm(i.endMinute)}`).join(", ") || "—",
                n(c.holidays),
              ])}
            />}
      </Section>
      <Section title={p("policies")} testId="settings-policies">
        {d.policies.length === 0
          ? empty
          : <Table
              head={[p("name"), p("role"), p("channelKind"), p("priority"), p("target"), p("clock"), p("calendar"), p("active")]}
              rows={d.policies.map((x) => [x.name, x.ownerRole ?? p("any"), x.channelKind ?? p("any"), x.priority ?? p("any"), n(x.targetMinutes), x.clock, opt(x.calendar), yn(x.active)])}
            />}
      </Section>
      <Section title={<>{p("channels")} <span className="text-sm font-normal text-slate-500">({p("shownOf")} {n(d.channels.length)} / {n(d.channelCount)})</span></>} testId="settings-channels">
        {d.channels.length === 0
          ? empty
          : <Table
              head={[p("channelTitle"), p("source"), p("kind"), p("purpose"), p("ownerRole"), p("owner"), p("cohort"), p("attribution")]}
              rows={d.channels.map((c) => [c.title ?? c.externalId, c.source, c.kind, c.purpose, opt(c.ownerRole), opt(c.owner), opt(c.cohort), c.attribution])}
            />}
      </Section>
      <Section title={p("roleLabels")} testId="settings-role-labels">
        {d.roleLabels.length === 0 ? empty : <Table head={[p("role"), p("locale"), p("label")]} rows={d.roleLabels.map((r) => [r.role, r.locale, r.label])} />}
      </Section>
      <Section title={p("teams")} testId="settings-teams">
        {d.teams.length === 0
          ? empty
          : d.teams.map((tm) => (
              <div key={tm.name} className="mb-3">
                <h3 className="text-sm font-medium">
                  {tm.name} <span className="font-normal text-slate-500">({p("lead")}: {opt(tm.lead)})</span>
                </h3>
                <Table
                  head={[p("member"), "E-mail", p("perHour"), p("maxStudents")]}
                  rows={tm.members.map((m) => [m.name, opt(m.email), m.episodesPerHour === null ? "—" : n(m.episodesPerHour), m.maxStudents === null ? "—" : n(m.maxStudents)])}
                />
              </div>
            ))}
      </Section>
      <Section title={<>{p("unmapped")} <span className="text-sm font-normal text-slate-500">(n = {n(d.unmappedCount)})</span></>} testId="settings-unmapped">
        {d.unmapped.length === 0
          ? empty
          : <Table
              head={[p("source"), p("externalId"), p("displayName"), p("messages")]}
              rows={d.unmapped.map((u) => [`${u.source} ${u.sourceExternalId}`, u.externalId, u.displayName ?? u.username ?? "—", n(u.messages)])}
            />}
      </Section>
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <ConfigForm
          school={d.school}
          labels={{ apply: p("apply"), applyHint: p("applyHint"), applyButton: p("applyButton"), applied: p("applied"), refused: p("refused"), path: p("path"), problem: p("problem") }}
        />
      </section>
    </div>
  );
}
