import { createHash } from "node:crypto";
import type { z } from "zod";
import { isRecord } from "../common/import-result";
import { parseIsoInstant } from "../common/iso-instant";
import { readJsonValues } from "../common/json-values";
import { zodReason } from "../common/zod-reason";
import { statementsEqual } from "./equal";
import { statementSchema, type XapiVersion } from "./schema";

export type XapiStatement = z.infer<ReturnType<typeof statementSchema>>;

export interface ValidStatement {
  /** Lower-cased UUID: the statement's own, the PUT statementId, or one derived from the content. */
  id: string;
  /** True when the statement came without an id and the id was derived (an LRS must assign one). */
  idAssigned: boolean;
  version: XapiVersion;
  timestamp: Date;
  /** True when the statement had no timestamp: the LRS sets it to the time it stored the statement. */
  timestampAssigned: boolean;
  /** Parsed and normalised (defaulted objectTypes). */
  statement: XapiStatement;
  /** As received, for storage and for the 409 comparison. */
  raw: Record<string, unknown>;
}

export interface XapiStatementError {
  index: number;
  /** Line in a file, for parseXapiFile. */
  line?: number;
  id?: string;
  reason: string;
}

export interface XapiParseOptions {
  /** The request's X-Experience-API-Version header; default 1.0.3. */
  version?: string | null;
  /** Receipt time: the timestamp of statements that have none (the LRS's "stored"). */
  now: Date;
  /** PUT /statements?statementId=…: the id the statement must have. */
  statementId?: string;
}

export interface XapiParseResult {
  statements: ValidStatement[];
  errors: XapiStatementError[];
}

export const VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided";

function versionOf(v: string | null | undefined): XapiVersion | null {
  if (v === null || v === undefined || v === "") return "1.0";
  if (/^1\.0(\.\d+)?$/.test(v)) return "1.0";
  if (/^2\.0(\.\d+)?$/.test(v)) return "2.0";
  return null;
}

/** xAPI rejects null anywhere except inside extensions (xAPI-Data 2.2.s4.b1.b1). */
function findNull(v: unknown, path: string): string | null {
  if (v === null) return path || "statement";
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findNull(v[i], `${path}[${i}]`);
      if (hit) return hit;
    }
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === "extensions") continue;
      const hit = findNull(x, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return null;
}

