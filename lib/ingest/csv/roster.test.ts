import { describe, expect, it } from "vitest";
import { ingestEventSchema } from "../types";
import { parseRosterCsv } from "./roster";

const HEADER = "school,source,external_id,name,email,role,team,episodes_per_hour,max_students,assigned_to";

describe("parseRosterCsv", () => {
  const good = [
    HEADER,
    "Alpha,telegram:5001,100,Irina K,Irina@School.Example,куратор,Кураторы,6,40,",
    "Alpha,telegram:5001,101,Kate,kate@mail.example,student,,,,100",
    "Alpha,telegram:5001,102,Petr,,Студент,,,,100",
    'Alpha,discord,900,"Mentor, Senior",mentor@school.example,Tutor,Python,,,',
    "Alpha,slack:T01,U9,Lead,lead@school.example,team lead,Кураторы,,,",
    "Beta,lms_csv,,By Email,only@mail.example,student,,,,",
  ].join("\n");

  it("imports every good row as a valid roster event, with its school", () => {
    const r = parseRosterCsv(good);
    expect(r.rejected).toEqual([]);
    expect(r.events).toHaveLength(6);
    for (const e of r.events) expect(ingestEventSchema.safeParse(e).success).toBe(true);
    expect(r.rows.map((x) => [x.line, x.school])).toEqual([[2, "Alpha"], [3, "Alpha"], [4, "Alpha"], [5, "Alpha"], [6, "Alpha"], [7, "Beta"]]);
  });

  it("maps school labels to roles, lower-cases e-mails, reads capacity and team leads", () => {
    const [curator, , , mentor, lead, byEmail] = parseRosterCsv(good).events;
    expect(curator).toMatchObject({ role: "coordinator", team: "Кураторы", identity: { externalId: "100", email: "irina@school.example" }, capacity: { episodesPerHour: 6, maxStudents: 40 } });
    expect(mentor).toMatchObject({ role: "mentor", source: { kind: "discord", externalId: "discord" }, identity: { name: "Mentor, Senior" } });
    expect(lead).toMatchObject({ role: "team_lead", isTeamLead: true, source: { kind: "slack", externalId: "T01" } });
    expect(byEmail?.identity.externalId).toBe("only@mail.example");
  });

  it("assigned_to on students' rows becomes the staff member's assignedStudentExternalIds", () => {
    const [curator] = parseRosterCsv(good).events;
    expect(curator?.assignedStudentExternalIds).toEqual(["101", "102"]);
  });

  it("bad rows are rejected with their line and reason; the rest continue", () => {
    const text = [
      HEADER,
      "Alpha,telegram:5001,100,Irina,irina@school.example,coordinator,,,,", // 2 ok
      ",telegram:5001,1,No school,,student,,,,", // 3
      "Alpha,icq,1,Old,,student,,,,", // 4
      "Alpha,telegram:5001,,Nobody,,student,,,,", // 5
      "Alpha,telegram:5001,2,Bad mail,not-an-email,student,,,,", // 6
      "Alpha,telegram:5001,3,Wizard,,wizard,,,,", // 7
      "Alpha,telegram:5001,4,Neg,,mentor,,-1,,", // 8
      "Alpha,telegram:5001,5,Frac,,mentor,,,2.5,", // 9
      "Alpha,telegram:5001,100,Dup,,coordinator,,,,", // 10
      "Alpha,telegram:5001,6,Kate,,student,,,,999", // 11 ok, warning
      "Alpha,telegram:5001,7,Extra,,student,,,,,x,y", // 12
    ].join("\r\n");
    const r = parseRosterCsv(text);
    expect(r.rejected.map((x) => x.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 12]);
    expect(r.rejected.every((x) => x.reason.length > 0)).toBe(true);
    expect(r.events.map((e) => e.identity.externalId)).toEqual(["100", "6"]);
    expect(r.warnings[0]).toMatch(/^line 11: assigned_to names no staff/);
  });

  it("reads semicolons, a BOM, CRLF and a quoted cell spanning lines, with the right line numbers", () => {
    const text = "\uFEFFSchool;Source;External_ID;Name;Email;Role;Team\r\nA;discord;1;\"Two\r\nlines\";;mentor;\r\nA;discord;2;X;;nobody;\r\n";
    const r = parseRosterCsv(text);
    expect(r.events[0]?.identity.name).toBe("Two\r\nlines");
    expect(r.rejected).toEqual([{ line: 4, reason: 'role "nobody" is not a known role' }]);
  });

  it("a file without the required columns is rejected whole", () => {
    const r = parseRosterCsv("name,email\nKate,k@x.example\n");
    expect(r.events).toEqual([]);
    expect(r.rejected[0]?.reason).toContain("missing columns: school, source, external_id, role, team");
  });
});
