"use server";

import { applySettingsConfig, type ApplyOutcome } from "@/lib/dal/settings";

export type FormState = ApplyOutcome | null;

export async function applyConfigAction(_prev: FormState, form: FormData): Promise<FormState> {
  const school = form.get("school");
  const text = form.get("config");
  return applySettingsConfig(typeof school === "string" && school !== "" ? school : undefined, typeof text === "string" ? text : "");
}
