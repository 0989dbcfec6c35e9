import "server-only";
import { cookies, headers } from "next/headers";
import { pickLocale, translator, type Locale, type MessageKey } from "./dict";

export async function getLocale(): Promise<Locale> {
  const [c, h] = await Promise.all([cookies(), headers()]);
  return pickLocale(c.get("lang")?.value, h.get("accept-language"));
}

export async function getT(): Promise<{ locale: Locale; t: (k: MessageKey) => string }> {
  const locale = await getLocale();
  return { locale, t: translator(locale) };
}

/** The page's own catalogue plus the shared one, in the request's locale. */
export async function getPageT<K extends string>(messages: Record<Locale, Record<K, string>>) {
  const locale = await getLocale();
  return { locale, t: translator(locale), p: (key: K) => messages[locale][key] };
}
