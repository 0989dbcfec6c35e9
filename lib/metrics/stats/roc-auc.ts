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
