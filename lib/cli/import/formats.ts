import type { IngestEvent, LmsItemEvent, MessageDeletionEvent, SourceRef } from "../../ingest/types";
import type { Rejection } from "../../ingest/common/import-result";
import { parseTelegramExport } from "../../ingest/telegram";
import { parseSlackExport } from "../../ingest/slack";
import { parseDiscordExport } from "../../ingest/discord";
import { parseMattermostBulkExport } from "../../ingest/mattermost";
import { parsePachcaExport } from "../../ingest/pachca";
import { parseXapiFile, type ValidStatement } from "../../ingest/xapi";
import { parseOpenedxTrackingLog } from "../../ingest/openedx";
import { parseOulad, type OuladFiles } from "../../ingest/oulad";
import { parseEnrollmentsCsv, parseRosterCsv } from "../../ingest/csv";
import type { InputFiles } from "./read-input";

export const importFormats = [
  "telegram-export", "slack-export", "discord-export", "mattermost-export", "pachca-export",
  "xapi", "openedx-tracking", "oulad", "roster", "enrollments",
] as const;
export type ImportFormat = (typeof importFormats)[number];

export interface PrepareOptions {
  /** IANA zone: old Telegram exports (required there), dates without time in CSVs (default: the school's). */
  tz?: string;
  /** The source's external id, to merge a file with the same source followed live (a bot id, a team id). */
  source?: string;
  /** OULAD: start date per presentation ("2013J") or module-presentation ("AAA-2013J"). */
  startDates?: Record<string, string>;
  now: Date;
}

/** What one school receives: events through storeEvents, or xAPI statements through the LRS write. */
export interface Group {
  /** School slug from the file (roster, enrollments); null = the school of the command. */
  school: string | null;
  events: IngestEvent[];
  statements: ValidStatement[];
}

export interface Prepared {
  groups: Group[];
  rejected: Array<{ where: string; reason: string }>;
  ignored: Record<string, number>;
  warnings: string[];
  /** Facts the summary should state: OULAD's anchor dates, chat and channel counts. */
  notes: Record<string, unknown>;
}

/** Which files of a folder or zip each format reads. */
export const wantFiles: Record<ImportFormat, (p: string) => boolean> = {
  "telegram-export": (p) => /\.json$/i.test(p),
  "slack-export": (p) => /\.json$/i.test(p),
  "discord-export": (p) => /\.json$/i.test(p),
  "mattermost-export": (p) => /\.jsonl?$/i.test(p),
  "pachca-export": (p) => /\.json$/i.test(p),
  xapi: (p) => /\.(json|ndjson|jsonl)$/i.test(p),
  "openedx-tracking": (p) => !/\.(gz|zip|bz2)$/i.test(p),
  oulad: (p) => /\.csv$/i.test(p),
  roster: (p) => /\.csv$/i.test(p),
  enrollments: (p) => /\.csv$/i.test(p),
};

const where = (file: string, r: Rejection): string =>
  [file, r.ref, r.line !== undefined ? `line ${r.line}` : undefined, r.index !== undefined ? `#${r.index}` : undefined].filter(Boolean).join(" ");

function addIgnored(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

function empty(): Prepared {
  return { groups: [], rejected: [], ignored: {}, warnings: [], notes: {} };
}

const one = (events: IngestEvent[], statements: ValidStatement[] = []): Group[] => [{ school: null, events, statements }];
const src = (kind: SourceRef["kind"], source: string | undefined) => (source ? { source: { kind, externalId: source } } : {});

/** Per file: JSON files that fail to parse are rejected whole; the others go on. */
function eachJson(files: InputFiles, out: Prepared, fn: (name: string, json: unknown) => void): void {
  for (const [name, text] of files) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      out.rejected.push({ where: name, reason: `not JSON: ${(e as Error).message}` });
      continue;
    }
    fn(name, json);
  }
}