/** A UUID (version 8, RFC 9562 "custom") from a digest of the statement, so a retried POST gets the same id. */
function derivedId(raw: unknown): string {
  const h = createHash("sha256").update(canonicalJson(raw)).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isRecord(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

function checkOne(raw: unknown, index: number, header: XapiVersion, opts: XapiParseOptions): ValidStatement | XapiStatementError {
  if (!isRecord(raw)) return { index, reason: "a statement must be a JSON object" };
  const givenId = typeof raw.id === "string" ? raw.id : undefined;
  const err = (reason: string): XapiStatementError => ({ index, ...(givenId ? { id: givenId } : {}), reason });
  const nullAt = findNull(raw, "");
  if (nullAt) return err(`${nullAt}: null is not allowed outside extensions`);
  const own = typeof raw.version === "string" ? versionOf(raw.version) : header;
  if (!own || (typeof raw.version === "string" && !/^\d+\.\d+\.\d+$/.test(raw.version))) return err(`version "${String(raw.version)}" is not 1.0.x or 2.0.x`);
  const parsed = statementSchema(own).safeParse(raw);
  if (!parsed.success) return err(zodReason(parsed.error));
  const s = parsed.data;

  if (opts.statementId !== undefined) {
    if (givenId && givenId.toLowerCase() !== opts.statementId.toLowerCase()) return err("id differs from the statementId parameter");
  }
  if (s.verb.id === VOIDED_VERB && s.object.objectType !== "StatementRef") return err("a voiding statement's object must be a StatementRef");
  if (s.context && (s.context.revision !== undefined || s.context.platform !== undefined) && s.object.objectType !== "Activity") {
    return err("context.revision and context.platform are only allowed when the object is an Activity");
  }
  // 2.0 requires an offset; both reject RFC 3339's "-00:00" (offset unknown).
  const timeOpts = { requireOffset: own === "2.0", rejectUnknownOffset: true };
  let timestamp = opts.now;
  if (s.timestamp !== undefined) {
    const t = parseIsoInstant(s.timestamp, timeOpts);
    if (!t) return err(`timestamp "${s.timestamp}" is not an ISO 8601 date-time${own === "2.0" ? " with offset" : ""}`);
    timestamp = t;
  }
  if (s.object.objectType === "SubStatement" && s.object.timestamp !== undefined && !parseIsoInstant(s.object.timestamp, timeOpts)) {
    return err(`object.timestamp "${s.object.timestamp}" is not an ISO 8601 date-time`);
  }
  if (s.stored !== undefined && !parseIsoInstant(s.stored, timeOpts)) return err(`stored "${s.stored}" is not an ISO 8601 date-time`);
  const id = (opts.statementId ?? givenId ?? derivedId(raw)).toLowerCase();
  return { id, idAssigned: !opts.statementId && !givenId, version: own, timestamp, timestampAssigned: s.timestamp === undefined, statement: s, raw };
}

/**
 * Validates a POST/PUT body: one statement or an array. Returns the valid ones and every error; an LRS
 * rejects the whole batch on any error (400), so the route should store nothing unless `errors` is
 * empty. Two statements with the same id in one batch: identical (per statementsEqual) → kept once;
 * different → an error, as the LRS answers 409.
 */
export function parseXapiStatements(body: unknown, opts: XapiParseOptions): XapiParseResult {
  const out: XapiParseResult = { statements: [], errors: [] };
  const header = versionOf(opts.version);
  if (!header) {
    out.errors.push({ index: 0, reason: `unsupported X-Experience-API-Version "${opts.version}"` });
    return out;
  }
  const list = Array.isArray(body) ? body : [body];
  if (!Array.isArray(body) && !isRecord(body)) {
    out.errors.push({ index: 0, reason: "body must be a statement or an array of statements" });
    return out;
  }
  if (opts.statementId !== undefined && (list.length !== 1 || !/^[0-9a-f-]{36}$/i.test(opts.statementId))) {
    out.errors.push({ index: 0, reason: "PUT takes exactly one statement and a UUID statementId" });
    return out;
  }
  const byId = new Map<string, ValidStatement>();
  list.forEach((raw, index) => {
    const r = checkOne(raw, index, header, opts);
    if ("reason" in r) {
      out.errors.push(r);
      return;
    }
    const earlier = byId.get(r.id);
    if (earlier) {
      if (!statementsEqual(earlier.raw, r.raw)) out.errors.push({ index, id: r.id, reason: "conflicts with an earlier statement of the same id (409)" });
      return;
    }
    byId.set(r.id, r);
    out.statements.push(r);
  });
  return out;
}

/**
 * A file of statements: a JSON array, one statement, NDJSON, or an LRS query result
 * (`{"statements": [...], "more": ...}`). Errors carry the line where the statement starts.
 */
export function parseXapiFile(text: string, opts: XapiParseOptions): XapiParseResult {
  const { values, errors } = readJsonValues(text);
  const flat: Array<{ value: unknown; line: number }> = [];
  for (const v of values) {
    const items = Array.isArray(v.value) ? v.value : isRecord(v.value) && Array.isArray(v.value.statements) && !("actor" in v.value) ? v.value.statements : [v.value];
    for (const item of items as unknown[]) flat.push({ value: item, line: v.line });
  }
  const r = parseXapiStatements(
    flat.map((f) => f.value),
    opts,
  );
  return {
    statements: r.statements,
    errors: [...errors.map((e) => ({ index: -1, line: e.line, reason: e.reason })), ...r.errors.map((e) => ({ ...e, line: flat[e.index]?.line }))],
  };
}
