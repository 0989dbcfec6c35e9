import { z } from "zod";

/**
 * When a school's bot may ask for a rating, per source: `sources.settings.ratings` (JSON). Defaults,
 * chosen so that a source nobody configured asks politely and never in private:
 *
 * - `enabled` true: a source with a bot that calls /api/ratings/due wants to ask.
 * - `askInDms` false: a DM is personal (METRICS.md, Privacy); a school turns it on knowingly.
 * - `minHoursBetweenAsks` 24: one question per student per day across all of the school's sources.
 * - `maxAgeHours` 72: a question about an answer older than three days is noise, and a bot started
 *   for the first time must not ask about six months of history.
 * - `delayMinutes` 10: a student often writes "thanks" right after the answer; ask once it settled.
 * - `channels`: per-channel override by the channel's id as the source gives it: `false` never asks
 *   there, `true` asks there even when it is a DM or not a support channel.
 */
export const ratingPolicySchema = z.object({
  enabled: z.boolean().default(true),
  askInDms: z.boolean().default(false),
  minHoursBetweenAsks: z.number().min(0).max(24 * 90).default(24),
  maxAgeHours: z.number().positive().max(24 * 90).default(72),
  delayMinutes: z.number().min(0).max(24 * 60).default(10),
  channels: z.record(z.string(), z.boolean()).default({}),
});
export type RatingPolicy = z.output<typeof ratingPolicySchema>;

export const DEFAULT_RATING_POLICY: RatingPolicy = ratingPolicySchema.parse({});

/** The policy in a source's settings; a malformed one is reported, not silently replaced by defaults. */
export function ratingPolicyOf(settings: Record<string, unknown>): { ok: true; policy: RatingPolicy } | { ok: false; error: string } {
  const raw = settings.ratings;
  if (raw === undefined || raw === null) return { ok: true, policy: DEFAULT_RATING_POLICY };
  const r = ratingPolicySchema.safeParse(raw);
  if (r.success) return { ok: true, policy: r.data };
  const first = r.error.issues[0];
  return { ok: false, error: `sources.settings.ratings${first?.path.length ? "." + first.path.join(".") : ""}: ${first?.message ?? "invalid"}` };
}
