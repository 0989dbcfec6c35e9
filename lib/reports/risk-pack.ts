import { riskFeatureNames, type RiskFeatureName, type RiskFeatures } from "../metrics/risk/features";
import { riskReasonLabels, type RiskReason } from "../metrics/risk/model";
import type { RiskReport, RiskRow } from "./risk";
import { indexer } from "./pack";

/**
 * The stored form of an at-risk list (report_runs kind `risk`, docs/adr/0009-stored-report-runs.md): rows as
 * arrays, cohorts and tiers named once, features by position, reasons without their labels (the labels
 * follow from the key). The list as JSON objects was ~1 KB a row, 15 MB at 100 k students, and reading it
 * cost ~150 ms, most of it moving and parsing text; this form is about a third of that. `unpackRiskReport`
 * returns exactly the report that was packed (tests compare them).
 */

const PACK_VERSION = 1;

type PackedReason = [featureIndex: number, contribution: number, value: number];
type PackedRow = [
  enrollmentId: number,
  personId: number,
  student: string,
  lmsStudentId: string | null,
  cohortIndex: number,
  tierIndex: number,
  score: number,
  reasons: PackedReason[],
  /** In `features` order; null where the row has no value. */
  features: Array<number | null>,
];
interface PackedRiskReport {
  v: number;
  school: string;
  asOf: string;
  model: string;
  features: string[];
  /** [courseExternalId, cohortExternalId, cohort]. */
  cohorts: Array<[string, string, string]>;
  tiers: string[];
  rows: PackedRow[];
}

export function packRiskReport(r: RiskReport): string {
  const names: readonly RiskFeatureName[] = riskFeatureNames;
  const pos = new Map<string, number>(names.map((n, i) => [n, i]));
  const cohorts = indexer<[string, string, string]>((c) => JSON.stringify(c));
  const tiers = indexer<string>((t) => t);
  const rows = r.rows.map((x): PackedRow => {
    const f = x.features as Record<string, number | undefined>;
    for (const k of Object.keys(f)) if (!pos.has(k)) throw new Error(`unknown risk feature ${k}`);
    return [
      x.enrollmentId,
      x.personId,
      x.student,
      x.lmsStudentId,
      cohorts.at([x.courseExternalId, x.cohortExternalId, x.cohort]),
      tiers.at(x.tier),
      x.score,
      x.reasons.map((c): PackedReason => [pos.get(c.key) ?? -1, c.contribution, c.value]),
      names.map((n) => f[n] ?? null),
    ];
  });
  const packed: PackedRiskReport = { v: PACK_VERSION, school: r.school, asOf: r.asOf, model: r.model, features: [...names], cohorts: cohorts.list, tiers: tiers.list, rows };
  return JSON.stringify(packed);
}

/** The report `packRiskReport` packed, or null when the text is of another version (then score again). */
export function unpackRiskReport(text: string): RiskReport | null {
  // Our own JSON, written by packRiskReport; the version says which shape.
  const p = JSON.parse(text) as Partial<PackedRiskReport>;
  if (p.v !== PACK_VERSION || !p.rows || !p.features || !p.cohorts || !p.tiers) return null;
  const names = p.features as RiskFeatureName[];
  const cohorts = p.cohorts;
  const tiers = p.tiers;
  const rows = p.rows.map(([enrollmentId, personId, student, lmsStudentId, ci, ti, score, reasons, values]): RiskRow => {
    const features: { -readonly [K in RiskFeatureName]?: number } = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      if (v !== null && v !== undefined) features[names[i]!] = v;
    }
    const [courseExternalId, cohortExternalId, cohort] = cohorts[ci]!;
    return {
      enrollmentId,
      personId,
      student,
      lmsStudentId,
      courseExternalId,
      cohortExternalId,
      cohort,
      tier: tiers[ti]!,
      score,
      reasons: reasons.map(([fi, contribution, value]): RiskReason => {
        const key = names[fi]!;
        return { key, label_ru: riskReasonLabels[key].ru, label_en: riskReasonLabels[key].en, contribution, value };
      }),
      features: features as RiskFeatures,
    };
  });
  return { school: p.school ?? "", asOf: p.asOf ?? "", model: p.model ?? "", rows };
}
