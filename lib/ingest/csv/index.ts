export { parseRosterCsv, type RosterCsvResult, type RosterRow } from "./roster";
export { parseEnrollmentsCsv, type EnrollmentsCsvOptions, type EnrollmentsCsvResult, type EnrollmentRow } from "./enrollments";
