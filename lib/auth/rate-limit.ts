/**
 * Sign-in attempts per key (email and client address) in a sliding window. In memory: one server
 * process serves a school's dashboard; a multi-instance deployment would move this to the database.
 */
export class RateLimiter {
  private hits = new Map<string, number[]>();
  constructor(private limit: number, private windowMs: number) {}

  /** Records an attempt at `now`; false when the key is over its limit. */
  take(key: string, now: number): boolean {
    const since = now - this.windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (list.length >= this.limit) {
      this.hits.set(key, list);
      return false;
    }
    list.push(now);
    this.hits.set(key, list);
    return true;
  }
}
