import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { parseShiftsCsv } from "./csv";
import { expandShifts } from "./shifts";

const MSK = "Europe/Moscow";
const opts = { timezone: MSK, weekStart: "2025-03-03" };
const local = (d: Date, tz = MSK): string => DateTime.fromJSDate(d, { zone: tz }).toFormat("yyyy-MM-dd HH:mm");

describe("parseShiftsCsv", () => {
  it("reads weekday and date forms, crossing midnight, recurrence", () => {
    const csv = [
      "person,role,start,end,weekly,repeat_until",
      "Anna@School.test,mentor,Mon 09:00,21:00,yes,2025-06-30",
      "boris@school.test,coordinator,2025-03-05 22:00,02:00,no,",
      "vera@school.test,support,Sun 20:00,Mon 04:00,,",
      "gleb@school.test,mentor,Пт 10:00,14:00,да,",
    ].join("\n");
    const { shifts, errors } = parseShiftsCsv(csv, opts);
    expect(errors).toEqual([]);
    expect(shifts).toHaveLength(4);
    const [anna, boris, vera, gleb] = shifts;
    expect(anna).toMatchObject({ id: "line-2", person: "anna@school.test", role: "mentor", weekly: true });
    expect(anna && local(anna.startsAt)).toBe("2025-03-03 09:00");
    expect(anna?.repeatUntil && local(anna.repeatUntil)).toBe("2025-06-30 23:59");
    expect(boris && [local(boris.startsAt), local(boris.endsAt), boris.weekly]).toEqual(["2025-03-05 22:00", "2025-03-06 02:00", false]);
    expect(vera && [local(vera.startsAt), local(vera.endsAt), vera.weekly]).toEqual(["2025-03-09 20:00", "2025-03-10 04:00", true]);
    expect(gleb && local(gleb.startsAt)).toBe("2025-03-07 10:00");
    const staff = expandShifts(shifts, "2025-03-10", MSK);
    expect(staff[0]).toBe(1); // Vera's Sunday night runs into Monday
    expect(staff[9]).toBe(1); // Anna
  });

  it("reports every bad row with its line number and all its problems, and keeps the good ones", () => {
    const csv = [
      "email;role;start;end;weekly",
      "ok@school.test;mentor;Tue 09:00;18:00;yes",
      "",
      ";student;Mon 25:00;18:00;maybe",
      '"quoted@school.test";mentor;"2025-03-04 09:00";"2025-03-04 08:00";no',
      "x@school.test;mentor;Wed 09:00;Wed 09:00;yes",
    ].join("\r\n");
    const { shifts, errors } = parseShiftsCsv(csv, opts);
    expect(shifts.map((s) => s.person)).toEqual(["ok@school.test"]);
    expect(errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(errors[0]?.message).toMatch(/person is empty.*role "student".*start "Mon 25:00".*weekly "maybe"/);
    expect(errors[1]?.message).toMatch(/end is not after start/);
    expect(errors[2]?.message).toMatch(/end is not after start/);
  });

  it("keeps a person that is not an email as written (a messenger id or a name, resolved by the importer); lowercases emails", () => {
    const csv = "person,role,start,end\nАнна Петрова,mentor,Mon 09:00,10:00\nU024BE7LH,mentor,Mon 09:00,10:00\nBoris@S.test,mentor,Mon 09:00,10:00\n";
    const { shifts, lines, errors } = parseShiftsCsv(csv, opts);
    expect(errors).toEqual([]);
    expect(shifts.map((s) => s.person)).toEqual(["Анна Петрова", "U024BE7LH", "boris@s.test"]);
    expect(lines).toEqual([2, 3, 4]);
  });

  it("counts lines through quoted multi-line fields", () => {
    const csv = 'person,role,start,end,weekly,id\n"a@s.test",mentor,Mon 09:00,10:00,yes,"multi\nline"\n\"\",mentor,Mon 09:00,10:00,yes,x\n';
    const { shifts, errors } = parseShiftsCsv(csv, opts);
    expect(shifts[0]?.id).toBe("multi\nline");
    expect(errors).toEqual([{ line: 4, message: "person is empty" }]);
  });

  it("rejects a missing header column, a repeated id and a time that DST skips", () => {
    expect(parseShiftsCsv("person,role,start\n", opts).errors).toEqual([{ line: 1, message: "missing columns: end" }]);
    const dup = parseShiftsCsv("person,role,start,end,id\na@s.test,mentor,Mon 09:00,10:00,k\nb@s.test,mentor,Tue 09:00,10:00,k\n", opts);
    expect(dup.errors).toEqual([{ line: 3, message: 'id "k" repeats an earlier row' }]);
    const dst = parseShiftsCsv("person,role,start,end\na@s.test,mentor,2025-03-30 02:30,05:00\n", { timezone: "Europe/Berlin", weekStart: "2025-03-24" });
    expect(dst.errors[0]?.message).toMatch(/does not exist/);
  });
});
