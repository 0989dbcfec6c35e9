import { z } from "zod";
import { isPlausibleEpochSeconds } from "../common/epoch-time";

/**
 * Slack `ts` is a string "<unix seconds>.<6 digits>" and doubles as the message id within a channel, so
 * it is kept verbatim as the externalId and converted only for times. Parsed from the string (not via
 * parseFloat) so microseconds never pick up float noise; ms precision is all a Date holds.
 */
const TS = /^(\d{1,11})(?:\.(\d{1,6}))?$/;

export function slackTsToDate(ts: string): Date | null {
  const m = TS.exec(ts);
  if (!m) return null;
  const sec = Number(m[1]);
  if (!isPlausibleEpochSeconds(sec)) return null;
  const micros = Number((m[2] ?? "").padEnd(6, "0"));
  return new Date(sec * 1000 + Math.floor(micros / 1000));
}

export const slackTsSchema = z.string().refine((s) => slackTsToDate(s) !== null, { message: "not a Slack ts (<seconds>.<micros>)" });

/** User, bot, team and channel ids: upper-case letters and digits (U…, W…, B…, T…, C…, G…, D…). */
export const slackIdSchema = z.string().regex(/^[A-Z0-9]{2,40}$/, "not a Slack id");

/** `<@U123>` and `<@U123|name>` in message text. `<!here>`, `<!subteam^S1>` are not people. */
export function slackMentionIds(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/<@([UW][A-Z0-9]{1,40})(?:\|[^>]*)?>/g)) if (m[1]) ids.add(m[1]);
  return [...ids];
}
