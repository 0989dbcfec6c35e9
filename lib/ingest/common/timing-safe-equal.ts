import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time string comparison for shared secrets and signatures.
 * Both sides are hashed first so that inputs of different lengths still take the same path:
 * `timingSafeEqual` alone throws on a length mismatch, and an early length check would leak the length.
 */
export function timingSafeEqualString(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}
