/**
 * Validates the at-risk score on real outcomes (OULAD 2013B and 2013J) and optionally writes the
 * default model. One command, no database:
 *
 *   npx tsx scripts/validate-risk.ts [--data ../shared/data/oulad] [--write-model] [--json]
 *
 * For day 30, 60 and 100 of each presentation: the enrollments still active that day, their features
 * from what was known that day only, label = withdrew later. Everything is fitted on one presentation
 * and evaluated on the other (both directions). Compared with a plain logistic model on assessment
 * features only. See docs/model-card-risk.md.
 */
import fs from "node:fs";
import path from "node:path";
import { parseOulad } from "@/lib/ingest/oulad";
import { readCsvRows } from "@/lib/ingest/common/csv-rows";
import { extractRiskFeatures, type RiskFeatureName, type RiskFeatures } from "@/lib/metrics/risk/features";
import { fitRiskModel, scoreEnrollment, type RiskModel } from "@/lib/metrics/risk/model";
import { indexOulad, ouladCasesAt, type OuladExtras, type OuladIndex } from "@/lib/metrics/risk/oulad";
import { aucStdError, rocAuc } from "@/lib/metrics/stats/roc-auc";
import { wilsonInterval } from "@/lib/metrics/stats/wilson";
import { RISK_FEATURES, BASELINE_FEATURES, SUPPORT_PRIORS, TRAIN_DAYS, MODEL_VERSION } from "@/lib/metrics/risk/config";

const EVAL_DAYS = [30, 60, 100] as const;
const PRESENTATIONS = ["2013B", "2013J"] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(name);

function load(dir: string): OuladIndex {
  const read = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
  const parsed = parseOulad({
    courses: read("courses.csv"),
    assessments: read("assessments.csv"),
    studentInfo: read("studentInfo.csv"),
    studentRegistration: read("studentRegistration.csv"),
    studentAssessment: read("studentAssessment.csv"),
    vle: read("vle.csv"),
    // The click-stream excerpt (AAA-2013J, days −10..3) is left out: it covers one module for four
    // days, so it would make AAA look different from every other module rather than inform the score.
  });
  if (parsed.rejected.length > 0) throw new Error(`OULAD rows rejected: ${parsed.rejected.length}`);
  const key = (c: Record<string, string>) => `${c.code_module}-${c.code_presentation}|${c.id_student}`;
  const previousAttempts = new Map<string, number>();
  const studiedCredits = new Map<string, number>();
  for (const r of readCsvRows(read("studentInfo.csv")).rows) {
    previousAttempts.set(key(r.cells), Number(r.cells.num_of_prev_attempts));
    studiedCredits.set(key(r.cells), Number(r.cells.studied_credits));
  }
  const preCourseClicks = new Map<string, number>();
  for (const r of readCsvRows(read("derived_vle_pre_course_features.csv")).rows) preCourseClicks.set(key(r.cells), Number(r.cells.pre_course_clicks));
  const extras: OuladExtras = { previousAttempts, studiedCredits, preCourseClicks };
  return indexOulad(parsed, extras);
}

interface Rows {
  features: RiskFeatures[];
  labels: boolean[];
}
function rows(index: OuladIndex, presentation: string, days: readonly number[]): Rows {
  const out: Rows = { features: [], labels: [] };
  for (const d of days) {
    for (const c of ouladCasesAt(index, d, presentation)) {
      out.features.push(extractRiskFeatures(c.snapshot));
      out.labels.push(c.label);
    }
  }
  return out;
}

function fit(r: Rows, names: readonly RiskFeatureName[], trainedOn: string, l2: number): RiskModel {
  return fitRiskModel(r.features, r.labels, { featureNames: names, version: MODEL_VERSION, l2, trainedOn });
}
const auc = (model: RiskModel, r: Rows): number | null => rocAuc(r.features.map((f) => scoreEnrollment(f, model).score), r.labels);
const fmt = (v: number | null): string => (v === null ? "  n/a" : v.toFixed(3));

const dir = path.resolve(arg("--data") ?? path.join(import.meta.dirname, "..", "..", "shared", "data", "oulad"));
const index = load(dir);
const fittedModels: string[] = [];
const results: Array<{ train: string; test: string; day: number; n: number; withdrew: number; auc: number | null; baseline: number | null }> = [];
for (const train of PRESENTATIONS) {
  const test = PRESENTATIONS.find((p) => p !== train) ?? train;
  const model = fit(rows(index, train, TRAIN_DAYS), RISK_FEATURES, train, 1);
  fittedModels.push(`fit on ${train}: ${model.featureNames.map((n) => `${n} ${(model.coefficients[n] ?? 0).toFixed(3)}`).join(", ")}`);
  for (const day of EVAL_DAYS) {
    const evalRows = rows(index, test, [day]);
    // The baseline is fitted on the same day of the training presentation: as favourable to it as possible.
    const baseline = fit(rows(index, train, [day]), BASELINE_FEATURES, train, 1e-6);
    results.push({ train, test, day, n: evalRows.labels.length, withdrew: evalRows.labels.filter(Boolean).length, auc: auc(model, evalRows), baseline: auc(baseline, evalRows) });
  }
}

if (flag("--json")) console.log(JSON.stringify(results, null, 2));
else {
  console.log("At-risk score: ROC AUC on the held-out presentation (OULAD, Kuzilek et al. 2017, CC BY 4.0)");
  console.log("| fit on | test on | day | active | withdrew later (%, 95 % Wilson) | AUC model (± SE) | AUC baseline |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const r of results) {
    const w = wilsonInterval(r.withdrew, r.n);
    const pct = (v: number | null) => ((v ?? 0) * 100).toFixed(1);
    const se = r.auc === null ? null : aucStdError(r.auc, r.withdrew, r.n - r.withdrew);
    console.log(`| ${r.train} | ${r.test} | ${r.day} | ${r.n} | ${r.withdrew} (${pct(w.rate)} %, ${pct(w.low)}–${pct(w.high)}) | ${fmt(r.auc)} ± ${fmt(se)} | ${fmt(r.baseline)} |`);
  }
  for (const m of fittedModels) console.log(m);
  for (const day of EVAL_DAYS) {
    const at = results.filter((r) => r.day === day);
    const mean = (k: "auc" | "baseline") => at.reduce((a, r) => a + (r[k] ?? 0), 0) / at.length;
    console.log(`day ${day}: mean AUC model ${fmt(mean("auc"))}, baseline ${fmt(mean("baseline"))}${day === 60 ? ` (target 0.75: ${mean("auc") >= 0.75 ? "met" : "NOT met"})` : ""}`);
  }
}

if (flag("--write-model")) {
  const all: Rows = { features: [], labels: [] };
  for (const p of PRESENTATIONS) {
    const r = rows(index, p, TRAIN_DAYS);
    all.features.push(...r.features);
    all.labels.push(...r.labels);
  }
  const model = fitRiskModel(all.features, all.labels, { featureNames: RISK_FEATURES, version: MODEL_VERSION, l2: 1, trainedOn: `OULAD ${PRESENTATIONS.join("+")}, days ${TRAIN_DAYS.join("/")}`, priors: SUPPORT_PRIORS });
  const out = path.join(import.meta.dirname, "..", "lib", "metrics", "risk", "default-model.json");
  fs.writeFileSync(out, `${JSON.stringify(model, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
