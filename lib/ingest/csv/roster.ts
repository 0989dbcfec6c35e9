import type { RosterEvent } from "../types";
import { readCsvRows } from "../common/csv-rows";
import type { Rejection } from "../common/import-result";
import { EMAIL, parseRole, parseSourceCell } from "./common";

export interface RosterRow {
  line: number;
  /** The `school` column: RosterEvent has no school, the store takes it per import (see README.md). */
  school: string;
  event: RosterEvent;
}

export interface RosterCsvResult {
  rows: RosterRow[];
  events: RosterEvent[];
  rejected: Rejection[];
  warnings: string[];
}

const REQUIRED = ["school", "source", "external_id", "name", "email", "role", "team"];

/**
 * Roster CSV: `school, source, external_id, name, email, role, team`, optionally `episodes_per_hour`,
 * `max_students`, `is_team_lead` and `assigned_to` (on a student's row: the external_id of the staff
 * member, same school and source, the student is assigned to). Bad rows are rejected with their line;
 * the rest go on. See README.md.
 */
export function parseRosterCsv(text: string): RosterCsvResult {
  const out: RosterCsvResult = { rows: [], events: [], rejected: [], warnings: [] };
  const csv = readCsvRows(text);
  for (const e of csv.errors) out.rejected.push({ line: e.line, reason: e.reason });
  const missing = REQUIRED.filter((c) => !csv.header.includes(c));
  if (missing.length > 0) {
    out.rejected.push({ line: 1, reason: `missing columns: ${missing.join(", ")}` });
    return out;
  }
  const byKey = new Map<string, RosterRow>();
  const assignments: Array<{ line: number; key: string; staffKey: string; student: string }> = [];

  for (const { line, cells } of csv.rows) {
    const bad = (reason: string) => out.rejected.push({ line, reason });
    const school = cells.school ?? "";
    if (!school) {
      bad("school is empty");
      continue;
    }
    const source = parseSourceCell(cells.source ?? "");
    if (typeof source === "string") {
      bad(source);
      continue;
    }
    const externalId = cells.external_id ?? "";
    const email = (cells.email ?? "").toLowerCase();
    if (!externalId && !email) {
      bad("external_id and email are both empty");
      continue;
    }
    if (email && !EMAIL.test(email)) {
      bad(`email "${cells.email}" is not an e-mail address`);
      continue;
    }
    const role = parseRole(cells.role ?? "");
    if (!role) {
      bad(`role "${cells.role}" is not a known role`);
      continue;
    }
    const perHour = cells.episodes_per_hour ?? "";
    const maxStudents = cells.max_students ?? "";
    if (perHour && !(Number(perHour) > 0)) {
      bad(`episodes_per_hour "${perHour}" must be a positive number`);
      continue;
    }
    if (maxStudents && !/^[1-9]\d*$/.test(maxStudents)) {
      bad(`max_students "${maxStudents}" must be a positive whole number`);
      continue;
    }
    // Without an id (a person known only by e-mail) the e-mail is the identity's id in that source.
    const id = externalId || email;
    const key = `${school}\u0000${source.kind}\u0000${source.externalId}\u0000${id}`;
    if (byKey.has(key)) {
      bad(`${id} is listed twice for ${school} / ${source.kind} (first at line ${byKey.get(key)?.line})`);
      continue;
    }
    const lead = /^(1|true|yes|да)$/i.test(cells.is_team_lead ?? "") || role === "team_lead";
    const event: RosterEvent = {
      type: "roster",
      source,
      identity: { externalId: id, ...(cells.name ? { name: cells.name } : {}), ...(email ? { email } : {}), ...(role === "bot" ? { isBot: true } : {}) },
      role,
      ...(cells.team ? { team: cells.team } : {}),
      ...(perHour || maxStudents ? { capacity: { ...(perHour ? { episodesPerHour: Number(perHour) } : {}), ...(maxStudents ? { maxStudents: Number(maxStudents) } : {}) } } : {}),
      ...(lead ? { isTeamLead: true } : {}),
    };
    const row = { line, school, event };
    byKey.set(key, row);
    out.rows.push(row);
    const assignedTo = cells.assigned_to ?? "";
    if (assignedTo) assignments.push({ line, key, staffKey: `${school}\u0000${source.kind}\u0000${source.externalId}\u0000${assignedTo}`, student: id });
  }

  // Assignments are written on the students' rows but stored on the staff member's event.
  for (const a of assignments) {
    const staff = byKey.get(a.staffKey);
    const student = byKey.get(a.key);
    if (!staff || staff.event.role === "student" || staff.event.role === "bot") {
      out.warnings.push(`line ${a.line}: assigned_to names no staff member of the same school and source; the student is imported unassigned`);
      continue;
    }
    if (student && student.event.role !== "student") out.warnings.push(`line ${a.line}: assigned_to on a ${student.event.role}'s row`);
    staff.event.assignedStudentExternalIds = [...(staff.event.assignedStudentExternalIds ?? []), a.student];
  }
  out.events = out.rows.map((r) => r.event);
  out.rejected.sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
  return out;
}