export function prepareImport(format: ImportFormat, files: InputFiles, o: PrepareOptions): Prepared {
  const out = empty();
  const events: IngestEvent[] = [];
  switch (format) {
    case "telegram-export":
      // Throws TelegramExportTimezoneError for an old-layout export without --tz: nothing is imported.
      eachJson(files, out, (name, json) => {
        const r = parseTelegramExport(json, { ...(o.tz ? { tz: o.tz } : {}), ...(o.source ? { sourceExternalId: o.source } : {}) });
        events.push(...r.events);
        out.rejected.push(...r.rejected.map((x) => ({ where: `${name} ${x.ref}`, reason: x.reason })));
        out.warnings.push(...r.warnings);
        out.notes.chats = ((out.notes.chats as number | undefined) ?? 0) + r.chats;
      });
      break;
    case "slack-export": {
      const r = parseSlackExport(files, o.source ? { teamId: o.source } : {});
      events.push(...r.events);
      out.rejected.push(...r.rejected.map((x) => ({ where: x.ref, reason: x.reason })));
      out.warnings.push(...r.warnings);
      out.notes.channels = r.channels;
      out.notes.users = r.users.length;
      break;
    }
    case "discord-export":
      // One file per channel, thread or forum post (DCE): a folder or several files make one import.
      for (const [name, text] of files) {
        const r = parseDiscordExport(text, src("discord", o.source));
        events.push(...r.events);
        out.rejected.push(...r.rejected.map((x) => ({ where: where(name, x), reason: x.reason })));
        addIgnored(out.ignored, r.ignored);
        out.warnings.push(...r.warnings.map((w) => `${name}: ${w}`));
      }
      break;
    case "mattermost-export":
      for (const [name, text] of files) {
        const r = parseMattermostBulkExport(text, src("mattermost", o.source));
        events.push(...r.events);
        out.rejected.push(...r.rejected.map((x) => ({ where: where(name, x), reason: x.reason })));
        addIgnored(out.ignored, r.ignored);
        out.warnings.push(...r.warnings);
        out.notes.channels = r.channels.length;
      }
      break;
    case "pachca-export": {
      const r = parsePachcaExport(files, src("pachca", o.source));
      events.push(...r.events);
      out.rejected.push(...r.rejected.map((x) => ({ where: where("", x), reason: x.reason })));
      addIgnored(out.ignored, r.ignored);
      out.warnings.push(...r.warnings);
      out.notes.chats = r.chats.length;
      break;
    }
    case "xapi": {
      const statements: ValidStatement[] = [];
      for (const [name, text] of files) {
        const r = parseXapiFile(text, { now: o.now });
        statements.push(...r.statements);
        out.rejected.push(...r.errors.map((e) => ({ where: `${name}${e.line !== undefined ? ` line ${e.line}` : ""}${e.id ? ` ${e.id}` : ""}`, reason: e.reason })));
      }
      out.groups = one([], statements);
      return out;
    }
    case "openedx-tracking":
      for (const [name, text] of files) {
        const r = parseOpenedxTrackingLog(text, src("openedx", o.source));
        events.push(...r.events);
        const source: SourceRef = { kind: "openedx", externalId: o.source ?? "openedx" };
        events.push(...r.unattributedDeletes.map((d): MessageDeletionEvent => ({ type: "message_deletion", source, channelExternalId: d.channelId, externalId: d.messageId, deletedAt: d.deletedAt })));
        out.rejected.push(...r.rejected.map((x) => ({ where: where(name, x), reason: x.reason })));
        addIgnored(out.ignored, r.ignored);
        out.warnings.push(...r.warnings);
      }
      break;
    case "oulad":
      return prepareOulad(files, o, out);
    case "roster": {
      for (const [name, text] of files) {
        const r = parseRosterCsv(text);
        for (const row of r.rows) groupFor(out, row.school).events.push(row.event);
        out.rejected.push(...r.rejected.map((x) => ({ where: where(name, x), reason: x.reason })));
        out.warnings.push(...r.warnings);
      }
      return out;
    }
    case "enrollments": {
      for (const [name, text] of files) {
        const r = parseEnrollmentsCsv(text, { ...(o.tz ? { timeZone: o.tz } : {}), ...(o.source ? { source: { kind: "lms_csv", externalId: o.source } } : {}) });
        for (const row of r.rows) groupFor(out, row.school ?? null).events.push(row.event);
        out.rejected.push(...r.rejected.map((x) => ({ where: where(name, x), reason: x.reason })));
        out.warnings.push(...r.warnings);
      }
      return out;
    }
  }
  out.groups = one(events);
  return out;
}

