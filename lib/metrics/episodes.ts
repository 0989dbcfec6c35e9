/**
 * Waiting episodes (docs: METRICS.md, "Waiting episodes" rules 1–7; "Load" for owners; "Check-in
 * coverage" for staff-initiated contacts). Pure: no I/O, no clock, `now` is passed in. The result for a
 * scope is a function of its message SET: messages are sorted by (sentAt, id) first, so arrival order
 * never matters. SLA (policies, business minutes, priority) is evaluated elsewhere (lib/metrics/sla).
 *
 * Choices made where METRICS.md is silent (each one has a test in episodes.test.ts):
 *
 * Who is who
 * - A bot is a message with `isBot` or author role `bot`. Staff = coordinator, mentor, reviewer,
 *   support, team_lead. Everyone else is a student (METRICS: unknown authors count as students).
 * - A referenced person's role (reply target, mention) is: the quoted message's own author role when
 *   the message is in the data; else `roleOf(id)`; else the role the person authored with in this
 *   scope; else student.
 * - DMs: when `dmStudentPersonId` is set, only that person opens episodes there, and counts as the
 *   student even if their role is staff. Other non-staff authors of that DM take no part.
 * - A staff message never answers an episode of its own author (a person whose role changed).
 *
 * Which messages count (rule 1)
 * - A message deleted within 60 s (inclusive) of sending is treated as never sent, whoever wrote it.
 *   A message deleted later counts normally.
 * - "Substantive" = not an acknowledgement (`isAck`), not a sticker, not a service message. Media
 *   (a screenshot of an error) is substantive.
 * - Effective purpose: threads and DMs are `support` whatever their channel's purpose (comments under
 *   an announcement need answers), except that `ignored` always wins (the school opted out).
 * - "Addressed to another student" = the quoted author or a mentioned person is a non-staff, non-bot
 *   human other than the author. Addressed to a staff member as well wins: that is not peers talking.
 *   Replies and mentions to bots address neither staff nor students. Self-replies address nobody.
 * - `community`: needs an answer when addressed to staff, or `hasQuestion` and not addressed to
 *   another student.
 *
 * Joining (rule 2)
 * - While a student's episode is open, their substantive messages that are not peers talking join it,
 *   in `community` chats too (a follow-up needs no question mark). Acknowledgements, stickers and
 *   peer talk do not join (and are not a "follow-up" of a bot reply).
 *
 * Answering (rule 3)
 * - Stickers and service messages from staff never answer; any other staff message can (a short
 *   "ок, смотрю" is a human response).
 * - In a thread or a DM every staff message answers all open episodes there (rule 3 says "first"
 *   staff message: an episode is closed by the first one after it opened).
 * - Group timeline, strict: the staff message quotes a message that opened or joined the episode, or
 *   quotes a message that is not in the data whose author (`replyToPersonId`) is the student, or
 *   mentions the student. Quoting an older message of the student (before the episode) does not
 *   answer. One message may answer several episodes (several mentions).
 * - `fifo`: a staff message that refers to nobody but its author (no mention; no reply, a self-reply,
 *   or a reply to an unknown message) answers the oldest open episode; addressed ones work as strict.
 *
 * Bots (rule 4)
 * - A bot message is attributed to episodes by the same rule as a staff message (thread/DM: all open;
 *   group: quote or mention; fifo: unaddressed → oldest). Bot stickers/service messages are ignored.
 * - Deflection is counted from the first bot reply after the student's latest message: a substantive
 *   student follow-up within 24 h (inclusive) clears it; a later bot reply starts it again.
 * - A human answer still answers an episode after the 24 h (an auto-reply "we answer in working
 *   hours" followed by a mentor is a handoff, not a deflection). The episode is closed as
 *   `resolved_by_bot` when the student next writes something that would join it (a new question then
 *   opens a new episode), or at the 7-day limit; when nothing follows it is reported
 *   `resolved_by_bot` once `now` is more than 24 h past the bot reply (a later human answer turns it
 *   into `answered` on recomputation, like any open episode).
 * - handoffMinutes = human answer − FIRST bot reply, in calendar minutes, unrounded.
 *
 * First and next (rule 5)
 * - `first` is per scope AND student: a student's first episode in a scope is `first`, their later
 *   ones are `next`. In DMs and one-student threads this equals "first episode of the scope"; in a
 *   group chat, per-scope would make every student but the very first look like a next reply.
 * - An episode closed by a bot deflection or by abandonment is followed by a `next` episode too.
 *
 * Peers (rule 6)
 * - first_peer_reply_at: a substantive message of another student that quotes a message of the
 *   episode (or an unknown message of the student, by `replyToPersonId`) or mentions the student,
 *   while the episode is open. An unaddressed message of another student in a thread is their own
 *   question, not a peer reply.
 *
 * Abandonment (rule 7)
 * - 7 days = 7 × 24 h of elapsed time from the opening message (no time zone is known here), and the
 *   limit is inclusive. It is terminal: a staff message after it answers nothing, a student message
 *   after it opens a new (`next`) episode. If a bot reply was pending for more than 24 h at that
 *   moment the episode is `resolved_by_bot` instead. Whichever closing comes first wins.
 *
 * Owners (Load)
 * - Non-DM: the channel's `ownerRole` and `ownerPersonId`. DM: the channel's owner when set; else the
 *   DM's staff counterpart: the author of the last staff message before the opening, or of the first
 *   one after it (null when no staff member ever wrote there); owner role = channel's, else the
 *   counterpart's role.
 *
 * Staff-initiated contacts (check-in coverage)
 * - Only in DMs. A staff message (not a sticker or service message) that answers no episode because
 *   none is open, sent after at least 1 h without any human message in the DM (so "you're welcome"
 *   after a "thanks", or a second line of the same check-in, is not a new contact). Each contact
 *   carries the student's first later message (any kind but service), for "outreach with no reply".
 *
 * Input and output
 * - Duplicate message ids throw (ids are primary keys; a duplicate is a caller bug).
 * - Ties in `sentAt` are broken by `id`. Episodes come out ordered by opening (sentAt, id);
 *   `deriveScopes` orders them by scope (channel, thread; main timeline = thread 0) first.
 * - `handoffMinutes` has no column in `episodes` (it is answered_at − first_bot_reply_at); `negative`
 *   becomes priority `urgent` in SLA evaluation.
 */

import { analyzeScope } from "./episodes/derive";
import type { Episode, ScopeInput, StaffInitiatedContact } from "./episodes/types";

export * from "./episodes/types";
export { effectivePurpose, isQuicklyDeleted, isSubstantive } from "./episodes/addressing";
export { sortMessages, analyzeScope, type ScopeAnalysis } from "./episodes/derive";
export { scopeKey, groupByScope, deriveScopes, compareEpisodes, compareScopes, type ScopeGroup } from "./episodes/scopes";

/** Episodes of one scope, ordered by opening (sentAt, id). */
export function deriveEpisodes(input: ScopeInput): Episode[] {
  return analyzeScope(input).episodes;
}

/** Staff-initiated contacts of one DM scope ([] for other scopes), ordered by time. */
export function staffInitiatedContacts(input: ScopeInput): StaffInitiatedContact[] {
  return analyzeScope(input).contacts;
}
