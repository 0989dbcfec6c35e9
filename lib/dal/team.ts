import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { csvResponse, toCsv } from "../csv";
import { teamReport, type TeamQuery, type TeamReport } from "../reports/team";
import { guardApi } from "./exports";
import { AccessError, getViewer, requireViewer, resolveSchool, roleAt } from "./session";

export type { TeamQuery, TeamReport };

/** The team page and its CSV read this one function; it checks the viewer beside the data. */
export async function getTeam(q: TeamQuery, now: Date = new Date()): Promise<TeamReport> {
  const viewer = await requireViewer();
  const school = resolveSchool(viewer, q.school);
  const role = roleAt(viewer, school);
  if (!role) throw new AccessError(403, "no role at this school");
  const { db } = await getDb();
  const r = await teamReport(db, school, q, now);
  // Executives see aggregates, not students (METRICS.md, Privacy): suggested student moves lose their names.
  if (role === "executive") for (const p of r.rebalance) for (const m of p.moves) if (m.item.kind === "student") m.item.label = "—";
  return r;
}

const fixed = (v: number | null, digits: number) => (v === null ? "" : Number(v.toFixed(digits)));

export function exportTeamCsv(q: TeamQuery): Promise<Response> {
  return guardApi(async () => {
    const data = await getTeam(q);
    const viewer = await getViewer();
    const { db } = await getDb();
    const schoolId = viewer ? resolveSchool(viewer, data.school.slug).id : null;
    await audit(db, { userId: viewer?.userId, schoolId, action: "export.csv", target: "team-load", details: { ...data.period, ...data.filters } });
    const body = toCsv(
      ["person", "role", "team", "messages_sent", "answered", "students_answered", "open_owned", "median_minutes", "p90_minutes", "breaches", "csat_percent", "csat_n", "assigned_students", "checked_in", "check_in_coverage", "load_per_hour", "capacity_per_hour", "team_median_per_hour", "overloaded", "over_assigned"],
      data.rows.map((s) => [
        s.name, s.role, s.team ?? "", s.messagesSent, s.episodesAnswered, s.studentsAnswered, s.openOwned, fixed(s.medianMinutes, 1), fixed(s.p90Minutes, 1), s.breaches,
        fixed(s.csatPercent, 1), s.csatN, s.assignedStudents, s.checkedIn, fixed(s.checkInCoverage, 3), fixed(s.loadPerHour, 3), s.capacityPerHour ?? "", fixed(s.teamMedianPerHour, 3),
        s.overloaded ? "yes" : "no", s.overAssigned ? "yes" : "no",
      ]),
    );
    return csvResponse(`team-load-${data.school.slug}-${data.period.from}.csv`, body);
  });
}
