/** 'today' = UTC midnight of the current day; otherwise an ISO date. The CLI edge is where the clock is read. */
export function parseAnchor(value: string, now: Date = new Date()): Date {
  if (value === "today") return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`--anchor must be YYYY-MM-DD or 'today', not ${value}`);
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`--anchor is not a date: ${value}`);
  return d;
}
