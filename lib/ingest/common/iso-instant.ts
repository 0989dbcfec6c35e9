import { DateTime } from "luxon";

/**
 * ISO 8601 date-times as the sources write them: `2023-01-06T14:27:11.85+00:00` (DCE, 2-digit
 * fraction), `2020-07-15T06:46:41.543562+00:00` (Open edX, microseconds), `2023-08-22 17:58:21+00:00`
 * (Python's str(datetime): a space instead of T), `2025-04-14T08:18:54.000Z` (Pachca).
 * The shape is checked by a regex first because luxon alone would also accept week dates, ordinal
 * dates and bare dates, which no source sends for an instant.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export interface IsoInstantOptions {
  /** Refuse a value without an offset (xAPI 2.0; anywhere a naive time would be the sender's wall clock). */
  requireOffset?: boolean;
  /** Zone for a value without an offset when one is allowed; default UTC. */
  assumeZone?: string;
  /** Refuse `-00:00`, which RFC 3339 reserves for "offset unknown". */
  rejectUnknownOffset?: boolean;
}

export function hasIsoOffset(s: string): boolean {
  const m = ISO.exec(s.trim());
  return !!m?.[8];
}

export function parseIsoInstant(s: string, opts: IsoInstantOptions = {}): Date | null {
  const text = s.trim();
  const m = ISO.exec(text);
  if (!m) return null;
  const offset = m[8];
  if (!offset && opts.requireOffset) return null;
  if (opts.rejectUnknownOffset && offset && /^-00(:?00)?$/.test(offset)) return null;
  const normalised = text.replace(" ", "T").replace(",", ".").replace(/z$/, "Z");
  const dt = offset
    ? DateTime.fromISO(normalised, { setZone: true })
    : DateTime.fromISO(normalised, { zone: opts.assumeZone ?? "UTC" });
  if (!dt.isValid) return null;
  return dt.toJSDate();
}

/**
 * The instant with its full fractional precision, for comparisons where JS Date's milliseconds are
 * not enough (xAPI statement comparison: `.1234567` and `.1234568` are different instants).
 * Returns "<epoch ms>.<remaining sub-ms digits>" or null.
 */
export function preciseInstantKey(s: string): string | null {
  const d = parseIsoInstant(s);
  if (!d) return null;
  const frac = ISO.exec(s.trim())?.[7] ?? "";
  const subMs = frac.slice(3).replace(/0+$/, "");
  return `${d.getTime()}.${subMs}`;
}
