import "server-only";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { getDb, type Db } from "../../db/client";
import { applyConfig, type ApplyConfigResult } from "../../db/queries/config";
import { storeEvents } from "../../db/queries/ingest";
import { settingsReport, type SettingsData } from "../../db/queries/reports/settings";
import { audit } from "../../db/queries/users";
import { ConfigError, type ConfigIssue } from "../config/issues";
import type { SchoolConfigInput } from "../config/schema";
import { csvResponse, toCsv } from "../csv";
import { parseRosterCsv } from "../ingest/csv";
import { roles, sourceKinds } from "../ingest/types";
import { setSourceRatingPolicy } from "../../db/queries/rating-requests";
import { setSourceSecret } from "../../db/queries/sources";
import { parseCalendarCsv, parseHolidayIcs } from "../metrics/calendar-import";
import { ratingPolicySchema } from "../ratings/policy";
import { requireAccess } from "./access";
import { scheduleDerive } from "./derive";
import { forgetWebhookSources } from "./webhooks";
import { guardApi } from "./exports";
import { AccessError } from "./session";

export type { SettingsData, ApplyConfigResult, ConfigIssue };

export interface SettingsPageData extends SettingsData {
  /** Per-field edits and the roster upload are for admins; heads read and apply documents as before. */
  canEdit: boolean;
}

/** Admin and head open the page (lib/dal/access.ts PAGE_ROLES.settings); only admins change single fields or upload a roster. */
export async function getSettings(q: { school?: string }): Promise<SettingsPageData> {
  const a = await requireAccess({ school: q.school, page: "settings" });
  const { db } = await getDb();
  return { ...(await settingsReport(db, a.school)), canEdit: a.role === "admin" };
}

async function requireAdmin(slug: string | undefined) {
  const a = await requireAccess({ school: slug, page: "settings" });
  if (a.role !== "admin") throw new AccessError(403, "only admins change single settings or upload a roster");
  return a;
}

export type ApplyOutcome = { ok: true; result: ApplyConfigResult } | { ok: false; issues: ConfigIssue[] };

/**
 * The non-session part: parses a config document (JSON text), applies it, and records an audit entry
 * either way. Calendar `files` are refused: a document pasted in the browser may not read server files.
 */
