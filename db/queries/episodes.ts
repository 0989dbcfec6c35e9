/**
 * Episode derivation against the database (ARCHITECTURE.md, data flow step 4): recompute the episodes of
 * dirty (or all, or given) scopes with lib/metrics/episodes and lib/metrics/sla, link ratings to them,
 * and compute staff-initiated DM contacts. The parts live in db/queries/episodes/.
 */
export { recomputeEpisodes, type RecomputeOptions, type RecomputeResult } from "./episodes/recompute";
export { staffContactsBetween } from "./episodes/contacts";
export { loadSchoolContext, loadCalendars, ROLE_PRECEDENCE, type SchoolContext } from "./episodes/context";
export { choosePolicy, slaColumns, priorityOf, episodeRow, type EpisodeInsert, type SlaColumns } from "./episodes/evaluate";
export { listScopes, batchScopes, scopeSet, type ScopeRef, type ScopeCount } from "./episodes/load";
export { linkRatings } from "./episodes/ratings";
