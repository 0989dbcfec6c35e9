/**
 * Items by key, in first-seen order of the keys and of the items within each key (Map.groupBy arrives
 * in Node 21; the engines field allows Node 20). Used by the store paths (a batch by source) and the
 * at-risk list (events by enrollment).
 */
export function groupBy<T, K>(xs: readonly T[], key: (x: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}