export async function applyConfigText(db: Db, e: { schoolId: number; userId: number | null; text: string }): Promise<ApplyOutcome> {
  let input: unknown;
  try {
    input = JSON.parse(e.text);
  } catch (err) {
    const outcome: ApplyOutcome = { ok: false, issues: [{ path: "", message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` }] };
    await auditOutcome(db, e, outcome, "config.apply", {});
    return outcome;
  }
  return applyDocument(db, e, input, "config.apply", {});
}

/** One path for the document and the per-field forms: validate and apply in one transaction, audit either way. */
async function applyDocument(
  db: Db,
  e: { schoolId: number; userId: number | null },
  input: unknown,
  action: string,
  details: Record<string, unknown>,
  // Only the calendar upload hands a file in (its own bytes, already parsed once for line errors).
  readFile?: (absolutePath: string) => string,
): Promise<ApplyOutcome> {
  let outcome: ApplyOutcome;
  try {
    const result = await applyConfig(db, e.schoolId, input, {
      readFile:
        readFile ??
        (() => {
          throw new Error("calendar files are not read from the settings page; use `npm run cli -- config apply` or inline holidays");
        }),
    });
    outcome = { ok: true, result };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    outcome = { ok: false, issues: [...err.issues] };
  }
  await auditOutcome(db, e, outcome, action, details);
  return outcome;
}

async function auditOutcome(db: Db, e: { schoolId: number; userId: number | null }, outcome: ApplyOutcome, action: string, details: Record<string, unknown>) {
  await audit(db, {
    userId: e.userId,
    schoolId: e.schoolId,
    action: outcome.ok ? action : "config.refused",
    target: "settings",
    details: outcome.ok ? { ...details, ...outcome.result } : { ...details, issues: outcome.issues.slice(0, 50) },
  });
}

/** For the settings form: re-checks the viewer's role at the school, then applies. */
export async function applySettingsConfig(slug: string | undefined, text: string): Promise<ApplyOutcome> {
  const a = await requireAccess({ school: slug, page: "settings" });
  const { db } = await getDb();
  return applyConfigText(db, { schoolId: a.school.id, userId: a.viewer.userId, text });
}

// ---- Per-field edits: each becomes a small config document and goes through applyConfig, like the JSON one.

/** A form field: "" = leave as it is, "-" = clear, anything else = the value. */
const KEEP = "";
const CLEAR = "-";
const keepClear = <T extends z.ZodType>(v: T) => z.union([z.literal(KEEP), z.literal(CLEAR), v]);
const numberField = z.string().trim().regex(/^(?:-|\d+(?:[.,]\d+)?)?$/, "a number, or - to clear");

export const fieldEditSchema = z.discriminatedUnion("field", [
  z.object({
    field: z.literal("channel"),
    source: z.enum(sourceKinds),
    sourceExternalId: z.string().min(1),
    externalId: z.string().min(1),
    ownerRole: keepClear(z.enum(roles)),
    cohort: keepClear(z.string().min(1)),
    attribution: z.union([z.literal(KEEP), z.enum(["strict", "fifo"])]),
    purpose: z.union([z.literal(KEEP), z.enum(["support", "community", "announcements", "ignored"])]),
  }),
  z.object({ field: z.literal("capacity"), email: z.email(), episodesPerHour: numberField, maxStudents: numberField }),
  z.object({ field: z.literal("policy"), name: z.string().min(1), targetMinutes: z.string().trim().regex(/^\d+$/, "a whole number of minutes") }),
  // Not a config-document section (sources are registered by the CLI): validated by its own schema below.
  z.object({
    field: z.literal("ratings"),
    source: z.enum(["telegram", "slack", "discord", "mattermost", "pachca"]),
    sourceExternalId: z.string().min(1),
    // Checkboxes: present ("on") when ticked, absent otherwise.
    enabled: z.literal("on").optional(),
    askInDms: z.literal("on").optional(),
    minHoursBetweenAsks: z.string().trim().regex(/^\d+(?:[.,]\d+)?$/, "a number of hours"),
    maxAgeHours: z.string().trim().regex(/^\d+(?:[.,]\d+)?$/, "a number of hours"),
    delayMinutes: z.string().trim().regex(/^\d+$/, "a whole number of minutes"),
  }),
]);
export type FieldEdit = z.output<typeof fieldEditSchema>;

const num = (s: string): number | null => (s === "" || s === CLEAR ? null : Number(s.replace(",", ".")));

/**
 * The config document a field edit stands for. A capacity edit restates both numbers (the section's
 * rule: null clears), so the form shows the current ones. A policy edit restates the whole policy list,
 * because a present `slaPolicies` is the complete list (docs/config.md): only the target changes.
 */
export function fieldDocument(edit: Exclude<FieldEdit, { field: "ratings" }>, current: SettingsData): { ok: true; doc: SchoolConfigInput } | { ok: false; issues: ConfigIssue[] } {
  if (edit.field === "channel") {
    const ch: NonNullable<SchoolConfigInput["channels"]>[number] = { source: edit.source, sourceExternalId: edit.sourceExternalId, externalId: edit.externalId };
    if (edit.ownerRole !== KEEP) ch.ownerRole = edit.ownerRole === CLEAR ? null : edit.ownerRole;
    if (edit.cohort !== KEEP) ch.cohort = edit.cohort === CLEAR ? null : edit.cohort;
    if (edit.attribution !== KEEP) ch.attribution = edit.attribution;
    if (edit.purpose !== KEEP) ch.purpose = edit.purpose;
    if (Object.keys(ch).length === 3) return { ok: false, issues: [{ path: "channels[0]", message: "nothing to change: pick at least one field" }] };
    return { ok: true, doc: { channels: [ch] } };
  }
  if (edit.field === "capacity") return { ok: true, doc: { capacities: [{ email: edit.email, episodesPerHour: num(edit.episodesPerHour), maxStudents: num(edit.maxStudents) }] } };
  if (!current.policies.some((p) => p.name === edit.name)) return { ok: false, issues: [{ path: "slaPolicies", message: `no policy named "${edit.name}"` }] };
  return {
    ok: true,
    doc: {
      slaPolicies: current.policies.map((p) => ({
        name: p.name,
        ownerRole: p.ownerRole as (typeof roles)[number] | null,
        channelKind: p.channelKind as "group" | "channel" | "forum" | "dm" | null,
        priority: p.priority as "urgent" | "normal" | "low" | null,
        targetMinutes: p.name === edit.name ? Number(edit.targetMinutes) : p.targetMinutes,
        clock: p.clock as "business" | "calendar",
        calendar: p.calendar,
        active: p.active,
      })),
    },
  };
}

/** The non-session part of a field edit (tests call it): validate the form, build the document, apply, audit. */
export async function applyFieldEdit(db: Db, e: { school: { id: number; slug: string }; userId: number | null; form: Record<string, string> }): Promise<ApplyOutcome> {
  const parsed = fieldEditSchema.safeParse(e.form);
  if (!parsed.success) {
    const outcome: ApplyOutcome = { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) };
    await auditOutcome(db, { schoolId: e.school.id, userId: e.userId }, outcome, "config.field", { form: e.form });
    return outcome;
  }
  if (parsed.data.field === "ratings") return applyRatingPolicy(db, e, parsed.data);
  const built = fieldDocument(parsed.data, await settingsReport(db, e.school));
  if (!built.ok) {
    const outcome: ApplyOutcome = { ok: false, issues: built.issues };
    await auditOutcome(db, { schoolId: e.school.id, userId: e.userId }, outcome, "config.field", { edit: parsed.data });
    return outcome;
  }
  return applyDocument(db, { schoolId: e.school.id, userId: e.userId }, built.doc, "config.field", { edit: parsed.data });
}

/**
 * A source's rating-request policy (docs/ratings.md), validated by lib/ratings/policy.ts. Its per-channel
 * switches are not on the form and are kept as they are. Audited as `source.ratings` (or `config.refused`).
 */
async function applyRatingPolicy(db: Db, e: { school: { id: number; slug: string }; userId: number | null }, edit: Extract<FieldEdit, { field: "ratings" }>): Promise<ApplyOutcome> {
  const who = { schoolId: e.school.id, userId: e.userId };
  const current = (await settingsReport(db, e.school)).sources.find((s) => s.kind === edit.source && s.externalId === edit.sourceExternalId);
  const refuse = async (issues: ConfigIssue[]) => {
    const outcome: ApplyOutcome = { ok: false, issues };
    await auditOutcome(db, who, outcome, "source.ratings", { edit });
    return outcome;
  };
  if (!current) return refuse([{ path: "source", message: `no ${edit.source} source ${edit.sourceExternalId}` }]);
  const policy = ratingPolicySchema.safeParse({
    enabled: edit.enabled === "on",
    askInDms: edit.askInDms === "on",
    minHoursBetweenAsks: Number(edit.minHoursBetweenAsks.replace(",", ".")),
    maxAgeHours: Number(edit.maxAgeHours.replace(",", ".")),
    delayMinutes: Number(edit.delayMinutes),
    channels: current.ratings.ok ? current.ratings.policy.channels : {},
  });
  if (!policy.success) return refuse(policy.error.issues.map((i) => ({ path: ["ratings", ...i.path.map(String)].join("."), message: i.message })));
  await setSourceRatingPolicy(db, e.school.id, edit.source, edit.sourceExternalId, policy.data);
  const outcome: ApplyOutcome = { ok: true, result: { calendars: 0, policies: 0, policiesDeactivated: 0, channels: 0, capacities: 0, roleLabels: 0, dirtyScopes: 0, warnings: [] } };
  await auditOutcome(db, who, outcome, "source.ratings", { edit, policy: policy.data });
  return outcome;
}

export async function editSettingsField(slug: string | undefined, form: Record<string, string>): Promise<ApplyOutcome> {
  const a = await requireAdmin(slug);
  const { db } = await getDb();
  return applyFieldEdit(db, { school: a.school, userId: a.viewer.userId, form });
}

// ---- Roster upload: the CLI's importer, but all or nothing.

// Under the 1 MB body limit of server actions (next.config.ts sets none larger), with room for the form.
export const MAX_ROSTER_BYTES = 900_000;

export type RosterOutcome =
  | { ok: true; rows: number; stored: number; updated: number; duplicates: number; warnings: string[] }
  | { ok: false; errors: Array<{ line: number | null; reason: string }> };

/**
 * The whole file is validated first (every bad line reported with its number, rows of another school
 * included); with any error nothing is written. Otherwise one storeEvents transaction writes it all.
 */
export async function importRosterText(db: Db, e: { school: { id: number; slug: string }; userId: number | null; text: string; fileName?: string }): Promise<RosterOutcome> {
  const outcome = await importRoster(db, e);
  await audit(db, {
    userId: e.userId,
    schoolId: e.school.id,
    action: outcome.ok ? "roster.import" : "roster.refused",
    target: "settings",
    details: outcome.ok ? { file: e.fileName ?? null, rows: outcome.rows, stored: outcome.stored, updated: outcome.updated, duplicates: outcome.duplicates } : { file: e.fileName ?? null, errors: outcome.errors.slice(0, 50) },
  });
  return outcome;
}

async function importRoster(db: Db, e: { school: { id: number; slug: string }; text: string }): Promise<RosterOutcome> {
  if (Buffer.byteLength(e.text) > MAX_ROSTER_BYTES) return { ok: false, errors: [{ line: null, reason: `the file is over ${MAX_ROSTER_BYTES / 1000} kB; import it with \`npm run cli -- import roster\`` }] };
  if (e.text.trim() === "") return { ok: false, errors: [{ line: null, reason: "the file is empty" }] };
  const r = parseRosterCsv(e.text);
  const errors: Array<{ line: number | null; reason: string }> = r.rejected.map((x) => ({ line: x.line ?? null, reason: x.reason }));
  // A roster names its school per line; on this page it can only be the page's school.
  for (const row of r.rows) if (row.school !== e.school.slug) errors.push({ line: row.line, reason: `school "${row.school}" is not this school ("${e.school.slug}")` });
  if (errors.length === 0 && r.rows.length === 0) errors.push({ line: null, reason: "no roster lines" });
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  const stored = await storeEvents(db, e.school.id, r.rows.map((x) => x.event), { allOrNothing: true });
  if (stored.rejected.length > 0) return { ok: false, errors: stored.rejected.map((x) => ({ line: r.rows[x.index]?.line ?? null, reason: x.reason })) };
  // Roles decide who is a student: scopes the store marked (merged people) are derived again.
  if (stored.stored + stored.updated > 0) scheduleDerive(db, e.school.id);
  return { ok: true, rows: r.rows.length, stored: stored.stored, updated: stored.updated, duplicates: stored.duplicates, warnings: r.warnings };
}

export async function uploadRoster(slug: string | undefined, text: string, fileName: string | undefined): Promise<RosterOutcome> {
  const a = await requireAdmin(slug);
  const { db } = await getDb();
  return importRosterText(db, { school: a.school, userId: a.viewer.userId, text, fileName });
}

// ---- A source's webhook secret: set or rotated by an admin, shown once.

/** The sources whose webhooks verify a shared secret (lib/dal/webhooks.ts adapters). */
export const SECRET_SOURCES = ["telegram", "slack", "discord", "mattermost", "pachca"] as const;

export const secretFormSchema = z
  .object({
    source: z.enum(SECRET_SOURCES),
    sourceExternalId: z.string().min(1),
    /** "generate" = a new random secret (rotation); "set" = the one the messenger gave (Slack's signing secret). */
    mode: z.enum(["generate", "set"]),
    secret: z.string().optional(),
  })
  .superRefine((f, ctx) => {
    if (f.mode !== "set") return;
    const v = (f.secret ?? "").trim();
    // Telegram's secret_token allows only A–Z, a–z, 0–9, _ and - (Bot API setWebhook), 1–256 characters;
    // the others are HMAC keys: any printable characters. 16 is a floor against a guessable secret.
    const ok = f.source === "telegram" ? /^[A-Za-z0-9_-]{16,256}$/.test(v) : /^[\x21-\x7E]{16,256}$/.test(v);
    if (!ok) ctx.addIssue({ code: "custom", path: ["secret"], message: f.source === "telegram" ? "16–256 characters: letters, digits, _ and - (Telegram's rule)" : "16–256 printable characters, no spaces" });
  });

export type SecretOutcome = { ok: true; source: string; sourceExternalId: string; secret: string; generated: boolean } | { ok: false; issues: ConfigIssue[] };

/** 32 random bytes, base64url: 43 characters that Telegram's secret_token and every HMAC accept. */
export const generateSecret = (): string => randomBytes(32).toString("base64url");

/**
 * The non-session part of the secret form (tests call it): validate, store where the webhook reads it
 * (sources.settings.secret), audit as `source.secret` naming the source and never the secret. The new
 * secret is in the answer once, for the admin to copy into the messenger; the page never reads it back.
 */
export async function applySourceSecret(db: Db, e: { school: { id: number; slug: string }; userId: number | null; form: Record<string, string> }, generate: () => string = generateSecret): Promise<SecretOutcome> {
  const parsed = secretFormSchema.safeParse(e.form);
  const refuse = async (issues: ConfigIssue[], details: Record<string, unknown>): Promise<SecretOutcome> => {
    await audit(db, { userId: e.userId, schoolId: e.school.id, action: "source.secret.refused", target: "settings", details: { ...details, issues } });
    return { ok: false, issues };
  };
  if (!parsed.success) {
    return refuse(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })), { source: e.form.source ?? null, sourceExternalId: e.form.sourceExternalId ?? null });
  }
  const f = parsed.data;
  const who = { source: f.source, sourceExternalId: f.sourceExternalId };
  const secret = f.mode === "generate" ? generate() : (f.secret ?? "").trim();
  if (!(await setSourceSecret(db, e.school.id, f.source, f.sourceExternalId, secret))) return refuse([{ path: "source", message: `no ${f.source} source ${f.sourceExternalId}` }], who);
  // The webhook path keeps sources for SOURCE_TTL_MS (lib/server/webhook-core.ts). The cache lives on
  // globalThis, so this clears it for the Next route and the plain ingest handler of server/main.ts alike:
  // the old secret stops at once in this process (another process, e.g. the CLI, within the TTL).
  forgetWebhookSources(db);
  await audit(db, { userId: e.userId, schoolId: e.school.id, action: "source.secret", target: "settings", details: { ...who, generated: f.mode === "generate" } });
  return { ok: true, ...who, secret, generated: f.mode === "generate" };
}

