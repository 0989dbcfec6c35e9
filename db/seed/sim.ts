import { DAY, HOUR, MIN } from "./clock";
import { SHIFTS } from "./specs";
import type { Rng } from "./rng";
import type { ChannelDef, PersonDef, SchoolPlan, SimMsg, SimThread, StaffDef, StudentDef } from "./types";
import type { Slots } from "./texts";

export type NewMsg = Omit<SimMsg, "seq" | "id" | "isBot" | "kind"> & Partial<Pick<SimMsg, "isBot" | "kind">>;

/** Shared state of one school's simulation: the plan being filled and helpers every part needs. */
export class Sim {
  private seq = 0;
  constructor(readonly plan: SchoolPlan, readonly rng: Rng) {}

  get clock() {
    return this.plan.clock;
  }

  post(m: NewMsg): SimMsg {
    const msg: SimMsg = { isBot: false, kind: "text", ...m, seq: this.seq++, id: "" };
    this.plan.messages.push(msg);
    return msg;
  }

  /** Whether the source lets one quote a message (Telegram, Discord) or only @-mention (Slack, Mattermost). */
  canQuote(ch: ChannelDef): boolean {
    return ch.source.style === "telegram" || ch.source.style === "discord";
  }

  /**
   * How a message points at a person: a quote of their message where the source has quotes, else an
   * @-mention. Group timelines need one of the two for an answer to count (METRICS.md rule 3).
   */
  address(ch: ChannelDef, target: SimMsg, person: PersonDef, text: string, rng: Rng, quoteShare = 0.65): Pick<SimMsg, "text" | "replyTo" | "mentions"> {
    if (this.canQuote(ch) && rng.chance(quoteShare)) return { text, replyTo: target };
    const ident = person.ids.get(ch.source.key);
    const handle = ch.source.style === "slack" ? `<@${ident?.externalId ?? ""}>` : `@${ident?.username ?? person.name}`;
    return { text: `${handle} ${text}`, mentions: [person] };
  }

  slots(st: StudentDef, t: number): Slots {
    const week = Math.max(1, Math.min(st.cohort.course.weeks, Math.floor((t - st.cohort.startMs) / (7 * DAY)) + 1));
    return { n: week, m: Math.floor((week - 1) / 2) + 1, name: st.name.split(" ")[0] ?? st.name, f: st.female };
  }

  /** When a staff member answers a question asked at `t`: inside their shift, sometimes from the phone after hours. */
  answerTime(staff: StaffDef, t: number, urgent: boolean, rng: Rng, pace = 1): number {
    const delay = rng.lognormal(staff.medianMin * pace * (urgent ? 0.3 : 1), staff.sigma);
    const local = this.clock.localMinute(t);
    if (rng.chance(staff.offHours) && local >= 8 * 60 && local < 23 * 60) return t + (Math.min(delay, 90) + rng.int(1, 5)) * MIN;
    return this.clock.addWorking(staff.shift, t + rng.int(20, 120) * 1000, delay);
  }

  /** The duty chat is covered by the school's mentors in turns, one per day, 9:00–21:00 every day. */
  dutyAnswer(t: number, rng: Rng): { at: number; who: StaffDef } | null {
    const mentors = this.plan.staff.filter((s) => s.role === "mentor");
    const dutyStarts = this.clock.addWorking(SHIFTS.duty, t, 0);
    const who = mentors[this.clock.dayIndex(dutyStarts) % Math.max(1, mentors.length)];
    if (!who) return null;
    const median = who.trait === "slow" ? 45 : who.trait === "fast" ? 5 : 10;
    return { at: this.clock.addWorking(SHIFTS.duty, t, rng.lognormal(median, 0.8)), who };
  }

  /** Whoever of a team works that day is likelier to pick a shared question up. */
  pickResponder(candidates: readonly StaffDef[], t: number, rng: Rng): StaffDef {
    const d = this.clock.day(this.clock.dayIndex(t));
    return rng.weighted(candidates, (s) => (!d.holiday && s.shift.days.includes(d.weekday) ? 4 : 1));
  }

  /** Another student of the cohort who is still around at `t`. */
  peer(st: StudentDef, t: number, rng: Rng): StudentDef | null {
    const list = st.cohort.students;
    for (let i = 0; i < 6; i++) {
      const p = rng.pick(list);
      if (p !== st && p.activeUntil > t && p.cohort.startMs <= t) return p;
    }
    return null;
  }

  newThread(root: SimMsg): SimThread {
    const thread: SimThread = { kind: "thread", root };
    root.thread = thread;
    return thread;
  }
}

export const isStudent = (p: PersonDef): p is StudentDef => "cohort" in p;
export { DAY, HOUR, MIN };
