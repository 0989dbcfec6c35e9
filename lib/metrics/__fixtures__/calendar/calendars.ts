import { createCalendar, type BusinessCalendar, type WorkInterval } from "../../calendar";
import { parseCalendarCsv } from "../../calendar-import";

/** Calendars shared by the metric tests. Hours are written as "H:MM" so expectations read like a timetable. */

export function hours(from: string, to: string): WorkInterval {
  const minute = (hm: string): number => {
    const [h = "0", m = "0"] = hm.split(":");
    return Number(h) * 60 + Number(m);
  };
  return { startMinute: minute(from), endMinute: minute(to) };
}

const weekdays = (day: WorkInterval[]) => ({ 1: day, 2: day, 3: day, 4: day, 5: day });
const everyDay = (day: WorkInterval[]) => ({ ...weekdays(day), 6: day, 7: day });

/** Mon–Fri 9:00–18:00, New York: the DST cases. */
export const nyOffice: BusinessCalendar = createCalendar({ timezone: "America/New_York", weekly: weekdays([hours("9:00", "18:00")]) });
/** Every day 9:00–21:00, New York: a mentor-on-duty calendar, open on the DST Sundays. */
export const nyDuty: BusinessCalendar = createCalendar({ timezone: "America/New_York", weekly: everyDay([hours("9:00", "21:00")]) });
/** Every day 0:00–1:30 and 3:00–6:00, New York: a night desk whose boundaries sit right next to the DST changes. */
export const nyNight: BusinessCalendar = createCalendar({
  timezone: "America/New_York",
  weekly: everyDay([hours("0:00", "1:30"), hours("3:00", "6:00")]),
});
/** Mon–Fri 9:00–18:00, Kathmandu (+05:45). */
export const kathmandu: BusinessCalendar = createCalendar({ timezone: "Asia/Kathmandu", weekly: weekdays([hours("9:00", "18:00")]) });

/** Mon–Fri 9–13 and 14–18 in Moscow with the Russian production calendar from the CSV fixture. */
export function moscowOffice(productionCalendarCsv: string): BusinessCalendar {
  const imported = parseCalendarCsv(productionCalendarCsv);
  if (!imported.ok) throw new Error(`fixture CSV is invalid: ${JSON.stringify(imported.errors)}`);
  return createCalendar({
    timezone: "Europe/Moscow",
    weekly: weekdays([hours("9:00", "13:00"), hours("14:00", "18:00")]),
    holidays: [...imported.holidays],
    workdays: Object.fromEntries([...imported.workdays].map(([day, wd]) => [day, wd ?? 1])),
  });
}
