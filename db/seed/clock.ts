import { DateTime } from "luxon";
import type { Rng } from "./rng";

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A person's working pattern in the school's time zone: ISO weekdays and minutes from local midnight. */
export interface Shift {
  days: readonly number[];
  startMin: number;
  endMin: number;
}

interface LocalDay {
  start: number;
  weekday: number;
  iso: string;
  holiday: boolean;
}

/** Russian public holidays (month-day); the seeded calendar marks those that fall in the period. */
const RU_HOLIDAYS = ["01-01", "01-02", "01-03", "01-04", "01-05", "01-06", "01-07", "01-08", "02-23", "03-08", "05-01", "05-09", "06-12", "11-04", "12-31"];

// Students write in the evening; these weights (per local hour) follow the field study's "peak hours".
const STUDENT_HOURS_WEEKDAY = [0.5, 0.25, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.2, 1.2, 1.3, 1.2, 1.2, 1.2, 1.3, 1.5, 1.9, 2.6, 3.0, 3.1, 2.6, 1.4];
const STUDENT_HOURS_WEEKEND = [0.7, 0.4, 0.2, 0.1, 0.05, 0.05, 0.1, 0.3, 0.6, 1.0, 1.5, 1.8, 1.9, 1.9, 1.9, 1.9, 1.9, 2.0, 2.1, 2.4, 2.6, 2.6, 2.1, 1.2];

/**
 * Local days of one school, computed once with the time-zone database (luxon), so every later step is
 * arithmetic on instants and DST, where a zone has it, is handled by the zone rules rather than offsets.
 */
export class SchoolClock {
  readonly days: LocalDay[] = [];

  constructor(readonly timezone: string, fromMs: number, toMs: number) {
    let d = DateTime.fromMillis(fromMs, { zone: timezone }).startOf("day");
    while (d.toMillis() <= toMs) {
      const iso = d.toISODate() ?? "";
      this.days.push({ start: d.toMillis(), weekday: d.weekday, iso, holiday: RU_HOLIDAYS.includes(iso.slice(5)) });
      d = d.plus({ days: 1 });
    }
  }

  holidays(fromMs: number, toMs: number): string[] {
    return this.days.filter((d) => d.holiday && d.start >= fromMs && d.start <= toMs).map((d) => d.iso);
  }

  dayIndex(t: number): number {
    let lo = 0;
    let hi = this.days.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.days[mid]?.start ?? Infinity) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  day(i: number): LocalDay {
    const d = this.days[Math.max(0, Math.min(i, this.days.length - 1))];
    if (!d) throw new Error("clock has no days");
    return d;
  }

  localMinute(t: number): number {
    return Math.floor((t - this.day(this.dayIndex(t)).start) / MIN);
  }

  weekday(t: number): number {
    return this.day(this.dayIndex(t)).weekday;
  }

  /** An instant at a local day and minute (minute may exceed a day: DST-free arithmetic inside the day is fine here). */
  at(dayIdx: number, minute: number): number {
    return this.day(dayIdx).start + minute * MIN;
  }

  isWorking(shift: Shift, t: number): boolean {
    const d = this.day(this.dayIndex(t));
    const m = (t - d.start) / MIN;
    return !d.holiday && shift.days.includes(d.weekday) && m >= shift.startMin && m < shift.endMin;
  }

  /** `t` plus `minutes` counted only inside the shift (holidays off). Infinity when past the clock's end. */
  addWorking(shift: Shift, t: number, minutes: number): number {
    let remaining = minutes * MIN;
    let i = this.dayIndex(t);
    let cursor = t;
    while (i < this.days.length) {
      const d = this.day(i);
      if (!d.holiday && shift.days.includes(d.weekday)) {
        const s = d.start + shift.startMin * MIN;
        const e = d.start + shift.endMin * MIN;
        const from = Math.max(cursor, s);
        if (from < e) {
          if (remaining <= e - from) return from + remaining;
          remaining -= e - from;
        }
      }
      i++;
      cursor = this.days[i]?.start ?? Infinity;
    }
    return Infinity;
  }

  /** A student's moment between two instants: evenings and weekends weigh more. */
  studentTime(rng: Rng, fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return fromMs;
    const first = this.dayIndex(fromMs);
    const last = this.dayIndex(toMs);
    for (let attempt = 0; attempt < 12; attempt++) {
      const i = rng.int(first, last);
      const d = this.day(i);
      const weekend = d.weekday >= 6;
      if (!weekend && rng.chance(0.25)) continue; // weekends carry ~1.3x the traffic of a weekday
      const hour = rng.weightedIndex(weekend ? STUDENT_HOURS_WEEKEND : STUDENT_HOURS_WEEKDAY);
      const t = d.start + hour * HOUR + rng.int(0, 59) * MIN + rng.int(0, 59) * 1000;
      if (t >= fromMs && t <= toMs) return t;
    }
    return fromMs + rng.next() * (toMs - fromMs);
  }

  /** A moment inside a person's shift on one of the days in [fromMs, toMs], or null if none works. */
  shiftTime(rng: Rng, shift: Shift, fromMs: number, toMs: number): number | null {
    const first = this.dayIndex(fromMs);
    const last = this.dayIndex(toMs);
    for (let attempt = 0; attempt < 10; attempt++) {
      const d = this.day(rng.int(first, last));
      if (d.holiday || !shift.days.includes(d.weekday)) continue;
      const t = d.start + rng.int(shift.startMin, shift.endMin - 30) * MIN + rng.int(0, 59) * 1000;
      if (t >= fromMs && t <= toMs) return t;
    }
    return null;
  }
}

/** YYYY-MM-DD of an instant in a zone. */
export function localDate(ms: number, timezone: string): string {
  return DateTime.fromMillis(ms, { zone: timezone }).toISODate() ?? "";
}
