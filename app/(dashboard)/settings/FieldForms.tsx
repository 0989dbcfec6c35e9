"use client";

import { useActionState, useState } from "react";
import { editFieldAction, type FormState } from "./actions";
import { Outcome } from "./Outcome";

export interface Option {
  value: string;
  label: string;
}

export interface FieldFormsProps {
  school: string;
  channels: Array<{ source: string; sourceExternalId: string; externalId: string; label: string; ownerRole: string | null; cohort: string | null; attribution: string; purpose: string }>;
  people: Array<{ email: string; name: string; episodesPerHour: number | null; maxStudents: number | null }>;
  policies: Array<{ name: string; targetMinutes: number }>;
  /** Messenger sources whose bot may ask for ratings (docs/ratings.md), with their current policy. */
  ratingSources: Array<{ kind: string; externalId: string; label: string; enabled: boolean; askInDms: boolean; minHoursBetweenAsks: number; maxAgeHours: number; delayMinutes: number }>;
  roles: Option[];
  purposes: Option[];
  attributions: Option[];
  cohorts: Option[];
  labels: Record<
    | "edit" | "editHint" | "editChannel" | "editCapacity" | "editPolicy" | "keep" | "clear" | "save" | "saved" | "refused" | "path" | "problem" | "channelTitle"
    | "ownerRole" | "cohort" | "attribution" | "purpose" | "person" | "perHour" | "maxStudents" | "capacityHint" | "policy" | "target" | "none"
    | "editRatings" | "ratingsHint" | "source" | "ratingsEnabled" | "askInDms" | "minHours" | "maxAge" | "delay",
    string
  >;
}

const box = "flex flex-col gap-2 rounded border border-slate-200 p-3";
const input = "rounded border border-slate-300 px-2 py-1 text-sm";

