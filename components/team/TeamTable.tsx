import Link from "next/link";
import type { TeamReport } from "@/lib/dal/team";

type Row = TeamReport["rows"][number];

export interface TeamTableLabels {
  person: string; role: string; team: string; answered: string; openOwned: string; students: string; median: string; p90: string;
  breaches: string; csat: string; checkIn: string; perHour: string; limit: string; overloaded: string; overAssigned: string; minutes: string; n: string;
}

/**
 * The episodes list behind a person's count (issue #5). `responder` is the person a team-page count is
 * attributed to (responder, else owner: db/queries/reports/load.ts), so each link lists exactly that count.
 */
export function episodesHref(base: Record<string, string> | null, personId: number, extra: Record<string, string>): string | null {
  if (base === null) return null;
  return `/episodes?${new URLSearchParams({ ...base, responder: String(personId), ...extra }).toString()}`;
}

/** A count that opens its episodes; zero stays plain text (an empty list is no drill-down). */
function CountLink({ href, n, text, label }: { href: string | null; n: number; text: string; label: string }) {
  if (n === 0 || href === null) return <>{text}</>;
  return (
    <Link href={href} className="text-blue-800 underline decoration-dotted hover:decoration-solid" aria-label={label}>
      {text}
    </Link>
  );
}

/** One row per person; every rate with its count beside it (METRICS.md); counts link to their episodes. */
export function TeamTable({ rows, labels, roleNames, num, base }: { rows: Row[]; labels: TeamTableLabels; roleNames: Record<string, string>; num: (x: number, digits?: number) => string; base: Record<string, string> | null }) {
  const min = (v: number | null) => (v === null ? "—" : `${num(v, 1)}`);
  const pct = (v: number | null) => (v === null ? "—" : `${num(v, 0)} %`);
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="w-full text-sm tabular-nums" data-testid="team-table">
        <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
          <tr>
            <th scope="col" className="py-2 pl-2 pr-3">{labels.person}</th>
            <th scope="col" className="py-2 pr-3">{labels.role}</th>
            <th scope="col" className="py-2 pr-3">{labels.team}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.answered}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.openOwned}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.students}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.median}, {labels.minutes}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.p90}, {labels.minutes}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.breaches}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.csat} ({labels.n})</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.checkIn}</th>
            <th scope="col" className="py-2 pr-3 text-right">{labels.perHour} / {labels.limit}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => {
            const limit = s.capacityPerHour ?? (s.teamMedianPerHour !== null && s.teamMedianPerHour > 0 ? 1.5 * s.teamMedianPerHour : null);
            return (
              <tr key={s.personId} className={`border-t border-slate-100 ${s.overloaded ? "bg-amber-50" : ""}`} data-testid="team-row" data-person={s.name} data-overloaded={s.overloaded ? "yes" : "no"}>
                <th scope="row" className="py-1.5 pl-2 pr-3 text-left font-medium">
                  {s.name}
                  {s.overloaded && (
                    <span className="ml-2 whitespace-nowrap rounded bg-amber-300 px-1.5 py-0.5 text-xs font-semibold text-amber-950" data-testid="overloaded-flag">
                      <span aria-hidden="true">⚠ </span>
                      {labels.overloaded}
                    </span>
                  )}
                  {s.overAssigned && (
                    <span className="ml-1 text-xs text-red-800" title={labels.overAssigned}>
                      ({labels.overAssigned})
                    </span>
                  )}
                </th>
                <td className="py-1.5 pr-3">{roleNames[s.role] ?? s.role}</td>
                <td className="py-1.5 pr-3">{s.team ?? "—"}</td>
                <td className="py-1.5 pr-3 text-right" data-col="answered">
                  <CountLink href={episodesHref(base, s.personId, { status: "answered" })} n={s.episodesAnswered} text={num(s.episodesAnswered)} label={`${s.name}: ${labels.answered} ${num(s.episodesAnswered)}`} />
                </td>
                <td className="py-1.5 pr-3 text-right" data-col="openOwned">
                  <CountLink href={episodesHref(base, s.personId, { status: "open" })} n={s.openOwned} text={num(s.openOwned)} label={`${s.name}: ${labels.openOwned} ${num(s.openOwned)}`} />
                </td>
                <td className="py-1.5 pr-3 text-right" data-col="students">{num(s.studentsAnswered)}</td>
                <td className="py-1.5 pr-3 text-right" data-col="median" title={`${labels.n} = ${s.episodesAnswered}`}>{min(s.medianMinutes)}</td>
                <td className="py-1.5 pr-3 text-right" data-col="p90">{min(s.p90Minutes)}</td>
                <td className="py-1.5 pr-3 text-right" data-col="breaches">
                  <CountLink href={episodesHref(base, s.personId, { breached: "1" })} n={s.breaches} text={num(s.breaches)} label={`${s.name}: ${labels.breaches} ${num(s.breaches)}`} />
                </td>
                <td className="py-1.5 pr-3 text-right" data-col="csat">
                  {pct(s.csatPercent)} <span className="text-xs text-slate-500">({num(s.csatN)})</span>
                </td>
                <td className="py-1.5 pr-3 text-right" data-col="checkIn">
                  {s.checkInCoverage === null ? "—" : `${num(s.checkInCoverage * 100, 0)} %`}{" "}
                  <span className="text-xs text-slate-500">({num(s.checkedIn)}/{num(s.assignedStudents)})</span>
                </td>
                <td className="py-1.5 pr-3 text-right" data-col="perHour">
                  {s.loadPerHour === null ? "—" : num(s.loadPerHour, 2)} / {limit === null ? "—" : num(limit, 2)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