function groupFor(out: Prepared, school: string | null): Group {
  let g = out.groups.find((x) => x.school === school);
  if (!g) {
    g = { school, events: [], statements: [] };
    out.groups.push(g);
  }
  return g;
}

const OULAD_TABLES: Record<string, keyof OuladFiles> = {
  "courses.csv": "courses", "assessments.csv": "assessments", "studentinfo.csv": "studentInfo", "studentregistration.csv": "studentRegistration",
  "studentassessment.csv": "studentAssessment", "vle.csv": "vle",
};
/** OULAD assessment types → lms_items kinds: tutor-marked → assignment, computer-marked → test. */
const ITEM_KIND: Record<string, LmsItemEvent["kind"]> = { TMA: "assignment", CMA: "test", Exam: "exam" };

/**
 * The OULAD folder as distributed (../shared/data/oulad): the seven tables by name, the click stream as
 * `studentVle*.csv` (the full 10M-row file or an excerpt). Other CSVs (derived features) are not tables
 * of the dataset and are reported as ignored. Day offsets are anchored to start dates (README of the
 * adapter): the summary states the date used for each presentation.
 */
function prepareOulad(files: InputFiles, o: PrepareOptions, out: Prepared): Prepared {
  const picked: Partial<OuladFiles> = {};
  for (const [name, text] of files) {
    const base = name.split("/").pop()?.toLowerCase() ?? "";
    const table = OULAD_TABLES[base];
    if (table) picked[table] = text;
    else if (/^studentvle.*\.csv$/.test(base)) picked.studentVle = text;
    else out.ignored[`${name}: not an OULAD table`] = 1;
  }
  const missing = (["courses", "assessments", "studentInfo", "studentRegistration", "studentAssessment", "vle"] as const).filter((k) => picked[k] === undefined);
  if (missing.length > 0) throw new Error(`OULAD folder lacks ${missing.map((m) => `${m}.csv`).join(", ")}`);
  const r = parseOulad(picked as OuladFiles, o.startDates ? { startDates: o.startDates } : {});
  const source: SourceRef = { kind: "oulad", externalId: "oulad", name: "OULAD" };
  const course = new Map(r.cohorts.map((c) => [c.externalId, c.course]));
  // The schedule last: it names cohorts, which the enrollments before it create with their dates
  // (a cohort created bare by a schedule would never get them: cohorts are inserted once).
  const items: LmsItemEvent[] = r.assessments.map((a) => ({
    type: "lms_item", source, courseExternalId: course.get(a.cohort) ?? a.cohort.split("-")[0] ?? a.cohort, cohortExternalId: a.cohort,
    externalId: a.id, kind: ITEM_KIND[a.type] ?? "other", title: `${a.type} ${a.id}`,
    // Day-level like every OULAD date: noon UTC of the due day (adapter README).
    ...(a.dueOn ? { dueAt: new Date(`${a.dueOn}T12:00:00Z`) } : {}), ...(a.weight !== undefined ? { weight: a.weight } : {}),
  }));
  out.groups = one([...r.events, ...items]);
  out.rejected.push(...r.rejected.map((x) => ({ where: where("", x), reason: x.reason })));
  out.warnings.push(...r.warnings);
  out.notes.startDates = Object.fromEntries(r.cohorts.map((c) => [c.externalId, c.startsOn]));
  out.notes.startDatesRule = o.startDates ? "given with --start-dates, else <year>B → Feb 1, <year>J → Oct 1" : "<year>B → <year>-02-01, <year>J → <year>-10-01 (pass --start-dates to change)";
  return out;
}
