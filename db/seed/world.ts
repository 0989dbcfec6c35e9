import type { ChannelRef } from "../../lib/ingest/types";
import { DAY, SchoolClock, localDate } from "./clock";
import { IdFactory, identity, randomName, type IdSpace } from "./identity";
import type { Rng } from "./rng";
import { SCALES, type ScaleSpec, type SchoolSpec } from "./specs";
import { buildStaff } from "./staff";
import type { ChannelDef, CohortDef, CourseDef, MessengerStyle, Purpose, SchoolPlan, Scale, SourceDef, StaffDef, StudentDef, ThreadStyle, Tier } from "./types";
import { decideOutcome } from "./outcomes";
import { MODULE_TITLES } from "./texts";

export const WINDOW_DAYS = 182;

/**
 * One slice of a big school (./stream): a share of its students and staff with their own ids, over a
 * longer window, whose cohorts start in between the other slices' and are numbered after them.
 */
export interface SliceOptions {
  /** Which share of the school's id space this slice owns (see IdSpace). */
  space: IdSpace;
  /** 0 ≤ phase < 1: where this slice's cohorts start between two consecutive cohorts of a course. */
  phase: number;
  /** This slice's position and the number of slices, to number cohorts (streams) apart. */
  index: number;
  count: number;
  windowDays: number;
  /**
   * How far into its course the first cohort of a course already is when the window opens, as a share of
   * the course (0: the first cohort starts in the window, as in planDemo). A year of a running school
   * starts with streams under way, not with an empty school.
   */
  leadIn: number;
  /** The title of a school-wide channel (news, off-topic, duty, forums) in this slice. */
  channelTitle: (title: string) => string;
}

/**
 * The structure of one school: sources, staff, courses, cohorts, students and channels (no messages yet).
 * Without `slice` this is exactly the small / large demo school.
 */