function Select({ name, label, options, value, onChange, defaultValue, keep, clear }: { name: string; label: string; options: Option[]; value?: string; onChange?: (v: string) => void; defaultValue?: string; keep?: string; clear?: string }) {
  const id = `field-${name}`;
  return (
    <label htmlFor={id} className="flex flex-col gap-1 text-sm">
      <span className="text-slate-600">{label}</span>
      <select id={id} name={name} className={input} value={value} defaultValue={defaultValue} onChange={onChange ? (e) => onChange(e.target.value) : undefined}>
        {keep !== undefined && <option value="">{keep}</option>}
        {clear !== undefined && <option value="-">{clear}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The most used settings, one field at a time: a channel's owner role, cohort, purpose and attribution,
 * a person's capacity, a policy's target. Each form posts to one server action that builds a small
 * config document and applies it through the same validation as the JSON document (lib/dal/settings).
 */
export function FieldForms(props: FieldFormsProps) {
  const { labels: l } = props;
  const outcomeLabels = { applied: l.saved, refused: l.refused, path: l.path, problem: l.problem };
  const [chState, chAction, chPending] = useActionState<FormState, FormData>(editFieldAction, null);
  const [capState, capAction, capPending] = useActionState<FormState, FormData>(editFieldAction, null);
  const [polState, polAction, polPending] = useActionState<FormState, FormData>(editFieldAction, null);
  const [rtState, rtAction, rtPending] = useActionState<FormState, FormData>(editFieldAction, null);
  const [rs, setRs] = useState(0);
  const rsrc = props.ratingSources[rs];
  const [ch, setCh] = useState(0);
  const [person, setPerson] = useState(0);
  const [policy, setPolicy] = useState(0);
  const channel = props.channels[ch];
  const who = props.people[person];
  const pol = props.policies[policy];
  const current = (v: string | null, opts: Option[]) => `${l.keep.replace(/\)$/, "")}: ${opts.find((o) => o.value === v)?.label ?? v ?? "—"})`;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="settings-edit" aria-labelledby="edit-title">
      <h2 id="edit-title" className="font-medium">
        {l.edit}
      </h2>
      <p className="mb-3 text-sm text-slate-600">{l.editHint}</p>
      <div className="grid gap-3 lg:grid-cols-2 2xl:grid-cols-4">
        <form action={chAction} className={box} data-testid="edit-channel">
          <h3 className="text-sm font-medium">{l.editChannel}</h3>
          {channel ? (
            <>
              <input type="hidden" name="school" value={props.school} />
              <input type="hidden" name="field" value="channel" />
              <input type="hidden" name="source" value={channel.source} />
              <input type="hidden" name="sourceExternalId" value={channel.sourceExternalId} />
              <input type="hidden" name="externalId" value={channel.externalId} />
              <Select name="$channel" label={l.channelTitle} options={props.channels.map((c, i) => ({ value: String(i), label: c.label }))} value={String(ch)} onChange={(v) => setCh(Number(v))} />
              {/* Keyed by channel: the "keep" choice resets and shows the newly picked channel's values. */}
              <div key={ch} className="flex flex-col gap-2">
                <Select name="ownerRole" label={l.ownerRole} options={props.roles} keep={current(channel.ownerRole, props.roles)} clear={l.clear} />
                <Select name="cohort" label={l.cohort} options={props.cohorts} keep={current(channel.cohort, props.cohorts)} clear={l.clear} />
                <Select name="purpose" label={l.purpose} options={props.purposes} keep={current(channel.purpose, props.purposes)} />
                <Select name="attribution" label={l.attribution} options={props.attributions} keep={current(channel.attribution, props.attributions)} />
              </div>
              <button type="submit" disabled={chPending} className="self-start rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
                {l.save}
              </button>
              <Outcome state={chState} labels={outcomeLabels} testId="edit-channel" />
            </>
          ) : (
            <p className="text-sm text-slate-500">{l.none}</p>
          )}
        </form>
        <form action={capAction} className={box} data-testid="edit-capacity">
          <h3 className="text-sm font-medium">{l.editCapacity}</h3>
          {who ? (
            <>
              <input type="hidden" name="school" value={props.school} />
              <input type="hidden" name="field" value="capacity" />
              <input type="hidden" name="email" value={who.email} />
              <Select name="$person" label={l.person} options={props.people.map((x, i) => ({ value: String(i), label: `${x.name} <${x.email}>` }))} value={String(person)} onChange={(v) => setPerson(Number(v))} />
              <div key={person} className="flex flex-col gap-2">
                <label className="flex flex-col gap-1 text-sm">
                  <span className="text-slate-600">{l.perHour}</span>
                  <input name="episodesPerHour" inputMode="decimal" className={input} defaultValue={who.episodesPerHour ?? ""} />
                </label>
                <label className="flex flex-col gap-1 text-sm">
                  <span className="text-slate-600">{l.maxStudents}</span>
                  <input name="maxStudents" inputMode="numeric" className={input} defaultValue={who.maxStudents ?? ""} />
                </label>
              </div>
              <p className="text-xs text-slate-500">{l.capacityHint}</p>
              <button type="submit" disabled={capPending} className="self-start rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
                {l.save}
              </button>
              <Outcome state={capState} labels={outcomeLabels} testId="edit-capacity" />
            </>
          ) : (
            <p className="text-sm text-slate-500">{l.none}</p>
          )}
        </form>
        <form action={polAction} className={box} data-testid="edit-policy">
          <h3 className="text-sm font-medium">{l.editPolicy}</h3>
          {pol ? (
            <>
              <input type="hidden" name="school" value={props.school} />
              <input type="hidden" name="field" value="policy" />
              <input type="hidden" name="name" value={pol.name} />
              <Select name="$policy" label={l.policy} options={props.policies.map((x, i) => ({ value: String(i), label: x.name }))} value={String(policy)} onChange={(v) => setPolicy(Number(v))} />
              <label key={policy} className="flex flex-col gap-1 text-sm">
                <span className="text-slate-600">{l.target}</span>
                <input name="targetMinutes" inputMode="numeric" required className={input} defaultValue={pol.targetMinutes} />
              </label>
              <button type="submit" disabled={polPending} className="self-start rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
                {l.save}
              </button>
              <Outcome state={polState} labels={outcomeLabels} testId="edit-policy" />
            </>
          ) : (
            <p className="text-sm text-slate-500">{l.none}</p>
          )}
        </form>
        <form action={rtAction} className={box} data-testid="edit-ratings">
          <h3 className="text-sm font-medium">{l.editRatings}</h3>
          <p className="text-xs text-slate-500">{l.ratingsHint}</p>
          {rsrc ? (
            <>
              <input type="hidden" name="school" value={props.school} />
              <input type="hidden" name="field" value="ratings" />
              <input type="hidden" name="source" value={rsrc.kind} />
              <input type="hidden" name="sourceExternalId" value={rsrc.externalId} />
              <Select name="$source" label={l.source} options={props.ratingSources.map((x, i) => ({ value: String(i), label: x.label }))} value={String(rs)} onChange={(v) => setRs(Number(v))} />
              <div key={rs} className="flex flex-col gap-2 text-sm">
                <label className="flex items-center gap-2">
                  <input type="checkbox" name="enabled" defaultChecked={rsrc.enabled} />
                  {l.ratingsEnabled}
                </label>
                <label className="flex items-center gap-2">
                  <input type="checkbox" name="askInDms" defaultChecked={rsrc.askInDms} />
                  {l.askInDms}
                </label>
                <label className="flex flex-col gap-1">
                  <span className="text-slate-600">{l.minHours}</span>
                  <input name="minHoursBetweenAsks" inputMode="decimal" required className={input} defaultValue={rsrc.minHoursBetweenAsks} />
                </label>
                <label className="flex flex-col gap-1">
                  <span className="text-slate-600">{l.maxAge}</span>
                  <input name="maxAgeHours" inputMode="decimal" required className={input} defaultValue={rsrc.maxAgeHours} />
                </label>
                <label className="flex flex-col gap-1">
                  <span className="text-slate-600">{l.delay}</span>
                  <input name="delayMinutes" inputMode="numeric" required className={input} defaultValue={rsrc.delayMinutes} />
                </label>
              </div>
              <button type="submit" disabled={rtPending} className="self-start rounded bg-blue-700 px-3 py-1 text-sm text-white disabled:opacity-50">
                {l.save}
              </button>
              <Outcome state={rtState} labels={outcomeLabels} testId="edit-ratings" />
            </>
          ) : (
            <p className="text-sm text-slate-500">{l.none}</p>
          )}
        </form>
      </div>
    </section>
  );
}
