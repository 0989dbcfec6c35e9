/**
 * OULAD gives every date as whole days relative to the presentation's start, and never the start
 * itself (SOURCES.md). The dataset's documentation says only that "B" presentations start in February
 * and "J" presentations in October. Assumed here, unless the caller passes start dates:
 *
 *   <year>B → <year>-02-01      <year>J → <year>-10-01
 *
 * Day-level events are placed at 12:00 UTC of their day, so that the calendar day is the same in every
 * school time zone from UTC−11 to UTC+11 (midnight UTC would show as the previous day in the Americas).
 */
export function defaultOuladStartDate(presentation: string): string | null {
  const m = /^(\d{4})([BJ])$/.exec(presentation);
  if (!m) return null;
  return `${m[1]}-${m[2] === "B" ? "02" : "10"}-01`;
}

/** A start date for a module-presentation: `AAA-2013J` in the map wins over `2013J`, then the default. */
export function startDateFor(module: string, presentation: string, startDates: Readonly<Record<string, string>> | undefined): string | null {
  return startDates?.[`${module}-${presentation}`] ?? startDates?.[presentation] ?? defaultOuladStartDate(presentation);
}

export function isIsoDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Noon UTC of `start + days`. */
export function dayInstant(start: string, days: number): Date {
  const [y, m, d] = start.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days, 12));
}

/** `start + days` as YYYY-MM-DD. */
export function dayDate(start: string, days: number): string {
  return dayInstant(start, days).toISOString().slice(0, 10);
}
