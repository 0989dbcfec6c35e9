import type { ChannelRef, IdentityRef, Role, SourceRef } from "../../lib/ingest/types";
import type { SchoolClock, Shift } from "./clock";

/** Scales planned whole in memory (planDemo). */
export type Scale = "small" | "large";
/** Scales generated slice by slice in bounded memory (./stream). */
export type StreamScale = "xl" | "full";
export type DemoScale = Scale | StreamScale;
export type Tier = "none" | "standard" | "premium";
export type MessengerStyle = "telegram" | "slack" | "discord" | "mattermost";
export type Domain = "code" | "data" | "design" | "product";
export type Category = "organisational" | "technical" | "content" | "emotional";
export type Purpose = "support" | "community" | "announcements" | "ignored";
export type EnrollmentStatus = "active" | "completed" | "withdrawn" | "paused" | "frozen";

export interface SourceDef {
  key: string;
  style: MessengerStyle | "xapi" | "lms_csv";
  ref: SourceRef;
}

export interface PersonDef {
  key: string;
  name: string;
  female: boolean;
  email: string;
  /** The person's account in each source, by source key. */
  ids: Map<string, IdentityRef>;
}

export type StaffRole = Extract<Role, "coordinator" | "mentor" | "reviewer" | "team_lead" | "bot">;
export type StaffTrait = "fast" | "normal" | "slow" | "overloaded";

export interface StaffDef extends PersonDef {
  role: StaffRole;
  team?: string;
  isLead: boolean;
  trait: StaffTrait;
  /** Median answer delay in working minutes of the person's shift. */
  medianMin: number;
  sigma: number;
  /** Chance an answer comes outside the shift (from the phone, in the evening). */
  offHours: number;
  /** Chance a question to this person is never answered. */
  abandon: number;
  /** Days between check-ins with a premium student (standard: twice as long); null = never checks in. */
  checkinEveryDays: number | null;
  shift: Shift;
  capacity?: { episodesPerHour?: number; maxStudents?: number };
  courseKeys: string[];
  assigned: StudentDef[];
}

export type ThreadStyle = "none" | "per_question" | "topics";

export interface ChannelDef {
  key: string;
  source: SourceDef;
  ref: ChannelRef;
  purpose: Purpose;
  ownerRole?: "coordinator" | "mentor";
  cohort?: CohortDef;
  threads: ThreadStyle;
  ownerStaff?: StaffDef;
  dmStudent?: StudentDef;
  /** Forum topics (Telegram) shared by all cohorts of a course, one per module. */
  topics: SimThread[];
}

export interface CourseDef {
  key: string;
  externalId: string;
  title: string;
  weeks: number;
  domain: Domain;
  source: SourceDef;
  mentors: StaffDef[];
  reviewers: StaffDef[];
  forum: ChannelDef;
}

export interface CohortDef {
  key: string;
  externalId: string;
  title: string;
  course: CourseDef;
  startMs: number;
  endMs: number;
  startsOn: string;
  endsOn: string;
  ended: boolean;
  chat: ChannelDef;
  coordinators: StaffDef[];
  students: StudentDef[];
}

export interface Outcome {
  status: EnrollmentStatus;
  endedAt?: number;
  pausedAt?: number;
  frozenAt?: number;
  /** When the student went quiet (chats and LMS), some weeks before a withdrawal. */
  disengageAt?: number;
  finalResult?: string;
}

export interface StudentDef extends PersonDef {
  cohort: CohortDef;
  tier: Tier;
  engagement: number;
  skill: number;
  source: SourceDef;
  coordinator?: StaffDef;
  dm?: ChannelDef;
  enrolledAt: number;
  outcome: Outcome;
  /** Last moment of chat and LMS activity. */
  activeUntil: number;
  english: boolean;
}

export interface SimThread {
  kind: "thread" | "forum_topic";
  title?: string;
  root: SimMsg;
}

export interface SimMsg {
  seq: number;
  ch: ChannelDef;
  thread?: SimThread;
  at: number;
  author: PersonDef;
  isBot: boolean;
  text: string | null;
  kind: "text" | "sticker" | "media" | "service";
  replyTo?: SimMsg;
  mentions?: PersonDef[];
  deletedAfterMs?: number;
  id: string;
}

export interface SimLms {
  student: StudentDef;
  verb: string;
  objectId: string;
  objectKind: string;
  at: number;
  score?: number;
  maxScore?: number;
  amount?: number;
  id: string;
}

export interface SimSurvey {
  student: StudentDef;
  kind: "csat" | "nps";
  at: number;
  id: string;
}

export interface SimRating {
  student: StudentDef;
  kind: "csat" | "nps";
  at: number;
  raw: number;
  scaleMax: number;
  comment?: string;
  fromDm: boolean;
  about?: SimMsg;
  id: string;
}

export interface LmsItemDef {
  cohort: CohortDef;
  externalId: string;
  kind: "assignment" | "test" | "webinar" | "exam" | "lesson";
  title: string;
  dueAt?: number;
  weight?: number;
  week: number;
}

export interface SchoolPlan {
  slug: string;
  name: string;
  timezone: string;
  domain: string;
  windowStart: number;
  anchor: number;
  clock: SchoolClock;
  messengers: SourceDef[];
  lms: SourceDef;
  courses: CourseDef[];
  cohorts: CohortDef[];
  staff: StaffDef[];
  bot: StaffDef;
  students: StudentDef[];
  channels: ChannelDef[];
  duty: ChannelDef;
  news: ChannelDef;
  floods: ChannelDef[];
  lmsItems: LmsItemDef[];
  messages: SimMsg[];
  lmsEvents: SimLms[];
  surveys: SimSurvey[];
  ratings: SimRating[];
  roleLabels: Partial<Record<Role, string>>;
  calendarDays: readonly number[];
}

export interface DemoPlan {
  organisation: { slug: string; name: string };
  schools: SchoolPlan[];
}