export async function setSourceSecretForm(slug: string | undefined, form: Record<string, string>): Promise<SecretOutcome> {
  const a = await requireAdmin(slug);
  const { db } = await getDb();
  return applySourceSecret(db, { school: a.school, userId: a.viewer.userId, form });
}

// ---- A holiday calendar file (.ics or CSV) for one calendar: validated whole, applied as a config document.

export type CalendarFileOutcome =
  | { ok: true; calendar: string; holidays: number; workdays: number; result: ApplyConfigResult }
  | { ok: false; errors: Array<{ line: number | null; reason: string }> };

const DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** A stored calendar's week as the document's `weekly` (intervals are stored split at midnight already). */
function weeklyOf(intervals: SettingsData["calendars"][number]["intervals"]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of intervals) {
    const key = DAY_KEYS[i.weekday - 1];
    if (key) (out[key] ??= []).push(`${hm(i.startMinute)}-${hm(i.endMinute)}`);
  }
  return out;
}

/**
 * Validates the whole file with the CLI's parsers (every bad line or event with its line number; any
 * error refuses the file and writes nothing), then applies it through the same config path as the JSON
 * document: the calendar restated (zone, default, hours) with the file in `files` and the days it
 * already had as inline entries, so the file adds and replaces days but removes none. A date in both
 * takes the file's kind and note. Audited as `calendar.import` / `calendar.refused`.
 */