export function buildSchool(spec: SchoolSpec, scale: Scale | ScaleSpec, anchor: number, rng: Rng, slice?: SliceOptions): SchoolPlan {
  const sc = typeof scale === "string" ? SCALES[scale] : scale;
  const ids = new IdFactory(rng.fork("ids"), slice?.space);
  const windowDays = slice?.windowDays ?? WINDOW_DAYS;
  const windowStart = anchor - windowDays * DAY;
  const titled = slice?.channelTitle ?? ((t: string) => t);
  // Days before the window: enrolments, and with `leadIn` whole cohorts, start before it.
  const clock = new SchoolClock(spec.timezone, windowStart - (slice ? 60 + Math.ceil(slice.leadIn * 7 * Math.max(...spec.courses.map((c) => c.weeks))) : 60) * DAY, anchor + 200 * DAY);

  const messengers: SourceDef[] = spec.messengers.map((m) => ({ key: m.style, style: m.style, ref: { kind: m.style, externalId: ids.workspace(m.style, spec.domain), name: m.name } }));
  const lms: SourceDef = { key: spec.lms.kind, style: spec.lms.kind, ref: { kind: spec.lms.kind, externalId: ids.workspace(spec.lms.kind, spec.domain), name: spec.lms.name } };
  const { staff, bot, coordinators, mentorsByCourse, reviewersByCourse } = buildStaff(spec, sc, messengers, ids, rng.fork("staff"));

  const channels: ChannelDef[] = [];
  const channel = (source: SourceDef, kind: ChannelRef["kind"], title: string, purpose: Purpose, threads: ThreadStyle, extra: Partial<ChannelDef> = {}): ChannelDef => {
    const style = source.style as MessengerStyle;
    const ch: ChannelDef = { key: `${source.key}:${channels.length}`, source, ref: { externalId: ids.channel(style, kind === "dm", windowStart), kind, title }, purpose, threads, topics: [], ...extra };
    channels.push(ch);
    return ch;
  };
  const groupKind = (style: MessengerStyle): ChannelRef["kind"] => (style === "slack" || style === "mattermost" ? "channel" : "group");
  const threadStyle = (style: MessengerStyle): ThreadStyle => (style === "slack" || style === "mattermost" ? "per_question" : "none");

  const floods = messengers.map((m) => {
    const style = m.style as MessengerStyle;
    return channel(m, groupKind(style), titled(style === "slack" ? "random" : style === "mattermost" ? "town-square" : "Флудилка"), "ignored", "none");
  });
  const primary = messengers[0] as SourceDef;
  const news = channel(primary, "channel", titled(`Новости ${spec.name}`), "announcements", "none");
  const duty = channel(primary, "group", titled("Дежурный ментор"), "support", "none", { ownerRole: "mentor" });

  const courses: CourseDef[] = spec.courses.map((c) => {
    const source = messengers[c.messenger] as SourceDef;
    const style = source.style as MessengerStyle;
    const forumKind: ChannelRef["kind"] = style === "telegram" || style === "discord" ? "forum" : "channel";
    const forum = channel(source, forumKind, titled(style === "telegram" || style === "discord" ? `Вопросы менторам · ${c.title}` : `${c.slug}-questions`), "support", style === "telegram" ? "topics" : "per_question", { ownerRole: "mentor" });
    return { key: c.key, externalId: `${spec.slug}:${c.slug}`, title: c.title, weeks: c.weeks, domain: c.domain, source, mentors: mentorsByCourse.get(c.key) ?? [], reviewers: reviewersByCourse.get(c.key) ?? [], forum };
  });

  const cohorts: CohortDef[] = [];
  const students: StudentDef[] = [];
  const windowDay = clock.dayIndex(windowStart);
  let coordCursor = 0;
  for (const course of courses) {
    const n = spec.courses.find((c) => c.key === course.key)?.cohorts ?? 1;
    const crng = rng.fork(`course:${course.key}`);
    const first = crng.int(0, 10);
    const last = windowDays - crng.int(25, 55);
    const firstNumber = 7 + crng.int(0, 9);
    for (let k = 0; k < n; k++) {
      // A slice's k-th cohort starts `phase` of the way between two starts, so the slices' cohorts interleave;
      // the first starts up to `leadIn` of the course before the window, the last in the window's last weeks,
      // so that together the slices run as many streams at the end of the year as in the middle.
      const lead = slice ? first - Math.round(slice.leadIn * course.weeks * 7) : first;
      const offset = slice ? lead + ((windowDays - 7 - lead) * (k + slice.phase)) / n : n === 1 ? last : first + ((last - first) * k) / (n - 1);
      let startIdx = windowDay + Math.round(offset);
      while (clock.day(startIdx).weekday !== 1) startIdx++;
      const startMs = clock.day(startIdx).start;
      const endMs = clock.day(startIdx + course.weeks * 7).start - 1;
      // Streams of a course are numbered with gaps: others ran before the simulated period. Slices number
      // theirs in the order they start, all slices together.
      const number = slice ? 7 + k * slice.count + slice.index : firstNumber + k * 2;
      const title = `${course.title} · поток ${number}`;
      const style = course.source.style as MessengerStyle;
      // Slack and Mattermost channels have slug names; Telegram and Discord chats have titles.
      const chatTitle = groupKind(style) === "channel" ? `${course.externalId.split(":")[1] ?? course.key}-${number}` : title;
      const chat = channel(course.source, groupKind(style), chatTitle, crng.chance(0.35) ? "support" : "community", threadStyle(style), { ownerRole: "coordinator" });
      const per = crng.int(sc.coordinatorsPerCohort[0], sc.coordinatorsPerCohort[1]);
      const coords: StaffDef[] = [];
      for (let i = 0; i < per; i++) {
        const c = coordinators[coordCursor++ % coordinators.length];
        if (c && !coords.includes(c)) coords.push(c);
      }
      // The overloaded coordinator is staffed on every third cohort on top of the rotation.
      const overloaded = coordinators.find((c) => c.trait === "overloaded");
      if (overloaded && cohorts.length % 3 === 0 && !coords.includes(overloaded)) coords.push(overloaded);
      const cohort: CohortDef = {
        key: `${course.key}:${k}`, externalId: `${course.externalId}:${number}`, title, course, startMs, endMs,
        startsOn: localDate(startMs, spec.timezone), endsOn: localDate(endMs, spec.timezone), ended: endMs <= anchor, chat,
        coordinators: coords, students: [],
      };
      chat.cohort = cohort;
      cohort.chat.ownerStaff = cohort.coordinators[0];
      cohorts.push(cohort);
      addStudents(cohort, crng.fork(`cohort:${k}`));
    }
  }

  function addStudents(cohort: CohortDef, r: Rng): void {
    const size = r.int(sc.studentsPerCohort[0], sc.studentsPerCohort[1]);
    const noneShare = r.range(0.15, 0.35);
    const premiumShare = r.range(0.15, 0.3);
    const source = cohort.course.source;
    const style = source.style as MessengerStyle;
    for (let i = 0; i < size; i++) {
      const english = r.chance(0.04);
      const name = randomName(r, english);
      const email = ids.email(name, null);
      const u = r.next();
      const tier: Tier = u < noneShare ? "none" : u < noneShare + premiumShare ? "premium" : "standard";
      const lmsKind = lms.style as "xapi" | "lms_csv";
      const messengerId = identity(ids.user(style), name, style);
      const lmsId = identity(ids.lmsUser(lmsKind), name, lmsKind, { email });
      const engagement = Math.min(0.98, Math.max(0.02, (r.next() + r.next() + r.next()) / 3 + (tier === "none" ? -0.08 : 0)));
      const enrolledAt = clock.at(clock.dayIndex(cohort.startMs) - r.int(1, 21), r.int(9 * 60, 23 * 60));
      const st: StudentDef = {
        key: `${cohort.key}:${i}`, name: name.full, female: name.female, email, ids: new Map([[source.key, messengerId], [lms.key, lmsId]]), cohort, tier, engagement,
        skill: Math.min(1, Math.max(0, r.normal(0.6, 0.2))), source, enrolledAt, outcome: { status: "active" }, activeUntil: anchor, english,
      };
      if (tier !== "none" && cohort.coordinators.length > 0) {
        const coord = r.weighted(cohort.coordinators, (c) => (c.trait === "overloaded" ? 1.6 : 1));
        st.coordinator = coord;
        coord.assigned.push(st);
        st.dm = channel(source, "dm", name.full, "support", "none", { ownerRole: "coordinator", ownerStaff: coord, dmStudent: st, cohort });
        if (style === "telegram") st.dm.ref.externalId = messengerId.externalId; // a private chat's id is the user's id
      }
      decideOutcome(st, anchor, r.fork(`outcome:${i}`));
      cohort.students.push(st);
      students.push(st);
    }
  }

  // Telegram forums: one topic per module, shared by every cohort of the course, opened at the start of the period.
  for (const course of courses) {
    if (course.forum.threads !== "topics") continue;
    const author = course.mentors[0] ?? bot;
    MODULE_TITLES[course.domain].forEach((title, i) => {
      const at = clock.at(windowDay, 10 * 60 + i);
      course.forum.topics.push({ kind: "forum_topic", title, root: { seq: -1 - i, ch: course.forum, at, author, isBot: false, text: title, kind: "service", id: "" } });
    });
  }

  return {
    slug: spec.slug, name: spec.name, timezone: spec.timezone, domain: spec.domain, windowStart, anchor, clock, messengers, lms, courses, cohorts,
    staff, bot, students, channels, duty, news, floods, lmsItems: [], messages: [], lmsEvents: [], surveys: [], ratings: [], roleLabels: spec.roleLabels, calendarDays: spec.calendarDays,
  };
}
