"use server";

import { applySettingsConfig, editSettingsField, uploadRoster, type ApplyOutcome, type RosterOutcome } from "@/lib/dal/settings";

// Server actions keep Next's own Origin check; each one re-checks the session and role in lib/dal.

export type FormState = ApplyOutcome | null;
export type RosterState = RosterOutcome | null;

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
