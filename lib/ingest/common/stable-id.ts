import { createHash } from "node:crypto";

/**
 * A short, stable digest for ids the source does not give (Mattermost bulk-export posts, aggregated
 * OULAD click rows). The same input always yields the same id, so a re-import hits the same unique key.
 * 16 hex chars = 64 bits: collisions are irrelevant at the scale of one school's history.
 */
export function stableDigest(parts: readonly (string | number)[], hexChars = 16): string {
  const h = createHash("sha256");
  // A separator that cannot occur in the parts keeps ["ab","c"] and ["a","bc"] apart.
  for (const p of parts) h.update(String(p)).update("\u0000");
  return h.digest("hex").slice(0, hexChars);
}
