import { z } from "zod";
import type { RatingEvent, SourceKind, SurveyEvent } from "./types";

/**
 * The rating-request hook (docs/ratings.md): a school's bot asks for a rating after an episode is
 * answered and posts the student's answer back. None of the messengers carries a rating of its own, so
 * the bot sends this one body, for any source, either to `POST /api/ratings/submit?school=&source=` or
 * to the source's webhook `POST /api/ingest/<source>?school=&source=` with
 * `Content-Type: application/vnd.sqd.rating+json`. Both authenticate with `Authorization: Bearer
 * <the source's secret>` and end in the same IngestEvent through the one store path. Pure: the episode
 * the token names is looked up by the caller (lib/dal/ratings.ts).
 */
export const RATING_HOOK_CONTENT_TYPE = "application/vnd.sqd.rating+json";

export function isRatingHookRequest(contentType: string | null): boolean {
  return /^application\/vnd\.sqd\.rating\+json\b/i.test((contentType ?? "").trim());
}

const isoInstant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const ratingHookBodySchema = z
  .object({
    /** As /api/ratings/due gave it; names the episode (lib/ratings/token.ts). */
    token: z.string().min(1).max(64),
    kind: z.enum(["csat", "nps"]).default("csat"),
    score: z.number().finite(),
    /** The scale's maximum as the bot showed it: 5 (1..5), 10 (0..10), 3, 7 … (1..N). */
    scale: z.number().int().min(2).max(10).optional(),
    comment: z.string().max(2000).optional(),
    /** Who pressed the button, as the source gives it; must be the episode's student. */
    rater: z.object({ externalId: z.string().min(1).max(200), name: z.string().max(200).optional(), username: z.string().max(200).optional() }).optional(),
    givenAt: isoInstant.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const scale = b.scale ?? (b.kind === "nps" ? 10 : 5);
    if (b.kind === "nps" && scale !== 10) ctx.addIssue({ code: "custom", path: ["scale"], message: "NPS is asked on 0..10" });
    const min = b.kind === "nps" || scale === 10 ? 0 : 1;
    if (!Number.isInteger(b.score) || b.score < min || b.score > scale) ctx.addIssue({ code: "custom", path: ["score"], message: `must be a whole number ${min}..${scale}` });
  });
export type RatingHookBody = z.output<typeof ratingHookBodySchema>;

export function parseRatingHookBody(raw: unknown): { ok: true; body: RatingHookBody } | { ok: false; error: string } {
  const r = ratingHookBodySchema.safeParse(raw);
  if (r.success) return { ok: true, body: r.data };
  return { ok: false, error: r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") };
}

/** What the store knows of the episode a token names. */
export interface HookEpisode {
  episodeId: number;
  /** The opening message id: what tokens and the survey/rating ids name (lib/ratings/token.ts). */
  episodeKey: number;
  channelExternalId: string;
  channelKind: "group" | "channel" | "forum" | "dm";
  answerMessageExternalId: string;
  studentExternalId: string;
}

/** The stable ids: one survey and one rating of a kind per episode key, so a re-sent rating is a duplicate. */
export const surveyExternalId = (episodeKey: number, kind: "csat" | "nps" = "csat") => `sqd-ask:${kind}:${episodeKey}`;
export const ratingExternalId = (episodeKey: number, kind: "csat" | "nps") => `sqd-rating:${kind}:${episodeKey}`;

export function ratingHookEvent(
  b: RatingHookBody,
  ep: HookEpisode,
  source: { kind: SourceKind; externalId: string },
  now: Date,
): { ok: true; event: RatingEvent } | { ok: false; status: 400 | 403; error: string } {
  // In a group anyone can press the button under the question; only the student's answer counts.
  if (b.rater && b.rater.externalId !== ep.studentExternalId) return { ok: false, status: 403, error: "rater is not the student of this episode" };
  const givenAt = b.givenAt ?? now;
  if (givenAt.getTime() > now.getTime() + 5 * 60_000) return { ok: false, status: 400, error: "givenAt is in the future" };
  return {
    ok: true,
    event: {
      type: "rating",
      source: { kind: source.kind, externalId: source.externalId },
      externalId: ratingExternalId(ep.episodeKey, b.kind),
      kind: b.kind,
      rater: { externalId: ep.studentExternalId, ...(b.rater?.name ? { name: b.rater.name } : {}), ...(b.rater?.username ? { username: b.rater.username } : {}) },
      rawScore: b.score,
      scaleMax: b.scale ?? (b.kind === "nps" ? 10 : 5),
      ...(b.comment ? { comment: b.comment } : {}),
      fromDm: ep.channelKind === "dm",
      channelExternalId: ep.channelExternalId,
      aboutMessageExternalId: ep.answerMessageExternalId,
      givenAt,
    },
  };
}

/** The survey row that marks an episode asked (and counts for the response rate). */
export function askedSurveyEvent(ep: { episodeKey: number; studentExternalId: string }, source: { kind: SourceKind; externalId: string }, sentAt: Date): SurveyEvent {
  return { type: "survey", source: { kind: source.kind, externalId: source.externalId }, externalId: surveyExternalId(ep.episodeKey), kind: "csat", recipient: { externalId: ep.studentExternalId }, sentAt };
}
