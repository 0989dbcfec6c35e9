import { DateTime } from "luxon";
import { z } from "zod";

/** A report period in the school's time zone: local dates, `to` exclusive. */
export interface Period {
  from: string;
  to: string;
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/**
 * The period from URL params (from, to inclusive as the user picks them), defaulting to the 30 days that
 * end on `lastDay` (the school's newest data, so a demo from last month still opens on its data);
 * `days` (1..366) sets the length when `from` is absent.
 */
export function parsePeriod(params: { from?: string; to?: string; days?: string }, tz: string, lastDay: string | null, today: Date): Period {
  const fallbackEnd = lastDay ?? DateTime.fromJSDate(today, { zone: tz }).toISODate();
  const toIncl = isoDate.safeParse(params.to).success ? params.to! : fallbackEnd;
  const end = DateTime.fromISO(toIncl ?? "", { zone: tz });
  const days = Math.min(Math.max(Number.parseInt(params.days ?? "30", 10) || 30, 1), 366);
  const fromOk = isoDate.safeParse(params.from).success ? params.from! : end.minus({ days: days - 1 }).toISODate();
  let from = DateTime.fromISO(fromOk ?? "", { zone: tz });
  if (!from.isValid || !end.isValid) throw new Error("invalid period");
  if (from > end) from = end;
  return { from: from.toISODate()!, to: end.plus({ days: 1 }).toISODate()! };
}

/** Whether parsePeriod reads its `lastDay` for these parameters: only without a valid end date. */
export function periodNeedsLastDay(params: { to?: string }): boolean {
  return !isoDate.safeParse(params.to).success;
}

/** The previous period of the same length (for trends). */
export function previousPeriod(p: Period): Period {
  const from = DateTime.fromISO(p.from);
  const to = DateTime.fromISO(p.to);
  const days = Math.round(to.diff(from, "days").days);
  return { from: from.minus({ days }).toISODate()!, to: p.from };
}

/** Every local day in [from, to). */
export function daysOf(p: Period): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromISO(p.from); d < DateTime.fromISO(p.to); d = d.plus({ days: 1 })) out.push(d.toISODate()!);
  return out;
}

/**
 * Where a period's stored part ends (exclusive; ADR 0011): yesterday in the school's zone, within the
 * period. The days before it are read from a stored run, the rest live: answers still arrive yesterday
 * and today (an episode opened earlier and still open is judged live either way).
 */
export function settledUpTo(period: Period, tz: string, now: Date): string {
  const yesterday = DateTime.fromJSDate(now, { zone: tz }).minus({ days: 1 }).toISODate()!;
  return yesterday < period.from ? period.from : yesterday > period.to ? period.to : yesterday;
}
