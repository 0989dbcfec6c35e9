import Link from "next/link";
import { DateTime } from "luxon";
import type { ContactsData } from "@/lib/dal/contacts";
import { formatNumber, type Locale } from "@/lib/i18n/dict";
import type { outcomesMessages } from "@/lib/i18n/pages/outcomes";
import { DataTable, type DataRow } from "@/components/tables/DataTable";

type Key = keyof (typeof outcomesMessages)["ru"];

interface Props {
  data: ContactsData;
  p: (k: Key) => string;
  locale: Locale;
  timezone: string;
  /** The page's query (school, period, asOf) for the CSV links. */
  qs: (extra?: Record<string, string>) => string;
  csvLabel: string;
  /** Show the per-staff outcomes table (not in the risk-only view). */
  withOutcomes: boolean;
}

const section = "rounded-lg border border-slate-200 bg-white p-4 shadow-sm";

/**
 * The contact sections of the outcomes page (docs/metrics.md, "Contacts"): unreachable students, check-ins
 * due and outcomes by assigned staff. Server-rendered; sorting happens in the shared DataTable. Executives
 * get counts and staff rows only: the DAL hands them no student rows.
 */
export function ContactSections({ data, p, locale, timezone, qs, csvLabel, withOutcomes }: Props) {
  const n = (x: number) => formatNumber(x, locale);
  const pct = (x: number | null) => (x === null ? "—" : `${(100 * x).toFixed(1)} %`);
  // Instants in the school's zone, to the minute: "when did we last hear from them" needs no seconds.
  const when = (iso: string | null) => (iso === null ? null : { v: DateTime.fromISO(iso).setZone(timezone).toFormat("yyyy-LL-dd HH:mm"), s: iso });
  const labels = (empty: string) => ({ csv: csvLabel, empty, sortBy: p("sortBy"), locale });
  const csv = (table: string) => `/api/export/contacts?${qs({ table })}`;
  const { unreachable: u, checkIns: c, staffOutcomes: so, canSeeStudents } = data;
  const student = (personId: number, name: string) => ({
    v: (
      <Link href={`/students/${personId}?school=${encodeURIComponent(u.school)}`} className="text-blue-800 hover:underline">
        {name}
      </Link>
    ),
    s: name,
  });

  const unreachableRows: DataRow[] = u.rows.map((x) => ({
    key: String(x.enrollmentId),
    cells: {
      student: student(x.personId, x.student),
      cohort: x.cohort,
      tier: x.tier,
      lastOwn: when(x.lastStudentMessageAt) ?? { v: p("never"), s: null },
      daysSilent: x.daysSilent,
      lastStaff: when(x.lastStaffContactAt),
      by: x.lastStaffContactBy,
      daysUnanswered: x.daysUnanswered,
      unanswered: x.unansweredStaffMessages,
      coordinator: x.coordinators,
    },
  }));
  const dueRows: DataRow[] = c.rows.map((x) => ({
    key: `${x.staffPersonId}:${x.role}:${x.studentPersonId}`,
    cells: {
      staff: x.staff,
      role: x.role,
      student: student(x.studentPersonId, x.student),
      cohorts: x.cohorts,
      last: when(x.lastContactAt) ?? { v: p("noneInLookback"), s: null },
      days: x.daysSince,
    },
  }));
  const staffRows: DataRow[] = c.staff.map((s) => ({
    key: `${s.staffPersonId}:${s.role}`,
    cells: { staff: s.staff, role: s.role, assigned: s.assigned, checkedIn: s.checkedIn, due: s.due, coverage: { v: pct(s.coverage), s: s.coverage } },
  }));
  const outcomeRows: DataRow[] = so.rows.map((s) => ({
    key: `${s.staffPersonId}:${s.role}`,
    cells: {
      staff: s.staff,
      role: s.role,
      students: s.students,
      completed: s.completed,
      withdrawn: s.withdrawn,
      notEnded: s.notEnded,
      n: s.n,
      rate: { v: pct(s.rate), s: s.rate },
      ci: { v: s.low === null ? "—" : `${pct(s.low)} – ${pct(s.high)}`, s: s.low },
    },
  }));

  return (
    <>
      <section id="unreachable" className={section} aria-label={p("unreachable")}>
        <p className="mb-2 text-sm">
          <span className="text-2xl font-semibold tabular-nums" data-testid="unreachable-count">{n(u.count)}</span> {p("unreachableCount")} ({n(u.students)} {p("studentsN").toLowerCase()}) {p("ofActive")}{" "}
          <span className="tabular-nums" data-testid="unreachable-active">{n(u.active)}</span>; {p("asOf")} {DateTime.fromISO(u.asOf).setZone(timezone).toISODate()}
        </p>
        {canSeeStudents ? (
          <DataTable
            caption={`${p("unreachable")} (n = ${n(u.count)})`}
            testId="unreachable-table"
            csvHref={csv("unreachable")}
            labels={labels(p("unreachableEmpty"))}
            maxHeight="24rem"
            initialSort={{ key: "daysUnanswered", dir: "descending" }}
            columns={[
              { key: "student", label: p("student") },
              { key: "cohort", label: p("cohort") },
              { key: "tier", label: p("tier") },
              { key: "lastOwn", label: p("lastStudentMsg"), nowrap: true },
              { key: "daysSilent", label: p("daysSilent"), align: "right" },
              { key: "lastStaff", label: p("lastStaffContact"), nowrap: true },
              { key: "by", label: p("lastStaffBy") },
              { key: "daysUnanswered", label: p("daysUnanswered"), align: "right" },
              { key: "unanswered", label: p("unansweredN"), align: "right" },
              { key: "coordinator", label: p("coordinator") },
            ]}
            rows={unreachableRows}
          />
        ) : (
          <>
            <h2 className="mb-1 font-medium">{p("unreachable")}</h2>
            <p className="text-sm text-slate-500" data-testid="contacts-hidden">{p("contactsHidden")}</p>
          </>
        )}
        <p className="mt-2 text-xs text-slate-500">{p("unreachableNote")}</p>
      </section>

      <section id="checkins" className={section} aria-label={p("checkins")}>
        <p className="mb-2 text-sm">
          <span className="text-2xl font-semibold tabular-nums" data-testid="checkins-due">{n(c.due)}</span> {p("due").toLowerCase()} / {n(c.staff.reduce((a, s) => a + s.assigned, 0))} {p("assignedActive").toLowerCase()}
        </p>
        <DataTable
          caption={`${p("checkinsStaff")} (n = ${n(c.staff.length)})`}
          testId="checkin-staff-table"
          csvHref={csv("checkin-staff")}
          labels={labels(p("staffEmpty"))}
          initialSort={{ key: "due", dir: "descending" }}
          columns={[
            { key: "staff", label: p("staffMember") },
            { key: "role", label: p("role") },
            { key: "assigned", label: p("assignedActive"), align: "right" },
            { key: "checkedIn", label: p("checkedIn"), align: "right" },
            { key: "due", label: p("due"), align: "right" },
            { key: "coverage", label: p("coverage"), align: "right" },
          ]}
          rows={staffRows}
        />
        <div className="mt-4">
          {canSeeStudents ? (
            <DataTable
              caption={`${p("checkins")} (n = ${n(c.due)})`}
              testId="checkins-table"
              csvHref={csv("checkins")}
              labels={labels(p("checkinsEmpty"))}
              maxHeight="24rem"
              columns={[
                { key: "staff", label: p("staffMember") },
                { key: "role", label: p("role") },
                { key: "student", label: p("student") },
                { key: "cohorts", label: p("cohorts") },
                { key: "last", label: p("lastContact"), nowrap: true },
                { key: "days", label: p("daysSince"), align: "right" },
              ]}
              rows={dueRows}
            />
          ) : (
            <p className="text-sm text-slate-500">{p("contactsHidden")}</p>
          )}
        </div>
        <p className="mt-2 text-xs text-slate-500">{p("checkinsNote")}</p>
      </section>

      {withOutcomes && (
        <section id="by-staff" className={section} aria-label={p("byStaff")}>
          <DataTable
            caption={`${p("byStaff")} (n = ${n(so.rows.length)})`}
            testId="staff-outcomes-table"
            csvHref={csv("staff-outcomes")}
            labels={labels(p("staffEmpty"))}
            columns={[
              { key: "staff", label: p("staffMember") },
              { key: "role", label: p("role") },
              { key: "students", label: p("studentsN"), align: "right" },
              { key: "completed", label: p("completed"), align: "right" },
              { key: "withdrawn", label: p("withdrawn"), align: "right" },
              { key: "notEnded", label: p("notEnded"), align: "right" },
              { key: "n", label: p("ended"), align: "right" },
              { key: "rate", label: p("rate"), align: "right" },
              { key: "ci", label: p("ci"), align: "right" },
            ]}
            rows={outcomeRows}
          />
          <p className="mt-2 text-xs text-amber-900">
            <strong>{p("correlationBadge")}.</strong> {p("byStaffNote")}
          </p>
        </section>
      )}
    </>
  );
}