export async function importCalendarFile(db: Db, e: { school: { id: number; slug: string }; userId: number | null; calendar: string; text: string; fileName: string }): Promise<CalendarFileOutcome> {
  const refuse = async (errors: Array<{ line: number | null; reason: string }>): Promise<CalendarFileOutcome> => {
    await audit(db, { userId: e.userId, schoolId: e.school.id, action: "calendar.refused", target: "settings", details: { calendar: e.calendar, file: e.fileName, errors: errors.slice(0, 50) } });
    return { ok: false, errors };
  };
  const lower = e.fileName.toLowerCase();
  const format = lower.endsWith(".ics") || lower.endsWith(".ical") ? "ics" : lower.endsWith(".csv") ? "csv" : null;
  if (format === null) return refuse([{ line: null, reason: "expected an iCalendar (.ics) or CSV (.csv) file" }]);
  if (Buffer.byteLength(e.text) > MAX_ROSTER_BYTES) return refuse([{ line: null, reason: `the file is over ${MAX_ROSTER_BYTES / 1000} kB; apply it with \`npm run cli -- config apply\`` }]);
  if (e.text.trim() === "") return refuse([{ line: null, reason: "the file is empty" }]);
  const parsed = format === "ics" ? parseHolidayIcs(e.text) : parseCalendarCsv(e.text);
  if (!parsed.ok) return refuse(parsed.errors.map((x) => ({ line: x.line, reason: x.message })));
  if (parsed.days.length === 0) return refuse([{ line: null, reason: "no days in the file" }]);
  const current = (await settingsReport(db, e.school)).calendars.find((c) => c.name === e.calendar);
  if (!current) return refuse([{ line: null, reason: `no calendar named "${e.calendar}"` }]);
  const fromFile = new Set(parsed.days.map((d) => d.day));
  const kept = current.days.filter((d) => !fromFile.has(d.day));
  // The file's own name only labels errors; resolve() joins it to a base folder, so keep it a bare name.
  const name = `upload.${format}`;
  const doc: SchoolConfigInput = {
    calendars: [
      {
        name: current.name,
        timezone: current.timezone,
        default: current.isDefault,
        weekly: weeklyOf(current.intervals),
        files: [{ path: name, format }],
        holidays: kept.filter((d) => d.kind === "holiday").map((d) => (d.note === null ? d.day : { date: d.day, note: d.note })),
        workdays: kept.filter((d) => d.kind === "workday").map((d) => ({ date: d.day, ...(d.asWeekday === null ? {} : { asWeekday: d.asWeekday }), ...(d.note === null ? {} : { note: d.note }) })),
      },
    ],
  };
  const details = { calendar: current.name, file: e.fileName, format, days: parsed.days.length };
  const outcome = await applyDocument(db, { schoolId: e.school.id, userId: e.userId }, doc, "calendar.import", details, (p) => {
    if (!p.endsWith(name)) throw new Error(`only the uploaded file can be read, not ${p}`);
    return e.text;
  });
  if (!outcome.ok) return { ok: false, errors: outcome.issues.map((i) => ({ line: null, reason: `${i.path}: ${i.message}` })) };
  return { ok: true, calendar: current.name, holidays: parsed.holidays.size, workdays: parsed.workdays.size, result: outcome.result };
}

