import type { Rng } from "./rng";
import { DAY, HOUR, MIN } from "./clock";
import type { CohortDef, LmsItemDef, SchoolPlan, SimLms, StudentDef } from "./types";

/** Object ids in the LMS's own style: xAPI activity IRIs, or the short codes of a CSV export. */
function itemId(plan: SchoolPlan, cohort: CohortDef, path: string): string {
  const slug = cohort.course.externalId.split(":")[1] ?? cohort.course.key;
  return plan.lms.style === "xapi" ? `https://lms.${plan.domain}/courses/${slug}/${path}` : `${slug}/${path}`;
}

/** The cohort's schedule: lessons, a weekly webinar, weekly homework, a test every two weeks, a final project. */
export function buildLmsItems(plan: SchoolPlan, cohort: CohortDef): LmsItemDef[] {
  const items: LmsItemDef[] = [];
  const first = plan.clock.dayIndex(cohort.startMs);
  const streamNo = cohort.externalId.split(":").pop() ?? "1";
  for (let w = 1; w <= cohort.course.weeks; w++) {
    const monday = first + (w - 1) * 7;
    for (let i = 1; i <= 3; i++) items.push({ cohort, externalId: itemId(plan, cohort, `lessons/${w}-${i}`), kind: "lesson", title: `Урок ${w}.${i}`, week: w });
    items.push({ cohort, externalId: itemId(plan, cohort, `webinars/${streamNo}-${w}`), kind: "webinar", title: `Вебинар недели ${w}`, dueAt: plan.clock.at(monday + 2, 19 * 60), week: w });
    items.push({ cohort, externalId: itemId(plan, cohort, `assignments/${w}`), kind: "assignment", title: `Домашнее задание ${w}`, dueAt: plan.clock.at(monday + 6, 23 * 60 + 59), weight: 1, week: w });
    if (w % 2 === 0) items.push({ cohort, externalId: itemId(plan, cohort, `tests/${w / 2}`), kind: "test", title: `Тест ${w / 2}`, dueAt: plan.clock.at(monday + 6, 23 * 60 + 59), weight: 0.5, week: w });
    if (w === cohort.course.weeks) items.push({ cohort, externalId: itemId(plan, cohort, "final-project"), kind: "exam", title: "Итоговый проект", dueAt: plan.clock.at(monday + 6, 23 * 60 + 59), weight: 3, week: w });
  }
  return items;
}

/** One student's learning trace. It thins out before a drop-out and stops when the student goes quiet. */
export function simulateLms(plan: SchoolPlan, st: StudentDef, items: LmsItemDef[], r: Rng): void {
  const e = st.engagement;
  const until = Math.min(st.activeUntil, plan.anchor);
  const fading = st.outcome.disengageAt !== undefined ? st.outcome.disengageAt - 21 * DAY : Infinity;
  const out = plan.lmsEvents;
  const id = () => (plan.lms.style === "xapi" ? r.uuid() : `${plan.slug}-${out.length + 1}`);
  const push = (x: Omit<SimLms, "student" | "id">) => {
    if (x.at <= plan.anchor && x.at >= plan.windowStart) out.push({ student: st, id: id(), ...x });
  };
  const weekStart = (w: number) => st.cohort.startMs + (w - 1) * 7 * DAY;
  for (const item of items) {
    const from = weekStart(item.week);
    if (from > until) break;
    const factor = from > fading ? 0.5 : 1;
    switch (item.kind) {
      case "lesson": {
        if (!r.chance((0.35 + 0.6 * e) * factor)) break;
        const at = plan.clock.studentTime(r, from, Math.min(from + 7 * DAY, until));
        push({ verb: "experienced", objectId: item.externalId, objectKind: "lesson", at });
        if (r.chance(0.7)) {
          const minutes = r.int(10, 60);
          push({ verb: "progressed", objectId: item.externalId, objectKind: "lesson", at: at + minutes * MIN, amount: minutes });
        }
        break;
      }
      case "webinar": {
        const at = (item.dueAt ?? from) + r.int(0, 10) * MIN;
        if (at < until && r.chance((0.15 + 0.6 * e) * factor)) push({ verb: "attended", objectId: item.externalId, objectKind: "webinar", at, amount: r.int(20, 90) });
        break;
      }
      case "assignment":
      case "exam": {
        const due = item.dueAt ?? from + 7 * DAY;
        const mustPass = item.kind === "exam" && st.outcome.status === "completed";
        if (!mustPass && !r.chance((0.3 + 0.65 * e) * factor)) break;
        const at = r.chance(0.1) && !mustPass ? due + r.int(1, 72) * HOUR : due - r.int(0, 96) * HOUR;
        if (at > until && !mustPass) break;
        grade(item, at, mustPass);
        break;
      }
      case "test": {
        const at = (item.dueAt ?? from) - r.int(0, 72) * HOUR;
        if (at > until || !r.chance((0.3 + 0.6 * e) * factor)) break;
        const score = Math.round(100 * Math.min(1, Math.max(0, r.normal(0.1 + 0.85 * st.skill, 0.15))));
        push({ verb: score >= 60 ? "passed" : "failed", objectId: item.externalId, objectKind: "test", at, score, maxScore: 100 });
        break;
      }
    }
  }
  if (st.outcome.status === "completed" && st.outcome.endedAt !== undefined) {
    push({ verb: "completed", objectId: st.cohort.course.externalId, objectKind: "course", at: st.outcome.endedAt });
  }

  function grade(item: LmsItemDef, submittedAt: number, mustPass: boolean): void {
    const kind = item.kind === "exam" ? "exam" : "assignment";
    push({ verb: "submitted", objectId: item.externalId, objectKind: kind, at: submittedAt });
    const gradedAt = submittedAt + r.int(12, 72) * HOUR;
    const fails = !mustPass && r.chance(0.1 + 0.3 * (1 - st.skill));
    push({ verb: fails ? "failed" : "passed", objectId: item.externalId, objectKind: kind, at: gradedAt, score: fails ? r.int(2, 5) : r.int(6, 10), maxScore: 10 });
    if (fails && r.chance(0.6 * e)) {
      const again = gradedAt + r.int(1, 4) * DAY;
      if (again > until) return;
      push({ verb: "submitted", objectId: item.externalId, objectKind: kind, at: again });
      push({ verb: "passed", objectId: item.externalId, objectKind: kind, at: again + r.int(12, 48) * HOUR, score: r.int(6, 9), maxScore: 10 });
    }
  }
}
