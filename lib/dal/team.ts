import "server-only";
import { getDb } from "../../db/client";
import { audit } from "../../db/queries/users";
import { dmChannelIds } from "../../db/queries/scope";
import { csvResponse, toCsv } from "../csv";
import { teamReport, type TeamQuery, type TeamReport } from "../reports/team";
import { RUN_REFRESH_MS } from "../reports/report-runs";
import { guardApi } from "./exports";
import { getViewer, resolveSchool } from "./session";
import { requireAccess, staffInScope } from "./access";

export type { TeamQuery, TeamReport };

/**
 * The team page and its CSV read this one function; it checks the viewer beside the data. A team lead
 * sees their team's staff rows and the moves between them; a staff member their own row only.
 */
export async function getTeam(q: TeamQuery, now: Date = new Date()): Promise<TeamReport> {
  const { school, scope } = await requireAccess({ school: q.school, page: "team" });
  const { db } = await getDb();
  const r = await teamReport(db, school, q, now, { stored: { refreshMs: RUN_REFRESH_MS } });
  if (scope.kind === "school") return r;
  if (scope.kind === "aggregate") {
    // Executives see aggregates, not students (METRICS.md, Privacy): a plan's student moves, and moves of
    // DMs (titled with the student's name), become one line per receiver ("— × n"), without names or ids.
    const dms = await dmChannelIds(db, school.id, r.rebalance.flatMap((p) => p.moves.filter((m) => m.item.kind === "channel").map((m) => m.item.id)));
    return { ...r, rebalance: r.rebalance.map((p) => ({ ...p, moves: aggregateStudentMoves(p.moves, dms) })) };
  }
  const rows = r.rows.filter((x) => staffInScope(scope, x.personId));
  const teams = new Set(rows.flatMap((x) => (x.team === null ? [] : [x.team])));
  return {
    ...r,
    rows,
    totalStaff: rows.length,
    // A staff member's own plan would name the colleagues who take their students: team leads only.
    rebalance:
      scope.kind === "team"
        ? r.rebalance.filter((p) => staffInScope(scope, p.personId)).map((p) => ({ ...p, moves: p.moves.filter((m) => staffInScope(scope, m.toPersonId)) }))
        : [],
    options: { ...r.options, teams: r.options.teams.filter((t) => teams.has(t)) },
  };
}

type Move = TeamReport["rebalance"][number]["moves"][number];

/** The id of a folded line is minus the receiver's person id: unique within a plan, no student's id. */
export function aggregateStudentMoves(moves: Move[], dmChannels: ReadonlySet<number> = new Set()): Move[] {
  const personal = (m: Move) => m.item.kind === "student" || dmChannels.has(m.item.id);
  const out: Move[] = moves.filter((m) => !personal(m));
  const byReceiver = new Map<number, { move: Move; n: number }>();
  for (const m of moves) {
    if (!personal(m)) continue;
    const g = byReceiver.get(m.toPersonId);
    if (g) {
      g.n += 1;
      g.move.item.episodes += m.item.episodes;
      g.move.perHour += m.perHour;
    } else byReceiver.set(m.toPersonId, { move: { ...m, item: { kind: "student", id: -m.toPersonId, label: "—", episodes: m.item.episodes } }, n: 1 });
  }
  for (const { move, n } of byReceiver.values()) out.push({ ...move, item: { ...move.item, label: `— × ${n}` } });
  return out;
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
