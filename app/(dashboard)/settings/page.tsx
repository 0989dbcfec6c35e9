import type { ReactNode } from "react";
import { getSettings, SECRET_SOURCES } from "@/lib/dal/settings";
import { getPageT } from "@/lib/i18n/server";
import { formatNumber } from "@/lib/i18n/dict";
import { enumLabel, settingsMessages } from "@/lib/i18n/pages/settings";
import { DataTable, type DataColumn, type DataRow } from "@/components/tables/DataTable";
import { ConfigForm } from "./ConfigForm";
import { FieldForms } from "./FieldForms";
import { RosterUpload } from "./RosterUpload";
import { SourceSecretForm } from "./SourceSecretForm";
import { CalendarUpload } from "./CalendarUpload";

type SP = Promise<{ school?: string }>;
const weekdays = { ru: ["", "Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"], en: ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] };
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const ROLES = ["student", "coordinator", "mentor", "reviewer", "support", "team_lead", "bot"] as const;
const PURPOSES = ["support", "community", "announcements", "ignored"] as const;
const ATTRIBUTIONS = ["strict", "fifo"] as const;
const MESSENGERS = new Set(["telegram", "slack", "discord", "mattermost", "pachca"]);
/** Sources whose webhook verifies a shared secret (lib/dal/settings.ts SECRET_SOURCES). */
const SECRET_KINDS = new Set<string>(SECRET_SOURCES);

function Section({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid={testId}>
      {children}
    </section>
  );
}

