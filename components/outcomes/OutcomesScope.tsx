import Link from "next/link";

interface Option {
  value: string;
  label: string;
}

/**
 * The outcomes page's course and cohort filter as a plain GET form (like the at-risk filters): the choice
 * lands in the URL (?course=&cohort=), is shareable, and the server recomputes every section on the subset.
 * `keep` carries the rest of the query (school, period, as-of, view). No client script is needed.
 */
export function OutcomesScope({
  keep,
  values,
  courses,
  cohorts,
  shown,
  labels,
}: {
  keep: Record<string, string>;
  values: { course?: string; cohort?: string };
  courses: Option[];
  /** Cohorts with their course's id, so a cohort's label can name its course when several share a title. */
  cohorts: Array<Option & { course: string }>;
  /** "n / N" enrollments in scope, shown when a filter is active. */
  shown: string | null;
  labels: { title: string; course: string; cohort: string; all: string; apply: string; reset: string; shown: string };
}) {
  const courseTitle = new Map(courses.map((c) => [c.value, c.label]));
  // With a course chosen, only its cohorts are offered; a chosen cohort of another course stays listed so
  // the select shows what the URL says.
  const cohortOptions = cohorts.filter((c) => !values.course || c.course === values.course || c.value === values.cohort);
  const active = Boolean(values.course || values.cohort);
  return (
    <form method="get" action="/outcomes" className="no-print flex flex-wrap items-center gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm" data-testid="outcomes-scope" aria-label={labels.title}>
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <span className="font-medium">{labels.title}</span>
      <label className="flex items-center gap-1">
        <span className="text-slate-600">{labels.course}</span>
        <select name="course" defaultValue={values.course ?? ""} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="scope-course">
          <option value="">{labels.all}</option>
          {courses.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1">
        <span className="text-slate-600">{labels.cohort}</span>
        <select name="cohort" defaultValue={values.cohort ?? ""} className="rounded border border-slate-300 bg-white px-1 py-0.5" data-testid="scope-cohort">
          <option value="">{labels.all}</option>
          {cohortOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {values.course ? o.label : `${o.label} (${courseTitle.get(o.course) ?? o.course})`}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="rounded bg-blue-700 px-2 py-1 text-white hover:bg-blue-800" data-testid="scope-apply">
        {labels.apply}
      </button>
      {active && (
        <Link href={`/outcomes?${new URLSearchParams(keep).toString()}`} className="rounded px-2 py-1 hover:bg-slate-100" data-testid="scope-reset">
          {labels.reset}
        </Link>
      )}
      {shown !== null && (
        <span className="text-slate-600" data-testid="scope-shown">
          {labels.shown}: {shown}
        </span>
      )}
    </form>
  );
}
