/**
 * A list of distinct values named once in a packed report (lib/reports/risk-pack.ts, outcomes-pack.ts):
 * `at(x)` is x's index in `list`, added when its key is new.
 */
export function indexer<T>(key: (x: T) => string | number): { list: T[]; at(x: T): number } {
  const list: T[] = [];
  const seen = new Map<string | number, number>();
  return {
    list,
    at(x) {
      const k = key(x);
      let i = seen.get(k);
      if (i === undefined) seen.set(k, (i = list.push(x) - 1));
      return i;
    },
  };
}
