"use server";

import { revalidatePath } from "next/cache";
import {
  applySettingsConfig,
  editSettingsField,
  setSourceSecretForm,
  uploadCalendarFile,
  uploadRoster,
  type ApplyOutcome,
  type CalendarFileOutcome,
  type RosterOutcome,
  type SecretOutcome,
} from "@/lib/dal/settings";

// Server actions keep Next's own Origin check; each one re-checks the session and role in lib/dal.

export type FormState = ApplyOutcome | null;
export type RosterState = RosterOutcome | null;
export type SecretState = SecretOutcome | null;
export type CalendarFileState = CalendarFileOutcome | null;

const schoolOf = (form: FormData) => {
  const s = form.get("school");
  return typeof s === "string" && s !== "" ? s : undefined;
};

export async function applyConfigAction(_prev: FormState, form: FormData): Promise<FormState> {
  const text = form.get("config");
  return applySettingsConfig(schoolOf(form), typeof text === "string" ? text : "");
}

/** One field of a channel, a capacity or a policy target: the form's text fields, validated in lib/dal/settings. */
export async function editFieldAction(_prev: FormState, form: FormData): Promise<FormState> {
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && k !== "school" && !k.startsWith("$")) fields[k] = v;
  return editSettingsField(schoolOf(form), fields);
}

export async function uploadRosterAction(_prev: RosterState, form: FormData): Promise<RosterState> {
  const file = form.get("roster");
  if (!(file instanceof File) || file.size === 0) return { ok: false, errors: [{ line: null, reason: "choose a CSV file" }] };
  return uploadRoster(schoolOf(form), await file.text(), file.name);
}

/** Set or rotate a source's webhook secret (admin only, in lib/dal/settings): the answer carries it once. */
export async function sourceSecretAction(_prev: SecretState, form: FormData): Promise<SecretState> {
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && k !== "school" && k !== "sourceKey" && !k.startsWith("$")) fields[k] = v;
  const key = form.get("sourceKey");
  if (typeof key === "string" && key.includes(":")) {
    fields.source = key.slice(0, key.indexOf(":"));
    fields.sourceExternalId = key.slice(key.indexOf(":") + 1);
  }
  const out = await setSourceSecretForm(schoolOf(form), fields);
  // "secret: set" in the sources table; the form keeps its state (the new secret) across the refresh.
  if (out.ok) revalidatePath("/settings");
  return out;
}

export async function uploadCalendarAction(_prev: CalendarFileState, form: FormData): Promise<CalendarFileState> {
  const file = form.get("calendarFile");
  const calendar = form.get("calendar");
  if (!(file instanceof File) || file.size === 0) return { ok: false, errors: [{ line: null, reason: "choose an .ics or .csv file" }] };
  const out = await uploadCalendarFile(schoolOf(form), typeof calendar === "string" ? calendar : "", await file.text(), file.name);
  // The page's calendar and holiday tables are server-rendered: re-render them with the new days.
  if (out.ok) revalidatePath("/settings");
  return out;
}
