/**
 * Epoch conversions with a sanity range. Sources send seconds (Telegram, Slack) or ms; a value outside
 * 1970..3000 is garbage (a ms value sent as seconds, an overflowed counter) and must be rejected, not
 * turned into an Invalid Date or a date in the year 50 000.
 */
export const MAX_EPOCH_SECONDS = 32_503_680_000; // 3000-01-01T00:00:00Z

export function isPlausibleEpochSeconds(sec: number): boolean {
  return Number.isFinite(sec) && sec >= 0 && sec < MAX_EPOCH_SECONDS;
}

/** Unix seconds (possibly fractional) to a Date, or null when out of range. */
export function dateFromEpochSeconds(sec: number): Date | null {
  if (!isPlausibleEpochSeconds(sec)) return null;
  return new Date(Math.round(sec * 1000));
}

/** A decimal string of unix seconds ("1654418579", as Telegram Desktop writes `date_unixtime`). */
export function dateFromEpochSecondsString(s: string): Date | null {
  if (!/^\d{1,12}$/.test(s)) return null;
  return dateFromEpochSeconds(Number(s));
}