export async function uploadCalendarFile(slug: string | undefined, calendar: string, text: string, fileName: string): Promise<CalendarFileOutcome> {
  const a = await requireAdmin(slug);
  const { db } = await getDb();
  return importCalendarFile(db, { school: a.school, userId: a.viewer.userId, calendar, text, fileName });
}

// ---- CSV of each settings table: raw values (enum names, ids), so a file can be compared or re-applied.

export const SETTINGS_TABLES = ["sources", "calendars", "calendar-days", "policies", "channels", "role-labels", "teams", "unmapped"] as const;
export type SettingsTable = (typeof SETTINGS_TABLES)[number];

export function settingsCsv(d: SettingsData, table: SettingsTable): string {
  switch (table) {
    case "sources":
      return toCsv(["kind", "external_id", "name", "store_group_text", "secret_set", "webhook_url"], d.sources.map((s) => [s.kind, s.externalId, s.name, String(s.storeGroupText), String(s.secretSet), s.webhookUrl]));
    case "calendars":
      return toCsv(
        ["name", "timezone", "default", "weekday", "start", "end", "holidays"],
        d.calendars.flatMap((c) => (c.intervals.length ? c.intervals : [null]).map((i) => [c.name, c.timezone, String(c.isDefault), i?.weekday ?? "", i ? hhmm(i.startMinute) : "", i ? hhmm(i.endMinute) : "", c.holidays])),
      );
    case "calendar-days":
      return toCsv(["calendar", "day", "kind", "as_weekday", "note"], d.calendars.flatMap((c) => c.days.map((x) => [c.name, x.day, x.kind, x.asWeekday, x.note])));
    case "policies":
      return toCsv(["name", "owner_role", "channel_kind", "priority", "target_minutes", "clock", "calendar", "active"], d.policies.map((p) => [p.name, p.ownerRole, p.channelKind, p.priority, p.targetMinutes, p.clock, p.calendar, String(p.active)]));
    case "channels":
      return toCsv(
        ["source", "source_external_id", "external_id", "title", "kind", "purpose", "owner_role", "owner", "owner_email", "cohort", "cohort_external_id", "attribution"],
        d.channels.map((c) => [c.source, c.sourceExternalId, c.externalId, c.title, c.kind, c.purpose, c.ownerRole, c.owner, c.ownerEmail, c.cohort, c.cohortExternalId, c.attribution]),
      );
    case "role-labels":
      return toCsv(["role", "locale", "label"], d.roleLabels.map((r) => [r.role, r.locale, r.label]));
    case "teams":
      return toCsv(["team", "lead", "member", "email", "episodes_per_hour", "max_students"], d.teams.flatMap((t) => t.members.map((m) => [t.name, t.lead, m.name, m.email, m.episodesPerHour, m.maxStudents])));
    case "unmapped":
      return toCsv(["source", "source_external_id", "external_id", "display_name", "username", "messages"], d.unmapped.map((u) => [u.source, u.sourceExternalId, u.externalId, u.displayName, u.username, u.messages]));
  }
}

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

export function exportSettingsCsv(q: { school?: string; table?: string }): Promise<Response> {
  return guardApi(async () => {
    const table = SETTINGS_TABLES.find((t) => t === q.table);
    if (!table) return Response.json({ error: `table: one of ${SETTINGS_TABLES.join(", ")}` }, { status: 400 });
    const a = await requireAccess({ school: q.school, page: "settings" });
    const { db } = await getDb();
    const d = await settingsReport(db, a.school);
    await audit(db, { userId: a.viewer.userId, schoolId: a.school.id, action: "export.csv", target: `settings-${table}` });
    return csvResponse(`settings-${table}-${a.school.slug}.csv`, settingsCsv(d, table));
  });
}
