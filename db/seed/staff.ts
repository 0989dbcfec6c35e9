import type { Shift } from "./clock";
import { IdFactory, identity, randomName, type HumanName } from "./identity";
import type { Rng } from "./rng";
import { SHIFTS, type ScaleSpec, type SchoolSpec } from "./specs";
import type { MessengerStyle, SourceDef, StaffDef, StaffRole, StaffTrait } from "./types";

interface Speed {
  medianMin: number;
  sigma: number;
  offHours: number;
  abandon: number;
}

// Working-minute medians: coordinators answer within the hour, mentors within a working day; the slow
// and the overloaded are the people the dashboard should surface.
const COORDINATOR: Record<StaffTrait, Speed> = {
  fast: { medianMin: 12, sigma: 0.9, offHours: 0.4, abandon: 0.01 },
  normal: { medianMin: 35, sigma: 1.0, offHours: 0.3, abandon: 0.02 },
  slow: { medianMin: 360, sigma: 0.8, offHours: 0.03, abandon: 0.06 },
  overloaded: { medianMin: 150, sigma: 1.1, offHours: 0.1, abandon: 0.1 },
};
const MENTOR: Record<StaffTrait, Speed> = {
  fast: { medianMin: 40, sigma: 1.0, offHours: 0.2, abandon: 0.02 },
  normal: { medianMin: 90, sigma: 1.0, offHours: 0.15, abandon: 0.03 },
  slow: { medianMin: 900, sigma: 0.7, offHours: 0.03, abandon: 0.08 },
  overloaded: { medianMin: 400, sigma: 1.0, offHours: 0.05, abandon: 0.1 },
};

export interface StaffSet {
  staff: StaffDef[];
  bot: StaffDef;
  coordinators: StaffDef[];
  mentorsByCourse: Map<string, StaffDef[]>;
  reviewersByCourse: Map<string, StaffDef[]>;
}

export function buildStaff(spec: SchoolSpec, sc: ScaleSpec, messengers: SourceDef[], ids: IdFactory, rng: Rng): StaffSet {
  const staff: StaffDef[] = [];
  const names = new Set<string>();
  const make = (role: StaffRole, trait: StaffTrait, shift: Shift, team: string | undefined, extra: Partial<StaffDef> = {}): StaffDef => {
    // Two staff members with one name would be indistinguishable on the team pages.
    let name: HumanName = randomName(rng);
    while (names.has(name.full) || !ids.claimsName(name)) name = randomName(rng);
    names.add(name.full);
    const email = ids.email(name, spec.domain);
    const speed = (role === "coordinator" || role === "team_lead" ? COORDINATOR : MENTOR)[trait];
    const s: StaffDef = {
      key: `staff:${staff.length}`, name: name.full, female: name.female, email, ids: new Map(), role, ...(team ? { team } : {}), isLead: false, trait, ...speed,
      checkinEveryDays: null, shift, courseKeys: [], assigned: [], ...extra,
    };
    for (const m of messengers) s.ids.set(m.key, identity(ids.user(m.style as MessengerStyle), name, m.style as MessengerStyle));
    staff.push(s);
    return s;
  };

  const large = sc.coordinators > 5;
  const mentorTeams = large ? spec.mentorTeams : [{ name: spec.mentorTeams[0]?.name ?? "Менторы", courseKeys: spec.courses.map((c) => c.key) }];

  make("team_lead", "fast", SHIFTS.office, spec.coordinatorTeam, { isLead: true });
  const coordinators: StaffDef[] = [];
  // Coordinators work the school's calendar days in staggered hours (students write in the evening, so
  // most cover it); one works Wednesday to Sunday, which shows on the SLA pages as Monday backlogs.
  const hours: Array<[number, number]> = [[9, 20], [9, 19], [10, 21], [9, 21]];
  const coordShifts: Shift[] = hours.map(([from, to]) => ({ days: spec.calendarDays, startMin: from * 60, endMin: to * 60 }));
  coordShifts.splice(3, 0, SHIFTS.weekend);
  for (let i = 0; i < sc.coordinators; i++) {
    // The first is overloaded; in the large school the second is slow (small keeps one slow person per school, a mentor).
    const trait: StaffTrait = i === 0 ? "overloaded" : i === 1 && large ? "slow" : rng.chance(0.3) ? "fast" : "normal";
    const c = make("coordinator", trait, coordShifts[i % coordShifts.length] ?? SHIFTS.office, spec.coordinatorTeam);
    c.checkinEveryDays = trait === "slow" ? null : trait === "overloaded" ? 35 : trait === "fast" ? 14 : rng.pick([14, 21, 21, null]);
    if (trait !== "slow") c.capacity = { episodesPerHour: 6, maxStudents: sc.maxStudents };
    coordinators.push(c);
  }

  const mentorsByCourse = new Map<string, StaffDef[]>();
  const reviewersByCourse = new Map<string, StaffDef[]>();
  const mentorShifts = [SHIFTS.office, SHIFTS.evening, SHIFTS.longWeekend];
  let slowMentorPlaced = false;
  for (const team of mentorTeams) {
    make("team_lead", "normal", SHIFTS.office, team.name, { isLead: true, courseKeys: team.courseKeys });
    for (const courseKey of team.courseKeys) {
      const list: StaffDef[] = [];
      for (let i = 0; i < sc.mentorsPerCourse; i++) {
        const trait: StaffTrait = !slowMentorPlaced ? "slow" : rng.chance(0.35) ? "fast" : "normal";
        slowMentorPlaced = true;
        const m = make("mentor", trait, mentorShifts[(list.length + courseKey.length) % mentorShifts.length] ?? SHIFTS.office, team.name, { courseKeys: [courseKey] });
        if (rng.chance(0.5)) m.capacity = { episodesPerHour: 4 };
        list.push(m);
      }
      mentorsByCourse.set(courseKey, list);
    }
  }
  const allCourseKeys = spec.courses.map((c) => c.key);
  for (let i = 0; i < sc.reviewers; i++) {
    const courseKey = allCourseKeys[i % allCourseKeys.length] ?? "";
    const team = mentorTeams.find((t) => t.courseKeys.includes(courseKey)) ?? mentorTeams[0];
    const courseKeys = sc.reviewers >= allCourseKeys.length ? [courseKey] : allCourseKeys;
    const r = make("reviewer", "normal", SHIFTS.office, team?.name, { courseKeys });
    for (const k of courseKeys) reviewersByCourse.set(k, [...(reviewersByCourse.get(k) ?? []), r]);
  }

  const bot = make("bot", "fast", SHIFTS.always, undefined, { name: `${spec.name} Бот`, email: `bot@${spec.domain}` });
  for (const m of messengers) {
    const style = m.style as MessengerStyle;
    bot.ids.set(m.key, { externalId: ids.user(style), name: `${spec.name} Бот`, username: `${spec.slug.replace(/-/g, "_")}_bot`, isBot: true });
  }
  return { staff: staff.filter((s) => s !== bot), bot, coordinators, mentorsByCourse, reviewersByCourse };
}
