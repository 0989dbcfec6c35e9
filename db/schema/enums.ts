import { pgEnum } from "drizzle-orm/pg-core";

// The vocabulary of METRICS.md. Adding a value is a migration; renaming one is a decision (docs/adr).
export const sourceKind = pgEnum("source_kind", ["telegram", "slack", "discord", "mattermost", "pachca", "xapi", "openedx", "lms_csv", "oulad", "demo"]);
export const roleKind = pgEnum("role_kind", ["student", "coordinator", "mentor", "reviewer", "support", "team_lead", "bot"]);
export const channelKind = pgEnum("channel_kind", ["group", "channel", "forum", "dm"]);
export const channelPurpose = pgEnum("channel_purpose", ["support", "community", "announcements", "ignored"]);
export const attributionMode = pgEnum("attribution_mode", ["strict", "fifo"]);
export const threadKind = pgEnum("thread_kind", ["thread", "forum_topic", "reply_chain"]);
export const contentKind = pgEnum("content_kind", ["text", "sticker", "media", "service"]);
export const messageCategory = pgEnum("message_category", ["organisational", "content", "technical", "emotional", "other"]);
export const enrollmentStatus = pgEnum("enrollment_status", ["active", "completed", "withdrawn", "paused", "frozen", "transferred"]);
export const ratingKind = pgEnum("rating_kind", ["csat", "nps"]);
export const clockKind = pgEnum("clock_kind", ["business", "calendar"]);
export const priorityKind = pgEnum("priority_kind", ["urgent", "normal", "low"]);
export const episodeKind = pgEnum("episode_kind", ["first", "next"]);
export const episodeStatus = pgEnum("episode_status", ["open", "answered", "resolved_by_bot", "abandoned"]);
export const calendarDayKind = pgEnum("calendar_day_kind", ["holiday", "workday"]);
export const userRole = pgEnum("user_role", ["admin", "head", "team_lead", "executive", "staff"]);
export const lmsItemKind = pgEnum("lms_item_kind", ["assignment", "test", "webinar", "exam", "lesson", "other"]);
