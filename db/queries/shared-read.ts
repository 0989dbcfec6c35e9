import type { Db } from "../client";

/**
 * Reads of one database handle and key asked while one is running share it: the answer is the same by
 * definition, and one page's parts ask for the same rows at the same moment (the team page's load, its
 * judgement of the open episodes and its rebalancing items; the SLA page's two reports). A read asked after
 * one settled starts anew. The table lives on globalThis under `name`, so a module evaluated again (Next.js
 * in development) shares it.
 */
export function sharedReads<K, V>(name: string): (db: Db, key: K, read: () => Promise<V>) => Promise<V> {
  const holder = globalThis as unknown as Record<string, WeakMap<Db, Map<K, Promise<V>>> | undefined>;
  const table = (holder[name] ??= new WeakMap());
  return (db, key, read) => {
    let running = table.get(db);
    if (running === undefined) table.set(db, (running = new Map()));
    const shared = running.get(key);
    if (shared !== undefined) return shared;
    const own = running;
    const mine = read().finally(() => {
      if (own.get(key) === mine) own.delete(key);
    });
    own.set(key, mine);
    return mine;
  };
}
