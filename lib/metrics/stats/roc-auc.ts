/**
 * Area under the ROC curve as the Mann–Whitney probability P(score of a positive > score of a
 * negative), ties counted as one half — the same number as the trapezoidal area under the ROC curve
 * (Hanley & McNeil 1982). Computed with mid-ranks in O(n log n). Null when either class is empty.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new RangeError(`rocAuc: ${scores.length} scores but ${labels.length} labels`);
  for (const s of scores) if (Number.isNaN(s)) throw new RangeError("rocAuc: a score is NaN");
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    const v = scores[idx[i] ?? 0];
    while (j + 1 < idx.length && scores[idx[j + 1] ?? 0] === v) j++;
    const midRank = (i + j) / 2 + 1; // ranks are 1-based
    for (let k = i; k <= j; k++) {
      if (labels[idx[k] ?? 0]) {
        positives++;
        rankSumPositives += midRank;
      }
    }
    i = j + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Hanley & McNeil (1982) standard error of an AUC with `positives` and `negatives` cases: a quick
 * guide to how much two AUCs on the same data may differ by chance (it ignores their correlation).
 */
export function aucStdError(auc: number, positives: number, negatives: number): number | null {
  if (positives <= 0 || negatives <= 0 || !(auc >= 0 && auc <= 1)) return null;
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const v = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(Math.max(0, v));
}