export default async function SettingsPage({ searchParams }: { searchParams: SP }) {
  const sp = await searchParams;
  const [{ t, p, locale }, d] = await Promise.all([getPageT(settingsMessages), getSettings(sp)]);
  const n = (x: number) => formatNumber(x, locale);
  const yn = (b: boolean) => (b ? p("yes") : p("no"));
  const csv = (table: string) => `/settings/csv?${new URLSearchParams({ school: d.school, table }).toString()}`;
  const labels = { csv: t("exportCsv"), empty: p("none"), sortBy: p("sortBy"), locale };
  // A cell shows the translated name and sorts by it; an absent value reads "any" (policies) or "—".
  const en = (prefix: Parameters<typeof enumLabel>[1], v: string | null, none = "—") => (v === null ? { v: none, s: null } : enumLabel(p, prefix, v));
  const table = (testId: string, title: ReactNode, csvTable: string, columns: DataColumn[], rows: DataRow[]) => (
    <Section testId={testId}>
      <DataTable caption={title} columns={columns} rows={rows} csvHref={csv(csvTable)} labels={labels} testId={`${testId}-table`} />
    </Section>
  );
  const members = d.teams.flatMap((tm) => tm.members.map((m) => ({ team: tm.name, lead: tm.lead, ...m })));
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">{p("title")}</h1>
        <p className="text-sm text-slate-600">{d.canEdit ? p("readOnly") : p("readOnlyHead")}</p>
      </div>
      {table(
        "settings-sources",
        <>{p("sources")} <span className="text-sm font-normal text-slate-500">(n = {n(d.sources.length)})</span></>,
        "sources",
        [
          { key: "kind", label: p("kind") }, { key: "externalId", label: p("externalId") }, { key: "name", label: p("name") }, { key: "groupText", label: p("groupText") },
          { key: "secret", label: p("secret") }, { key: "ratings", label: p("ratings") }, { key: "webhook", label: p("webhook"), sortable: false },
        ],
        d.sources.map((s) => ({
          key: `${s.kind}:${s.externalId}`,
          cells: {
            kind: s.kind, externalId: s.externalId, name: s.name, groupText: s.storeGroupText ? p("stored") : p("notStored"), secret: s.secretSet ? p("secretSet") : p("secretMissing"),
            ratings: !MESSENGERS.has(s.kind)
              ? null
              : !s.ratings.ok
                ? { v: <span className="text-red-800">{s.ratings.error}</span>, s: s.ratings.error }
                : !s.ratings.policy.enabled
                  ? p("ratingsOff")
                  : p("ratingsSummary")
                      .replace("{dm}", yn(s.ratings.policy.askInDms))
                      .replace("{gap}", n(s.ratings.policy.minHoursBetweenAsks))
                      .replace("{age}", n(s.ratings.policy.maxAgeHours))
                      .replace("{delay}", n(s.ratings.policy.delayMinutes)),
            webhook: { v: <code className="break-all text-xs">{s.webhookUrl}</code> },
          },
        })),
      )}
      {table(
        "settings-calendars",
        <>{p("calendars")} <span className="text-sm font-normal text-slate-500">(n = {n(d.calendars.length)})</span></>,
        "calendars",
        [{ key: "name", label: p("name") }, { key: "timezone", label: p("timezone") }, { key: "hours", label: p("hours"), sortable: false }, { key: "holidays", label: p("holidays"), align: "right" }],
        d.calendars.map((c) => ({
          key: c.name,
          cells: {
            name: { v: `${c.name}${c.isDefault ? ` (${p("default")})` : ""}`, s: c.name },
            timezone: c.timezone,
            hours: c.intervals.map((i) => `${weekdays[locale][i.weekday] ?? i.weekday} ${hhmm(i.startMinute)}–${hhmm(i.endMinute)}`).join(", ") || "—",
            holidays: { v: n(c.holidays), s: c.holidays },
          },
        })),
      )}
      {table(
        "settings-holidays",
        <>{p("calendarDays")} <span className="text-sm font-normal text-slate-500">(n = {n(d.calendars.reduce((a, c) => a + c.days.length, 0))})</span></>,
        "calendar-days",
        [{ key: "calendar", label: p("calendar") }, { key: "day", label: p("day"), nowrap: true }, { key: "kind", label: p("dayKind") }, { key: "note", label: p("note") }],
        d.calendars.flatMap((c) =>
          c.days.map((x) => ({
            key: `${c.name}:${x.day}`,
            cells: {
              calendar: c.name, day: x.day,
              kind: x.kind === "holiday" ? p("holiday") : `${p("workday")}${x.asWeekday === null ? "" : ` (${weekdays[locale][x.asWeekday] ?? x.asWeekday})`}`,
              note: x.note,
            },
          })),
        ),
      )}
      {table(
        "settings-policies",
        <>{p("policies")} <span className="text-sm font-normal text-slate-500">(n = {n(d.policies.length)})</span></>,
        "policies",
        [
          { key: "name", label: p("name") }, { key: "role", label: p("role") }, { key: "channelKind", label: p("channelKind") }, { key: "priority", label: p("priority") },
          { key: "target", label: p("target"), align: "right" }, { key: "clock", label: p("clock") }, { key: "calendar", label: p("calendar") }, { key: "active", label: p("active") },
        ],
        d.policies.map((x) => ({
          key: x.name,
          cells: {
            name: x.name, role: en("role", x.ownerRole, p("any")), channelKind: en("ck", x.channelKind, p("any")), priority: en("prio", x.priority, p("any")),
            target: { v: n(x.targetMinutes), s: x.targetMinutes }, clock: enumLabel(p, "clock", x.clock), calendar: x.calendar, active: yn(x.active),
          },
        })),
      )}
      {table(
        "settings-channels",
        <>{p("channels")} <span className="text-sm font-normal text-slate-500">({p("shownOf")} {n(d.channels.length)} / {n(d.channelCount)})</span></>,
        "channels",
        [
          { key: "title", label: p("channelTitle") }, { key: "source", label: p("source") }, { key: "kind", label: p("kind") }, { key: "purpose", label: p("purpose") },
          { key: "ownerRole", label: p("ownerRole") }, { key: "owner", label: p("owner") }, { key: "cohort", label: p("cohort") }, { key: "attribution", label: p("attribution") },
        ],
        d.channels.map((c) => ({
          key: `${c.source}:${c.sourceExternalId}:${c.externalId}`,
          cells: {
            title: c.title ?? c.externalId, source: c.source, kind: enumLabel(p, "ck", c.kind), purpose: enumLabel(p, "purpose", c.purpose), ownerRole: en("role", c.ownerRole),
            owner: c.owner, cohort: c.cohort, attribution: enumLabel(p, "attr", c.attribution),
          },
        })),
      )}
      {table(
        "settings-role-labels",
        p("roleLabels"),
        "role-labels",
        [{ key: "role", label: p("role") }, { key: "locale", label: p("locale") }, { key: "label", label: p("label") }],
        d.roleLabels.map((r) => ({ key: `${r.locale}:${r.role}`, cells: { role: enumLabel(p, "role", r.role), locale: r.locale, label: r.label } })),
      )}
      {table(
        "settings-teams",
        <>{p("teams")} <span className="text-sm font-normal text-slate-500">(n = {n(d.teams.length)}; {p("member")}: {n(members.length)})</span></>,
        "teams",
        [
          { key: "team", label: p("teams") }, { key: "lead", label: p("lead") }, { key: "member", label: p("member") }, { key: "email", label: "E-mail" },
          { key: "perHour", label: p("perHour"), align: "right" }, { key: "maxStudents", label: p("maxStudents"), align: "right" },
        ],
        members.map((m, i) => ({
          key: `${m.team}:${m.email ?? i}`,
          cells: {
            team: m.team, lead: m.lead, member: m.name, email: m.email,
            perHour: m.episodesPerHour === null ? null : { v: n(m.episodesPerHour), s: m.episodesPerHour },
            maxStudents: m.maxStudents === null ? null : { v: n(m.maxStudents), s: m.maxStudents },
          },
        })),
      )}
      {table(
        "settings-unmapped",
        <>{p("unmapped")} <span className="text-sm font-normal text-slate-500">({p("shownOf")} {n(d.unmapped.length)} / {n(d.unmappedCount)})</span></>,
        "unmapped",
        [{ key: "source", label: p("source") }, { key: "externalId", label: p("externalId") }, { key: "displayName", label: p("displayName") }, { key: "messages", label: p("messages"), align: "right" }],
        d.unmapped.map((u) => ({
          key: `${u.source}:${u.sourceExternalId}:${u.externalId}`,
          cells: { source: `${u.source} ${u.sourceExternalId}`, externalId: u.externalId, displayName: u.displayName ?? u.username, messages: { v: n(u.messages), s: u.messages } },
        })),
      )}
      {d.canEdit && (
        <>
          <FieldForms
            school={d.school}
            channels={d.channels.map((c) => ({
              source: c.source, sourceExternalId: c.sourceExternalId, externalId: c.externalId, label: `${c.title ?? c.externalId} (${c.source})`,
              ownerRole: c.ownerRole, cohort: c.cohortExternalId, attribution: c.attribution, purpose: c.purpose,
            }))}
            people={members.filter((m): m is typeof m & { email: string } => m.email !== null).map((m) => ({ email: m.email, name: m.name, episodesPerHour: m.episodesPerHour, maxStudents: m.maxStudents }))}
            policies={d.policies.map((x) => ({ name: x.name, targetMinutes: x.targetMinutes }))}
            ratingSources={d.sources.flatMap((s) =>
              MESSENGERS.has(s.kind) && s.ratings.ok ? [{ kind: s.kind, externalId: s.externalId, label: `${s.name} (${s.kind} ${s.externalId})`, ...s.ratings.policy }] : [],
            )}
            roles={ROLES.map((r) => ({ value: r, label: enumLabel(p, "role", r) }))}
            purposes={PURPOSES.map((r) => ({ value: r, label: enumLabel(p, "purpose", r) }))}
            attributions={ATTRIBUTIONS.map((r) => ({ value: r, label: enumLabel(p, "attr", r) }))}
            cohorts={d.cohorts.map((c) => ({ value: c.externalId, label: c.title }))}
            labels={{
              edit: p("edit"), editHint: p("editHint"), editChannel: p("editChannel"), editCapacity: p("editCapacity"), editPolicy: p("editPolicy"), keep: p("keep"), clear: p("clear"),
              save: p("save"), saved: p("saved"), refused: p("refused"), path: p("path"), problem: p("problem"), channelTitle: p("channelTitle"), ownerRole: p("ownerRole"),
              cohort: p("cohort"), attribution: p("attribution"), purpose: p("purpose"), person: p("person"), perHour: p("perHour"), maxStudents: p("maxStudents"),
              capacityHint: p("capacityHint"), policy: p("policy"), target: p("target"), none: p("none"), editRatings: p("editRatings"), ratingsHint: p("ratingsHint"),
              source: p("source"), ratingsEnabled: p("ratingsEnabled"), askInDms: p("askInDms"), minHours: p("minHours"), maxAge: p("maxAge"), delay: p("delay"),
            }}
          />
          <SourceSecretForm
            school={d.school}
            sources={d.sources.filter((s) => SECRET_KINDS.has(s.kind)).map((s) => ({ kind: s.kind, externalId: s.externalId, label: `${s.name} (${s.kind} ${s.externalId}; ${s.secretSet ? p("secretSet") : p("secretMissing")})` }))}
            labels={{
              secretTitle: p("secretTitle"), secretHint: p("secretHint"), source: p("source"), secretMode: p("secretMode"), secretGenerate: p("secretGenerate"), secretSetOwn: p("secretSetOwn"),
              secretValue: p("secretValue"), secretSave: p("secretSave"), secretSaved: p("secretSaved"), secretOnce: p("secretOnce"), refused: p("refused"), path: p("path"), problem: p("problem"),
            }}
          />
          <CalendarUpload
            school={d.school}
            calendars={d.calendars.map((c) => c.name)}
            labels={{
              calendarUpload: p("calendarUpload"), calendarUploadHint: p("calendarUploadHint"), calendar: p("calendar"), calendarFile: p("calendarFile"), upload: p("upload"),
              calendarDone: p("calendarDone"), calendarRefused: p("calendarRefused"), line: p("line"), problem: p("problem"), holidaysN: p("holidaysN"), workdaysN: p("workdaysN"),
            }}
          />
          <RosterUpload
            school={d.school}
            labels={{
              roster: p("roster"), rosterHint: p("rosterHint"), rosterFile: p("rosterFile"), upload: p("upload"), rosterDone: p("rosterDone"), rosterRefused: p("rosterRefused"),
              line: p("line"), problem: p("problem"), rows: p("rows"), storedN: p("storedN"), updatedN: p("updatedN"), duplicatesN: p("duplicatesN"), warnings: p("warnings"),
            }}
          />
        </>
      )}
      <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
        <ConfigForm
          school={d.school}
          labels={{ apply: p("apply"), applyHint: p("applyHint"), applyButton: p("applyButton"), applied: p("applied"), refused: p("refused"), path: p("path"), problem: p("problem") }}
        />
      </section>
    </div>
  );
}
